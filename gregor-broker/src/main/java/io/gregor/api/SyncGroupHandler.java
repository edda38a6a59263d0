package io.gregor.api;

import io.gregor.network.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.SyncGroupRequest;

/** SyncGroup v0-5; followers' responses are parked until the leader's assignment arrives. */
final class SyncGroupHandler implements ApiHandler {

    private final BrokerServices broker;

    SyncGroupHandler(BrokerServices broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.SYNC_GROUP;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context) {
        SyncGroupRequestData request = ((SyncGroupRequest) context.request()).data();
        short version = context.apiVersion();
        Errors coordinator = broker.groups().coordinatorError(request.groupId());
        if (coordinator != Errors.NONE) {
            return ApiHandler.done(error(coordinator));
        }
        return broker.groups().syncGroup(GroupRequests.meta(context), request).handle((r, e) -> {
            SyncGroupResponseData response = e != null ? error(GroupRequests.error(e, context)) : r;
            if (version < 5) {
                response.setProtocolType(null).setProtocolName(null);
            }
            return response;
        });
    }

    private static SyncGroupResponseData error(Errors error) {
        return new SyncGroupResponseData().setErrorCode(error.code()).setAssignment(new byte[0]);
    }
}
