package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.gregor.testkit.TestNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The topic configs Kafka 4.4 accepts, through the official 4.4 Admin client, producer and consumer: the names and
 * defaults DescribeConfigs lists, the values CreateTopics and IncrementalAlterConfigs accept or refuse (with Kafka's
 * messages, captured from a Kafka 4.4 broker), and the ones that change what is stored (compression levels,
 * max.decompressed.message.bytes, an empty cleanup.policy).
 */
@Timeout(120)
class TopicConfigsTest {

    /** {@code kafka-configs --describe --all} of a new topic on Apache Kafka 4.4. */
    private static final List<String> KAFKA_44_TOPIC_CONFIGS = List.of(
            "cleanup.policy", "compression.gzip.level", "compression.lz4.level", "compression.type",
            "compression.zstd.level", "delete.retention.ms", "errors.deadletterqueue.group.enable",
            "file.delete.delay.ms", "flush.messages", "flush.ms", "follower.replication.throttled.replicas",
            "index.interval.bytes", "leader.replication.throttled.replicas", "local.retention.bytes",
            "local.retention.ms", "max.compaction.lag.ms", "max.decompressed.message.bytes", "max.message.bytes",
            "message.timestamp.after.max.ms", "message.timestamp.before.max.ms", "message.timestamp.type",
            "min.cleanable.dirty.ratio", "min.compaction.lag.ms", "min.insync.replicas", "preallocate",
            "remote.copy.lag.bytes", "remote.copy.lag.ms", "remote.log.copy.disable", "remote.log.delete.on.disable",
            "remote.storage.enable", "retention.bytes", "retention.ms", "segment.bytes", "segment.index.bytes",
            "segment.jitter.ms", "segment.ms", "unclean.leader.election.enable");

    private static TestNode node;
    private static Admin admin;

    @BeforeAll
    static void start() {
        // A broker-level default of a topic config, as `compression.zstd.level=7` in server.properties.
        node = TestNode.builder().override("compression.zstd.level", "7").start();
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
    void shouldDescribeEveryTopicConfigKafka44ListsWithItsDefault() throws Exception {
        createTopic("all-configs", Map.of());

        Config config = topicConfig("all-configs");

        // The Admin client keeps entries in a hash map: only the set is comparable here.
        assertThat(config.entries()).extracting(ConfigEntry::name).containsExactlyInAnyOrderElementsOf(KAFKA_44_TOPIC_CONFIGS);
        assertDefault(config.get("compression.gzip.level"), "-1", "compression.gzip.level");
        assertDefault(config.get("compression.lz4.level"), "9", "compression.lz4.level");
        ConfigEntry zstd = config.get("compression.zstd.level");
        assertThat(zstd.value()).isEqualTo("7");
        assertThat(zstd.source()).isEqualTo(ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG);
        assertThat(zstd.synonyms()).extracting(ConfigEntry.ConfigSynonym::name, ConfigEntry.ConfigSynonym::value,
                ConfigEntry.ConfigSynonym::source).containsExactly(
                tuple("compression.zstd.level", "7", ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG),
                tuple("compression.zstd.level", "3", ConfigEntry.ConfigSource.DEFAULT_CONFIG));
        assertDefault(config.get("max.decompressed.message.bytes"), "2147483639", "max.decompressed.message.bytes");
        assertDefault(config.get("local.retention.ms"), "-2", "log.local.retention.ms");
        assertDefault(config.get("local.retention.bytes"), "-2", "log.local.retention.bytes");
        assertDefault(config.get("remote.copy.lag.ms"), "0", "log.remote.copy.lag.ms");
        assertDefault(config.get("remote.copy.lag.bytes"), "-1", "log.remote.copy.lag.bytes");
        for (String flag : List.of("remote.storage.enable", "remote.log.copy.disable", "remote.log.delete.on.disable",
                "errors.deadletterqueue.group.enable")) {
            assertDefault(config.get(flag), "false", null);
            assertThat(config.get(flag).type()).isEqualTo(ConfigEntry.ConfigType.BOOLEAN);
        }
        assertDefault(config.get("leader.replication.throttled.replicas"), "", null);
        assertThat(config.get("follower.replication.throttled.replicas").type()).isEqualTo(ConfigEntry.ConfigType.LIST);
        assertThat(config.get("compression.zstd.level").type()).isEqualTo(ConfigEntry.ConfigType.INT);
        assertThat(config.get("local.retention.ms").type()).isEqualTo(ConfigEntry.ConfigType.LONG);
    }

    @ParameterizedTest(name = "{0}: {1} accepted, {2} refused")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            compression.gzip.level                  | 1       | 10           | Invalid value 10 for configuration compression.gzip.level: Value must be between 1 and 9 or equal to -1
            compression.lz4.level                   | 17      | 18           | Invalid value 18 for configuration compression.lz4.level: Value must be no more than 17
            compression.zstd.level                  | -131072 | -131073      | Invalid value -131073 for configuration compression.zstd.level: Value must be at least -131072
            max.decompressed.message.bytes          | 1       | 2147483640   | Invalid value 2147483640 for configuration max.decompressed.message.bytes: Value must be no more than 2147483639
            leader.replication.throttled.replicas   | 0:1,1:2 | *,0:1        | Invalid value [*, 0:1] for configuration leader.replication.throttled.replicas: leader.replication.throttled.replicas must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...
            follower.replication.throttled.replicas | *       | 0:a          | Invalid value [0:a] for configuration follower.replication.throttled.replicas: follower.replication.throttled.replicas must be the literal '*'
            local.retention.ms                      | -1      | -3           | Invalid value -3 for configuration local.retention.ms: Value must be at least -2
            local.retention.bytes                   | 1000    | -3           | Invalid value -3 for configuration local.retention.bytes: Value must be at least -2
            remote.copy.lag.ms                      | -1      | -2           | Invalid value -2 for configuration remote.copy.lag.ms: Value must be at least -1
            remote.copy.lag.bytes                   | 5       | -2           | Invalid value -2 for configuration remote.copy.lag.bytes: Value must be at least -1
            remote.log.copy.disable                 | true    | yes          | Invalid value yes for configuration remote.log.copy.disable: Expected value to be either true or false
            remote.log.delete.on.disable            | true    | 1            | Invalid value 1 for configuration remote.log.delete.on.disable: Expected value to be either true or false
            errors.deadletterqueue.group.enable     | true    | x            | Invalid value x for configuration errors.deadletterqueue.group.enable: Expected value to be either true or false
            remote.storage.enable                   | false   | true         | Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.
            cleanup.policy                          | ""      | delete,      | Configuration 'cleanup.policy' values must not be empty.
            """)
    void shouldAcceptAndRefuseTopicConfigValuesAsKafka44Does(String key, String valid, String invalid, String error)
            throws Exception {
        String topic = "values-" + key.replace('.', '-');
        createTopic(topic, Map.of(key, valid));
        ConfigEntry created = topicConfig(topic).get(key);
        assertThat(created.value()).isEqualTo(valid);
        assertThat(created.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);

        assertThatThrownBy(() -> alter(topic, key, invalid))
                .hasCauseInstanceOf(InvalidConfigurationException.class).hasMessageContaining(error);
        assertThatThrownBy(() -> createTopic(topic + "-refused", Map.of(key, invalid)))
                .hasCauseInstanceOf(InvalidConfigurationException.class).hasMessageContaining(error);
        assertThat(topicConfig(topic).get(key).value()).isEqualTo(valid);
        assertThat(admin.listTopics().names().get()).doesNotContain(topic + "-refused");
    }

    @Test
    void shouldRecompressAtTheTopicsGzipLevelAndKeepBatchesAlreadyInItsCodec() throws Exception {
        createTopic("gzip-fast", Map.of("compression.type", "gzip", "compression.gzip.level", "1"));
        createTopic("gzip-small", Map.of("compression.type", "gzip", "compression.gzip.level", "9"));
        List<String> values = compressibleValues();

        produceOneBatch(List.of("gzip-fast", "gzip-small"), values, "none");

        long fast = logSize("gzip-fast");
        long small = logSize("gzip-small");
        assertThat(small).isPositive().isLessThan(fast);
        assertThat(readValues("gzip-fast", values.size())).containsExactlyElementsOf(values);
        assertThat(readValues("gzip-small", values.size())).containsExactlyElementsOf(values);

        // A batch the producer already gzipped is kept as sent whatever the topic's level (Kafka's LogValidator
        // recompresses only when the codec differs): both topics grow by the same bytes.
        produceOneBatch(List.of("gzip-fast", "gzip-small"), values, "gzip");

        assertThat(logSize("gzip-fast") - fast).isEqualTo(logSize("gzip-small") - small);
        assertThat(readValues("gzip-small", 2 * values.size())).hasSize(2 * values.size());
    }

    @Test
    void shouldRefuseACompressedRecordOverMaxDecompressedMessageBytes() throws Exception {
        createTopic("capped", Map.of("max.decompressed.message.bytes", "512"));
        createTopic("capped-lz4", Map.of("max.decompressed.message.bytes", "512", "compression.type", "lz4"));
        createTopic("capped-compact", Map.of("max.decompressed.message.bytes", "512", "cleanup.policy", "compact"));

        // gzip shrinks 4 KiB of zeros far below max.message.bytes; the decompressed record is what is refused.
        assertThatThrownBy(() -> send("capped", "gzip", 4096)).hasCauseInstanceOf(InvalidRecordException.class);
        assertThatThrownBy(() -> send("capped-lz4", "gzip", 4096)).hasCauseInstanceOf(InvalidRecordException.class);
        assertThatThrownBy(() -> send("capped-compact", "gzip", 4096)).hasCauseInstanceOf(InvalidRecordException.class);
        send("capped", "gzip", 64);
        send("capped", "none", 4096); // an uncompressed record is bounded by max.message.bytes alone
        assertThat(logSize("capped")).isPositive();

        alter("capped", "max.decompressed.message.bytes", "8192");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> send("capped", "gzip", 4096));
    }

    @Test
    void shouldKeepRecordsAndAllowDeleteRecordsWithAnEmptyCleanupPolicy() throws Exception {
        createTopic("no-cleanup", Map.of("cleanup.policy", ""));
        createTopic("compact-only", Map.of("cleanup.policy", "compact"));
        TopicPartition noCleanup = new TopicPartition("no-cleanup", 0);

        try (KafkaProducer<String, String> producer = Clients.producer(node, Map.of())) {
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>("no-cleanup", null, "v" + i)).get(); // no key: not compacted
            }
            producer.send(new ProducerRecord<>("compact-only", "k", "v")).get();
        }

        assertThat(topicConfig("no-cleanup").get("cleanup.policy").value()).isEmpty();
        assertThat(admin.deleteRecords(Map.of(noCleanup, RecordsToDelete.beforeOffset(2))).lowWatermarks()
                .get(noCleanup).get().lowWatermark()).isEqualTo(2);
        TopicPartition compacted = new TopicPartition("compact-only", 0);
        assertThatThrownBy(() -> admin.deleteRecords(Map.of(compacted, RecordsToDelete.beforeOffset(1))).all().get())
                .hasCauseInstanceOf(PolicyViolationException.class);
    }

    @Test
    void shouldCreateTheOffsetsTopicWithKafkasOverrides() throws Exception {
        createTopic("committed", Map.of());
        try (KafkaConsumer<String, String> consumer = Clients.consumer(node, Map.of("group.id", "offsets-topic-configs"))) {
            consumer.assign(List.of(new TopicPartition("committed", 0)));
            consumer.commitSync(Map.of(new TopicPartition("committed", 0), new OffsetAndMetadata(0)));
        }

        Config offsets = topicConfig("__consumer_offsets");

        for (Map.Entry<String, String> e : Map.of("cleanup.policy", "compact", "compression.type", "producer",
                "segment.bytes", "104857600").entrySet()) {
            assertThat(offsets.get(e.getKey()).value()).as(e.getKey()).isEqualTo(e.getValue());
            assertThat(offsets.get(e.getKey()).source()).as(e.getKey()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        }
    }

    private static void assertDefault(ConfigEntry entry, String value, String brokerSynonym) {
        assertThat(entry.value()).as(entry.name()).isEqualTo(value);
        assertThat(entry.source()).as(entry.name()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);
        if (brokerSynonym == null) {
            assertThat(entry.synonyms()).as(entry.name()).isEmpty();
        } else {
            assertThat(entry.synonyms()).as(entry.name()).singleElement().satisfies(s -> {
                assertThat(s.name()).isEqualTo(brokerSynonym);
                assertThat(s.value()).isEqualTo(value);
                assertThat(s.source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);
            });
        }
    }

    /** Text from a small vocabulary: gzip's levels differ on it, as on real log lines. */
    private static List<String> compressibleValues() {
        String[] words = {"order", "payment", "shipped", "refund", "customer", "warehouse", "invoice", "pending",
            "delivered", "cancelled", "priority", "express"};
        Random random = new Random(42);
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            StringBuilder value = new StringBuilder();
            for (int w = 0; w < 40; w++) {
                value.append(words[random.nextInt(words.length)]).append(random.nextInt(1000)).append(' ');
            }
            values.add(value.toString());
        }
        return values;
    }

    /** Sends the same records (same timestamps) to each topic as one batch per topic. */
    private static void produceOneBatch(List<String> topics, List<String> values, String codec) throws Exception {
        try (KafkaProducer<String, String> producer = Clients.producer(node, Map.of("compression.type", codec,
                "linger.ms", 10_000, "delivery.timeout.ms", 30_000, "batch.size", 1 << 20, "acks", "all"))) {
            for (String topic : topics) {
                for (int i = 0; i < values.size(); i++) {
                    producer.send(new ProducerRecord<>(topic, 0, 1_700_000_000_000L + i, "k" + i, values.get(i)));
                }
            }
            producer.flush();
        }
    }

    private static void send(String topic, String codec, int valueBytes) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = Clients.bytesProducer(node, Map.of("compression.type", codec,
                "retries", 0, "enable.idempotence", false))) {
            producer.send(new ProducerRecord<>(topic, 0, "key".getBytes(), new byte[valueBytes])).get();
        }
    }

    private static List<String> readValues(String topic, int expected) {
        try (KafkaConsumer<String, String> consumer = Clients.consumer(node, Map.of())) {
            return Clients.readAll(consumer, Set.of(new TopicPartition(topic, 0)), expected).stream()
                    .map(ConsumerRecord::value).toList();
        }
    }

    private static long logSize(String topic) throws Exception {
        return admin.describeLogDirs(List.of(1)).allDescriptions().get().get(1).values().iterator().next()
                .replicaInfos().get(new TopicPartition(topic, 0)).size();
    }

    private static void createTopic(String name, Map<String, String> configs) throws ExecutionException, InterruptedException {
        admin.createTopics(List.of(new NewTopic(name, 1, (short) 1).configs(configs))).all().get();
    }

    private static Config topicConfig(String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource),
                new DescribeConfigsOptions().includeSynonyms(true)).all().get().get(resource);
    }

    private static void alter(String topic, String key, String value) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        admin.incrementalAlterConfigs(Map.of(resource, List.of(
                new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET)))).all().get();
    }

    /**
     * {@code min.cleanable.dirty.ratio=NaN} passes Kafka's range check, and Kafka then never cleans by ratio. Here it was
     * accepted, then failed when the log was configured: the topics after it got no logs and the node could not start
     * again. Now it is taken as Kafka takes it, and a topic config a node cannot apply never stops the others.
     */
    @Test
    void shouldAcceptANotANumberDirtyRatioAsKafkaAndKeepServingEveryTopicAcrossARestart() throws Exception {
        try (TestNode own = TestNode.start()) {
            Clients.createTopic(own, "a-nan-ratio", 1, Map.of("cleanup.policy", "compact", "min.cleanable.dirty.ratio", "NaN"));
            Clients.createTopic(own, "b-after-nan", 1, Map.of());
            try (KafkaProducer<String, String> producer = Clients.producer(own, Map.of("delivery.timeout.ms", 10_000,
                    "request.timeout.ms", 5_000))) {
                producer.send(new ProducerRecord<>("a-nan-ratio", "k", "compacted")).get();
                producer.send(new ProducerRecord<>("b-after-nan", "k", "plain")).get();
            }
            own.restart();
            try (KafkaConsumer<String, String> consumer = Clients.consumer(own, Map.of())) {
                assertThat(Clients.readAll(consumer, Set.of(new TopicPartition("a-nan-ratio", 0),
                        new TopicPartition("b-after-nan", 0)), 2)).extracting(ConsumerRecord::value)
                        .containsExactlyInAnyOrder("compacted", "plain");
            }
            try (Admin admin = Clients.admin(own)) {
                ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "a-nan-ratio");
                assertThat(admin.describeConfigs(List.of(resource)).all().get().get(resource)
                        .get("min.cleanable.dirty.ratio").value()).isEqualTo("NaN");
            }
        }
    }

    /** Kafka's LogConfig.validateValues: a topic's min.compaction.lag.ms may not exceed its max.compaction.lag.ms. */
    @Test
    void shouldRefuseAMinCompactionLagAboveTheMaxAsKafka() throws Exception {
        admin.createTopics(List.of(new NewTopic("lag-alter", 1, (short) 1))).all().get();
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "lag-alter");
        assertThatThrownBy(() -> admin.incrementalAlterConfigs(Map.of(resource, List.of(
                new AlterConfigOp(new ConfigEntry("min.compaction.lag.ms", "100"), AlterConfigOp.OpType.SET),
                new AlterConfigOp(new ConfigEntry("max.compaction.lag.ms", "50"), AlterConfigOp.OpType.SET)))).all().get())
                .hasCauseInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("conflict topic config setting min.compaction.lag.ms (100) > max.compaction.lag.ms (50)");
        assertThat(admin.describeConfigs(List.of(resource)).all().get().get(resource).get("max.compaction.lag.ms").value())
                .as("nothing changed").isEqualTo(String.valueOf(Long.MAX_VALUE));
        assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("lag-create", 1, (short) 1)
                .configs(Map.of("min.compaction.lag.ms", "100", "max.compaction.lag.ms", "50")))).all().get())
                .hasCauseInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("conflict topic config setting");
        assertThat(admin.listTopics().names().get()).doesNotContain("lag-create");
    }

    /** Kafka's controller: INVALID_CONFIG "Null value not supported for topic configs: retention.ms", and no topic. */
    @Test
    void shouldRefuseACreateTopicsConfigWithANullValueAsKafka() throws Exception {
        Map<String, String> configs = new java.util.HashMap<>();
        configs.put("retention.ms", null);
        assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("null-config", 1, (short) 1).configs(configs))).all().get())
                .hasCauseInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("Null value not supported for topic configs: retention.ms");
        assertThat(admin.listTopics().names().get()).doesNotContain("null-config");
    }

    /**
     * Kafka describes a topic config's parsed value (ConfigDef.convertToString): an override set as TRUE is "true", a
     * list "compact, delete" is "compact,delete", 0.50 is "0.5", +100000 is "100000" (tools that compare values as text
     * see no drift that is not there).
     */
    @Test
    void shouldDescribeTheParsedValueOfAnOverrideAsKafka() throws Exception {
        admin.createTopics(List.of(new NewTopic("normalized", 1, (short) 1))).all().get();
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "normalized");
        Map<String, String> set = new java.util.LinkedHashMap<>();
        set.put("preallocate", "TRUE");
        set.put("cleanup.policy", "compact, delete");
        set.put("min.cleanable.dirty.ratio", "0.50");
        set.put("retention.ms", "+100000");
        set.put("leader.replication.throttled.replicas", "0:1 , 1:1");
        List<AlterConfigOp> ops = new ArrayList<>();
        set.forEach((k, v) -> ops.add(new AlterConfigOp(new ConfigEntry(k, v), AlterConfigOp.OpType.SET)));
        admin.incrementalAlterConfigs(Map.of(resource, ops)).all().get();
        Config config = admin.describeConfigs(List.of(resource), new DescribeConfigsOptions().includeSynonyms(true))
                .all().get().get(resource);
        Map<String, String> described = new java.util.TreeMap<>();
        set.keySet().forEach(k -> described.put(k, config.get(k).value()));
        assertThat(described).isEqualTo(new java.util.TreeMap<>(Map.of(
                "preallocate", "true", "cleanup.policy", "compact,delete", "min.cleanable.dirty.ratio", "0.5",
                "retention.ms", "100000", "leader.replication.throttled.replicas", "0:1,1:1")));
        assertThat(config.get("retention.ms").synonyms()).first().satisfies(s -> assertThat(s.value()).isEqualTo("100000"));
    }

    /**
     * Kafka's ConfigurationControlManager: APPEND/SUBTRACT on a topic without the key start from the topic config's static
     * default ("delete" for cleanup.policy), not from the broker's log.cleanup.policy.
     */
    @Test
    void shouldAppendToATopicListFromTheStaticTopicDefaultAsKafka() throws Exception {
        try (TestNode own = TestNode.builder().override("log.cleanup.policy", "compact").start();
             Admin ownAdmin = Clients.admin(own)) {
            ownAdmin.createTopics(List.of(new NewTopic("append-default", 1, (short) 1))).all().get();
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "append-default");
            assertThat(ownAdmin.describeConfigs(List.of(resource)).all().get().get(resource).get("cleanup.policy").value())
                    .isEqualTo("compact");
            ownAdmin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(new ConfigEntry("cleanup.policy", "compact"),
                    AlterConfigOp.OpType.APPEND)))).all().get();
            assertThat(ownAdmin.describeConfigs(List.of(resource)).all().get().get(resource).get("cleanup.policy").value())
                    .as("appended to delete, not to the broker's compact").isEqualTo("delete,compact");
        }
    }
}
