package io.gregor.api;

import io.gregor.network.RequestContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData.DescribeUserScramCredentialsResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeUserScramCredentialsRequest;

/**
 * DescribeUserScramCredentials ({@code kafka-configs --describe --entity-type users} asks for it beside the client
 * quotas): Gregor has no SASL and stores no SCRAM credentials (AlterUserScramCredentials is not offered), so listing
 * every user finds none and a named user is answered as Kafka answers a user without credentials.
 */
final class DescribeUserScramCredentialsHandler implements ApiHandler {

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context) {
        DescribeUserScramCredentialsRequestData request = ((DescribeUserScramCredentialsRequest) context.request()).data();
        DescribeUserScramCredentialsResponseData response = new DescribeUserScramCredentialsResponseData().setThrottleTimeMs(0)
                .setErrorCode(Errors.NONE.code()).setErrorMessage(""); // "" as Kafka's
        if (request.users() == null) {
            return ApiHandler.done(response);
        }
        Map<String, Integer> counts = new LinkedHashMap<>(); // each user once, in request order
        request.users().forEach(u -> counts.merge(u.name(), 1, Integer::sum));
        counts.forEach((user, times) -> {
            DescribeUserScramCredentialsResult result = new DescribeUserScramCredentialsResult().setUser(user);
            if (times > 1) {
                result.setErrorCode(Errors.DUPLICATE_RESOURCE.code()).setErrorMessage(
                        "Cannot describe SCRAM credentials for the same user twice in a single request: " + user);
            } else {
                result.setErrorCode(Errors.RESOURCE_NOT_FOUND.code()).setErrorMessage(
                        "Attempt to describe a user credential that does not exist: " + user);
            }
            response.results().add(result);
        });
        return ApiHandler.done(response);
    }
}
