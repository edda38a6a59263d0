package io.gregor.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gregor.storage.StorageIo;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The snapshot file: what it writes replays to the same image; a torn, flipped or trailing-garbage file is refused. */
class MetadataSnapshotsTest {

    @TempDir
    Path dir;

    /** An image with every kind of state, and enough topics to span several batches. */
    private static MetadataImage image() {
        List<MetadataRecord> records = new ArrayList<>();
        records.add(new MetadataRecord.RegisterBroker(1, "localhost", 9092, null));
        records.add(new MetadataRecord.RegisterBroker(2, "other", 9093, "rack-b"));
        records.add(new MetadataRecord.BrokerConfig("", "min.insync.replicas", "1"));
        records.add(new MetadataRecord.BrokerConfig("1", "log.retention.ms", "60000"));
        records.add(new MetadataRecord.GroupConfig("orders", "consumer.session.timeout.ms", "50000"));
        for (int t = 0; t < 3000; t++) {
            Uuid id = Uuid.randomUuid();
            records.add(new MetadataRecord.CreateTopic("topic-" + t, id));
            for (int p = 0; p < 10; p++) {
                records.add(new MetadataRecord.PartitionState(id, p, List.of(1, 2), List.of(2), 2, p));
            }
            records.add(new MetadataRecord.TopicConfig(id, "retention.ms", String.valueOf(t)));
            if (t % 3 == 0) {
                records.add(new MetadataRecord.RemoveTopic(id));
            }
        }
        return MetadataImage.EMPTY.apply(records, 41_999);
    }

    private static void assertSameImage(MetadataImage actual, MetadataImage expected) {
        assertThat(actual.lastOffset()).isEqualTo(expected.lastOffset());
        assertThat(actual.brokers()).isEqualTo(expected.brokers());
        assertThat(actual.topicsByName()).isEqualTo(expected.topicsByName());
        for (MetadataImage.TopicImage t : expected.topicsByName().values()) {
            assertThat(actual.topic(t.id())).contains(t);
        }
        assertThat(actual.brokerConfigs("")).isEqualTo(expected.brokerConfigs(""));
        assertThat(actual.brokerConfigs("1")).isEqualTo(expected.brokerConfigs("1"));
        assertThat(actual.groupsWithConfigs()).isEqualTo(expected.groupsWithConfigs());
        assertThat(actual.groupConfigs("orders")).isEqualTo(expected.groupConfigs("orders"));
    }

    @Test
    void shouldReadBackTheImageItWrote() throws Exception {
        MetadataSnapshots snapshots = new MetadataSnapshots(dir, StorageIo.standard());
        MetadataImage image = image();

        Path file = snapshots.write(image, 0, 1000L);

        assertThat(file.getFileName().toString()).isEqualTo("00000000000000042000-0000000000.checkpoint");
        assertThat(Files.exists(dir.resolve(file.getFileName() + ".tmp"))).isFalse();
        List<MetadataSnapshots.SnapshotFile> listed = snapshots.list();
        assertThat(listed).extracting(MetadataSnapshots.SnapshotFile::endOffset).containsExactly(42_000L);
        assertThat(image.topicsByName()).hasSize(2000);
        assertSameImage(snapshots.read(listed.get(0)), image);
    }

    @Test
    void shouldListOldestFirstAndIgnoreOtherFiles() throws Exception {
        MetadataSnapshots snapshots = new MetadataSnapshots(dir, StorageIo.standard());
        MetadataImage a = MetadataImage.EMPTY.apply(List.of(new MetadataRecord.RegisterBroker(1, "h", 1, null)), 99);
        snapshots.write(a, 0, 0);
        snapshots.write(MetadataImage.EMPTY.apply(List.of(new MetadataRecord.RegisterBroker(1, "h", 1, null)), 9), 0, 0);
        Files.writeString(dir.resolve("leader-epoch-checkpoint"), "0\n0\n");
        Files.writeString(dir.resolve("00000000000000000200-0000000000.checkpoint.tmp"), "torn");

        assertThat(snapshots.list()).extracting(MetadataSnapshots.SnapshotFile::endOffset).containsExactly(10L, 100L);
    }

    @Test
    void shouldRefuseATruncatedSnapshotAtAnyLength() throws Exception {
        MetadataSnapshots snapshots = new MetadataSnapshots(dir, StorageIo.standard());
        MetadataImage image = MetadataImage.EMPTY.apply(List.of(new MetadataRecord.RegisterBroker(1, "h", 1, null),
                new MetadataRecord.BrokerConfig("", "k", "v")), 1);
        Path file = snapshots.write(image, 0, 0);
        long size = Files.size(file);
        byte[] whole = Files.readAllBytes(file);
        for (long cut = 0; cut < size; cut++) {
            Files.write(file, java.util.Arrays.copyOf(whole, (int) cut));
            MetadataSnapshots.SnapshotFile listed = snapshots.list().get(0);
            assertThatThrownBy(() -> snapshots.read(listed)).as("cut at %d", cut)
                    .isInstanceOf(MetadataSnapshots.CorruptSnapshotException.class);
        }
    }

    @Test
    void shouldRefuseAFlippedByteAndTrailingBytes() throws Exception {
        MetadataSnapshots snapshots = new MetadataSnapshots(dir, StorageIo.standard());
        MetadataImage image = MetadataImage.EMPTY.apply(List.of(new MetadataRecord.BrokerConfig("", "k", "v")), 0);
        Path file = snapshots.write(image, 0, 0);
        byte[] whole = Files.readAllBytes(file);
        for (int i = 0; i < whole.length; i++) {
            byte[] flipped = whole.clone();
            flipped[i] ^= 0x5a;
            Files.write(file, flipped);
            MetadataSnapshots.SnapshotFile listed = snapshots.list().get(0);
            try {
                // A flip in a batch's offset or length fields may still read back; the image must then be intact.
                assertThat(snapshots.read(listed).brokerConfigs("")).as("flip at %d", i).isEqualTo(Map.of("k", "v"));
            } catch (MetadataSnapshots.CorruptSnapshotException expected) {
                // refused: fine
            }
        }
        Files.write(file, whole);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.APPEND)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[100]));
        }
        assertThatThrownBy(() -> snapshots.read(snapshots.list().get(0)))
                .isInstanceOf(MetadataSnapshots.CorruptSnapshotException.class);
    }

    @Test
    void shouldReplayAnImageSplitAnywhere() throws IOException {
        MetadataImage image = image();
        List<MetadataRecord> records = new ArrayList<>();
        image.forEachRecord(records::add);
        for (int split : new int[] {1, 6, 7, 8, 17, records.size() / 2, records.size() - 1}) {
            MetadataImage replayed = MetadataImage.EMPTY.apply(records.subList(0, split), split - 1)
                    .apply(records.subList(split, records.size()), image.lastOffset());
            assertSameImage(replayed, image);
        }
    }
}
