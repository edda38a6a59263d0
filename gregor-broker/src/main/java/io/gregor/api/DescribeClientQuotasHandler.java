package io.gregor.api;

import io.gregor.network.RequestContext;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.message.DescribeClientQuotasRequestData;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.requests.DescribeClientQuotasRequest;

/**
 * DescribeClientQuotas ({@code kafka-configs --describe --entity-type users|clients|ips}): Gregor enforces no client
 * quotas and stores none (AlterClientQuotas is not offered), so every well-formed filter matches nothing, which is
 * what Kafka answers where no quota was set. A malformed filter gets Kafka's code and words (compared by
 * bench/wire-diff.sh).
 */
final class DescribeClientQuotasHandler implements ApiHandler {

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_CLIENT_QUOTAS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context) {
        DescribeClientQuotasRequestData request = ((DescribeClientQuotasRequest) context.request()).data();
        DescribeClientQuotasResponseData response = new DescribeClientQuotasResponseData().setThrottleTimeMs(0);
        try {
            throwIfFilterInvalid(request);
        } catch (ApiException e) {
            return ApiHandler.done(response.setErrorCode(Errors.forException(e).code()).setErrorMessage(e.getMessage())
                    .setEntries(null));
        }
        return ApiHandler.done(response.setErrorCode(Errors.NONE.code()).setErrorMessage("")); // "" as Kafka's
    }

    /** Kafka's checks of a quota filter, with its codes and words. */
    private static void throwIfFilterInvalid(DescribeClientQuotasRequestData request) {
        Set<String> types = new HashSet<>();
        for (DescribeClientQuotasRequestData.ComponentData c : request.components()) {
            String type = c.entityType();
            if (type.isEmpty()) {
                throw new InvalidRequestException("Invalid empty entity type.");
            }
            if (!type.equals(ClientQuotaEntity.USER) && !type.equals(ClientQuotaEntity.CLIENT_ID)
                    && !type.equals(ClientQuotaEntity.IP)) {
                throw new UnsupportedVersionException("Unsupported entity type " + type);
            }
            if (!types.add(type)) {
                throw new InvalidRequestException("Entity type " + type + " cannot appear more than once in the filter.");
            }
            byte match = c.matchType();
            if (match == DescribeClientQuotasRequest.MATCH_TYPE_EXACT && c.match() == null) {
                throw new InvalidRequestException("Request specified MATCH_TYPE_EXACT, but set match string to null.");
            }
            if (match == DescribeClientQuotasRequest.MATCH_TYPE_DEFAULT && c.match() != null) {
                throw new InvalidRequestException("Request specified MATCH_TYPE_DEFAULT, but also specified a match string.");
            }
            if (match == DescribeClientQuotasRequest.MATCH_TYPE_SPECIFIED && c.match() != null) {
                throw new InvalidRequestException("Request specified MATCH_TYPE_SPECIFIED, but also specified a match string.");
            }
            if (match != DescribeClientQuotasRequest.MATCH_TYPE_EXACT && match != DescribeClientQuotasRequest.MATCH_TYPE_DEFAULT
                    && match != DescribeClientQuotasRequest.MATCH_TYPE_SPECIFIED) {
                throw new InvalidRequestException("Unknown match type " + match);
            }
        }
        if (types.contains(ClientQuotaEntity.IP) && (types.contains(ClientQuotaEntity.USER) || types.contains(ClientQuotaEntity.CLIENT_ID))) {
            throw new InvalidRequestException("Invalid entity filter component combination. IP filter component should not be"
                    + " used with user or clientId filter component.");
        }
    }
}
