package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gregor.testkit.TestNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.AlterConfigsOptions;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Dynamic broker configs (KIP-226) through the official 4.4 Admin client: the cluster-wide
 * default (BROKER "") and this broker's own values, what topics without an override then do, how
 * DescribeConfigs shows them, what is refused, and that they survive a restart.
 */
@Timeout(120)
class DynamicBrokerConfigTest {

    private static final ConfigResource CLUSTER_DEFAULT = new ConfigResource(ConfigResource.Type.BROKER, "");
    private static final ConfigResource THIS_BROKER = new ConfigResource(ConfigResource.Type.BROKER, "1");

    private static TestNode node;
    private static Admin admin;

    @BeforeAll
    static void start() {
        node = TestNode.builder().override("log.retention.check.interval.ms", "100").start();
        admin = Clients.admin(node);
    }

    @AfterAll
    static void stop() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        node.close();
    }

    /** Every test starts from a fresh node's dynamic configs: the cluster default min.insync.replicas=1 only. */
    @AfterEach
    void resetDynamicConfigs() throws Exception {
        for (ConfigResource resource : List.of(CLUSTER_DEFAULT, THIS_BROKER)) {
            List<AlterConfigOp> ops = new ArrayList<>();
            ConfigEntry.ConfigSource own = resource == CLUSTER_DEFAULT
                    ? ConfigEntry.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG : ConfigEntry.ConfigSource.DYNAMIC_BROKER_CONFIG;
            for (ConfigEntry e : describe(resource).entries()) {
                if (e.source() == own && !e.name().equals("min.insync.replicas")) {
                    ops.add(new AlterConfigOp(new ConfigEntry(e.name(), null), AlterConfigOp.OpType.DELETE));
                }
            }
            if (resource == CLUSTER_DEFAULT) {
                ops.add(new AlterConfigOp(new ConfigEntry("min.insync.replicas", "1"), AlterConfigOp.OpType.SET));
            }
            if (!ops.isEmpty()) {
                alter(resource, ops.toArray(new AlterConfigOp[0]));
            }
        }
    }

    @Test
    void shouldDeleteOldRecordsOfATopicWithoutOverrideByTheClusterDefaultRetention() throws Exception {
        createTopic("aged", Map.of("internal.segment.bytes", "4096"));
        long anHourAgo = System.currentTimeMillis() - 3_600_000;
        try (KafkaProducer<String, String> producer = Clients.producer(node, Map.of())) {
            for (int i = 0; i < 60; i++) {
                producer.send(new ProducerRecord<>("aged", 0, anHourAgo, "k" + i, "x".repeat(200))).get();
            }
        }
        TopicPartition tp = new TopicPartition("aged", 0);
        assertThat(earliestOffset(tp)).isZero();

        alter(CLUSTER_DEFAULT, set("log.retention.ms", "60000"));

        ConfigEntry retention = describe(new ConfigResource(ConfigResource.Type.TOPIC, "aged")).get("retention.ms");
        assertThat(retention.value()).isEqualTo("60000");
        assertThat(retention.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
        assertThat(retention.synonyms()).extracting(s -> s.source() + ":" + s.name() + "=" + s.value()).containsExactly(
                "DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=60000", "DEFAULT_CONFIG:log.retention.hours=168");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(earliestOffset(tp)).isGreaterThan(0));
    }

    @Test
    void shouldLetThisBrokersValueWinOverTheClusterDefaultAndRevertOnDelete() throws Exception {
        createTopic("layered", Map.of());
        createTopic("own-retention", Map.of("retention.ms", "5000"));
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "layered");

        alter(CLUSTER_DEFAULT, set("log.retention.ms", "100000"));
        alter(THIS_BROKER, set("log.retention.ms", "200000"));

        ConfigEntry both = describe(topic).get("retention.ms");
        assertThat(both.value()).isEqualTo("200000");
        assertThat(both.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_BROKER_CONFIG);
        assertThat(both.synonyms()).extracting(ConfigEntry.ConfigSynonym::source).containsExactly(
                ConfigEntry.ConfigSource.DYNAMIC_BROKER_CONFIG, ConfigEntry.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
                ConfigEntry.ConfigSource.DEFAULT_CONFIG);
        ConfigEntry brokerView = describe(THIS_BROKER).get("log.retention.ms");
        assertThat(brokerView.value()).isEqualTo("200000");
        assertThat(brokerView.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_BROKER_CONFIG);
        assertThat(describe(new ConfigResource(ConfigResource.Type.TOPIC, "own-retention")).get("retention.ms").value())
                .isEqualTo("5000");

        alter(THIS_BROKER, delete("log.retention.ms"));
        ConfigEntry defaultOnly = describe(topic).get("retention.ms");
        assertThat(defaultOnly.value()).isEqualTo("100000");
        assertThat(defaultOnly.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);

        alter(CLUSTER_DEFAULT, delete("log.retention.ms"));
        ConfigEntry staticDefault = describe(topic).get("retention.ms");
        assertThat(staticDefault.value()).isEqualTo(String.valueOf(7 * 24 * 3_600_000L));
        assertThat(staticDefault.source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);
        // Kafka lists no synonyms for retention.ms when only log.retention.hours has a value.
        assertThat(staticDefault.synonyms()).isEmpty();
    }

    @Test
    void shouldRefuseAProduceOverTheDynamicMessageMaxBytes() throws Exception {
        createTopic("small-default", Map.of());
        createTopic("own-limit", Map.of("max.message.bytes", "100000"));
        Map<String, Object> uncompressed = Map.of("compression.type", "none");

        alter(CLUSTER_DEFAULT, set("message.max.bytes", "2000"));

        try (KafkaProducer<String, String> producer = Clients.producer(node, uncompressed)) {
            String big = "y".repeat(5000);
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("small-default", "k", big)).get())
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(RecordTooLargeException.class);
            assertThat(producer.send(new ProducerRecord<>("own-limit", "k", big)).get().offset()).isZero();
            assertThat(producer.send(new ProducerRecord<>("small-default", "k", "small")).get().offset()).isZero();
        }
        assertThat(describe(new ConfigResource(ConfigResource.Type.TOPIC, "small-default")).get("max.message.bytes").value())
                .isEqualTo("2000");
    }

    @Test
    void shouldRefuseKeysThatCannotChangeAtRuntimeAndInvalidValuesAsKafkaDoes() throws Exception {
        assertThatThrownBy(() -> alter(CLUSTER_DEFAULT, set("log.retention.ms", "1000"), set("log.dirs", "/elsewhere")))
                .hasCauseInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("Cannot update these configs dynamically: [log.dirs]");
        assertThatThrownBy(() -> alter(THIS_BROKER, set("num.io.threads", "2")))
                .hasCauseInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("Cannot update these configs dynamically: [num.io.threads]");
        assertThatThrownBy(() -> alter(CLUSTER_DEFAULT, set("log.retention.ms", "soon")))
                .hasCauseInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("Invalid value soon for configuration log.retention.ms: Not a number of type LONG");
        assertThatThrownBy(() -> alter(CLUSTER_DEFAULT, set("log.segment.bytes", "1000")))
                .hasCauseInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("Value must be at least 1048576");
        assertThatThrownBy(() -> alter(CLUSTER_DEFAULT, delete("min.insync.replicas")))
                .hasCauseInstanceOf(InvalidConfigurationException.class);
        // With ELR a broker cannot have its own min.insync.replicas, set or deleted (Kafka 4.4).
        for (AlterConfigOp op : List.of(set("min.insync.replicas", "2"), delete("min.insync.replicas"))) {
            assertThatThrownBy(() -> alter(THIS_BROKER, op))
                    .hasCauseInstanceOf(InvalidConfigurationException.class)
                    .hasMessageContaining("Broker-level min.insync.replicas cannot be altered while ELR is enabled.");
        }
        assertThat(describe(THIS_BROKER).get("min.insync.replicas").source())
                .isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
        // Nothing of a refused resource is applied, not even its valid keys.
        assertThat(describe(CLUSTER_DEFAULT).get("log.retention.ms")).isNull();

        // Kafka stores a key it does not know, and describes it untyped and without its value.
        alter(CLUSTER_DEFAULT, set("custom.key", "42"));
        ConfigEntry custom = describe(CLUSTER_DEFAULT).get("custom.key");
        assertThat(custom.value()).isNull();
        assertThat(custom.isSensitive()).isTrue();
        assertThat(custom.type()).isEqualTo(ConfigEntry.ConfigType.UNKNOWN);
    }

    @Test
    void shouldRefuseEveryKafkaKeyGregorDoesNotChangeAtRuntime() throws Exception {
        // Read-only in Kafka 4.4.
        assertThatThrownBy(() -> alter(CLUSTER_DEFAULT, set("auto.leader.rebalance.enable", "false")))
                .hasCauseInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("Cannot update these configs dynamically: [auto.leader.rebalance.enable]");
        // Dynamic in Kafka 4.4, but Gregor has no cleaner thread pool or replica fetchers to resize.
        assertThatThrownBy(() -> alter(CLUSTER_DEFAULT, set("delete.topic.enable", "false"), set("log.cleaner.threads", "2")))
                .hasCauseInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("Cannot update these configs dynamically: [delete.topic.enable, log.cleaner.threads]");
        assertThatThrownBy(() -> alter(THIS_BROKER, set("num.replica.fetchers", "2")))
                .hasCauseInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("Cannot update these configs dynamically: [num.replica.fetchers]");
        assertThat(describe(CLUSTER_DEFAULT).get("log.cleaner.threads")).isNull();
        assertThat(describe(THIS_BROKER).get("num.replica.fetchers")).isNull();
    }

    @Test
    void shouldAppendToABrokerListConfigFromItsDefaultAsKafkaDoes() throws Exception {
        alter(THIS_BROKER, set("log.cleanup.policy", "compact"));

        // Kafka starts from the config's default, not from this broker's own value.
        alter(CLUSTER_DEFAULT, new AlterConfigOp(new ConfigEntry("log.cleanup.policy", "compact"), AlterConfigOp.OpType.APPEND));
        assertThat(describe(CLUSTER_DEFAULT).get("log.cleanup.policy").value()).isEqualTo("delete,compact");
        alter(CLUSTER_DEFAULT, new AlterConfigOp(new ConfigEntry("log.cleanup.policy", "delete"), AlterConfigOp.OpType.SUBTRACT));
        assertThat(describe(CLUSTER_DEFAULT).get("log.cleanup.policy").value()).isEqualTo("compact");

        assertThatThrownBy(() -> alter(CLUSTER_DEFAULT,
                new AlterConfigOp(new ConfigEntry("log.retention.ms", "5"), AlterConfigOp.OpType.APPEND)))
                .hasCauseInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("Config value append is not allowed for config key: log.retention.ms");
        assertThatThrownBy(() -> alter(THIS_BROKER,
                new AlterConfigOp(new ConfigEntry("log.retention.ms", "5"), AlterConfigOp.OpType.SUBTRACT)))
                .hasCauseInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("Config value subtract is not allowed for config key: log.retention.ms");
        assertThatThrownBy(() -> alter(CLUSTER_DEFAULT,
                new AlterConfigOp(new ConfigEntry("custom.list", "x"), AlterConfigOp.OpType.APPEND)))
                .hasCauseInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("Unknown config name: custom.list");
        // The type is checked before the value the resource already has, as Kafka checks it.
        alter(CLUSTER_DEFAULT, set("log.retention.ms", "3600000"));
        assertThatThrownBy(() -> alter(CLUSTER_DEFAULT,
                new AlterConfigOp(new ConfigEntry("log.retention.ms", "5"), AlterConfigOp.OpType.APPEND)))
                .hasCauseInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("Config value append is not allowed for config key: log.retention.ms");
        alter(CLUSTER_DEFAULT, new AlterConfigOp(new ConfigEntry("log.retention.ms", ""), AlterConfigOp.OpType.DELETE));
    }

    @Test
    void shouldValidateWithoutApplyingWhenValidateOnly() throws Exception {
        AlterConfigsOptions validateOnly = new AlterConfigsOptions().validateOnly(true);

        admin.incrementalAlterConfigs(Map.of(CLUSTER_DEFAULT, List.of(set("log.retention.ms", "1234"))), validateOnly).all().get();
        assertThatThrownBy(() -> admin.incrementalAlterConfigs(Map.of(CLUSTER_DEFAULT, List.of(set("log.dirs", "/x"))), validateOnly)
                .all().get()).hasCauseInstanceOf(InvalidRequestException.class);

        assertThat(describe(CLUSTER_DEFAULT).get("log.retention.ms")).isNull();
        assertThat(describe(THIS_BROKER).get("log.retention.ms").value()).isNull();
    }

    @Test
    void shouldTypeDocumentAndMarkWhatCanChangeAtRuntime() throws Exception {
        Config config = admin.describeConfigs(List.of(THIS_BROKER),
                new DescribeConfigsOptions().includeDocumentation(true).includeSynonyms(true)).all().get().get(THIS_BROKER);

        ConfigEntry retention = config.get("log.retention.ms");
        assertThat(retention.type()).isEqualTo(ConfigEntry.ConfigType.LONG);
        assertThat(retention.isReadOnly()).isFalse();
        assertThat(retention.documentation()).isNotBlank();
        ConfigEntry logDirs = config.get("log.dirs");
        assertThat(logDirs.type()).isEqualTo(ConfigEntry.ConfigType.LIST);
        assertThat(logDirs.isReadOnly()).isTrue();
        assertThat(config.get("log.flush.before.ack").type()).isEqualTo(ConfigEntry.ConfigType.BOOLEAN);
        assertThat(config.get("message.max.bytes").type()).isEqualTo(ConfigEntry.ConfigType.INT);
        assertThat(config.get("log.segment.delete.delay.ms").value()).isEqualTo("60000");
        assertThat(config.get("file.delete.delay.ms")).isNull();
        assertThat(config.entries()).filteredOn(e -> e.type() == ConfigEntry.ConfigType.UNKNOWN).isEmpty();
        ConfigEntry minIsr = config.get("min.insync.replicas");
        assertThat(minIsr.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
        assertThat(minIsr.synonyms()).extracting(ConfigEntry.ConfigSynonym::source).containsExactly(
                ConfigEntry.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, ConfigEntry.ConfigSource.DEFAULT_CONFIG);
    }

    @Test
    void shouldDescribeTheClusterDefaultMinInsyncReplicasOnEveryTopicOfAFreshNode() throws Exception {
        createTopic("fresh", Map.of());

        Config clusterDefault = describe(CLUSTER_DEFAULT);
        assertThat(clusterDefault.entries()).extracting(ConfigEntry::name).containsExactly("min.insync.replicas");
        assertThat(clusterDefault.get("min.insync.replicas").value()).isEqualTo("1");
        ConfigEntry topicMinIsr = describe(new ConfigResource(ConfigResource.Type.TOPIC, "fresh")).get("min.insync.replicas");
        assertThat(topicMinIsr.value()).isEqualTo("1");
        assertThat(topicMinIsr.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
        assertThat(topicMinIsr.isDefault()).isFalse();
    }

    @Test
    void shouldKeepDynamicConfigsAcrossARestartAndWriteTheMinInsyncDefaultOnlyOnce() throws Exception {
        try (TestNode restarted = TestNode.start()) {
            try (Admin before = Clients.admin(restarted)) {
                before.incrementalAlterConfigs(Map.of(
                        CLUSTER_DEFAULT, List.of(set("log.retention.ms", "300000"), set("min.insync.replicas", "2")),
                        THIS_BROKER, List.of(set("message.max.bytes", "3000")))).all().get();
            }

            restarted.restart();

            try (Admin after = Clients.admin(restarted)) {
                after.createTopics(List.of(new NewTopic("after-restart", 1, (short) 1))).all().get();
                ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "after-restart");
                Config config = after.describeConfigs(List.of(topic)).all().get().get(topic);
                assertThat(config.get("retention.ms").value()).isEqualTo("300000");
                // Written once on the empty metadata log: a restart does not put back the static value.
                assertThat(config.get("min.insync.replicas").value()).isEqualTo("2");
                assertThat(config.get("max.message.bytes").value()).isEqualTo("3000");
                assertThat(config.get("max.message.bytes").source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_BROKER_CONFIG);
            }
        }
    }

    @Test
    void shouldReportTheDynamicDefaultsSourceInTheCreateTopicsAnswer() throws Exception {
        alter(CLUSTER_DEFAULT, set("log.retention.ms", "100000"));
        CreateTopicsResult created = admin.createTopics(List.of(
                new NewTopic("created-under-default", 1, (short) 1).configs(Map.of("segment.ms", "600000"))));
        Config answered = created.config("created-under-default").get();
        // What CreateTopics answers is what DescribeConfigs then shows.
        Config described = describe(new ConfigResource(ConfigResource.Type.TOPIC, "created-under-default"));
        for (String key : List.of("retention.ms", "segment.ms", "max.message.bytes", "min.insync.replicas")) {
            assertThat(answered.get(key).value()).as(key).isEqualTo(described.get(key).value());
            assertThat(answered.get(key).source()).as(key).isEqualTo(described.get(key).source());
        }
        assertThat(answered.get("retention.ms").value()).isEqualTo("100000");
        assertThat(answered.get("retention.ms").source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
        assertThat(answered.get("segment.ms").source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        assertThat(answered.get("max.message.bytes").source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);
    }

    private static long earliestOffset(TopicPartition tp) throws Exception {
        return admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).partitionResult(tp).get().offset();
    }

    private static void createTopic(String name, Map<String, String> configs) throws Exception {
        admin.createTopics(List.of(new NewTopic(name, 1, (short) 1).configs(configs))).all().get();
    }

    private static Config describe(ConfigResource resource) throws Exception {
        return admin.describeConfigs(List.of(resource), new DescribeConfigsOptions().includeSynonyms(true)).all().get().get(resource);
    }

    private static void alter(ConfigResource resource, AlterConfigOp... ops) throws Exception {
        admin.incrementalAlterConfigs(Map.of(resource, Arrays.asList(ops))).all().get();
    }

    private static AlterConfigOp set(String key, String value) {
        return new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET);
    }

    private static AlterConfigOp delete(String key) {
        return new AlterConfigOp(new ConfigEntry(key, null), AlterConfigOp.OpType.DELETE);
    }
}
