package io.gregor.api;

import io.gregor.metadata.MetadataImage;
import io.gregor.network.RequestContext;
import io.gregor.replica.ReplicaManager;
import io.gregor.storage.EpochEndOffset;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;

/**
 * OffsetForLeaderEpoch v2-4: where a leader epoch ends in this node's log, which a consumer uses to
 * validate its position after a leader change (KIP-320) and a follower to find where to truncate.
 * The caller's currentLeaderEpoch fences stale metadata (-1 skips the check); an epoch the log has
 * never seen answers NONE with (-1, -1), as Kafka's {@code Partition.lastOffsetForLeaderEpoch}.
 * replicaId is ignored: every partition here is led by this node.
 */
final class OffsetForLeaderEpochHandler implements ApiHandler {

    private final BrokerServices broker;

    OffsetForLeaderEpochHandler(BrokerServices broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_FOR_LEADER_EPOCH;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context) {
        OffsetForLeaderEpochRequestData request = ((OffsetsForLeaderEpochRequest) context.request()).data();
        MetadataImage image = broker.image();
        OffsetForLeaderEpochResponseData response = new OffsetForLeaderEpochResponseData().setThrottleTimeMs(0);
        for (OffsetForLeaderTopic t : request.topics()) {
            OffsetForLeaderTopicResult topicResult = new OffsetForLeaderTopicResult().setTopic(t.topic());
            response.topics().add(topicResult);
            boolean known = image.topic(t.topic()).isPresent();
            for (OffsetForLeaderPartition p : t.partitions()) {
                OffsetForLeaderEpochResponseData.EpochEndOffset result = new OffsetForLeaderEpochResponseData.EpochEndOffset()
                        .setPartition(p.partition())
                        .setLeaderEpoch(-1)
                        .setEndOffset(-1);
                topicResult.partitions().add(result);
                Optional<ReplicaManager.HostedPartition> hosted = known
                        ? broker.replicas().partition(t.topic(), p.partition()) : Optional.empty();
                if (hosted.isEmpty()) {
                    result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                    continue;
                }
                int epoch = hosted.get().leaderEpoch();
                if (p.currentLeaderEpoch() != -1 && p.currentLeaderEpoch() != epoch) { // as Kafka: only -1 skips it
                    result.setErrorCode((p.currentLeaderEpoch() > epoch ? Errors.UNKNOWN_LEADER_EPOCH : Errors.FENCED_LEADER_EPOCH).code());
                    continue;
                }
                EpochEndOffset end = hosted.get().log().endOffsetForEpoch(p.leaderEpoch());
                result.setErrorCode(Errors.NONE.code()).setLeaderEpoch(end.epoch()).setEndOffset(end.endOffset());
            }
        }
        return ApiHandler.done(response);
    }
}
