package io.gregor.storage;

import static io.gregor.storage.StorageTestSupport.batch;
import static io.gregor.storage.StorageTestSupport.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import io.gregor.storage.StorageTestSupport.ReadRecord;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading a log at start-up from files that are not what the last run left: a lost or garbled checkpoint, indexes
 * written under another segment.index.bytes, and the index files a clean shutdown makes the next start trust.
 */
@Timeout(120)
class LogLoadTest {
  private static final LogConfig CONFIG = LogConfig.defaults().withSegmentBytes(2048).withIndexIntervalBytes(200);

  @TempDir
  Path root;

  private final long now = System.currentTimeMillis();

  /**
   * A compacted log whose cleaner-offset checkpoint is lost (or garbled, read as empty) loads whole: offsets may jump
   * below the recovery point, as in Kafka, whose recovery never requires dense offsets (it used to truncate the log
   * at its first gap and drop the segments before each cut).
   */
  @Test
  void shouldLoadACompactedLogWholeWhenItsCleanerCheckpointIsLost() throws Exception {
    Path dir = root.resolve("compacted");
    LogConfig compact = LogConfig.defaults().withSegmentBytes(1024).withIndexIntervalBytes(100)
        .withFileDeleteDelayMs(0).withCleanupPolicy(CleanupPolicy.COMPACT);
    List<ReadRecord> before;
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> compact)) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), compact);
      for (int i = 0; i < 200; i++) {
        log.appendAsLeader(org.apache.kafka.common.record.internal.MemoryRecords.withRecords(
            org.apache.kafka.common.compress.Compression.NONE,
            StorageTestSupport.rec(now, i % 2 == 0 ? "dup" : "u" + i, "v" + i)), 0, now);
      }
      assertThat(log.runCleaner(now)).isTrue();
      before = readAll(log);
      assertThat(before.size()).isLessThan(200); // compacted: offsets now have gaps
    }
    // The file is lost (a garbled one is read as empty too, see OffsetCheckpointFile.read).
    Files.delete(dir.resolve(LogStore.CLEANER_OFFSET_CHECKPOINT));
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> compact)) {
      PartitionLog log = store.log("t", 0).orElseThrow();
      assertThat(log.logEndOffset()).isEqualTo(200);
      assertThat(readAll(log)).isEqualTo(before);
    }
  }

  /**
   * After segment.index.bytes was lowered (a dynamic topic config), existing indexes hold more entries than the new
   * maximum: they are full, not damaged, and a start after a clean shutdown rewrites none of them (every start used
   * to rebuild them all, just as long).
   */
  @Test
  void shouldTrustIndexesWrittenUnderALargerSegmentIndexBytes() throws Exception {
    Path dir = root.resolve("index-bytes");
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> CONFIG)) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), CONFIG);
      for (int i = 0; i < 100; i++) {
        log.appendAsLeader(batch(now + i, "v" + i + "a", "v" + i + "b"), 0, now);
      }
      assertThat(log.segmentCount()).isGreaterThan(4);
    }
    LogConfig smaller = CONFIG.withMaxIndexSizeBytes(24); // 3 offset-index entries, 2 time-index entries
    FaultyStorageIo io = new FaultyStorageIo();
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), io, t -> smaller)) {
      assertThat(store.log("t", 0).orElseThrow().logEndOffset()).isEqualTo(200);
    }
    io.fileWrites.clear();
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), io, t -> smaller)) {
      assertThat(store.log("t", 0).orElseThrow().logEndOffset()).isEqualTo(200);
      // A start after a clean shutdown with unchanged config should trust the indexes and rewrite none.
      assertThat(io.fileWrites.stream().filter(p -> p.toString().endsWith(".index")).toList())
          .as("index files rewritten by a start after a clean shutdown").isEmpty();
    }
  }

  /**
   * A leader-epoch checkpoint or a recovery-point checkpoint holding bytes that are not text is malformed like any
   * other: rebuilt from batch headers, or a full recovery (such bytes made the whole store fail to start).
   */
  @Test
  void shouldRebuildAGarbledLeaderEpochCheckpoint() throws Exception {
    Path dir = root.resolve("garbled-epochs");
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> CONFIG)) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), CONFIG);
      log.appendAsLeader(batch(now, "a", "b"), 3, now);
    }
    Files.write(dir.resolve("t-0").resolve(LeaderEpochCache.FILE_NAME), new byte[] {'0', '\n', (byte) 0xC3, 0x28});
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> CONFIG)) {
      PartitionLog log = store.log("t", 0).orElseThrow();
      assertThat(readAll(log)).hasSize(2);
      assertThat(log.latestEpoch()).isEqualTo(3);
    }
  }

  @Test
  void shouldRecoverWhenTheRecoveryPointCheckpointIsGarbled() throws Exception {
    Path dir = root.resolve("garbled-checkpoint");
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> CONFIG)) {
      store.createLog("t", 0, Uuid.randomUuid(), CONFIG).appendAsLeader(batch(now, "a", "b"), 0, now);
    }
    Files.write(dir.resolve(LogStore.RECOVERY_POINT_CHECKPOINT), new byte[] {'0', '\n', (byte) 0xFF, (byte) 0xFE});
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> CONFIG)) {
      assertThat(readAll(store.log("t", 0).orElseThrow())).hasSize(2);
    }
  }

  /**
   * A clean shutdown makes the next start trust every index file: the active segment's indexes are fsynced before the
   * marker (a time index lost to a power loss would understate the segment's newest timestamp: ListOffsets by time
   * would skip it and retention delete it early).
   */
  @Test
  void shouldFsyncTheActiveSegmentsIndexesAtACleanShutdown() throws Exception {
    Path dir = root.resolve("close-indexes");
    FaultyStorageIo io = new FaultyStorageIo();
    Path timeIndex;
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), io, t -> CONFIG)) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), CONFIG);
      log.appendAsLeader(batch(now, "a", "b"), 0, now);
      timeIndex = LogSegment.timeIndexFile(log.dir(), StorageTestSupport.activeBase(log));
    }
    assertThat(io.syncs).contains(timeIndex.toAbsolutePath());
  }
}
