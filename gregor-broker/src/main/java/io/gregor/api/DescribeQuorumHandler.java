package io.gregor.api;

import io.gregor.metadata.MetadataLog;
import io.gregor.network.RequestContext;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DescribeQuorumRequestData;
import org.apache.kafka.common.message.DescribeQuorumResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeQuorumRequest;
import org.apache.kafka.common.requests.DescribeQuorumResponse;

/**
 * DescribeQuorum v0-2 (Admin.describeMetadataQuorum, {@code kafka-metadata-quorum describe}): the metadata quorum
 * is this node alone, so it is the leader and the only voter, with no observers. Its log end offset is what the
 * metadata log holds, the high watermark what is durable and published (the image's last offset + 1); as leader it
 * has fetched and caught up with itself just now, as Kafka reports a leader. The voter has no directory id (the
 * tool then prints none) and no endpoints: the quorum of one is not reached over the network, and this listener is
 * a broker's (DescribeCluster answers controller requests with MISMATCHED_ENDPOINT_TYPE). Leader epoch 0: the
 * epoch the metadata log's batches carry, as no election ever ran. Asked for anything but __cluster_metadata-0,
 * each partition gets UNKNOWN_TOPIC_OR_PARTITION, as Kafka's Raft client answers.
 */
final class DescribeQuorumHandler implements ApiHandler {

    private static final TopicPartition METADATA_PARTITION = new TopicPartition(MetadataLog.TOPIC, 0);

    private final BrokerServices broker;

    DescribeQuorumHandler(BrokerServices broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_QUORUM;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context) {
        DescribeQuorumRequestData request = ((DescribeQuorumRequest) context.request()).data();
        if (!asksForTheMetadataPartitionOnly(request)) {
            return ApiHandler.done(DescribeQuorumRequest.getPartitionLevelErrorResponse(request,
                    Errors.UNKNOWN_TOPIC_OR_PARTITION));
        }
        long highWatermark = broker.image().lastOffset() + 1;
        long logEndOffset = Math.max(broker.controller().metadataLogEndOffset(), highWatermark);
        long now = System.currentTimeMillis();
        DescribeQuorumResponseData.ReplicaState self = new DescribeQuorumResponseData.ReplicaState()
                .setReplicaId(broker.nodeId())
                .setReplicaDirectoryId(Uuid.ZERO_UUID)
                .setLogEndOffset(logEndOffset)
                .setLastFetchTimestamp(now)
                .setLastCaughtUpTimestamp(now);
        DescribeQuorumResponseData.PartitionData partition = new DescribeQuorumResponseData.PartitionData()
                .setPartitionIndex(METADATA_PARTITION.partition())
                .setErrorCode(Errors.NONE.code())
                .setLeaderId(broker.nodeId())
                .setLeaderEpoch(0)
                .setHighWatermark(highWatermark)
                .setCurrentVoters(List.of(self))
                .setObservers(List.of());
        return ApiHandler.done(DescribeQuorumResponse.singletonResponse(METADATA_PARTITION, partition,
                new DescribeQuorumResponseData.NodeCollection()));
    }

    private static boolean asksForTheMetadataPartitionOnly(DescribeQuorumRequestData request) {
        if (request.topics().size() != 1) {
            return false;
        }
        DescribeQuorumRequestData.TopicData topic = request.topics().get(0);
        return topic.topicName().equals(METADATA_PARTITION.topic()) && topic.partitions().size() == 1
                && topic.partitions().get(0).partitionIndex() == METADATA_PARTITION.partition();
    }
}
