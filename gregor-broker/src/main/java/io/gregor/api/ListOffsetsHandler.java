package io.gregor.api;

import io.gregor.metadata.MetadataImage;
import io.gregor.network.RequestContext;
import io.gregor.replica.ReplicaManager;
import io.gregor.storage.OffsetAndTimestamp;
import io.gregor.storage.PartitionLog;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ListOffsets v1-11: latest (-1), earliest (-2), max timestamp (-3), earliest local (-4),
 * latest tiered (-5, none here: -1), earliest pending upload (-6, none: -1), or the first offset
 * whose timestamp is at least the target (PROTOCOL.md 2.7).
 */
final class ListOffsetsHandler implements ApiHandler {

    private static final Logger log = LoggerFactory.getLogger(ListOffsetsHandler.class);

    private final BrokerServices broker;

    ListOffsetsHandler(BrokerServices broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_OFFSETS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context) {
        ListOffsetsRequestData request = ((ListOffsetsRequest) context.request()).data();
        MetadataImage image = broker.image();
        ListOffsetsResponseData response = new ListOffsetsResponseData().setThrottleTimeMs(0);
        // As Kafka: a partition asked for more than once gets one INVALID_REQUEST answer and no lookup, and a topic
        // listed twice is answered once.
        Set<TopicPartition> seen = new HashSet<>();
        Set<TopicPartition> duplicates = new HashSet<>();
        for (ListOffsetsRequestData.ListOffsetsTopic topic : request.topics()) {
            for (ListOffsetsRequestData.ListOffsetsPartition p : topic.partitions()) {
                TopicPartition tp = new TopicPartition(topic.name(), p.partitionIndex());
                if (!seen.add(tp)) {
                    duplicates.add(tp);
                }
            }
        }
        Map<String, ListOffsetsResponseData.ListOffsetsTopicResponse> byTopic = new LinkedHashMap<>();
        Set<TopicPartition> answered = new HashSet<>();
        for (ListOffsetsRequestData.ListOffsetsTopic topic : request.topics()) {
            ListOffsetsResponseData.ListOffsetsTopicResponse tr = byTopic.computeIfAbsent(topic.name(), name -> {
                ListOffsetsResponseData.ListOffsetsTopicResponse created = new ListOffsetsResponseData.ListOffsetsTopicResponse().setName(name);
                response.topics().add(created);
                return created;
            });
            for (ListOffsetsRequestData.ListOffsetsPartition p : topic.partitions()) {
                TopicPartition tp = new TopicPartition(topic.name(), p.partitionIndex());
                if (!answered.add(tp)) {
                    continue; // a duplicate, already answered
                }
                ListOffsetsResponseData.ListOffsetsPartitionResponse pr = new ListOffsetsResponseData.ListOffsetsPartitionResponse()
                        .setPartitionIndex(p.partitionIndex()).setOffset(-1).setTimestamp(-1).setLeaderEpoch(-1);
                tr.partitions().add(pr);
                if (duplicates.contains(tp)) {
                    pr.setErrorCode(Errors.INVALID_REQUEST.code());
                    continue;
                }
                if (!supported(p.timestamp(), context.apiVersion())) {
                    pr.setErrorCode(Errors.UNSUPPORTED_VERSION.code());
                    continue;
                }
                Optional<MetadataImage.TopicImage> known = image.topic(topic.name());
                Optional<ReplicaManager.HostedPartition> hosted = known.isPresent()
                        ? broker.replicas().partition(topic.name(), known.get().id(), p.partitionIndex()) : Optional.empty();
                if (hosted.isEmpty()) {
                    pr.setErrorCode((known.isEmpty() ? Errors.UNKNOWN_TOPIC_OR_PARTITION : broker.replicas().notHostedError(
                            broker.image(), topic.name(), known.get().id(), p.partitionIndex(), false)).code());
                    continue;
                }
                int currentEpoch = hosted.get().leaderEpoch();
                // The response carries leader epochs from v4; older versions must leave the default.
                int epoch = context.apiVersion() >= 4 ? currentEpoch : -1;
                if (p.currentLeaderEpoch() >= 0 && p.currentLeaderEpoch() != currentEpoch) {
                    pr.setErrorCode((p.currentLeaderEpoch() > currentEpoch ? Errors.UNKNOWN_LEADER_EPOCH : Errors.FENCED_LEADER_EPOCH).code());
                    continue;
                }
                try {
                    lookup(hosted.get().log(), p.timestamp(), epoch, pr);
                } catch (RuntimeException e) {
                    // A partition's own failure is its own answer, as Kafka's fetchOffset: its log was deleted (or
                    // replaced) while it was read, or went offline; anything else is unexpected.
                    Optional<ReplicaManager.HostedPartition> now = broker.replicas().partition(topic.name(), p.partitionIndex());
                    Errors error;
                    if (now.isEmpty() || now.get().log() != hosted.get().log()) {
                        error = Errors.UNKNOWN_TOPIC_OR_PARTITION;
                    } else if (hosted.get().log().isOffline()) {
                        error = Errors.KAFKA_STORAGE_ERROR;
                    } else {
                        log.error("ListOffsets of {}-{} failed for {}", topic.name(), p.partitionIndex(), context.summary(), e);
                        error = Errors.UNKNOWN_SERVER_ERROR;
                    }
                    pr.setErrorCode(error.code()).setOffset(-1).setTimestamp(-1).setLeaderEpoch(-1);
                }
            }
        }
        return ApiHandler.done(response);
    }

    /**
     * As Kafka's ReplicaManager (isListOffsetsTimestampUnsupported): a negative timestamp must be a special value
     * that {@code version} has; checked before the partition is looked up.
     */
    private static boolean supported(long timestamp, short version) {
        if (timestamp >= 0) {
            return true;
        }
        int since;
        if (timestamp == ListOffsetsRequest.LATEST_TIMESTAMP || timestamp == ListOffsetsRequest.EARLIEST_TIMESTAMP) {
            since = 1;
        } else if (timestamp == ListOffsetsRequest.MAX_TIMESTAMP) {
            since = 7;
        } else if (timestamp == ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP) {
            since = 8;
        } else if (timestamp == ListOffsetsRequest.LATEST_TIERED_TIMESTAMP) {
            since = 9;
        } else if (timestamp == ListOffsetsRequest.EARLIEST_PENDING_UPLOAD_TIMESTAMP) {
            since = 11;
        } else {
            return false;
        }
        return version >= since;
    }

    private static void lookup(PartitionLog log, long timestamp, int epoch, ListOffsetsResponseData.ListOffsetsPartitionResponse pr) {
        pr.setErrorCode(Errors.NONE.code());
        if (timestamp == ListOffsetsRequest.LATEST_TIMESTAMP) {
            pr.setOffset(log.logEndOffset()).setLeaderEpoch(epoch);
        } else if (timestamp == ListOffsetsRequest.EARLIEST_TIMESTAMP || timestamp == ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP) {
            pr.setOffset(log.logStartOffset()).setLeaderEpoch(epoch);
        } else if (timestamp == ListOffsetsRequest.MAX_TIMESTAMP) {
            OffsetAndTimestamp max = log.maxTimestampOffset();
            pr.setOffset(max.offset()).setTimestamp(max.timestamp()).setLeaderEpoch(max.offset() >= 0 ? epoch : -1);
        } else if (timestamp < 0) {
            // -5 latest tiered, -6 earliest pending upload: no tiered storage here.
            pr.setOffset(-1);
        } else {
            Optional<OffsetAndTimestamp> found = log.offsetForTimestamp(timestamp);
            found.ifPresent(f -> pr.setOffset(f.offset()).setTimestamp(f.timestamp()).setLeaderEpoch(epoch));
        }
    }
}
