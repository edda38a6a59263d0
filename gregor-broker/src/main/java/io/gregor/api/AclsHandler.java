package io.gregor.api;

import io.gregor.network.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.SecurityDisabledException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * DescribeAcls, CreateAcls and DeleteAcls as Kafka answers them with no {@code authorizer.class.name} configured,
 * which is this broker's case (no authorizer, every client may do everything): SECURITY_DISABLED, "No Authorizer is
 * configured.", for the whole request (DescribeAcls) or for every creation and every filter (the other two).
 * {@code kafka-acls --list} then fails with Kafka's message instead of an unsupported-version error.
 */
final class AclsHandler extends SharedHandler {

    AclsHandler(ApiKeys apiKey) {
        super(apiKey, "an ACL API", ApiKeys.DESCRIBE_ACLS, ApiKeys.CREATE_ACLS, ApiKeys.DELETE_ACLS);
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context) {
        return ApiHandler.done(context.request()
                .getErrorResponse(0, new SecurityDisabledException("No Authorizer is configured.")).data());
    }
}
