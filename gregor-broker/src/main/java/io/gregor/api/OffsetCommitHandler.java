package io.gregor.api;

import io.gregor.metadata.MetadataImage;
import io.gregor.network.RequestContext;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetCommitRequest;

/**
 * OffsetCommit v2-10: topic names up to v9, topic ids from v10 (resolved to names here, for
 * classic and consumer groups alike; an unknown id is UNKNOWN_TOPIC_ID for its partitions).
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
    public CompletableFuture<ApiMessage> handle(RequestContext context) {
        OffsetCommitRequestData request = ((OffsetCommitRequest) context.request()).data();
        Errors coordinator = broker.groups().coordinatorError(request.groupId());
        if (coordinator != Errors.NONE) {
            return ApiHandler.done(allFailed(request, coordinator));
        }
        if (context.apiVersion() < 10) {
            return broker.groups().commitOffsets(context.apiVersion(), request)
                    .handle((r, e) -> e != null ? allFailed(request, GroupRequests.error(e, context)) : r);
        }
        // v10: topic ids. Commit the known ones by name, answer unknown ones here.
        MetadataImage image = broker.image();
        OffsetCommitRequestData byName = request.duplicate();
        byName.topics().clear();
        Map<String, Uuid> ids = new HashMap<>();
        OffsetCommitResponseData unknown = new OffsetCommitResponseData();
        for (OffsetCommitRequestData.OffsetCommitRequestTopic t : request.topics()) {
            Optional<MetadataImage.TopicImage> topic = image.topic(t.topicId());
            if (topic.isEmpty()) {
                OffsetCommitResponseData.OffsetCommitResponseTopic rt = new OffsetCommitResponseData.OffsetCommitResponseTopic()
                        .setTopicId(t.topicId());
                for (OffsetCommitRequestData.OffsetCommitRequestPartition p : t.partitions()) {
                    rt.partitions().add(new OffsetCommitResponseData.OffsetCommitResponsePartition()
                            .setPartitionIndex(p.partitionIndex()).setErrorCode(Errors.UNKNOWN_TOPIC_ID.code()));
                }
                unknown.topics().add(rt);
            } else {
                ids.put(topic.get().name(), t.topicId());
                byName.topics().add(t.duplicate().setName(topic.get().name()));
            }
        }
        return broker.groups().commitOffsets(context.apiVersion(), byName).handle((r, e) -> {
            OffsetCommitResponseData response = e != null ? allFailed(byName, GroupRequests.error(e, context)) : r;
            for (OffsetCommitResponseData.OffsetCommitResponseTopic t : response.topics()) {
                t.setTopicId(ids.getOrDefault(t.name(), Uuid.ZERO_UUID)).setName("");
            }
            response.topics().addAll(unknown.topics());
            return response;
        });
    }

    private static OffsetCommitResponseData allFailed(OffsetCommitRequestData request, Errors error) {
        OffsetCommitResponseData response = new OffsetCommitResponseData();
        for (OffsetCommitRequestData.OffsetCommitRequestTopic t : request.topics()) {
            OffsetCommitResponseData.OffsetCommitResponseTopic rt = new OffsetCommitResponseData.OffsetCommitResponseTopic().setName(t.name())
                    .setTopicId(t.topicId());
            for (OffsetCommitRequestData.OffsetCommitRequestPartition p : t.partitions()) {
                rt.partitions().add(new OffsetCommitResponseData.OffsetCommitResponsePartition()
                        .setPartitionIndex(p.partitionIndex()).setErrorCode(error.code()));
            }
            response.topics().add(rt);
        }
        return response;
    }
}
