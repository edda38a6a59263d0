package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gregor.testkit.RawClient;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ConsumerGroupDescribeResponse;
import org.apache.kafka.common.requests.ConsumerGroupHeartbeatResponse;
import org.apache.kafka.common.requests.CreateTopicsResponse;
import org.apache.kafka.common.requests.DescribeConfigsResponse;
import org.apache.kafka.common.requests.DescribeGroupsResponse;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fields of successful answers that the Java client ignores but other clients print or test: null, "" or a word,
 * as Apache Kafka 4.4 answers them (each seen by sending the same request to Kafka 4.4 and to Gregor).
 */
@Timeout(60)
class ResponseDetailsTest extends SharedNodeTest {

    @Test
    void shouldAnswerACreatedTopicWithANullErrorMessage() {
        try (RawClient client = RawClient.connect(node)) {
            for (boolean validateOnly : List.of(true, false)) {
                CreateTopicsRequestData request = new CreateTopicsRequestData().setTimeoutMs(30_000).setValidateOnly(validateOnly);
                request.topics().add(new CreateTopicsRequestData.CreatableTopic().setName("details").setNumPartitions(1)
                        .setReplicationFactor((short) 1));
                CreateTopicsResponse response = client.send(ApiKeys.CREATE_TOPICS, ApiKeys.CREATE_TOPICS.latestVersion(), request);
                CreateTopicsResponseData.CreatableTopicResult result = response.data().topics().find("details");
                assertThat(result.errorCode()).isEqualTo(Errors.NONE.code());
                assertThat(result.errorMessage()).as("validateOnly=%s", validateOnly).isNull();
            }
        }
    }

    @Test
    void shouldAnswerAFoundCoordinatorWithNoneBeforeV4AndAnEmptyMessageFrom() {
        try (RawClient client = RawClient.connect(node)) {
            // The first lookup creates __consumer_offsets and is answered COORDINATOR_NOT_AVAILABLE meanwhile.
            FindCoordinatorResponse v3 = await().until(() -> client.<FindCoordinatorResponse>send(ApiKeys.FIND_COORDINATOR,
                    (short) 3, new FindCoordinatorRequestData().setKeyType((byte) 0).setKey("g")),
                    r -> r.data().errorCode() == Errors.NONE.code());
            assertThat(v3.data().errorMessage()).isEqualTo("NONE");
            FindCoordinatorRequestData batched = new FindCoordinatorRequestData().setKeyType((byte) 0);
            batched.coordinatorKeys().add("g");
            FindCoordinatorResponse v6 = client.send(ApiKeys.FIND_COORDINATOR, ApiKeys.FIND_COORDINATOR.latestVersion(), batched);
            FindCoordinatorResponseData.Coordinator coordinator = v6.data().coordinators().get(0);
            assertThat(coordinator.errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(coordinator.errorMessage()).isEmpty();
        }
    }

    @Test
    void shouldListAbortedTransactionsAsKafkaDoes() throws Exception {
        try (RawClient client = RawClient.connect(node)) {
            Clients.createTopic(node, "fetched", 1, Map.of());
            for (byte isolation : new byte[] {0, 1}) {
                // in range, OFFSET_OUT_OF_RANGE, (-1) an unknown partition, (-2) a leader epoch from the future
                for (long offset : new long[] {0, 100, -1, -2}) {
                    FetchRequestData request = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(0).setMinBytes(0)
                            .setMaxBytes(1 << 20).setIsolationLevel(isolation).setSessionId(0).setSessionEpoch(-1);
                    FetchRequestData.FetchTopic topic = new FetchRequestData.FetchTopic().setTopic("fetched");
                    topic.partitions().add(new FetchRequestData.FetchPartition().setPartition(offset == -1 ? 7 : 0)
                            .setFetchOffset(Math.max(0, offset)).setPartitionMaxBytes(1 << 20).setCurrentLeaderEpoch(offset == -2 ? 5 : -1)
                            .setLastFetchedEpoch(-1).setLogStartOffset(-1));
                    request.topics().add(topic);
                    FetchResponse response = client.send(ApiKeys.FETCH, (short) 12, request);
                    FetchResponseData.PartitionData partition = response.data().responses().get(0).partitions().get(0);
                    if (offset == -2) {
                        assertThat(partition.errorCode()).isEqualTo(Errors.UNKNOWN_LEADER_EPOCH.code());
                        assertThat(partition.abortedTransactions()).as("found while reading, in Kafka").isNull();
                    } else if (offset == -1) {
                        assertThat(partition.errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                        assertThat(partition.abortedTransactions()).as("refused before reading").isEmpty();
                    } else if (isolation == 1 && offset == 0) {
                        assertThat(partition.abortedTransactions()).isEmpty();
                    } else {
                        assertThat(partition.abortedTransactions()).as("isolation %d, offset %d", isolation, offset).isNull();
                    }
                }
            }
        }
    }

    @Test
    void shouldAnswerAPartitionAskedTwiceForItsOffsetsOnceWithInvalidRequest() throws Exception {
        try (RawClient client = RawClient.connect(node)) {
            Clients.createTopic(node, "listed", 2, Map.of());
            ListOffsetsRequestData request = new ListOffsetsRequestData().setReplicaId(-1);
            for (int[] partitions : new int[][] {{0, 1}, {0}}) { // the topic twice, partition 0 in both
                ListOffsetsRequestData.ListOffsetsTopic topic = new ListOffsetsRequestData.ListOffsetsTopic().setName("listed");
                for (int partition : partitions) {
                    topic.partitions().add(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(partition)
                            .setTimestamp(ListOffsetsRequest.LATEST_TIMESTAMP).setCurrentLeaderEpoch(-1));
                }
                request.topics().add(topic);
            }
            ListOffsetsResponse response = client.send(ApiKeys.LIST_OFFSETS, ApiKeys.LIST_OFFSETS.latestVersion(), request);
            assertThat(response.data().topics()).singleElement().satisfies(t -> {
                assertThat(t.name()).isEqualTo("listed");
                Map<Integer, Short> errors = new TreeMap<>();
                t.partitions().forEach(p -> errors.merge(p.partitionIndex(), p.errorCode(), (x, y) -> (short) -1));
                assertThat(errors).containsExactly(Map.entry(0, Errors.INVALID_REQUEST.code()), Map.entry(1, Errors.NONE.code()));
            });
        }
    }

    @Test
    void shouldDescribeAnUnknownGroupAsDead() {
        try (RawClient client = RawClient.connect(node)) {
            // Groups have a coordinator once __consumer_offsets exists, which the first FindCoordinator creates.
            await().until(() -> client.<FindCoordinatorResponse>send(ApiKeys.FIND_COORDINATOR, (short) 3,
                    new FindCoordinatorRequestData().setKeyType((byte) 0).setKey("no-such-group")),
                    r -> r.data().errorCode() == Errors.NONE.code());
            for (short version = 5; version <= 6; version++) {
                DescribeGroupsRequestData request = new DescribeGroupsRequestData();
                request.groups().add("no-such-group");
                short v = version;
                DescribeGroupsResponse response = await().until(() -> client.<DescribeGroupsResponse>send(ApiKeys.DESCRIBE_GROUPS,
                        v, request), r -> r.data().groups().get(0).errorCode() != Errors.COORDINATOR_LOAD_IN_PROGRESS.code()
                        && r.data().groups().get(0).errorCode() != Errors.COORDINATOR_NOT_AVAILABLE.code());
                DescribeGroupsResponseData.DescribedGroup group = response.data().groups().get(0);
                assertThat(group.groupState()).isEqualTo("Dead");
                // From v6 with Kafka's error and message; before, no error at all.
                assertThat(group.errorCode()).isEqualTo(v >= 6 ? Errors.GROUP_ID_NOT_FOUND.code() : Errors.NONE.code());
                assertThat(group.errorMessage()).isEqualTo(v >= 6 ? "Group no-such-group not found." : null);
            }
        }
    }

    @Test
    void shouldAnswerAConsumerGroupHeartbeatErrorWithoutAMemberIdAndWithKafkasWords() throws Exception {
        try (RawClient client = RawClient.connect(node)) {
            Clients.createTopic(node, "subscribed", 1, Map.of());
            short v = ApiKeys.CONSUMER_GROUP_HEARTBEAT.latestVersion(false);
            String member = Uuid.randomUuid().toString();
            ConsumerGroupHeartbeatResponse joined = await().until(() -> client.<ConsumerGroupHeartbeatResponse>send(
                    ApiKeys.CONSUMER_GROUP_HEARTBEAT, v, new ConsumerGroupHeartbeatRequestData().setGroupId("kip848")
                            .setMemberId(member).setMemberEpoch(0).setRebalanceTimeoutMs(10_000)
                            .setSubscribedTopicNames(List.of("subscribed")).setTopicPartitions(List.of())),
                    r -> r.data().errorCode() == Errors.NONE.code());
            int epoch = joined.data().memberEpoch();
            ConsumerGroupHeartbeatResponse fenced = client.send(ApiKeys.CONSUMER_GROUP_HEARTBEAT, v,
                    new ConsumerGroupHeartbeatRequestData().setGroupId("kip848").setMemberId(member).setMemberEpoch(epoch + 7));
            assertThat(fenced.data().errorCode()).isEqualTo(Errors.FENCED_MEMBER_EPOCH.code());
            assertThat(fenced.data().memberId()).isNull();
            assertThat(fenced.data().memberEpoch()).isZero();
            assertThat(fenced.data().errorMessage()).isEqualTo("The consumer group member has a greater member epoch ("
                    + (epoch + 7) + ") than the one known by the group coordinator (" + epoch
                    + "). The member must abandon all its partitions and rejoin.");
            ConsumerGroupHeartbeatResponse unsubscribed = client.send(ApiKeys.CONSUMER_GROUP_HEARTBEAT, v,
                    new ConsumerGroupHeartbeatRequestData().setGroupId("kip848").setMemberId(Uuid.randomUuid().toString())
                            .setMemberEpoch(0).setRebalanceTimeoutMs(10_000).setTopicPartitions(List.of()));
            assertThat(unsubscribed.data().errorMessage())
                    .isEqualTo("Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.");
            ConsumerGroupDescribeResponse described = client.send(ApiKeys.CONSUMER_GROUP_DESCRIBE,
                    ApiKeys.CONSUMER_GROUP_DESCRIBE.latestVersion(false), new ConsumerGroupDescribeRequestData().setGroupIds(List.of("kip848")));
            assertThat(described.data().groups().get(0).members()).singleElement()
                    .satisfies(m -> assertThat(m.subscribedTopicRegex()).isEmpty());
        }
    }

    /** KIP-467: the Java producer fails the refused record with its own message, the rest of its batch with a generic one. */
    @Test
    void shouldNameTheRefusedRecordOfABatchToTheJavaProducer() throws Exception {
        Clients.createTopic(node, "stamped", 1, Map.of());
        long now = System.currentTimeMillis();
        long future = now + 7_200_000L; // message.timestamp.after.max.ms is an hour
        Future<RecordMetadata> good;
        Future<RecordMetadata> bad;
        // Both records in one batch: a long linger (flush() sends it), and a delivery timeout that allows it.
        try (KafkaProducer<String, String> producer = Clients.producer(node, Map.of(ProducerConfig.LINGER_MS_CONFIG, 10_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000, ProducerConfig.RETRIES_CONFIG, 0))) {
            good = producer.send(new ProducerRecord<>("stamped", 0, now, "k", "in time"));
            bad = producer.send(new ProducerRecord<>("stamped", 0, future, "k", "from the future"));
            producer.flush();
        }
        assertThatThrownBy(bad::get).cause().isInstanceOf(InvalidTimestampException.class)
                .hasMessageStartingWith("Timestamp " + future + " of message with offset 1 is out of range.");
        assertThatThrownBy(good::get).cause().isExactlyInstanceOf(KafkaException.class)
                .hasMessageStartingWith("Failed to append record because it was part of a batch which had");
    }

    /**
     * Kafka's ReplicaManager answers a batch its log's validation refuses with the partition's log start offset, a
     * corrupt or too large one, or one refused while parsing the request (magic 1), with -1.
     */
    @Test
    void shouldAnswerARefusedBatchWithTheLogStartOffsetWhereKafkaDoes() throws Exception {
        Clients.createTopic(node, "refused", 1, Map.of("max.message.bytes", "2000"));
        TopicPartition tp = new TopicPartition("refused", 0);
        long now = System.currentTimeMillis();
        try (RawClient client = RawClient.connect(node); Admin admin = Clients.admin(node)) {
            for (int i = 0; i < 3; i++) {
                assertThat(BadInputTest.produce(client, "refused", 0, BadInputTest.records("v" + i))).isEqualTo(Errors.NONE);
            }
            admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(2))).all().get();
            MemoryRecords baseOffset5 = MemoryRecords.withRecords(5L, Compression.NONE, new SimpleRecord(now, "v".getBytes()));
            MemoryRecords future = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(now + 7_200_000L, "v".getBytes()));
            MemoryRecords corrupt = BadInputTest.records("crc");
            corrupt.buffer().put(corrupt.buffer().limit() - 1, (byte) 'x');
            MemoryRecords tooLarge = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(now, new byte[3000]));
            MemoryRecords magic1 = MemoryRecords.withRecords(RecordBatch.MAGIC_VALUE_V1, Compression.NONE,
                    new SimpleRecord(now, "v".getBytes()));
            Map<String, Long> logStartOffsets = new LinkedHashMap<>();
            Map<String, MemoryRecords> cases = new LinkedHashMap<>();
            cases.put("base offset 5", baseOffset5);
            cases.put("future timestamp", future);
            cases.put("bad CRC", corrupt);
            cases.put("too large", tooLarge);
            cases.put("magic 1", magic1);
            for (Map.Entry<String, MemoryRecords> c : cases.entrySet()) {
                ProduceResponseData.PartitionProduceResponse r = BadInputTest.produceFull(client, "refused", 0, c.getValue());
                assertThat(r.errorCode()).as(c.getKey()).isNotEqualTo(Errors.NONE.code());
                logStartOffsets.put(c.getKey(), r.logStartOffset());
            }
            assertThat(logStartOffsets).containsExactly(Map.entry("base offset 5", 2L), Map.entry("future timestamp", 2L),
                    Map.entry("bad CRC", -1L), Map.entry("too large", -1L), Map.entry("magic 1", -1L));
        }
    }

    @Test
    void shouldAnswerAnUnknownTopicsConfigsWithAnEmptyMessage() {
        try (RawClient client = RawClient.connect(node)) {
            DescribeConfigsRequestData request = new DescribeConfigsRequestData();
            request.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType((byte) 2)
                    .setResourceName("no-such-topic").setConfigurationKeys(null));
            DescribeConfigsResponse response = client.send(ApiKeys.DESCRIBE_CONFIGS, ApiKeys.DESCRIBE_CONFIGS.latestVersion(), request);
            DescribeConfigsResponseData.DescribeConfigsResult result = response.data().results().get(0);
            assertThat(result.errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
            assertThat(result.errorMessage()).isEmpty();
        }
    }
}
