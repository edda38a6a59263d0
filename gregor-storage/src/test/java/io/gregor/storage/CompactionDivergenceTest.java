package io.gregor.storage;

import static io.gregor.storage.StorageTestSupport.activeBase;
import static io.gregor.storage.StorageTestSupport.keyed;
import static io.gregor.storage.StorageTestSupport.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gregor.storage.StorageTestSupport.ReadRecord;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.internals.Crc32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Compaction behaviours where Gregor used to differ from Kafka 4.4's LogCleaner / LogCleanerManager. */
@Timeout(60)
class CompactionDivergenceTest {
  private static final long HOUR = 3_600_000L;
  private static final LogConfig COMPACT = LogConfig.defaults().withSegmentBytes(1024).withIndexIntervalBytes(100)
      .withFileDeleteDelayMs(0).withCleanupPolicy(CleanupPolicy.COMPACT);

  @TempDir
  Path dir;

  private final long now = System.currentTimeMillis();

  /** key=value of every record from the log start to the end, in offset order, read as a consumer does. */
  private static List<String> consume(PartitionLog log) throws Exception {
    List<String> out = new ArrayList<>();
    for (ReadRecord r : readAll(log)) {
      out.add(r.key() + "=" + r.value());
    }
    return out;
  }

  /**
   * Kafka's LogCleanerManager.maxCompactionDelay takes the EARLIEST first-batch timestamp over all dirty inactive
   * segments, so a dirty segment holding older (producer CreateTime) records behind a newer one forces a clean: the
   * superseded value must not outlive max.compaction.lag.ms.
   */
  @Test
  void maxCompactionLagShouldUseTheEarliestTimestampOfAnyDirtySegment() throws Exception {
    LogConfig cfg = COMPACT.withMaxCompactionLagMs(HOUR).withMinCleanableDirtyRatio(0.99);
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), cfg);
      for (int i = 0; i < 60; i++) { // a large clean section keeps the dirty ratio far below 0.99
        log.appendAsLeader(keyed(Compression.NONE, now, "u" + i, "x".repeat(40)), 0, now);
      }
      assertThat(log.runCleaner(now)).isTrue();
      // Dirty section: first a segment of fresh records, then one whose records are two hours old (producer
      // CreateTime). Each is closed by a time roll (segment.ms is capped by max.compaction.lag.ms, as in Kafka).
      log.appendAsLeader(keyed(Compression.NONE, now, "fresh", "f"), 0, now);
      log.runRetention(now + HOUR + 1);
      log.appendAsLeader(keyed(Compression.NONE, now - 2 * HOUR, "k", "old-value"), 0, now);
      log.appendAsLeader(keyed(Compression.NONE, now - 2 * HOUR, "k", "new-value"), 0, now);
      log.runRetention(now + HOUR + 1);
      assertThat(log.segments().stream().filter(s -> s.firstBatchTimestamp() == now - 2 * HOUR)).hasSize(1);
      assertThat(consume(log)).contains("k=old-value");

      // Kafka: earliest dirty first-batch timestamp is now-2h < now-1h, so the log must be cleaned now.
      log.runCleaner(now);

      assertThat(consume(log)).doesNotContain("k=old-value");
    }
  }

  /**
   * Kafka's Cleaner.groupSegmentsBySize merges consecutive segments whose total size fits segment.bytes (and
   * segment.index.bytes) into one cleaned segment, so compacted-away segments do not stay as empty / tiny files
   * (each an open file) forever.
   */
  @Test
  void cleaningShouldMergeSmallCleanedSegments() throws Exception {
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), COMPACT);
      while (log.segmentCount() < 20) {
        log.appendAsLeader(keyed(Compression.NONE, now, "k", "v".repeat(100)), 0, now);
      }
      assertThat(log.runCleaner(now)).isTrue(); // 19 segments are now empty, one holds 171 bytes
      long firstPassEnd = log.cleanerOffset();
      long active = activeBase(log);
      while (activeBase(log) == active) {
        log.appendAsLeader(keyed(Compression.NONE, now, "k", "v".repeat(100)), 0, now);
      }

      assertThat(log.runCleaner(now)).isTrue();

      // Kafka's second pass groups the segments below firstPassEnd (total 171 bytes <= segment.bytes 1024) into
      // one cleaned segment.
      List<LogSegment> below = log.segments().stream().filter(s -> s.baseOffset() < firstPassEnd).toList();
      assertThat(below).as("segments below offset %d after the second pass", firstPassEnd).hasSize(1);
    }
  }

  /**
   * Kafka's CleanerThread marks a partition whose cleaning throws as uncleanable and goes on with the others: the
   * dirtiest log failing on every run must not stop the cleaning of every other compacted log.
   */
  @Test
  void aLogThatCannotBeCleanedShouldNotStopTheCleaningOfOtherLogs() throws Exception {
    LogConfig cfg = COMPACT.withMinCleanableDirtyRatio(0.01);
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults().withCleanerBackoffMs(20))) {
      PartitionLog healthy = store.createLog("healthy", 0, Uuid.randomUuid(), cfg);
      for (int i = 0; i < 40; i++) {
        healthy.appendAsLeader(keyed(Compression.NONE, now, "u" + i, "first"), 0, now);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> healthy.cleanerOffset() > 0);

      // A log whose first batch is damaged but still has a valid CRC (say, written by a buggy client library
      // before a broker-side check existed): its gzip payload cannot be decompressed.
      PartitionLog broken = store.createLog("broken", 0, Uuid.randomUuid(),
          cfg.withCleanupPolicy(CleanupPolicy.DELETE));
      broken.appendAsLeader(keyed(Compression.gzip().build(), now, "a", "1", "b", "2"), 0, now);
      for (int i = 0; i < 40; i++) {
        broken.appendAsLeader(keyed(Compression.NONE, now, "a", "v" + i), 0, now);
      }
      corruptCompressedPayloadKeepingCrc(LogSegment.logFile(broken.dir(), 0));
      broken.updateConfig(cfg);

      // Dirty data on the healthy log: every "u" key is overwritten.
      for (int i = 0; i < 40; i++) {
        healthy.appendAsLeader(keyed(Compression.NONE, now, "u" + i, "second"), 0, now);
      }
      for (int i = 0; i < 20; i++) {
        healthy.appendAsLeader(keyed(Compression.NONE, now, "pad" + i, "p"), 0, now);
      }
      await().atMost(Duration.ofSeconds(5)).untilAsserted(
          () -> assertThat(consume(healthy)).doesNotContain("u0=first"));
    }
  }

  /**
   * Kafka's Cleaner keeps the last batch of a cleaning round, emptied, when it ends at the log end (KAFKA-17076,
   * KAFKA-20452), so that a fetch at an offset whose records were all removed still gets a batch to step over: once
   * the tail of the log below an empty active segment is compacted away (here an expired tombstone), a fetch there
   * must still reach the log end, or a consumer never gets there.
   */
  @Test
  void aFetchBehindTheLogEndShouldAlwaysMakeProgressAfterTheTailIsCompactedAway() throws Exception {
    LogConfig cfg = COMPACT.withDeleteRetentionMs(1000).withSegmentMs(HOUR);
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), cfg);
      log.appendAsLeader(keyed(Compression.NONE, now, "k1", "v1", "k2", "v2"), 0, now); // offsets 0, 1
      log.appendAsLeader(keyed(Compression.NONE, now, "k1", null), 0, now);              // offset 2: delete k1
      log.runRetention(now + HOUR + 1); // segment.ms rolls the idle active segment: the new one is empty
      assertThat(log.logEndOffset()).isEqualTo(3);

      assertThat(log.runCleaner(now)).isTrue();        // k1=v1 goes, the tombstone gets its delete horizon
      assertThat(log.runCleaner(now + 1000)).isTrue(); // the horizon has passed: the tombstone goes

      assertThat(consume(log)).containsExactly("k2=v2");
      // A consumer that had read k2=v2 fetches at offset 2, below the log end offset 3.
      ReadResult atTwo = log.read(2, 1 << 16, Long.MAX_VALUE, true);
      long next = 2;
      for (RecordBatch b : atTwo.records().batches()) {
        next = b.lastOffset() + 1;
      }
      assertThat(next).as("position after fetching at offset 2 (log end offset %d)", log.logEndOffset())
          .isEqualTo(log.logEndOffset());
    }
  }

  /**
   * Kafka's SkimpyOffsetMap is a fixed buffer of log.cleaner.dedupe.buffer.size bytes: when it fills, the pass stops
   * mid-segment and the next pass goes on, so a segment with many unique keys cannot exhaust the heap (a map checked
   * against the budget only between segments, at about 150 heap bytes a key, did). Here a 64 MiB JVM cleans one
   * segment of 600k keys with a 1 MiB budget.
   */
  @Test
  @Timeout(120)
  void theOffsetMapShouldStayWithinTheDedupeBufferSize() throws Exception {
    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx64m", "-cp", System.getProperty("java.class.path"), OffsetMapMemoryMain.class.getName(),
        dir.toString(), "600000").redirectErrorStream(true).start();
    String output = new String(child.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    int exit = child.waitFor();
    String tail = output.lines().filter(l -> !l.contains(" INFO ")).filter(l -> l.contains("OutOfMemory") || l.contains("io.gregor")).limit(8).toList().toString();
    assertThat(exit).as("child exit code; output: %s", tail).isZero();
  }

  /**
   * Kafka rolls a segment for segment.ms (capped by max.compaction.lag.ms on compacted topics) on append when the new
   * batch's timestamp is that far past the segment's first batch timestamp (LogSegment.shouldRoll /
   * timeWaitedForRoll). Gregor's retention check also rolls an idle active segment, measured by the wall clock since
   * its first append: a topic fed records with old timestamps (a backfill keeping the source's times) must not get a
   * new segment at every retention check.
   */
  @Test
  void recordsWithOldTimestampsShouldNotRollASegmentAtEveryRetentionCheck() throws Exception {
    LogConfig cfg = COMPACT.withSegmentBytes(1 << 20).withSegmentMs(24 * HOUR);
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), cfg);
      long fiveMinutes = 300_000L; // log.retention.check.interval.ms
      for (int i = 0; i < 12; i++) {
        long wallClock = now + i * fiveMinutes;
        log.appendAsLeader(keyed(Compression.NONE, now - 48 * HOUR + i, "k" + i, "v"), 0, wallClock);
        log.runRetention(wallClock);
      }
      // Kafka: every batch is within segment.ms of the first one's timestamp, so nothing rolls.
      assertThat(log.segmentCount()).isEqualTo(1);
    }
  }

  /** Overwrites the records section of the batch at position 0 and recomputes its CRC-32C, as Kafka computes it. */
  private static void corruptCompressedPayloadKeepingCrc(Path file) throws Exception {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer header = ByteBuffer.allocate(12);
      ch.read(header, 0);
      int size = header.getInt(8) + 12;
      ByteBuffer batch = ByteBuffer.allocate(size);
      ch.read(batch, 0);
      batch.position(0);
      for (int i = 61 + 4; i < size; i++) { // leave the record count, garble the gzip stream
        batch.put(i, (byte) 0x5a);
      }
      batch.putInt(17, (int) Crc32C.compute(batch, 21, size - 21));
      batch.position(0);
      ch.write(batch, 0);
    }
  }
}
