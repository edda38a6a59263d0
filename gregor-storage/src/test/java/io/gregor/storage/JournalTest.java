package io.gregor.storage;

import static io.gregor.storage.StorageTestSupport.batch;
import static io.gregor.storage.StorageTestSupport.readAll;
import static io.gregor.storage.StorageTestSupport.rec;
import static io.gregor.storage.StorageTestSupport.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durability journal: what an acks=all append survives when the segments' page cache is lost (power loss,
 * simulated by cutting the segment files back to what was fsynced), and what replay must not touch.
 */
@Timeout(60)
class JournalTest {
  @TempDir
  Path dir;

  private final long now = System.currentTimeMillis();

  private LogStore open(StoreConfig config, LogConfig logConfig) throws IOException {
    return LogStore.open(dir, config, StorageIo.standard(), t -> logConfig);
  }

  /**
   * Power loss after the last full flush: the segment files lose every byte written since, files created since
   * vanish, and indexes are stale. Only the synced journal and fsynced files remain.
   */
  private static void losePageCache(Path logDir, long keepFirstSegmentBytes) throws IOException {
    try (Stream<Path> files = Files.list(logDir)) {
      for (Path f : files.toList()) {
        String name = f.getFileName().toString();
        if (name.equals(LogSegment.filenamePrefix(0) + ".log")) {
          try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.truncate(keepFirstSegmentBytes);
          }
        } else if (name.endsWith(".log") || name.endsWith(".index") || name.endsWith(".timeindex")
            || name.endsWith(".snapshot")) {
          Files.delete(f);
        }
      }
    }
  }

  @Test
  void shouldRecoverEveryAcknowledgedRecordFromTheJournalAfterPowerLoss() throws Exception {
    LogConfig config = LogConfig.defaults().withSegmentBytes(1024);
    List<String> acked = new ArrayList<>();
    Path logDir;
    try (LogStore store = open(StoreConfig.defaults(), config)) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), config);
      logDir = log.dir();
      for (int i = 0; i < 60; i++) {
        AppendResult r = log.appendAsLeader(batch(now, "v" + i + "a", "v" + i + "b"), 0, now);
        if (i % 7 == 6 || i == 59) {
          log.awaitDurable(r.lastOffset()).get(10, TimeUnit.SECONDS);
        }
        acked.add("v" + i + "a");
        acked.add("v" + i + "b");
      }
      assertThat(log.segmentCount()).isGreaterThan(3);
      assertThat(log.recoveryPoint()).isZero(); // no segment was fsynced: only the journal holds the records
      store.closeAbruptlyForTesting();
    }
    losePageCache(logDir, 0);

    try (LogStore store = open(StoreConfig.defaults(), config)) {
      PartitionLog log = store.log("t", 0).orElseThrow();
      assertThat(values(readAll(log))).containsExactlyElementsOf(acked);
      assertThat(log.appendAsLeader(batch(now, "after"), 0, now).firstOffset()).isEqualTo(120);
      assertThat(log.recoveryPoint()).isEqualTo(120); // the replayed tail was fsynced before anything new came
    }
  }

  @Test
  void shouldStopReplayingAtATornJournalRecord() throws Exception {
    LogConfig config = LogConfig.defaults();
    Path logDir;
    long firstRecordEnds;
    Path journalFile = dir.resolve(LogSegment.filenamePrefix(1) + DurabilityJournal.SUFFIX);
    try (LogStore store = open(StoreConfig.defaults(), config)) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), config);
      logDir = log.dir();
      log.awaitDurable(log.appendAsLeader(batch(now, "a", "b"), 0, now).lastOffset()).get(10, TimeUnit.SECONDS);
      log.awaitDurable(log.appendAsLeader(batch(now, "c"), 0, now).lastOffset()).get(10, TimeUnit.SECONDS);
      firstRecordEnds = 8 + java.nio.ByteBuffer.wrap(Files.readAllBytes(journalFile)).getInt(4); // crc, length
      assertThat(Files.size(journalFile)).isGreaterThan(firstRecordEnds + 20);
      store.closeAbruptlyForTesting();
    }
    try (FileChannel ch = FileChannel.open(journalFile, StandardOpenOption.WRITE)) {
      ch.truncate(firstRecordEnds + 20); // the second record was torn by the crash
    }
    losePageCache(logDir, 0);

    try (LogStore store = open(StoreConfig.defaults(), config)) {
      PartitionLog log = store.log("t", 0).orElseThrow();
      assertThat(values(readAll(log))).containsExactly("a", "b");
    }
  }

  @Test
  void shouldNotReplayADeletedTopicIntoItsRecreatedNamesake() throws Exception {
    LogConfig config = LogConfig.defaults();
    try (LogStore store = open(StoreConfig.defaults(), config)) {
      PartitionLog old = store.createLog("t", 0, Uuid.randomUuid(), config);
      old.awaitDurable(old.appendAsLeader(batch(now, "old1", "old2"), 0, now).lastOffset())
          .get(10, TimeUnit.SECONDS);
      store.deleteLog("t", 0);
      PartitionLog recreated = store.createLog("t", 0, Uuid.randomUuid(), config);
      recreated.awaitDurable(recreated.appendAsLeader(batch(now, "new"), 0, now).lastOffset())
          .get(10, TimeUnit.SECONDS);
      store.closeAbruptlyForTesting();
    }
    try (LogStore store = open(StoreConfig.defaults(), config)) {
      PartitionLog log = store.log("t", 0).orElseThrow();
      assertThat(values(readAll(log))).containsExactly("new");
    }
  }

  @Test
  void shouldRecycleJournalFilesOnceTheSegmentsAreFlushed() throws Exception {
    LogConfig config = LogConfig.defaults().withSegmentBytes(64 * 1024);
    StoreConfig storeConfig = StoreConfig.defaults().withJournalFileBytes(16 * 1024);
    List<String> acked = new ArrayList<>();
    try (LogStore store = open(storeConfig, config)) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), config);
      for (int i = 0; i < 400; i++) {
        String value = "value-" + i + "-" + "x".repeat(200);
        log.awaitDurable(log.appendAsLeader(batch(now, value), 0, now).lastOffset()).get(10, TimeUnit.SECONDS);
        acked.add(value);
      }
      // ~100 KiB went through 16 KiB files: full flushes came early and recycled the files they made redundant.
      await().atMost(Duration.ofSeconds(10)).until(() -> log.recoveryPoint() > 0);
      await().atMost(Duration.ofSeconds(10))
          .until(() -> journalFiles(DurabilityJournal.SUFFIX) <= DurabilityJournal.FLUSH_AFTER_FILES + 1);
      assertThat(journalFiles(DurabilityJournal.SPARE_SUFFIX)).isPositive();
      store.closeAbruptlyForTesting();
    }
    // A crash (not a power loss): replay must skip the stale records of recycled files and change nothing.
    try (LogStore store = open(storeConfig, config)) {
      assertThat(values(readAll(store.log("t", 0).orElseThrow()))).containsExactlyElementsOf(acked);
    }
  }

  @Test
  void shouldCheckpointTheRecoveryPointBeforeCompactionRewritesJournaledSegments() throws Exception {
    LogConfig config = LogConfig.defaults().withSegmentBytes(1024).withIndexIntervalBytes(100)
        .withFileDeleteDelayMs(0).withCleanupPolicy(CleanupPolicy.COMPACT).withMinCleanableDirtyRatio(0.01);
    List<StorageTestSupport.ReadRecord> compacted;
    try (LogStore store = open(StoreConfig.defaults(), config)) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), config);
      for (int i = 0; i < 40; i++) {
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE,
            rec(now, "k" + (i % 3), "v" + i + "-" + "y".repeat(40)));
        log.awaitDurable(log.appendAsLeader(records, 0, now).lastOffset()).get(10, TimeUnit.SECONDS);
      }
      assertThat(log.runCleaner(now)).isTrue();
      Long checkpointed = OffsetCheckpointFile.read(dir.resolve(LogStore.RECOVERY_POINT_CHECKPOINT))
          .get(new TopicPartition("t", 0));
      assertThat(checkpointed).isGreaterThanOrEqualTo(log.cleanerOffset());
      compacted = readAll(log);
      assertThat(compacted).hasSizeLessThan(40);
      store.closeAbruptlyForTesting();
    }
    // The journal still holds the original segments' bytes; replay must leave the cleaned segments alone.
    try (LogStore store = open(StoreConfig.defaults(), config)) {
      PartitionLog log = store.log("t", 0).orElseThrow();
      assertThat(readAll(log)).containsExactlyElementsOf(compacted);
      assertThat(log.logEndOffset()).isEqualTo(40);
    }
  }

  private long journalFiles(String suffix) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(suffix)).count();
    }
  }
}
