package io.gregor.api;

import io.gregor.network.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.HeartbeatRequest;

/** Heartbeat v0-4 of classic group members. */
final class HeartbeatHandler implements ApiHandler {

    private final BrokerServices broker;

    HeartbeatHandler(BrokerServices broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.HEARTBEAT;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context) {
        HeartbeatRequestData request = ((HeartbeatRequest) context.request()).data();
        Errors coordinator = broker.groups().coordinatorError(request.groupId());
        if (coordinator != Errors.NONE) {
            return ApiHandler.done(new HeartbeatResponseData().setErrorCode(coordinator.code()));
        }
        return broker.groups().heartbeat(request).handle((r, e) ->
                e != null ? new HeartbeatResponseData().setErrorCode(GroupRequests.error(e, context).code()) : r);
    }
}
