package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.gregor.testkit.RawClient;
import io.gregor.testkit.TestNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.AlterConfigsResponse;
import org.apache.kafka.common.requests.CreatePartitionsRequest;
import org.apache.kafka.common.requests.CreatePartitionsResponse;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.CreateTopicsResponse;
import org.apache.kafka.common.requests.DeleteRecordsRequest;
import org.apache.kafka.common.requests.DeleteRecordsResponse;
import org.apache.kafka.common.requests.DescribeClusterRequest;
import org.apache.kafka.common.requests.DescribeClusterResponse;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse;
import org.apache.kafka.common.requests.DescribeLogDirsRequest;
import org.apache.kafka.common.requests.DescribeLogDirsResponse;
import org.apache.kafka.common.requests.DescribeTopicPartitionsRequest;
import org.apache.kafka.common.requests.DescribeTopicPartitionsResponse;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;
import org.apache.kafka.common.requests.IncrementalAlterConfigsResponse;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.requests.DeleteTopicsRequest;
import org.apache.kafka.common.requests.DeleteTopicsResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The admin APIs at the wire, for what the Admin client hides or never sends: paging cursors,
 * endpoint types, leader-epoch fencing, duplicates, and one bad resource or partition next to good ones.
 */
@Timeout(120)
class AdminApisWireTest {

    private static TestNode node;

    @BeforeAll
    static void start() throws Exception {
        node = TestNode.start();
        try (Admin admin = Clients.admin(node)) {
            admin.createTopics(List.of(
                    new NewTopic("page-a", 3, (short) 1),
                    new NewTopic("page-b", 2, (short) 1),
                    new NewTopic("epochs", 1, (short) 1),
                    new NewTopic("compacted", 1, (short) 1).configs(Map.of("cleanup.policy", "compact")),
                    new NewTopic("deletable", 1, (short) 1),
                    new NewTopic("wire-configs", 1, (short) 1).configs(Map.of("retention.ms", "1000", "segment.ms", "600000")),
                    new NewTopic("wire-grow", 1, (short) 1))).all().get();
        }
        produce("epochs", 5);
        produce("deletable", 5);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void shouldPageDescribeTopicPartitionsWithACursor() {
        try (RawClient client = RawClient.connect(node)) {
            DescribeTopicPartitionsResponseData first = describeTopicPartitions(client, 2, null, "page-b", "page-a");
            assertThat(partitionsOf(first)).containsExactly("page-a-0", "page-a-1");
            assertThat(first.nextCursor().topicName()).isEqualTo("page-a");
            assertThat(first.nextCursor().partitionIndex()).isEqualTo(2);

            DescribeTopicPartitionsResponseData second = describeTopicPartitions(client, 2, first.nextCursor(), "page-b", "page-a");
            assertThat(partitionsOf(second)).containsExactly("page-a-2", "page-b-0");
            assertThat(second.nextCursor().topicName()).isEqualTo("page-b");
            assertThat(second.nextCursor().partitionIndex()).isEqualTo(1);

            DescribeTopicPartitionsResponseData last = describeTopicPartitions(client, 2, second.nextCursor(), "page-b", "page-a");
            assertThat(partitionsOf(last)).containsExactly("page-b-1");
            assertThat(last.nextCursor()).isNull();
        }
    }

    @Test
    void shouldDescribeAllTopicsInNameOrderWhenNoneAreNamed() {
        try (RawClient client = RawClient.connect(node)) {
            DescribeTopicPartitionsResponseData all = describeTopicPartitions(client, 2000, null);
            List<String> names = new ArrayList<>();
            all.topics().forEach(t -> names.add(t.name()));
            assertThat(names).contains("page-a", "page-b", "epochs").isSorted().doesNotContain("__cluster_metadata");
            assertThat(all.topics()).allMatch(t -> t.errorCode() == Errors.NONE.code());
        }
    }

    @Test
    void shouldFailDescribeTopicPartitionsWhenTheCursorTopicIsNotListed() {
        try (RawClient client = RawClient.connect(node)) {
            DescribeTopicPartitionsResponseData r = describeTopicPartitions(client, 10,
                    new DescribeTopicPartitionsResponseData.Cursor().setTopicName("page-b").setPartitionIndex(0), "page-a");
            assertThat(r.topics()).singleElement().satisfies(t -> assertThat(t.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code()));
        }
    }

    @Test
    void shouldAnswerUnknownAndInvalidTopicsNextToAKnownOne() {
        try (RawClient client = RawClient.connect(node)) {
            DescribeTopicPartitionsResponseData r = describeTopicPartitions(client, 10, null, "page-a", "no-such", "bad name!");
            assertThat(r.topics().find("page-a").errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(r.topics().find("no-such").errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
            assertThat(r.topics().find("bad name!").errorCode()).isEqualTo(Errors.INVALID_TOPIC_EXCEPTION.code());
        }
    }

    @Test
    void shouldRefuseEndpointTypesOtherThanBrokers() {
        try (RawClient client = RawClient.connect(node)) {
            DescribeClusterResponse controllers = client.send(new DescribeClusterRequest.Builder(
                    new DescribeClusterRequestData().setEndpointType((byte) 2)).build((short) 1));
            assertThat(controllers.data().errorCode()).isEqualTo(Errors.MISMATCHED_ENDPOINT_TYPE.code());
            DescribeClusterResponse unknown = client.send(new DescribeClusterRequest.Builder(
                    new DescribeClusterRequestData().setEndpointType((byte) 7)).build((short) 2));
            assertThat(unknown.data().errorCode()).isEqualTo(Errors.UNSUPPORTED_ENDPOINT_TYPE.code());
            DescribeClusterResponse brokers = client.send(new DescribeClusterRequest.Builder(
                    new DescribeClusterRequestData()).build((short) 0));
            assertThat(brokers.data().errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(brokers.data().brokers()).hasSize(1);
        }
    }

    @Test
    void shouldFenceOffsetForLeaderEpochAndAnswerTheEpochEnd() {
        try (RawClient client = RawClient.connect(node)) {
            OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection topics = new OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection();
            OffsetForLeaderEpochRequestData.OffsetForLeaderTopic epochs = new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic("epochs");
            epochs.partitions().add(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition()
                    .setPartition(0).setCurrentLeaderEpoch(0).setLeaderEpoch(0));
            epochs.partitions().add(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition()
                    .setPartition(0).setCurrentLeaderEpoch(1).setLeaderEpoch(0));
            epochs.partitions().add(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition()
                    .setPartition(5).setCurrentLeaderEpoch(-1).setLeaderEpoch(0));
            topics.add(epochs);
            OffsetsForLeaderEpochResponse r = client.send(OffsetsForLeaderEpochRequest.Builder.forConsumer(topics).build((short) 4));
            List<OffsetForLeaderEpochResponseData.EpochEndOffset> answers = r.data().topics().find("epochs").partitions();
            assertThat(answers.get(0).errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(answers.get(0).leaderEpoch()).isEqualTo(0);
            assertThat(answers.get(0).endOffset()).isEqualTo(5);
            assertThat(answers.get(1).errorCode()).isEqualTo(Errors.UNKNOWN_LEADER_EPOCH.code());
            assertThat(answers.get(2).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
    }

    @Test
    void shouldRefuseADuplicateTopicInCreatePartitionsAndGrowTheOther() {
        try (RawClient client = RawClient.connect(node)) {
            CreatePartitionsRequestData data = new CreatePartitionsRequestData().setTimeoutMs(10_000);
            data.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("page-a").setCount(5));
            // null assignments = broker-chosen, as the Admin client sends; an empty list would mean "0 given".
            data.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("wire-grow").setCount(2).setAssignments(null));
            data.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("page-a").setCount(6));
            CreatePartitionsResponse r = client.send(new CreatePartitionsRequest.Builder(data).build((short) 3));
            List<CreatePartitionsResponseData.CreatePartitionsTopicResult> results = r.data().results();
            assertThat(results).hasSize(2);
            assertThat(results.get(0).name()).isEqualTo("page-a");
            assertThat(results.get(0).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
            assertThat(results.get(1).name()).isEqualTo("wire-grow");
            assertThat(results.get(1).errorCode()).isEqualTo(Errors.NONE.code());
        }
    }

    /** Manual replica assignments through the Admin client, refused with Kafka's codes and words (KRaft controller). */
    @Test
    void shouldCreateTopicsAndPartitionsOnManualAssignmentsAndRefuseBadOnesAsKafkaDoes() throws Exception {
        try (Admin admin = Clients.admin(node)) {
            admin.createTopics(List.of(new NewTopic("manual", Map.of(0, List.of(1), 1, List.of(1))))).all().get();
            assertThat(admin.describeTopics(List.of("manual")).allTopicNames().get().get("manual").partitions())
                    .extracting(p -> p.replicas().get(0).id()).containsExactly(1, 1);
            Map<String, List<List<Integer>>> refused = new java.util.LinkedHashMap<>();
            refused.put("twice", List.of(List.of(1, 1)));
            refused.put("elsewhere", List.of(List.of(7)));
            refused.put("empty", List.of(List.of()));
            Map<String, String> messages = new java.util.LinkedHashMap<>();
            for (Map.Entry<String, List<List<Integer>>> e : refused.entrySet()) {
                messages.put(e.getKey(), refusal(admin.createTopics(List.of(new NewTopic(e.getKey(), Map.of(0, e.getValue().get(0)))))
                        .all()));
            }
            messages.put("gap", refusal(admin.createTopics(List.of(new NewTopic("gap", Map.of(1, List.of(1))))).all()));
            messages.put("partitions twice", refusal(admin.createPartitions(Map.of("manual",
                    NewPartitions.increaseTo(3, List.of(List.of(1, 1))))).all()));
            messages.put("partitions too few", refusal(admin.createPartitions(Map.of("manual",
                    NewPartitions.increaseTo(4, List.of(List.of(1))))).all()));
            assertThat(messages).containsExactly(
                    Map.entry("twice", "InvalidReplicaAssignmentException: The manual partition assignment includes the broker 1 more than once."),
                    Map.entry("elsewhere", "InvalidReplicaAssignmentException: The manual partition assignment includes broker 7, but no such broker is registered."),
                    Map.entry("empty", "InvalidReplicaAssignmentException: The manual partition assignment includes an empty replica list."),
                    Map.entry("gap", "InvalidReplicaAssignmentException: partitions should be a consecutive 0-based integer sequence"),
                    Map.entry("partitions twice", "InvalidReplicaAssignmentException: The manual partition assignment includes the broker 1 more than once."),
                    Map.entry("partitions too few", "InvalidReplicaAssignmentException: Attempted to add 2 additional partition(s), but only 1 assignment(s) were specified."));
            admin.createPartitions(Map.of("manual", NewPartitions.increaseTo(3, List.of(List.of(1))))).all().get();
            assertThat(admin.describeTopics(List.of("manual")).allTopicNames().get().get("manual").partitions()).hasSize(3);
            assertThat(admin.listTopics().names().get()).doesNotContain("twice", "elsewhere", "empty", "gap");
        }
        // What the Admin client cannot send: counts next to assignments, a partition assigned twice.
        try (RawClient client = RawClient.connect(node)) {
            CreateTopicsRequestData data = new CreateTopicsRequestData().setTimeoutMs(10_000);
            data.topics().add(manualTopic("with-rf", 1, (short) 1, 0));
            data.topics().add(manualTopic("with-count", 1, (short) -1, 0));
            data.topics().add(manualTopic("same-partition", -1, (short) -1, 0, 0));
            CreateTopicsRequestData.CreatableTopic badConfig = manualTopic("bad-config", 1, (short) 1, 0);
            badConfig.configs().add(new CreateTopicsRequestData.CreatableTopicConfig().setName("retention.ms").setValue("soon"));
            data.topics().add(badConfig); // the configs are checked first, as Kafka's controller does
            data.topics().add(new CreateTopicsRequestData.CreatableTopic().setName("no-counts").setNumPartitions(0)
                    .setReplicationFactor((short) 0)); // then the replication factor, then the partition count
            CreateTopicsResponse r = client.send(new CreateTopicsRequest.Builder(data).build((short) 7));
            assertThat(r.data().topics()).extracting(t -> t.name() + ": " + Errors.forCode(t.errorCode()) + " " + t.errorMessage())
                    .containsExactlyInAnyOrder(
                            "with-rf: INVALID_REQUEST A manual partition assignment was specified, but replication factor was not set to -1.",
                            "with-count: INVALID_REQUEST A manual partition assignment was specified, but numPartitions was not set to -1.",
                            "same-partition: INVALID_REPLICA_ASSIGNMENT Found multiple manual partition assignments for partition 0",
                            "bad-config: INVALID_CONFIG Invalid value soon for configuration retention.ms: Not a number of type LONG",
                            "no-counts: INVALID_REPLICATION_FACTOR Replication factor must be larger than 0, or -1 to use the default value.");
        }
    }

    /** Admin.alterPartitionReassignments / listPartitionReassignments on one node, answered as a one-node Kafka. */
    @Test
    void shouldCompleteAReassignmentToTheOnlyBrokerAndRefuseOthersAsKafkaDoes() throws Exception {
        try (Admin admin = Clients.admin(node)) {
            admin.createTopics(List.of(new NewTopic("reassigned", 2, (short) 1))).all().get();
            Map<TopicPartition, Optional<NewPartitionReassignment>> plan = new java.util.LinkedHashMap<>();
            plan.put(new TopicPartition("reassigned", 0), Optional.of(new NewPartitionReassignment(List.of(1))));
            plan.put(new TopicPartition("reassigned", 1), Optional.of(new NewPartitionReassignment(List.of(1, 2))));
            Map<TopicPartition, KafkaFuture<Void>> outcomes = admin.alterPartitionReassignments(plan).values();
            outcomes.get(new TopicPartition("reassigned", 0)).get();
            assertThat(refusal(outcomes.get(new TopicPartition("reassigned", 1)))).isEqualTo(
                    "InvalidReplicaAssignmentException: The manual partition assignment includes broker 2, but no such broker is registered.");
            assertThat(refusal(admin.alterPartitionReassignments(Map.of(new TopicPartition("reassigned", 0), Optional.empty())).all()))
                    .startsWith("NoReassignmentInProgressException: ");
            assertThat(refusal(admin.alterPartitionReassignments(Map.of(new TopicPartition("reassigned", 5),
                    Optional.of(new NewPartitionReassignment(List.of(1))))).all()))
                    .isEqualTo("UnknownTopicOrPartitionException: Unable to find partition reassigned:5.");
            assertThat(admin.listPartitionReassignments().reassignments().get()).isEmpty();
            assertThat(admin.describeTopics(List.of("reassigned")).allTopicNames().get().get("reassigned").partitions())
                    .allSatisfy(p -> assertThat(p.replicas()).extracting(n -> n.id()).containsExactly(1));
        }
    }

    private static CreateTopicsRequestData.CreatableTopic manualTopic(String name, int partitions, short rf, int... assigned) {
        CreateTopicsRequestData.CreatableTopic t = new CreateTopicsRequestData.CreatableTopic().setName(name)
                .setNumPartitions(partitions).setReplicationFactor(rf);
        for (int p : assigned) {
            t.assignments().add(new CreateTopicsRequestData.CreatableReplicaAssignment().setPartitionIndex(p).setBrokerIds(List.of(1)));
        }
        return t;
    }

    /** The exception's simple class name and message that {@code result} failed with. */
    private static String refusal(KafkaFuture<Void> result) {
        try {
            result.get();
            return "accepted";
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause().getClass().getSimpleName() + ": " + e.getCause().getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void shouldDeleteRecordsPerPartitionWithItsOwnError() {
        try (RawClient client = RawClient.connect(node)) {
            DeleteRecordsRequestData data = new DeleteRecordsRequestData().setTimeoutMs(10_000);
            data.topics().add(deleteRecordsTopic("deletable", 0, 2));
            data.topics().add(deleteRecordsTopic("compacted", 0, 0));
            data.topics().add(deleteRecordsTopic("epochs", 0, 99));
            data.topics().add(deleteRecordsTopic("no-such", 0, 1));
            DeleteRecordsResponse r = client.send(new DeleteRecordsRequest.Builder(data).build((short) 2));
            DeleteRecordsResponseData.DeleteRecordsTopicResultCollection topics = r.data().topics();
            assertThat(topics.find("deletable").partitions().find(0).errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(topics.find("deletable").partitions().find(0).lowWatermark()).isEqualTo(2);
            assertThat(topics.find("compacted").partitions().find(0).errorCode()).isEqualTo(Errors.POLICY_VIOLATION.code());
            assertThat(topics.find("epochs").partitions().find(0).errorCode()).isEqualTo(Errors.OFFSET_OUT_OF_RANGE.code());
            assertThat(topics.find("no-such").partitions().find(0).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
    }

    @Test
    void shouldRefuseBadAlterResourcesWithoutFailingTheGoodOne() {
        try (RawClient client = RawClient.connect(node)) {
            IncrementalAlterConfigsRequestData data = new IncrementalAlterConfigsRequestData();
            data.resources().add(alterResource(ConfigResource.Type.TOPIC, "wire-configs",
                    op("max.message.bytes", 0, "2000000")));
            data.resources().add(alterResource(ConfigResource.Type.TOPIC, "page-a",
                    op("retention.ms", 0, "1"), op("retention.ms", 1, null)));
            data.resources().add(alterResource(ConfigResource.Type.BROKER, "1", op("log.dirs", 0, "/elsewhere")));
            data.resources().add(alterResource(ConfigResource.Type.TOPIC, "bad name!", op("retention.ms", 0, "1")));
            IncrementalAlterConfigsResponse r = client.send(new IncrementalAlterConfigsRequest.Builder(data).build((short) 1));
            List<IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse> results = r.data().responses();
            assertThat(results).extracting(x -> Errors.forCode(x.errorCode())).containsExactly(
                    Errors.NONE, Errors.INVALID_REQUEST, Errors.INVALID_REQUEST, Errors.INVALID_TOPIC_EXCEPTION);
            assertThat(topicConfig(client, "wire-configs", "max.message.bytes").value()).isEqualTo("2000000");
        }
    }

    @Test
    void shouldReplaceEveryOverrideWithLegacyAlterConfigs() {
        try (RawClient client = RawClient.connect(node)) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "wire-configs");
            AlterConfigsResponse r = client.send(new AlterConfigsRequest.Builder(Map.of(resource,
                    new AlterConfigsRequest.Config(List.of(new AlterConfigsRequest.ConfigEntry("segment.ms", "700000")))), false)
                    .build((short) 2));
            assertThat(r.data().responses()).extracting(AlterConfigsResponseData.AlterConfigsResourceResponse::errorCode)
                    .containsExactly(Errors.NONE.code());
            assertThat(topicConfig(client, "wire-configs", "segment.ms").value()).isEqualTo("700000");
            DescribeConfigsResponseData.DescribeConfigsResourceResult retention = topicConfig(client, "wire-configs", "retention.ms");
            assertThat(retention.value()).isEqualTo(String.valueOf(7 * 24 * 3_600_000L));
            assertThat(retention.configSource()).isEqualTo(DescribeConfigsResponse.ConfigSource.DEFAULT_CONFIG.id());
        }
    }

    @Test
    void shouldReplaceThisBrokersDynamicConfigsWithLegacyAlterConfigs() {
        try (RawClient client = RawClient.connect(node)) {
            ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "1");
            assertThat(legacyAlter(client, broker, "log.retention.ms", "90000")).isEqualTo(Errors.NONE);
            assertThat(legacyAlter(client, broker, "log.dirs", "/elsewhere")).isEqualTo(Errors.INVALID_REQUEST);
            DescribeConfigsResponseData.DescribeConfigsResourceResult set = config(client, ConfigResource.Type.BROKER, "1", "log.retention.ms");
            assertThat(set.value()).isEqualTo("90000");
            assertThat(set.configSource()).isEqualTo(DescribeConfigsResponse.ConfigSource.DYNAMIC_BROKER_CONFIG.id());
            assertThat(topicConfig(client, "page-b", "retention.ms").value()).isEqualTo("90000");

            assertThat(legacyAlter(client, broker)).isEqualTo(Errors.NONE);

            assertThat(config(client, ConfigResource.Type.BROKER, "1", "log.retention.ms").value()).isNull();
            assertThat(topicConfig(client, "page-b", "retention.ms").value()).isEqualTo(String.valueOf(7 * 24 * 3_600_000L));
        }
    }

    /** Legacy AlterConfigs of one resource with key, value pairs; its error. */
    private static Errors legacyAlter(RawClient client, ConfigResource resource, String... keyValues) {
        List<AlterConfigsRequest.ConfigEntry> entries = new ArrayList<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            entries.add(new AlterConfigsRequest.ConfigEntry(keyValues[i], keyValues[i + 1]));
        }
        AlterConfigsResponse r = client.send(new AlterConfigsRequest.Builder(Map.of(resource, new AlterConfigsRequest.Config(entries)), false)
                .build((short) 2));
        return Errors.forCode(r.data().responses().get(0).errorCode());
    }

    @Test
    void shouldDescribeOnlyThisBrokerAndOnlyTheRequestedKeys() {
        try (RawClient client = RawClient.connect(node)) {
            DescribeConfigsRequestData data = new DescribeConfigsRequestData();
            data.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource()
                    .setResourceType(ConfigResource.Type.BROKER.id()).setResourceName("2"));
            data.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource()
                    .setResourceType(ConfigResource.Type.BROKER.id()).setResourceName(""));
            data.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource()
                    .setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName("page-a")
                    .setConfigurationKeys(List.of("retention.ms", "segment.bytes")));
            data.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource()
                    .setResourceType(ConfigResource.Type.UNKNOWN.id()).setResourceName("1"));
            DescribeConfigsResponse r = client.send(new DescribeConfigsRequest.Builder(data).build((short) 4));
            List<DescribeConfigsResponseData.DescribeConfigsResult> results = r.data().results();
            assertThat(results.get(0).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
            assertThat(results.get(1).errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(results.get(1).configs()).extracting(DescribeConfigsResponseData.DescribeConfigsResourceResult::name)
                    .containsExactly("min.insync.replicas");
            assertThat(results.get(2).configs()).extracting(DescribeConfigsResponseData.DescribeConfigsResourceResult::name)
                    .containsExactly("retention.ms", "segment.bytes");
            assertThat(results.get(3).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        }
    }

    @Test
    void shouldLeaveOutPartitionsThisNodeDoesNotHost() {
        try (RawClient client = RawClient.connect(node)) {
            DescribeLogDirsRequestData data = new DescribeLogDirsRequestData().setTopics(new DescribeLogDirsRequestData.DescribableLogDirTopicCollection());
            data.topics().add(new DescribeLogDirsRequestData.DescribableLogDirTopic().setTopic("page-b").setPartitions(List.of(1, 7)));
            data.topics().add(new DescribeLogDirsRequestData.DescribableLogDirTopic().setTopic("no-such").setPartitions(List.of(0)));
            DescribeLogDirsResponse r = client.send(new DescribeLogDirsRequest.Builder(data).build((short) 4));
            DescribeLogDirsResponseData.DescribeLogDirsResult dir = r.data().results().get(0);
            assertThat(dir.errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(dir.logDir()).isEqualTo(node.dataDir().toAbsolutePath().toString());
            assertThat(dir.topics()).singleElement().satisfies(t -> {
                assertThat(t.name()).isEqualTo("page-b");
                assertThat(t.partitions()).extracting(DescribeLogDirsResponseData.DescribeLogDirsPartition::partitionIndex).containsExactly(1);
            });
            assertThat(dir.totalBytes()).isPositive();
        }
    }

    private static DescribeTopicPartitionsResponseData describeTopicPartitions(RawClient client, int limit,
                                                                             DescribeTopicPartitionsResponseData.Cursor cursor, String... topics) {
        DescribeTopicPartitionsRequestData data = new DescribeTopicPartitionsRequestData().setResponsePartitionLimit(limit);
        for (String t : topics) {
            data.topics().add(new DescribeTopicPartitionsRequestData.TopicRequest().setName(t));
        }
        if (cursor != null) {
            data.setCursor(new DescribeTopicPartitionsRequestData.Cursor().setTopicName(cursor.topicName()).setPartitionIndex(cursor.partitionIndex()));
        }
        DescribeTopicPartitionsResponse r = client.send(new DescribeTopicPartitionsRequest.Builder(data).build((short) 0));
        return r.data();
    }

    private static List<String> partitionsOf(DescribeTopicPartitionsResponseData r) {
        List<String> out = new ArrayList<>();
        for (DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopic t : r.topics()) {
            for (DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponsePartition p : t.partitions()) {
                out.add(t.name() + "-" + p.partitionIndex());
            }
        }
        return out;
    }

    private static DeleteRecordsRequestData.DeleteRecordsTopic deleteRecordsTopic(String topic, int partition, long offset) {
        return new DeleteRecordsRequestData.DeleteRecordsTopic().setName(topic).setPartitions(List.of(
                new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(partition).setOffset(offset)));
    }

    private static IncrementalAlterConfigsRequestData.AlterConfigsResource alterResource(ConfigResource.Type type, String name,
                                                                                       IncrementalAlterConfigsRequestData.AlterableConfig... ops) {
        IncrementalAlterConfigsRequestData.AlterConfigsResource resource = new IncrementalAlterConfigsRequestData.AlterConfigsResource()
                .setResourceType(type.id()).setResourceName(name);
        for (IncrementalAlterConfigsRequestData.AlterableConfig op : ops) {
            resource.configs().add(op);
        }
        return resource;
    }

    private static IncrementalAlterConfigsRequestData.AlterableConfig op(String name, int operation, String value) {
        return new IncrementalAlterConfigsRequestData.AlterableConfig().setName(name).setConfigOperation((byte) operation).setValue(value);
    }

    private static DescribeConfigsResponseData.DescribeConfigsResourceResult topicConfig(RawClient client, String topic, String key) {
        return config(client, ConfigResource.Type.TOPIC, topic, key);
    }

    private static DescribeConfigsResponseData.DescribeConfigsResourceResult config(RawClient client, ConfigResource.Type type,
                                                                                  String name, String key) {
        DescribeConfigsRequestData data = new DescribeConfigsRequestData();
        data.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource()
                .setResourceType(type.id()).setResourceName(name).setConfigurationKeys(List.of(key)));
        DescribeConfigsResponse r = client.send(new DescribeConfigsRequest.Builder(data).build((short) 4));
        return r.data().results().get(0).configs().get(0);
    }

    private static void produce(String topic, int count) throws Exception {
        try (KafkaProducer<String, String> producer = Clients.producer(node, Map.of("acks", "all"))) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                acks.add(producer.send(new ProducerRecord<>(topic, 0, "k" + i, "v" + i)));
            }
            for (Future<RecordMetadata> ack : acks) {
                ack.get();
            }
        }
    }

    /**
     * As Kafka's ControllerApis.deleteTopics: a topic named twice, or by its name and by its id, is refused with one
     * INVALID_REQUEST and not deleted; the other topics of the request are deleted.
     */
    @Test
    void shouldRefuseATopicNamedTwiceOrByNameAndIdAndDeleteTheOthers() throws Exception {
        Clients.createTopic(node, "del-dup", 1, Map.of());
        Clients.createTopic(node, "del-both", 1, Map.of());
        Clients.createTopic(node, "del-fine", 1, Map.of());
        Uuid bothId;
        try (Admin admin = Clients.admin(node)) {
            bothId = admin.describeTopics(List.of("del-both")).allTopicNames().get().get("del-both").topicId();
        }
        try (RawClient client = RawClient.connect(node)) {
            DeleteTopicsResponse response = client.send(new DeleteTopicsRequest.Builder(new DeleteTopicsRequestData()
                    .setTimeoutMs(30_000).setTopics(List.of(
                            new DeleteTopicsRequestData.DeleteTopicState().setName("del-dup"),
                            new DeleteTopicsRequestData.DeleteTopicState().setName("del-dup"),
                            new DeleteTopicsRequestData.DeleteTopicState().setName("del-both"),
                            new DeleteTopicsRequestData.DeleteTopicState().setTopicId(bothId),
                            new DeleteTopicsRequestData.DeleteTopicState().setName("del-fine")))).build((short) 6));
            Map<String, String> answers = new java.util.TreeMap<>();
            response.data().responses().forEach(r -> answers.put(r.name(), Errors.forCode(r.errorCode()) + " " + r.errorMessage()));
            assertThat(answers).containsExactlyEntriesOf(new java.util.TreeMap<>(Map.of(
                    "del-dup", "INVALID_REQUEST Duplicate topic name.",
                    "del-both", "INVALID_REQUEST The provided topic name maps to an ID that was already supplied.",
                    "del-fine", "NONE null")));
        }
        try (Admin admin = Clients.admin(node)) {
            assertThat(admin.listTopics().names().get()).contains("del-dup", "del-both").doesNotContain("del-fine");
        }
    }

    /** An empty, non-null replica assignment list asks for no new partition: refused as Kafka's controller does. */
    @Test
    void shouldRefuseCreatePartitionsWithAnEmptyAssignmentList() throws Exception {
        Clients.createTopic(node, "grow-empty", 1, Map.of());
        try (RawClient client = RawClient.connect(node)) {
            CreatePartitionsRequestData data = new CreatePartitionsRequestData().setTimeoutMs(30_000);
            data.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("grow-empty").setCount(3)
                    .setAssignments(new ArrayList<>()));
            CreatePartitionsResponse response = client.send(new CreatePartitionsRequest.Builder(data).build((short) 3));
            CreatePartitionsResponseData.CreatePartitionsTopicResult result = response.data().results().get(0);
            assertThat(Errors.forCode(result.errorCode())).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT);
            assertThat(result.errorMessage())
                    .isEqualTo("Attempted to add 2 additional partition(s), but only 0 assignment(s) were specified.");
        }
        try (Admin admin = Clients.admin(node)) {
            assertThat(admin.describeTopics(List.of("grow-empty")).allTopicNames().get().get("grow-empty").partitions()).hasSize(1);
        }
    }
}
