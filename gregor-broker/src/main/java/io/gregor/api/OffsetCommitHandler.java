package io.gregor.api;

import io.gregor.network.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetCommitRequest;

/**
 * OffsetCommit v2-9 (topic names). v10 (topic ids, KIP-848 members) is not advertised yet.
 * Acknowledged once the offset records are durable.
 */
final class OffsetCommitHandler implements ApiHandler {

    private final BrokerServices broker;

    OffsetCommitHandler(BrokerServices broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_COMMIT;
    }

    @Override
    public short maxVersion() {
        return 9;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context) {
        OffsetCommitRequestData request = ((OffsetCommitRequest) context.request()).data();
        Errors coordinator = broker.groups().coordinatorError(request.groupId());
        if (coordinator != Errors.NONE) {
            return ApiHandler.done(allFailed(request, coordinator));
        }
        return broker.groups().commitOffsets(context.apiVersion(), request)
                .handle((r, e) -> e != null ? allFailed(request, GroupRequests.error(e, context)) : r);
    }

    private static OffsetCommitResponseData allFailed(OffsetCommitRequestData request, Errors error) {
        OffsetCommitResponseData response = new OffsetCommitResponseData();
        for (OffsetCommitRequestData.OffsetCommitRequestTopic t : request.topics()) {
            OffsetCommitResponseData.OffsetCommitResponseTopic rt = new OffsetCommitResponseData.OffsetCommitResponseTopic().setName(t.name());
            for (OffsetCommitRequestData.OffsetCommitRequestPartition p : t.partitions()) {
                rt.partitions().add(new OffsetCommitResponseData.OffsetCommitResponsePartition()
                        .setPartitionIndex(p.partitionIndex()).setErrorCode(error.code()));
            }
            response.topics().add(rt);
        }
        return response;
    }
}
