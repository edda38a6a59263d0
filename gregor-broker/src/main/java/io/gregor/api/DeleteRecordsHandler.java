package io.gregor.api;

import io.gregor.metadata.MetadataImage;
import io.gregor.network.RequestContext;
import io.gregor.replica.ReplicaManager;
import io.gregor.storage.CleanupPolicy;
import io.gregor.storage.PartitionLog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsPartitionResult;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.DeleteRecordsRequest;
import org.apache.kafka.common.requests.DeleteRecordsResponse;

/**
 * DeleteRecords v0-2 (Admin.deleteRecords, Streams' repartition purge): moves each partition's
 * logStartOffset up to the given offset, -1 meaning the high watermark, and answers the new low
 * watermark. With one replica the high watermark is the log end offset and nothing waits for
 * followers. As in Kafka's {@code Partition.deleteRecordsOnLeader}, a topic whose cleanup.policy
 * lacks "delete" answers POLICY_VIOLATION. Each partition has its own error.
 *
 * <p>A low watermark is answered only once it is checkpointed (fsynced): records a client was told are
 * deleted must not come back after a crash. The logStartOffsets move first and are checkpointed after,
 * so a request costs one checkpoint write per log dir, not one per partition.
 */
final class DeleteRecordsHandler implements ApiHandler {

    private final BrokerServices broker;

    DeleteRecordsHandler(BrokerServices broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_RECORDS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context) {
        DeleteRecordsRequestData request = ((DeleteRecordsRequest) context.request()).data();
        MetadataImage image = broker.image();
        DeleteRecordsResponseData response = new DeleteRecordsResponseData().setThrottleTimeMs(0);
        List<Moved> moved = new ArrayList<>();
        // As Kafka's KafkaApis, which keeps the request's partitions in a map: a partition named twice is answered
        // once, with the offset its last entry asks for.
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (DeleteRecordsRequestData.DeleteRecordsTopic t : request.topics()) {
            for (DeleteRecordsRequestData.DeleteRecordsPartition p : t.partitions()) {
                offsets.put(new TopicPartition(t.name(), p.partitionIndex()), p.offset());
            }
        }
        for (DeleteRecordsRequestData.DeleteRecordsTopic t : request.topics()) {
            DeleteRecordsTopicResult topicResult = response.topics().find(t.name());
            if (topicResult == null) {
                topicResult = new DeleteRecordsTopicResult().setName(t.name());
                response.topics().add(topicResult);
            }
            Optional<MetadataImage.TopicImage> topic = image.topic(t.name());
            for (DeleteRecordsRequestData.DeleteRecordsPartition p : t.partitions()) {
                if (topicResult.partitions().find(p.partitionIndex()) != null) {
                    continue;
                }
                DeleteRecordsPartitionResult result = new DeleteRecordsPartitionResult()
                        .setPartitionIndex(p.partitionIndex())
                        .setLowWatermark(DeleteRecordsResponse.INVALID_LOW_WATERMARK);
                topicResult.partitions().add(result);
                Optional<ReplicaManager.HostedPartition> hosted = topic.isPresent()
                        ? broker.replicas().partition(t.name(), p.partitionIndex()) : Optional.empty();
                if (hosted.isEmpty()) {
                    result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                    continue;
                }
                if (topic.get().isInternal()) {
                    // As Kafka's ReplicaManager.deleteRecordsOnLocalLog: "Cannot delete records of internal topic".
                    result.setErrorCode(Errors.INVALID_TOPIC_EXCEPTION.code());
                    continue;
                }
                // Kafka's Partition.deleteRecordsOnLeader refuses only a compact-only topic: with cleanup.policy
                // empty (KAFKA-19112) records can still be deleted. The log holds its topic's effective policy.
                if (hosted.get().log().config().cleanupPolicy() == CleanupPolicy.COMPACT) {
                    result.setErrorCode(Errors.POLICY_VIOLATION.code());
                    continue;
                }
                long requested = offsets.get(new TopicPartition(t.name(), p.partitionIndex()));
                long offset = requested == DeleteRecordsRequest.HIGH_WATERMARK ? hosted.get().log().logEndOffset() : requested;
                try {
                    result.setLowWatermark(hosted.get().log().maybeIncrementLogStartOffset(offset));
                    moved.add(new Moved(hosted.get().log(), result, t.name()));
                } catch (Exception e) {
                    ApiError error = ResourceErrors.from(e, context, t.name() + "-" + p.partitionIndex());
                    result.setErrorCode(error.error().code());
                }
            }
        }
        for (Moved m : moved) {
            try {
                m.log().checkpointLogStartOffset(); // the first one of each log dir writes it for the others
                m.result().setErrorCode(Errors.NONE.code());
            } catch (Exception e) {
                ApiError error = ResourceErrors.from(e, context, m.topic() + "-" + m.result().partitionIndex());
                m.result().setLowWatermark(DeleteRecordsResponse.INVALID_LOW_WATERMARK).setErrorCode(error.error().code());
            }
        }
        return ApiHandler.done(response);
    }

    /** A partition whose logStartOffset moved, to be checkpointed before it is answered. */
    private record Moved(PartitionLog log, DeleteRecordsPartitionResult result, String topic) {
    }
}
