package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gregor.testkit.TestNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreatePartitionsOptions;
import org.apache.kafka.clients.admin.CreatePartitionsResult;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.FeatureMetadata;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The admin APIs (CreatePartitions, DescribeTopicPartitions, DescribeConfigs, IncrementalAlterConfigs,
 * DescribeCluster, DescribeLogDirs, DeleteRecords) through the official 4.4 Admin client, as a user calls them.
 */
@Timeout(120)
class AdminApisTest {

    private static final int NODE_ID = 1;

    private static TestNode node;
    private static Admin admin;

    @BeforeAll
    static void start() {
        node = TestNode.start();
        admin = Clients.admin(node);
    }

    @AfterAll
    static void stop() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        node.close();
    }

    @Test
    void shouldIncreasePartitionsAndRefuseADecrease() throws Exception {
        createTopic("grow", 1, Map.of());

        admin.createPartitions(Map.of("grow", NewPartitions.increaseTo(3))).all().get();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(describe("grow").partitions()).extracting(TopicPartitionInfo::partition).containsExactly(0, 1, 2));
        assertThatThrownBy(() -> admin.createPartitions(Map.of("grow", NewPartitions.increaseTo(2))).all().get())
                .hasCauseInstanceOf(InvalidPartitionsException.class);
    }

    @Test
    void shouldDescribeTopicWithIdPartitionsAndLeader() throws Exception {
        Uuid id = admin.createTopics(List.of(new NewTopic("described", 2, (short) 1))).topicId("described").get();

        TopicDescription description = describe("described");

        assertThat(id).isNotEqualTo(Uuid.ZERO_UUID);
        assertThat(description.topicId()).isEqualTo(id);
        assertThat(description.isInternal()).isFalse();
        assertThat(description.partitions()).hasSize(2);
        for (TopicPartitionInfo p : description.partitions()) {
            assertThat(p.leader().id()).isEqualTo(NODE_ID);
            assertThat(p.replicas()).extracting(Node::id).containsExactly(NODE_ID);
            assertThat(p.isr()).extracting(Node::id).containsExactly(NODE_ID);
        }
    }

    @Test
    void shouldDescribeDefaultAndOverriddenTopicConfigs() throws Exception {
        createTopic("plain-configs", 1, Map.of());
        createTopic("overridden-configs", 1, Map.of("retention.ms", "12345"));

        Config plain = topicConfig("plain-configs");
        Config overridden = topicConfig("overridden-configs");

        ConfigEntry defaultRetention = plain.get("retention.ms");
        assertThat(defaultRetention.value()).isEqualTo(String.valueOf(7 * 24 * 3_600_000L));
        assertThat(defaultRetention.source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);
        assertThat(defaultRetention.isDefault()).isTrue();
        assertThat(defaultRetention.type()).isEqualTo(ConfigEntry.ConfigType.LONG);
        ConfigEntry overriddenRetention = overridden.get("retention.ms");
        assertThat(overriddenRetention.value()).isEqualTo("12345");
        assertThat(overriddenRetention.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        assertThat(overriddenRetention.isDefault()).isFalse();
        // As in Kafka: log.retention.ms has no value (only log.retention.hours), so it is no synonym.
        assertThat(overriddenRetention.synonyms()).extracting(ConfigEntry.ConfigSynonym::name)
                .containsExactly("retention.ms");
        assertThat(plain.get("cleanup.policy").value()).isEqualTo("delete");
    }

    /**
     * Asked for, a topic's, the cluster's and a group's authorized operations are every operation the resource supports,
     * as Kafka reports them with no authorizer (compared with Kafka 4.4 by bench/wire-diff.sh).
     */
    @Test
    void shouldReportEveryOperationAsAuthorizedWhenAsked() throws Exception {
        createTopic("authorized", 1, Map.of());
        TopicDescription topic = admin.describeTopics(List.of("authorized"),
                new org.apache.kafka.clients.admin.DescribeTopicsOptions().includeAuthorizedOperations(true))
                .allTopicNames().get().get("authorized");
        assertThat(topic.authorizedOperations()).containsExactlyInAnyOrder(AclOperation.READ, AclOperation.WRITE,
                AclOperation.CREATE, AclOperation.DESCRIBE, AclOperation.DELETE, AclOperation.ALTER,
                AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS);
        assertThat(admin.describeCluster(new org.apache.kafka.clients.admin.DescribeClusterOptions().includeAuthorizedOperations(true))
                .authorizedOperations().get()).contains(AclOperation.ALTER, AclOperation.DESCRIBE, AclOperation.IDEMPOTENT_WRITE);
        admin.alterConsumerGroupOffsets("authorized-group", Map.of(new TopicPartition("authorized", 0),
                new org.apache.kafka.clients.consumer.OffsetAndMetadata(0))).all().get();
        assertThat(admin.describeConsumerGroups(List.of("authorized-group"),
                new org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions().includeAuthorizedOperations(true))
                .all().get().get("authorized-group").authorizedOperations())
                .containsExactlyInAnyOrder(AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE,
                        AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS);
        assertThat(describe("authorized").authorizedOperations()).as("not asked for").isNull();
    }

    /** No client quotas or SCRAM credentials are kept: every filter finds none, a malformed one gets Kafka's error. */
    @Test
    void shouldDescribeNoClientQuotasAndRefuseABadFilter() throws Exception {
        assertThat(admin.describeClientQuotas(org.apache.kafka.common.quota.ClientQuotaFilter.all()).entities().get()).isEmpty();
        assertThat(admin.describeClientQuotas(org.apache.kafka.common.quota.ClientQuotaFilter.containsOnly(List.of(
                org.apache.kafka.common.quota.ClientQuotaFilterComponent.ofEntity("user", "alice")))).entities().get()).isEmpty();
        assertThatThrownBy(() -> admin.describeClientQuotas(org.apache.kafka.common.quota.ClientQuotaFilter.contains(List.of(
                org.apache.kafka.common.quota.ClientQuotaFilterComponent.ofEntity("ip", "1.2.3.4"),
                org.apache.kafka.common.quota.ClientQuotaFilterComponent.ofDefaultEntity("user")))).entities().get())
                .hasCauseInstanceOf(org.apache.kafka.common.errors.InvalidRequestException.class)
                .hasMessageContaining("IP filter component should not be used with user or clientId filter component.");
        // kafka-configs --describe --entity-type users asks for SCRAM credentials too: there are none.
        assertThat(admin.describeUserScramCredentials().all().get()).isEmpty();
        assertThatThrownBy(() -> admin.describeUserScramCredentials(List.of("alice")).description("alice").get())
                .hasCauseInstanceOf(org.apache.kafka.common.errors.ResourceNotFoundException.class)
                .hasMessageContaining("Attempt to describe a user credential that does not exist: alice");
    }

    /** With includeDocumentation, each topic config carries Kafka's text for it (kafka-clients' TopicConfig docs). */
    @Test
    void shouldDescribeTopicConfigsWithTheirDocumentation() throws Exception {
        createTopic("documented", 1, Map.of());
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "documented");
        Config documented = admin.describeConfigs(List.of(resource), new DescribeConfigsOptions().includeDocumentation(true))
                .all().get().get(resource);
        assertThat(documented.get("retention.ms").documentation()).isEqualTo(TopicConfig.RETENTION_MS_DOC)
                .startsWith("This configuration controls the maximum time we will retain a log");
        assertThat(documented.get("cleanup.policy").documentation()).isEqualTo(TopicConfig.CLEANUP_POLICY_DOC);
        assertThat(documented.entries()).filteredOn(e -> e.documentation() == null).extracting(ConfigEntry::name).isEmpty();
        assertThat(topicConfig("documented").get("retention.ms").documentation()).as("not asked for").isNull();
    }

    @Test
    void shouldDescribeThisBrokersStaticConfig() throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.BROKER, String.valueOf(NODE_ID));

        Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);

        ConfigEntry logDirs = config.get("log.dirs");
        assertThat(logDirs.value()).isEqualTo(node.dataDir().toString());
        assertThat(logDirs.source()).isEqualTo(ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG);
        assertThat(config.get("num.partitions").source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);
    }

    @Test
    void shouldSetAppendAndDeleteTopicConfigsIncrementally() throws Exception {
        createTopic("altered", 1, Map.of());
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "altered");

        alter(topic, new AlterConfigOp(new ConfigEntry("retention.ms", "60000"), AlterConfigOp.OpType.SET),
                new AlterConfigOp(new ConfigEntry("cleanup.policy", "compact"), AlterConfigOp.OpType.APPEND));

        Config afterSet = topicConfig("altered");
        assertThat(afterSet.get("retention.ms").value()).isEqualTo("60000");
        assertThat(afterSet.get("retention.ms").source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        assertThat(afterSet.get("cleanup.policy").value()).isEqualTo("delete,compact");

        alter(topic, new AlterConfigOp(new ConfigEntry("retention.ms", null), AlterConfigOp.OpType.DELETE),
                new AlterConfigOp(new ConfigEntry("cleanup.policy", "compact"), AlterConfigOp.OpType.SUBTRACT));

        Config afterDelete = topicConfig("altered");
        assertThat(afterDelete.get("retention.ms").value()).isEqualTo(String.valueOf(7 * 24 * 3_600_000L));
        assertThat(afterDelete.get("retention.ms").source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);
        assertThat(afterDelete.get("cleanup.policy").value()).isEqualTo("delete");
    }

    @Test
    void shouldRefuseAnInvalidConfigValueAndKeepTheOldOne() throws Exception {
        createTopic("invalid-config", 1, Map.of("retention.ms", "5000"));
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "invalid-config");

        assertThatThrownBy(() -> alter(topic, new AlterConfigOp(new ConfigEntry("retention.ms", "soon"), AlterConfigOp.OpType.SET)))
                .hasCauseInstanceOf(InvalidConfigurationException.class);
        assertThatThrownBy(() -> alter(topic, new AlterConfigOp(new ConfigEntry("retention.ms", "1"), AlterConfigOp.OpType.APPEND)))
                .hasCauseInstanceOf(InvalidConfigurationException.class);
        assertThatThrownBy(() -> alter(topic, new AlterConfigOp(new ConfigEntry("no.such.config", "1"), AlterConfigOp.OpType.SET)))
                .hasCauseInstanceOf(InvalidConfigurationException.class);

        assertThat(topicConfig("invalid-config").get("retention.ms").value()).isEqualTo("5000");
    }

    @Test
    void shouldValidateTopicConfigValuesAsKafkaDoes() throws Exception {
        createTopic("kafka-bounds", 1, Map.of());
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "kafka-bounds");

        assertThatThrownBy(() -> alter(topic, new AlterConfigOp(new ConfigEntry("min.cleanable.dirty.ratio", "2"), AlterConfigOp.OpType.SET)))
                .hasCauseInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("Invalid value 2.0 for configuration min.cleanable.dirty.ratio: Value must be no more than 1");
        assertThatThrownBy(() -> alter(topic, new AlterConfigOp(new ConfigEntry("cleanup.policy", "forever"), AlterConfigOp.OpType.SET)))
                .hasCauseInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("String must be one of: compact, delete");
        assertThatThrownBy(() -> alter(topic, new AlterConfigOp(new ConfigEntry("compression.type", "brotli"), AlterConfigOp.OpType.SET)))
                .hasCauseInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer");

        assertThatThrownBy(() -> alter(topic, new AlterConfigOp(new ConfigEntry("segment.bytes", "100"), AlterConfigOp.OpType.SET)))
                .hasCauseInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("Invalid value 100 for configuration segment.bytes: Value must be at least 1048576");
        assertThatThrownBy(() -> createTopic("tiny-segments", 1, Map.of("segment.bytes", "4096")))
                .hasCauseInstanceOf(InvalidConfigurationException.class);
        // Kafka's internal key for small segments (its own tests use it) is accepted and never described.
        createTopic("tiny-segments", 1, Map.of("internal.segment.bytes", "4096"));
        assertThat(topicConfig("tiny-segments").get("internal.segment.bytes")).isNull();
        assertThat(topicConfig("tiny-segments").get("segment.bytes").value()).isEqualTo(String.valueOf(1 << 30));

        // Kafka has no lower bound on retention.bytes (any negative value is "no limit") and takes a
        // segment.index.bytes of 4; both must leave the topic working.
        alter(topic, new AlterConfigOp(new ConfigEntry("retention.bytes", "-2"), AlterConfigOp.OpType.SET),
                new AlterConfigOp(new ConfigEntry("segment.index.bytes", "4"), AlterConfigOp.OpType.SET));
        assertThat(topicConfig("kafka-bounds").get("retention.bytes").value()).isEqualTo("-2");
        try (KafkaProducer<String, String> producer = Clients.producer(node, Map.of())) {
            for (int i = 0; i < 3; i++) {
                assertThat(producer.send(new ProducerRecord<>("kafka-bounds", "k", "v" + i)).get().offset()).isEqualTo(i);
            }
        }
    }

    @Test
    void shouldDescribeTheConsumerGroupProtocolAsItsOneFinalizedFeature() throws Exception {
        FeatureMetadata features = admin.describeFeatures().featureMetadata().get();

        assertThat(features.finalizedFeatures()).containsOnlyKeys("group.version");
        assertThat(features.finalizedFeatures().get("group.version").maxVersionLevel()).isEqualTo((short) 1);
        assertThat(features.supportedFeatures().get("group.version").maxVersion()).isEqualTo((short) 1);
        assertThat(features.finalizedFeaturesEpoch()).hasValue(0L);
    }

    @Test
    void shouldDescribeTheClusterAsOneBroker() throws Exception {
        DescribeClusterResult cluster = admin.describeCluster();

        Collection<Node> nodes = cluster.nodes().get();
        assertThat(nodes).hasSize(1);
        Node only = nodes.iterator().next();
        assertThat(only.id()).isEqualTo(NODE_ID);
        assertThat(only.port()).isEqualTo(node.port());
        assertThat(cluster.controller().get().id()).isEqualTo(NODE_ID);
        assertThat(cluster.clusterId().get()).isNotBlank();
        assertThat(cluster.authorizedOperations().get()).isNull();
    }

    @Test
    void shouldReportGrowingPartitionSizeInTheLogDir() throws Exception {
        createTopic("sized", 1, Map.of());
        TopicPartition tp = new TopicPartition("sized", 0);
        long before = replicaInfo(tp).size();

        produce("sized", 50);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(replicaInfo(tp).size()).isGreaterThan(before));
        Map<String, LogDirDescription> dirs = admin.describeLogDirs(List.of(NODE_ID)).allDescriptions().get().get(NODE_ID);
        assertThat(dirs).hasSize(1);
        LogDirDescription dir = dirs.values().iterator().next();
        assertThat(dir.error()).isNull();
        assertThat(dir.totalBytes()).isPresent();
        assertThat(dir.usableBytes()).isPresent();
        assertThat(dir.replicaInfos().keySet()).noneMatch(p -> p.topic().equals("__cluster_metadata"));
    }

    @Test
    void shouldAdvanceTheEarliestOffsetWhenRecordsAreDeleted() throws Exception {
        createTopic("trimmed", 1, Map.of());
        TopicPartition tp = new TopicPartition("trimmed", 0);
        produce("trimmed", 10);

        long lowWatermark = admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(4))).lowWatermarks().get(tp).get().lowWatermark();

        assertThat(lowWatermark).isEqualTo(4);
        assertThat(earliestOffset(tp)).isEqualTo(4);
        // -1 (RecordsToDelete.beforeOffset(-1)) means "up to the high watermark".
        long all = admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(-1))).lowWatermarks().get(tp).get().lowWatermark();
        assertThat(all).isEqualTo(10);
        assertThat(earliestOffset(tp)).isEqualTo(10);
    }

    @Test
    void shouldAnswerUnknownTopicOrPartitionForATopicThatDoesNotExist() {
        assertThatThrownBy(() -> admin.describeTopics(List.of("no-such-topic")).allTopicNames().get())
                .hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
        ConfigResource missing = new ConfigResource(ConfigResource.Type.TOPIC, "no-such-topic");
        assertThatThrownBy(() -> admin.describeConfigs(List.of(missing)).all().get())
                .hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
        assertThatThrownBy(() -> alter(missing, new AlterConfigOp(new ConfigEntry("retention.ms", "1000"), AlterConfigOp.OpType.SET)))
                .hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
        // Kafka's controller checks the values before it looks for the topic.
        assertThatThrownBy(() -> alter(missing, new AlterConfigOp(new ConfigEntry("retention.ms", "soon"), AlterConfigOp.OpType.SET)))
                .hasCauseInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("Invalid value soon for configuration retention.ms");
        assertThatThrownBy(() -> admin.createPartitions(Map.of("no-such-topic", NewPartitions.increaseTo(2))).all().get())
                .hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
    }

    @Test
    void shouldRefuseACreateTopicsRequestOverKafkasPartitionAndRecordBoundsWhole() throws Exception {
        String tooMany = "Excessively large number of partitions per request.";
        String tooLarge = "Unable to perform excessively large batch operation.";
        // 10,001 partitions in all, over two topics: neither is created (Kafka's controller checks this first).
        assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("huge-a", 5_000, (short) 1),
                new NewTopic("huge-b", 5_001, (short) 1))).all().get())
                .hasCauseInstanceOf(PolicyViolationException.class).hasMessageContaining(tooMany);
        assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("huge-c", Integer.MAX_VALUE, (short) 1))).all().get())
                .hasCauseInstanceOf(PolicyViolationException.class).hasMessageContaining(tooMany);
        assertThat(admin.listTopics().names().get()).doesNotContain("huge-a", "huge-b", "huge-c");

        // A topic writes one record, one per partition and one per config: 9,999 partitions fit, 10,000 do not.
        CreateTopicsOptions validateOnly = new CreateTopicsOptions().validateOnly(true);
        admin.createTopics(List.of(new NewTopic("huge-d", 9_999, (short) 1)), validateOnly).all().get();
        assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("huge-d", 10_000, (short) 1)), validateOnly).all().get())
                .hasCauseInstanceOf(PolicyViolationException.class).hasMessageContaining(tooLarge);
        assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("huge-d", 9_999, (short) 1)
                .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, "1000"))), validateOnly).all().get())
                .hasCauseInstanceOf(PolicyViolationException.class).hasMessageContaining(tooLarge);

        // 5,001 one-partition topics write 10,002 records: all refused, created or not.
        List<NewTopic> many = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            many.add(new NewTopic("many-" + i, 1, (short) 1));
        }
        List<NewTopic> oneMore = new ArrayList<>(many);
        oneMore.add(new NewTopic("many-last", 1, (short) 1));
        CreateTopicsResult refused = admin.createTopics(oneMore, validateOnly);
        for (String name : List.of("many-0", "many-4999", "many-last")) {
            assertThatThrownBy(() -> refused.values().get(name).get())
                    .hasCauseInstanceOf(PolicyViolationException.class).hasMessageContaining(tooLarge);
        }
        // Only topics that would be created count: a bad name among them writes nothing and fails alone.
        List<NewTopic> withBadName = new ArrayList<>(many);
        withBadName.add(new NewTopic("bad/name", 1, (short) 1));
        CreateTopicsResult answered = admin.createTopics(withBadName, validateOnly);
        answered.values().get("many-0").get();
        answered.values().get("many-4999").get();
        assertThatThrownBy(() -> answered.values().get("bad/name").get()).hasCauseInstanceOf(InvalidTopicException.class);
    }

    @Test
    void shouldRefuseACreatePartitionsRequestAddingMoreThanTenThousandPartitionsWhole() throws Exception {
        createTopic("widen-a", 1, Map.of());
        createTopic("widen-b", 1, Map.of());
        String tooMany = "Excessively large number of additional partitions per request.";
        CreatePartitionsOptions validateOnly = new CreatePartitionsOptions().validateOnly(true);

        admin.createPartitions(Map.of("widen-a", NewPartitions.increaseTo(10_001)), validateOnly).all().get();
        assertThatThrownBy(() -> admin.createPartitions(Map.of("widen-a", NewPartitions.increaseTo(10_002))).all().get())
                .hasCauseInstanceOf(PolicyViolationException.class).hasMessageContaining(tooMany);
        assertThatThrownBy(() -> admin.createPartitions(Map.of("widen-a", NewPartitions.increaseTo(Integer.MAX_VALUE))).all().get())
                .hasCauseInstanceOf(PolicyViolationException.class).hasMessageContaining(tooMany);
        assertThat(describe("widen-a").partitions()).hasSize(1);

        // Counted over the request's existing topics: 5,000 + 5,001 refuses both; an unknown topic adds nothing.
        CreatePartitionsResult both = admin.createPartitions(Map.of("widen-a", NewPartitions.increaseTo(5_001),
                "widen-b", NewPartitions.increaseTo(5_002)), validateOnly);
        for (String topic : List.of("widen-a", "widen-b")) {
            assertThatThrownBy(() -> both.values().get(topic).get())
                    .hasCauseInstanceOf(PolicyViolationException.class).hasMessageContaining(tooMany);
        }
        CreatePartitionsResult withUnknown = admin.createPartitions(Map.of("widen-a", NewPartitions.increaseTo(5_001),
                "no-such-topic", NewPartitions.increaseTo(20_000)), validateOnly);
        withUnknown.values().get("widen-a").get();
        assertThatThrownBy(() -> withUnknown.values().get("no-such-topic").get())
                .hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
    }

    private static void createTopic(String name, int partitions, Map<String, String> configs) throws Exception {
        admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs))).all().get();
    }

    private static TopicDescription describe(String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
    }

    private static Config topicConfig(String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource),
                new DescribeConfigsOptions().includeSynonyms(true)).all().get().get(resource);
    }

    private static void alter(ConfigResource resource, AlterConfigOp... ops) throws Exception {
        admin.incrementalAlterConfigs(Map.of(resource, List.of(ops))).all().get();
    }

    private static ReplicaInfo replicaInfo(TopicPartition tp) throws Exception {
        Map<String, LogDirDescription> dirs = admin.describeLogDirs(List.of(NODE_ID)).allDescriptions().get().get(NODE_ID);
        for (LogDirDescription dir : dirs.values()) {
            ReplicaInfo info = dir.replicaInfos().get(tp);
            if (info != null) {
                return info;
            }
        }
        throw new AssertionError(tp + " is in no log dir: " + dirs);
    }

    private static long earliestOffset(TopicPartition tp) throws Exception {
        return admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).partitionResult(tp).get().offset();
    }

    private static void produce(String topic, int count) throws Exception {
        try (KafkaProducer<String, String> producer = Clients.producer(node, Map.of("acks", "all"))) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                acks.add(producer.send(new ProducerRecord<>(topic, 0, "k" + i, "value-" + i)));
            }
            for (Future<RecordMetadata> ack : acks) {
                ack.get();
            }
        }
    }
}
