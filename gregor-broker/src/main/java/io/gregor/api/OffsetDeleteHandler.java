package io.gregor.api;

import io.gregor.network.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetDeleteRequest;

/** OffsetDelete v0: removes committed offsets of partitions the group does not consume. */
final class OffsetDeleteHandler implements ApiHandler {

    private final BrokerServices broker;

    OffsetDeleteHandler(BrokerServices broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_DELETE;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context) {
        OffsetDeleteRequestData request = ((OffsetDeleteRequest) context.request()).data();
        Errors coordinator = broker.groups().coordinatorError(request.groupId());
        if (coordinator != Errors.NONE) {
            return ApiHandler.done(new OffsetDeleteResponseData().setErrorCode(coordinator.code()));
        }
        return broker.groups().deleteOffsets(request).handle((r, e) ->
                e != null ? new OffsetDeleteResponseData().setErrorCode(GroupRequests.error(e, context).code()) : r);
    }
}
