package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.gregor.testkit.RawClient;
import io.gregor.testkit.TestNode;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeProducersResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteRecordsResponse;
import org.apache.kafka.common.requests.DescribeProducersResponse;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * DeleteRecords, DescribeProducers and OffsetForLeaderEpoch answers compared with what Kafka 4.4's broker sends for
 * the same requests (KafkaApis / ReplicaManager / LeaderEpochFileCache).
 */
@Timeout(120)
class LogAdminKafkaParityTest {

    private static TestNode node;

    @BeforeAll
    static void start() throws Exception {
        node = TestNode.start();
        Clients.createTopic(node, "parity", 1, Map.of());
        try (KafkaProducer<String, String> producer = Clients.producer(node, Map.of())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>("parity", 0, "k", "v" + i)).get();
            }
        }
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    /**
     * Kafka's KafkaApis.handleDeleteRecordsRequest puts every (partition, offset) of the request into a map, so a
     * partition named twice is deleted up to the offset named last, and answered once.
     */
    @Test
    void deleteRecordsNamingAPartitionTwiceUsesTheLastOffset() throws Exception {
        Clients.createTopic(node, "dr-dup", 1, Map.of());
        try (KafkaProducer<String, String> producer = Clients.producer(node, Map.of())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>("dr-dup", 0, "k", "v" + i)).get();
            }
        }
        try (RawClient client = RawClient.connect(node)) {
            DeleteRecordsRequestData request = new DeleteRecordsRequestData().setTimeoutMs(30000);
            DeleteRecordsRequestData.DeleteRecordsTopic topic = new DeleteRecordsRequestData.DeleteRecordsTopic().setName("dr-dup");
            topic.partitions().add(new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(0).setOffset(2));
            topic.partitions().add(new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(0).setOffset(5));
            request.topics().add(topic);
            DeleteRecordsResponse response = client.send(ApiKeys.DELETE_RECORDS, (short) 2, request);
            List<DeleteRecordsResponseData.DeleteRecordsPartitionResult> partitions =
                    List.copyOf(response.data().topics().find("dr-dup").partitions());
            assertThat(partitions).hasSize(1);
            assertThat(Errors.forCode(partitions.get(0).errorCode())).isEqualTo(Errors.NONE);
            assertThat(partitions.get(0).lowWatermark()).as("Kafka: the offset named last wins").isEqualTo(5L);
        }
    }

    /**
     * Kafka's ReplicaManager.lastOffsetForLeaderEpoch skips the fencing check only for currentLeaderEpoch -1
     * (NO_PARTITION_LEADER_EPOCH); any other value goes to Partition.checkCurrentLeaderEpoch, where a value below the
     * partition's epoch is FENCED_LEADER_EPOCH.
     */
    @Test
    void offsetForLeaderEpochWithACurrentLeaderEpochBelowMinusOneIsFenced() {
        try (RawClient client = RawClient.connect(node)) {
            OffsetForLeaderEpochResponseData.EpochEndOffset end = offsetForLeaderEpoch(client, -2, 0);
            assertThat(Errors.forCode(end.errorCode())).isEqualTo(Errors.FENCED_LEADER_EPOCH);
            assertThat(end.leaderEpoch()).isEqualTo(-1);
            assertThat(end.endOffset()).isEqualTo(-1L);
        }
    }

    /**
     * Kafka's LeaderEpochFileCache.endOffsetFor answers (-1, -1) only for the requested epoch -1 (UNDEFINED_EPOCH);
     * another epoch below every cached one is answered with itself and the start offset of the first cached epoch.
     */
    @Test
    void offsetForLeaderEpochOfANegativeEpochOtherThanUndefinedAnswersTheFirstEpochStart() {
        try (RawClient client = RawClient.connect(node)) {
            OffsetForLeaderEpochResponseData.EpochEndOffset end = offsetForLeaderEpoch(client, -1, -2);
            assertThat(Errors.forCode(end.errorCode())).isEqualTo(Errors.NONE);
            assertThat(end.leaderEpoch()).isEqualTo(-2);
            assertThat(end.endOffset()).as("the start of epoch 0").isEqualTo(0L);
        }
    }

    /**
     * Kafka's KafkaApis.handleDescribeProducersRequest validates the topic name first (checkValidTopic): an illegal
     * name answers INVALID_TOPIC_EXCEPTION with Topic.validate's message, not UNKNOWN_TOPIC_OR_PARTITION.
     */
    @Test
    void describeProducersOfAnIllegalTopicNameIsInvalidTopic() {
        try (RawClient client = RawClient.connect(node)) {
            DescribeProducersRequestData request = new DescribeProducersRequestData();
            request.topics().add(new DescribeProducersRequestData.TopicRequest().setName("bad name!").setPartitionIndexes(List.of(0)));
            DescribeProducersResponse response = client.send(ApiKeys.DESCRIBE_PRODUCERS, (short) 0, request);
            DescribeProducersResponseData.PartitionResponse p = response.data().topics().get(0).partitions().get(0);
            assertThat(Errors.forCode(p.errorCode())).isEqualTo(Errors.INVALID_TOPIC_EXCEPTION);
            assertThat(p.errorMessage()).isEqualTo(
                    "Topic name is invalid: 'bad name!' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'");
        }
    }

    private static OffsetForLeaderEpochResponseData.EpochEndOffset offsetForLeaderEpoch(RawClient client, int currentLeaderEpoch,
            int leaderEpoch) {
        OffsetForLeaderEpochRequestData request = new OffsetForLeaderEpochRequestData().setReplicaId(-1);
        OffsetForLeaderEpochRequestData.OffsetForLeaderTopic topic =
                new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic("parity");
        topic.partitions().add(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition().setPartition(0)
                .setCurrentLeaderEpoch(currentLeaderEpoch).setLeaderEpoch(leaderEpoch));
        request.topics().add(topic);
        OffsetsForLeaderEpochResponse response = client.send(ApiKeys.OFFSET_FOR_LEADER_EPOCH, (short) 4, request);
        return response.data().topics().iterator().next().partitions().get(0);
    }
}
