package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gregor.storage.StorageIo;
import io.gregor.testkit.TestNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Crashes in the middle of a topic life-cycle change: the metadata record is durable (the controller fsynced it), the
 * partition directories are not yet renamed or created. A "crash" is a copy of the data directory taken while the
 * node is held at that point (what a SIGKILL there leaves on disk: everything written reached the page cache), and
 * a node started on the copy.
 */
@Timeout(120)
final class MetadataCrashTest {

    /** The real file system, able to hold the thread that renames or creates a partition directory. */
    static final class HoldingDisk implements StorageIo {
        volatile String holdRenameOf;
        volatile String holdMetadataFileOf;
        volatile String holdAppendTo;
        final CountDownLatch reached = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        private void maybeHold(boolean hit) throws IOException {
            if (!hit) {
                return;
            }
            reached.countDown();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }

        @Override
        public int append(FileRecords segment, MemoryRecords records) throws IOException {
            String dir = holdAppendTo;
            maybeHold(dir != null && segment.file().getParentFile().getName().equals(dir));
            return StorageIo.standard().append(segment, records);
        }

        @Override
        public void writeFile(Path target, ByteBuffer content, boolean sync) throws IOException {
            String dir = holdMetadataFileOf;
            maybeHold(dir != null && target.getFileName().toString().equals("partition.metadata")
                    && target.getParent().getFileName().toString().equals(dir));
            StorageIo.standard().writeFile(target, content, sync);
        }

        @Override
        public void renameDirectory(Path from, Path to) throws IOException {
            String dir = holdRenameOf;
            maybeHold(dir != null && from.getFileName().toString().equals(dir));
            Files.move(from, to);
        }
    }

    static Path copyOf(Path dataDir) throws IOException {
        Path copy = Files.createTempDirectory("gregor-crash-copy-");
        try (Stream<Path> paths = Files.walk(dataDir)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = copy.resolve(dataDir.relativize(p).toString());
                if (p.getFileName().toString().equals(".lock")) {
                    continue;
                }
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (Files.exists(p)) {
                    try {
                        Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                    } catch (java.nio.file.NoSuchFileException gone) {
                        // a temporary file renamed meanwhile
                    }
                }
            }
        }
        return copy;
    }

    private static List<String> values(TestNode node, String topic, int partitions) throws Exception {
        List<String> got = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = Clients.consumer(node, Map.of())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                tps.add(new TopicPartition(topic, p));
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> ends = consumer.endOffsets(tps);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(r -> got.add(r.value()));
                return tps.stream().allMatch(tp -> consumer.position(tp) >= ends.get(tp));
            });
        }
        return got;
    }

    private static void produce(TestNode node, String topic, int partitions, String prefix, int count) throws Exception {
        try (KafkaProducer<String, String> producer = Clients.producer(node, Map.of("acks", "all"))) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, i % partitions, null, prefix + i)).get();
            }
        }
    }

    /**
     * Kafka: a topic whose deletion was committed is gone after any restart (its logs are stray and deleted, {@code
     * LogManager.isStrayKraftReplica}); a topic re-created under its name gets a new id and none of the old records.
     */
    @Test
    void shouldForgetADeletedTopicWhenTheNodeCrashedBeforeItsDirectoriesWereRemoved() throws Exception {
        HoldingDisk disk = new HoldingDisk();
        Path copy;
        Uuid oldId;
        try (TestNode node = TestNode.builder().storageIo(disk).start(); Admin admin = Clients.admin(node)) {
            Clients.createTopic(node, "doomed", 2, Map.of());
            oldId = admin.describeTopics(List.of("doomed")).allTopicNames().get().get("doomed").topicId();
            produce(node, "doomed", 2, "old-", 20);
            disk.holdRenameOf = "doomed-0";
            var deletion = admin.deleteTopics(List.of("doomed")).all();
            assertThat(disk.reached.await(30, TimeUnit.SECONDS)).isTrue();
            copy = copyOf(node.dataDir());
            disk.release.countDown();
            deletion.get();
        }
        try (TestNode after = TestNode.builder().dataDir(copy).start(); Admin admin = Clients.admin(after)) {
            assertThat(admin.listTopics().names().get()).doesNotContain("doomed");
            await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(copy.resolve("doomed-0")) && !Files.exists(copy.resolve("doomed-1")));
            Clients.createTopic(after, "doomed", 2, Map.of());
            TopicDescription d = admin.describeTopics(List.of("doomed")).allTopicNames().get().get("doomed");
            assertThat(d.topicId()).isNotEqualTo(oldId);
            produce(after, "doomed", 2, "new-", 4);
            assertThat(values(after, "doomed", 2)).containsExactlyInAnyOrder("new-0", "new-1", "new-2", "new-3");
        } finally {
            TestNodeCleanup.delete(copy);
        }
    }

    /** Kafka: a committed topic creation is there after any restart, each partition with an empty log. */
    @Test
    void shouldKeepACreatedTopicWhenTheNodeCrashedBeforeItsDirectoriesWereCreated() throws Exception {
        HoldingDisk disk = new HoldingDisk();
        Path copy;
        Uuid id;
        try (TestNode node = TestNode.builder().storageIo(disk).start(); Admin admin = Clients.admin(node)) {
            disk.holdMetadataFileOf = "born-1";
            var creation = admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic("born", 3, (short) 1))).all();
            assertThat(disk.reached.await(30, TimeUnit.SECONDS)).isTrue();
            copy = copyOf(node.dataDir());
            disk.release.countDown();
            creation.get();
            id = admin.describeTopics(List.of("born")).allTopicNames().get().get("born").topicId();
        }
        try (TestNode after = TestNode.builder().dataDir(copy).start(); Admin admin = Clients.admin(after)) {
            TopicDescription d = admin.describeTopics(List.of("born")).allTopicNames().get().get("born");
            assertThat(d.topicId()).isEqualTo(id);
            assertThat(d.partitions()).hasSize(3);
            produce(after, "born", 3, "v", 6);
            assertThat(values(after, "born", 3)).hasSize(6);
        } finally {
            TestNodeCleanup.delete(copy);
        }
    }

    /** Kafka: partitions added by a committed CreatePartitions are there after any restart. */
    @Test
    void shouldKeepAddedPartitionsWhenTheNodeCrashedBeforeTheirDirectoriesWereCreated() throws Exception {
        HoldingDisk disk = new HoldingDisk();
        Path copy;
        try (TestNode node = TestNode.builder().storageIo(disk).start(); Admin admin = Clients.admin(node)) {
            Clients.createTopic(node, "grown", 1, Map.of());
            produce(node, "grown", 1, "p0-", 3);
            disk.holdMetadataFileOf = "grown-2";
            var growth = admin.createPartitions(Map.of("grown", NewPartitions.increaseTo(4))).all();
            assertThat(disk.reached.await(30, TimeUnit.SECONDS)).isTrue();
            copy = copyOf(node.dataDir());
            disk.release.countDown();
            growth.get();
        }
        try (TestNode after = TestNode.builder().dataDir(copy).start(); Admin admin = Clients.admin(after)) {
            assertThat(admin.describeTopics(List.of("grown")).allTopicNames().get().get("grown").partitions()).hasSize(4);
            try (KafkaProducer<String, String> producer = Clients.producer(after, Map.of("acks", "all"))) {
                for (int p = 1; p < 4; p++) {
                    producer.send(new ProducerRecord<>("grown", p, null, "p" + p)).get();
                }
            }
            assertThat(values(after, "grown", 4)).containsExactlyInAnyOrder("p0-0", "p0-1", "p0-2", "p1", "p2", "p3");
        } finally {
            TestNodeCleanup.delete(copy);
        }
    }

    /** Kafka: an IncrementalAlterConfigs answered without error is committed to the metadata log and survives a crash. */
    @Test
    void shouldKeepAnAlteredConfigAfterACrash() throws Exception {
        Path copy;
        try (TestNode node = TestNode.start(); Admin admin = Clients.admin(node)) {
            Clients.createTopic(node, "configured", 1, Map.of());
            ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, "configured");
            admin.incrementalAlterConfigs(Map.of(res, List.of(
                    new AlterConfigOp(new ConfigEntry("retention.ms", "4242424"), AlterConfigOp.OpType.SET)))).all().get();
            copy = copyOf(node.dataDir());
        }
        try (TestNode after = TestNode.builder().dataDir(copy).start(); Admin admin = Clients.admin(after)) {
            ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, "configured");
            assertThat(admin.describeConfigs(List.of(res)).all().get().get(res).get("retention.ms").value()).isEqualTo("4242424");
        } finally {
            TestNodeCleanup.delete(copy);
        }
    }

    static final class TestNodeCleanup {
        static void delete(Path dir) throws IOException {
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
