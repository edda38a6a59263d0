package io.gregor.api;

import io.gregor.network.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ConsumerGroupHeartbeatRequest;

/**
 * ConsumerGroupHeartbeat v0-1 (KIP-848, {@code group.protocol=consumer}): join, heartbeat and
 * leave in one request; the coordinator answers with the member epoch and assignment once the
 * records it wrote are durable. v1 (KIP-1082): the client generates the member id.
 */
final class ConsumerGroupHeartbeatHandler implements ApiHandler {

    private final BrokerServices broker;

    ConsumerGroupHeartbeatHandler(BrokerServices broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CONSUMER_GROUP_HEARTBEAT;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context) {
        ConsumerGroupHeartbeatRequestData request = ((ConsumerGroupHeartbeatRequest) context.request()).data();
        Errors coordinator = broker.groups().coordinatorError(request.groupId());
        if (coordinator != Errors.NONE) {
            return ApiHandler.done(error(coordinator));
        }
        return broker.groups().consumerGroupHeartbeat(GroupRequests.meta(context), request)
                .handle((r, e) -> e != null ? error(GroupRequests.error(e, context)) : r);
    }

    private static ConsumerGroupHeartbeatResponseData error(Errors error) {
        return new ConsumerGroupHeartbeatResponseData().setErrorCode(error.code()).setErrorMessage(error.message());
    }
}
