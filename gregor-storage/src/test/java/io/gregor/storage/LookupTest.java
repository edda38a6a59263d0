package io.gregor.storage;

import static io.gregor.storage.StorageTestSupport.batch;
import static io.gregor.storage.StorageTestSupport.rec;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class LookupTest {
  @TempDir
  Path dir;

  private final long now = System.currentTimeMillis();
  private final long t0 = now - 100_000;

  @Test
  void shouldFindOffsetsByTimestamp() throws Exception {
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), LogConfig.defaults());
      assertThat(log.offsetForTimestamp(0)).isEmpty();
      assertThat(log.maxTimestampOffset()).isEqualTo(new OffsetAndTimestamp(-1, -1));
      log.appendAsLeader(MemoryRecords.withRecords(Compression.NONE, rec(t0 + 10, "k", "0"), rec(t0 + 30, "k", "1"),
          rec(t0 + 20, "k", "2")), 0, now);                                           // offsets 0-2
      log.appendAsLeader(batch(t0 + 25, "3"), 0, now);                                   // 3
      log.appendAsLeader(MemoryRecords.withRecords(Compression.gzip().build(), rec(t0 + 40, "k", "4"),
          rec(t0 + 50, "k", "5"), rec(t0 + 50, "k", "6")), 0, now);                     // 4-6
      log.appendAsLeader(batch(t0 + 45, "7"), 0, now);                                   // 7

      assertThat(log.offsetForTimestamp(t0)).contains(new OffsetAndTimestamp(0, t0 + 10));
      assertThat(log.offsetForTimestamp(t0 + 25)).contains(new OffsetAndTimestamp(1, t0 + 30));
      assertThat(log.offsetForTimestamp(t0 + 31)).contains(new OffsetAndTimestamp(4, t0 + 40));
      assertThat(log.offsetForTimestamp(t0 + 41)).contains(new OffsetAndTimestamp(5, t0 + 50));
      assertThat(log.offsetForTimestamp(t0 + 50)).contains(new OffsetAndTimestamp(5, t0 + 50));
      assertThat(log.offsetForTimestamp(t0 + 51)).isEmpty();
      assertThat(log.maxTimestampOffset()).isEqualTo(new OffsetAndTimestamp(5, t0 + 50));
    }
  }

  @Test
  void shouldFindOffsetsByTimestampAcrossManySegments() throws Exception {
    LogConfig config = LogConfig.defaults().withSegmentBytes(1500).withIndexIntervalBytes(150);
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), config);
      for (int i = 0; i < 300; i++) {
        log.appendAsLeader(batch(t0 + 2L * i, "v" + i), 0, now);
      }
      assertThat(log.segmentCount()).isGreaterThan(10);
      for (int i = 0; i < 300; i++) {
        assertThat(log.offsetForTimestamp(t0 + 2L * i)).contains(new OffsetAndTimestamp(i, t0 + 2L * i));
        assertThat(log.offsetForTimestamp(t0 + 2L * i - 1)).contains(new OffsetAndTimestamp(i, t0 + 2L * i));
      }
      assertThat(log.maxTimestampOffset()).isEqualTo(new OffsetAndTimestamp(299, t0 + 598));
    }
  }

  @Test
  void shouldReportMaxTimestampOfARecordAtOrAfterTheLogStartOffsetAfterDeleteRecords() throws Exception {
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), LogConfig.defaults());
      log.appendAsLeader(batch(now, "a"), 0, now);                                       // 0: the largest timestamp
      log.appendAsLeader(batch(now - 10, "b"), 0, now);                                  // 1
      log.appendAsLeader(batch(now - 20, "c"), 0, now);                                  // 2
      log.appendAsLeader(MemoryRecords.withRecords(Compression.NONE, rec(t0 + 30, "k", "3"), rec(t0 + 10, "k", "4"),
          rec(t0 + 20, "k", "5")), 0, now);                                             // 3-5
      assertThat(log.maxTimestampOffset()).isEqualTo(new OffsetAndTimestamp(0, now));

      log.deleteRecordsBefore(1);
      assertThat(log.maxTimestampOffset()).isEqualTo(new OffsetAndTimestamp(1, now - 10));

      log.deleteRecordsBefore(4); // inside batch 3-5, whose header's max timestamp is offset 3's
      assertThat(log.maxTimestampOffset()).isEqualTo(new OffsetAndTimestamp(5, t0 + 20));
    }
  }

  @Test
  void shouldReportMaxTimestampOfLogAppendTimeTopics() throws Exception {
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), LogConfig.defaults().withLogAppendTime(true));
      log.appendAsLeader(batch(t0, "a", "b"), 0, now);
      log.appendAsLeader(batch(t0, "c", "d"), 0, now + 7);
      assertThat(log.maxTimestampOffset()).isEqualTo(new OffsetAndTimestamp(2, now + 7));
      assertThat(log.offsetForTimestamp(now + 1)).contains(new OffsetAndTimestamp(2, now + 7));
    }
  }

  @Test
  void shouldAnswerEndOffsetForEpoch() throws Exception {
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), LogConfig.defaults());
      assertThat(log.latestEpoch()).isEqualTo(-1);
      assertThat(log.endOffsetForEpoch(0)).isEqualTo(new EpochEndOffset(-1, -1));
      log.appendAsLeader(batch(now, "a", "b"), 3, now);   // 0-1 epoch 3
      log.appendAsLeader(batch(now, "c"), 3, now);        // 2
      log.appendAsLeader(batch(now, "d", "e"), 5, now);   // 3-4 epoch 5
      log.appendAsLeader(batch(now, "f"), 8, now);        // 5 epoch 8

      assertThat(log.latestEpoch()).isEqualTo(8);
      assertThat(log.endOffsetForEpoch(3)).isEqualTo(new EpochEndOffset(3, 3));
      assertThat(log.endOffsetForEpoch(4)).isEqualTo(new EpochEndOffset(3, 3));
      assertThat(log.endOffsetForEpoch(5)).isEqualTo(new EpochEndOffset(5, 5));
      assertThat(log.endOffsetForEpoch(7)).isEqualTo(new EpochEndOffset(5, 5));
      assertThat(log.endOffsetForEpoch(8)).isEqualTo(new EpochEndOffset(8, 6));
      assertThat(log.endOffsetForEpoch(9)).isEqualTo(new EpochEndOffset(-1, -1));
      assertThat(log.endOffsetForEpoch(-1)).isEqualTo(new EpochEndOffset(-1, -1));
      // Kafka's rule for an epoch older than all entries: that epoch, ending where the first known one starts.
      assertThat(log.endOffsetForEpoch(1)).isEqualTo(new EpochEndOffset(1, 0));
      assertThat(Files.readString(log.dir().resolve("leader-epoch-checkpoint"))).isEqualTo("0\n3\n3 0\n5 3\n8 5\n");
    }
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.log("t", 0).orElseThrow();
      assertThat(log.endOffsetForEpoch(5)).isEqualTo(new EpochEndOffset(5, 5));
      log.deleteRecordsBefore(4);
      assertThat(Files.readString(log.dir().resolve("leader-epoch-checkpoint"))).isEqualTo("0\n2\n5 4\n8 5\n");
    }
  }
}
