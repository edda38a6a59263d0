package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gregor.storage.PartitionLog;
import io.gregor.storage.StorageIo;
import io.gregor.testkit.TestNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Metadata snapshots through a real node, with 32 KiB between snapshots: after many topic creations, deletions and
 * config changes a snapshot exists, the metadata log directory stays small, and a restart (clean, on a corrupt newest
 * snapshot, or on a copy taken right after a snapshot was written) rebuilds exactly the topics, ids, partitions, configs
 * and records the node had.
 */
@Timeout(300)
final class MetadataSnapshotTest {

    private static final int BETWEEN_SNAPSHOTS = 32 * 1024;

    private static TestNode.Builder node() {
        return TestNode.builder()
                .override("metadata.log.max.record.bytes.between.snapshots", String.valueOf(BETWEEN_SNAPSHOTS))
                .override("metadata.max.retention.bytes", "0"); // trim as far as two snapshots allow, at each one
    }

    /** What a client sees of the metadata: topics (id, partitions, own configs), broker and group configs. */
    record State(Map<String, Uuid> ids, Map<String, Integer> partitions, Map<String, Map<String, String>> topicConfigs,
                 Map<String, String> clusterDefaults, Map<String, String> broker1, Map<String, String> groupOrders) {
    }

    private static State state(TestNode node) throws Exception {
        try (Admin admin = Clients.admin(node)) {
            Set<String> names = admin.listTopics().names().get();
            Map<String, TopicDescription> topics = admin.describeTopics(names).allTopicNames().get();
            Map<String, Uuid> ids = new TreeMap<>();
            Map<String, Integer> partitions = new TreeMap<>();
            List<ConfigResource> resources = new ArrayList<>();
            topics.forEach((name, d) -> {
                ids.put(name, d.topicId());
                partitions.put(name, d.partitions().size());
                resources.add(new ConfigResource(ConfigResource.Type.TOPIC, name));
            });
            ConfigResource clusterDefault = new ConfigResource(ConfigResource.Type.BROKER, "");
            ConfigResource broker1 = new ConfigResource(ConfigResource.Type.BROKER, "1");
            ConfigResource group = new ConfigResource(ConfigResource.Type.GROUP, "orders");
            resources.addAll(List.of(clusterDefault, broker1, group));
            Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get();
            Map<String, Map<String, String>> topicConfigs = new TreeMap<>();
            for (String name : names) {
                topicConfigs.put(name, own(configs.get(new ConfigResource(ConfigResource.Type.TOPIC, name)).entries(),
                        ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG));
            }
            return new State(ids, partitions, topicConfigs,
                    own(configs.get(clusterDefault).entries(), ConfigEntry.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG),
                    own(configs.get(broker1).entries(), ConfigEntry.ConfigSource.DYNAMIC_BROKER_CONFIG),
                    own(configs.get(group).entries(), ConfigEntry.ConfigSource.DYNAMIC_GROUP_CONFIG));
        }
    }

    private static Map<String, String> own(Collection<ConfigEntry> entries, ConfigEntry.ConfigSource source) {
        return entries.stream().filter(e -> e.source() == source)
                .collect(Collectors.toMap(ConfigEntry::name, ConfigEntry::value, (a, b) -> a, TreeMap::new));
    }

    /** Topics, configs and records that must survive, then {@code cycles} create/alter/delete rounds of churn topics. */
    private static void history(TestNode node, int cycles) throws Exception {
        try (Admin admin = Clients.admin(node)) {
            admin.createTopics(List.of(new NewTopic("kept", 3, (short) 1).configs(Map.of("cleanup.policy", "delete")),
                    new NewTopic("kept-too", 1, (short) 1))).all().get();
            admin.incrementalAlterConfigs(Map.of(
                    new ConfigResource(ConfigResource.Type.BROKER, ""), List.of(set("log.retention.ms", "86400000")),
                    new ConfigResource(ConfigResource.Type.BROKER, "1"), List.of(set("message.max.bytes", "2000000")),
                    new ConfigResource(ConfigResource.Type.GROUP, "orders"), List.of(set("consumer.session.timeout.ms", "50000"))))
                    .all().get();
            produce(node, "kept", "before-", 90);
            churn(admin, 0, cycles);
        }
    }

    private static void churn(Admin admin, int from, int to) throws Exception {
        for (int i = from; i < to; i += 5) {
            List<NewTopic> batch = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (int j = i; j < i + 5; j++) {
                names.add("churn-" + j);
                batch.add(new NewTopic("churn-" + j, 10, (short) 1).configs(Map.of("retention.ms", String.valueOf(1000 + j))));
            }
            admin.createTopics(batch).all().get();
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, "kept"),
                    List.of(set("retention.ms", String.valueOf(100_000 + i))))).all().get();
            admin.deleteTopics(names).all().get();
        }
    }

    private static AlterConfigOp set(String key, String value) {
        return new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET);
    }

    private static void produce(TestNode node, String topic, String prefix, int count) throws Exception {
        try (KafkaProducer<String, String> producer = Clients.producer(node, Map.of("acks", "all"))) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, i % 3, null, prefix + i));
            }
            producer.flush();
        }
    }

    private static List<String> values(TestNode node) {
        try (KafkaConsumer<String, String> consumer = Clients.consumer(node, Map.of())) {
            Set<TopicPartition> tps = Set.of(new TopicPartition("kept", 0), new TopicPartition("kept", 1), new TopicPartition("kept", 2));
            return Clients.readAll(consumer, tps, 90).stream().map(ConsumerRecord::value).sorted().toList();
        }
    }

    private static Path metadataDir(TestNode node) {
        return node.dataDir().resolve("__cluster_metadata-0");
    }

    private static List<Path> snapshots(Path metadataDir) throws IOException {
        try (Stream<Path> files = Files.list(metadataDir)) {
            return files.filter(p -> p.getFileName().toString().matches("\\d{20}-\\d{10}\\.checkpoint")).sorted().toList();
        }
    }

    private static long sizeInBytes(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            long total = 0;
            for (Path p : (Iterable<Path>) files::iterator) {
                try {
                    total += Files.size(p);
                } catch (java.nio.file.NoSuchFileException gone) {
                    // deleted meanwhile
                }
            }
            return total;
        }
    }

    /** Waits for a snapshot covering every metadata record committed so far. */
    private static void awaitSnapshotOf(TestNode node) {
        long end = metadataLog(node).logEndOffset();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            List<Path> files = snapshots(metadataDir(node));
            return !files.isEmpty() && Long.parseLong(files.get(files.size() - 1).getFileName().toString().substring(0, 20)) >= end;
        });
    }

    private static PartitionLog metadataLog(TestNode node) {
        return node.node().logStore().log("__cluster_metadata", 0).orElseThrow();
    }

    @Test
    void shouldDescribeTheKeysWithKafkasDefaultsAndRefuseOutOfRangeValues() throws Exception {
        try (TestNode node = TestNode.start(); Admin admin = Clients.admin(node)) {
            ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "1");
            Config config = admin.describeConfigs(List.of(broker)).all().get().get(broker);
            assertThat(Map.of("metadata.log.max.record.bytes.between.snapshots", "20971520",
                    "metadata.log.max.snapshot.interval.ms", "3600000",
                    "metadata.max.retention.bytes", "104857600",
                    "metadata.max.retention.ms", "604800000")).allSatisfy((key, value) -> {
                        assertThat(config.get(key).value()).as(key).isEqualTo(value);
                        assertThat(config.get(key).source()).as(key).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);
                    });
            // Read at start-up: refused as Kafka refuses a key it cannot change at runtime.
            assertThatThrownBy(() -> admin.incrementalAlterConfigs(Map.of(broker,
                    List.of(set("metadata.max.retention.ms", "1000")))).all().get())
                    .hasMessageContaining("Cannot update these configs dynamically");
        }
        // Kafka's ranges: at least 1 byte between snapshots, an interval of at least 0 (0: no timer), any retention.
        assertThatThrownBy(() -> io.gregor.broker.NodeConfig.parse(Map.of("metadata.log.max.record.bytes.between.snapshots", "0")))
                .hasMessage("metadata.log.max.record.bytes.between.snapshots: 0 (expected: 1..9223372036854775807)");
        assertThatThrownBy(() -> io.gregor.broker.NodeConfig.parse(Map.of("metadata.log.max.snapshot.interval.ms", "-1")))
                .hasMessage("metadata.log.max.snapshot.interval.ms: -1 (expected: 0..9223372036854775807)");
        assertThat(io.gregor.broker.NodeConfig.parse(Map.of("metadata.max.retention.bytes", "-1", "metadata.max.retention.ms", "-1",
                "metadata.log.max.snapshot.interval.ms", "0")).get("metadata.max.retention.ms")).isEqualTo("-1");
    }

    @Test
    void shouldSnapshotTrimAndRestartToTheSameState() throws Exception {
        try (TestNode node = node().start()) {
            history(node, 200);
            Path dir = metadataDir(node);
            // ~0.8 KiB a round: the log took in over 160 KiB, five snapshot intervals.
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(snapshots(dir)).hasSizeBetween(1, 3);
                assertThat(metadataLog(node).logStartOffset()).isPositive();
                // The log after the second-newest snapshot (at most two intervals and a segment), a few small snapshots.
                assertThat(sizeInBytes(dir)).isLessThan(5L * BETWEEN_SNAPSHOTS);
            });
            assertThat(metadataLog(node).logEndOffset()).isGreaterThan(2600);
            State before = state(node);
            assertThat(before.ids()).containsOnlyKeys("kept", "kept-too");
            assertThat(before.topicConfigs().get("kept")).containsEntry("retention.ms", "100195");
            assertThat(before.clusterDefaults()).containsEntry("log.retention.ms", "86400000");
            assertThat(before.broker1()).containsEntry("message.max.bytes", "2000000");
            assertThat(before.groupOrders()).containsEntry("consumer.session.timeout.ms", "50000");

            node.restart();

            assertThat(state(node)).isEqualTo(before);
            assertThat(values(node)).hasSize(90).allMatch(v -> v.startsWith("before-"));
            // It goes on: a change after the restart is kept too.
            Clients.createTopic(node, "after-restart", 2, Map.of());
            node.restart();
            assertThat(state(node).ids()).containsOnlyKeys("kept", "kept-too", "after-restart");
        }
    }

    /**
     * metadata.log.max.snapshot.interval.ms: a few committed records, far below the byte threshold, are snapshotted once
     * the interval has passed; under metadata.max.retention.* (Kafka's defaults) the log is not trimmed.
     */
    @Test
    void shouldSnapshotAfterTheIntervalAndKeepTheLogUnderRetention() throws Exception {
        try (TestNode node = TestNode.builder().override("metadata.log.max.snapshot.interval.ms", "200").start()) {
            Path dir = metadataDir(node);
            Clients.createTopic(node, "first", 2, Map.of("retention.ms", "1234"));
            awaitSnapshotOf(node);
            Clients.createTopic(node, "second", 1, Map.of());
            awaitSnapshotOf(node);
            assertThat(snapshots(dir)).hasSizeGreaterThanOrEqualTo(2);
            assertThat(metadataLog(node).logStartOffset()).isZero();
            State before = state(node);

            node.restart();

            assertThat(state(node)).isEqualTo(before);
            assertThat(before.topicConfigs().get("first")).isEqualTo(Map.of("retention.ms", "1234"));
        }
    }

    @Test
    void shouldFallBackToTheSnapshotBeforeACorruptNewestOne() throws Exception {
        try (TestNode node = node().start()) {
            history(node, 150);
            Path dir = metadataDir(node);
            await().atMost(Duration.ofSeconds(60)).until(() -> snapshots(dir).size() >= 2 && metadataLog(node).logStartOffset() > 0);
            State before = state(node);
            node.stop();
            List<Path> files = snapshots(dir);
            Path newest = files.get(files.size() - 1);
            try (FileChannel ch = FileChannel.open(newest, java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(ch.size() / 2); // torn
            }

            node.restart();

            assertThat(state(node)).isEqualTo(before);
            assertThat(values(node)).hasSize(90);
            // Set aside for the operator, and never one of the two snapshots the log is kept for.
            assertThat(snapshots(dir)).doesNotContain(newest);
            assertThat(newest.resolveSibling(newest.getFileName() + ".skipped")).exists();
            node.restart();
            assertThat(state(node)).isEqualTo(before);
        }
    }

    /** With every snapshot unreadable and the log trimmed, starting would lose topics (and delete their data): refused. */
    @Test
    void shouldRefuseToStartWhenNoSnapshotCoversTheTrimmedLog() throws Exception {
        try (TestNode node = node().start()) {
            history(node, 150);
            Path dir = metadataDir(node);
            await().atMost(Duration.ofSeconds(60)).until(() -> snapshots(dir).size() >= 2 && metadataLog(node).logStartOffset() > 0);
            node.stop();
            for (Path snapshot : snapshots(dir)) {
                Files.write(snapshot, new byte[0]);
            }

            assertThatThrownBy(() -> TestNode.builder().dataDir(node.dataDir()).start())
                    .hasStackTraceContaining("no metadata snapshot");
            assertThat(Files.exists(node.dataDir().resolve("kept-0"))).isTrue();
        }
    }

    /** Holds the thread that has just written a metadata snapshot (fsynced and renamed), before the log is trimmed. */
    static final class HoldAfterSnapshot implements StorageIo {
        volatile boolean armed;
        final CountDownLatch reached = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public void writeFile(Path target, ByteBuffer content, boolean sync) throws IOException {
            StorageIo.standard().writeFile(target, content, sync);
            if (armed && target.getFileName().toString().endsWith(".checkpoint")
                    && target.getParent().getFileName().toString().equals("__cluster_metadata-0")) {
                armed = false;
                reached.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
            }
        }
    }

    @Test
    void shouldRestartToTheSameStateAfterACrashRightAfterASnapshot() throws Exception {
        HoldAfterSnapshot disk = new HoldAfterSnapshot();
        Path copy;
        State before;
        try (TestNode node = node().storageIo(disk).start(); Admin admin = Clients.admin(node)) {
            history(node, 100);
            disk.armed = true;
            for (int i = 100; disk.reached.getCount() > 0; i += 5) {
                assertThat(i).as("rounds until the next snapshot").isLessThan(1000);
                churn(admin, i, i + 5);
            }
            before = state(node); // every change is committed; the snapshot thread holds before trimming
            copy = MetadataCrashTest.copyOf(node.dataDir());
            disk.release.countDown();
        }
        try (TestNode after = TestNode.builder().dataDir(copy).start()) {
            assertThat(state(after)).isEqualTo(before);
            assertThat(values(after)).hasSize(90);
        } finally {
            MetadataCrashTest.TestNodeCleanup.delete(copy);
        }
    }
}
