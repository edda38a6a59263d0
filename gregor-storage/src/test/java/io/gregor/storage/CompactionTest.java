package io.gregor.storage;

import static io.gregor.storage.StorageTestSupport.activeBase;
import static io.gregor.storage.StorageTestSupport.bytes;
import static io.gregor.storage.StorageTestSupport.copyTree;
import static io.gregor.storage.StorageTestSupport.idempotentBatch;
import static io.gregor.storage.StorageTestSupport.keyed;
import static io.gregor.storage.StorageTestSupport.string;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gregor.storage.LogAppendException.Reason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class CompactionTest {
  private static final long HOUR = 3_600_000L;
  private static final long DAY = 24 * HOUR;
  private static final LogConfig COMPACT = LogConfig.defaults().withSegmentBytes(1024).withIndexIntervalBytes(100)
      .withFileDeleteDelayMs(0).withCleanupPolicy(CleanupPolicy.COMPACT);

  @TempDir
  Path dir;

  private final long now = System.currentTimeMillis();

  /** One record as appended or read: offset, key, value (null = tombstone), timestamp. */
  private record Rec(long offset, String key, String value, long timestamp) {
  }

  private static List<Rec> append(PartitionLog log, long timestamp, long nowMs, String... keysAndValues)
      throws Exception {
    return append(log, Compression.NONE, timestamp, nowMs, keysAndValues);
  }

  private static List<Rec> append(PartitionLog log, Compression compression, long timestamp, long nowMs,
      String... keysAndValues) throws Exception {
    AppendResult result = log.appendAsLeader(keyed(compression, timestamp, keysAndValues), 0, nowMs);
    List<Rec> out = new ArrayList<>();
    for (int i = 0; i < keysAndValues.length / 2; i++) {
      out.add(new Rec(result.firstOffset() + i, keysAndValues[2 * i], keysAndValues[2 * i + 1], timestamp));
    }
    return out;
  }

  /** Reads from logStartOffset to the end as a consumer does: the next fetch starts after the last batch. */
  private static List<Rec> consume(PartitionLog log) throws Exception {
    List<Rec> out = new ArrayList<>();
    long offset = log.logStartOffset();
    while (offset < log.logEndOffset()) {
      ReadResult result = log.read(offset, 300, Long.MAX_VALUE, true);
      long next = offset;
      for (RecordBatch batch : result.records().batches()) {
        for (Record r : batch) {
          if (r.offset() >= offset) {
            assertThat(r.headers()).hasSize(1);
            out.add(new Rec(r.offset(), string(r.key()), string(r.value()), r.timestamp()));
          }
        }
        next = batch.lastOffset() + 1;
      }
      assertThat(next).as("progress at offset %d", offset).isGreaterThan(offset);
      offset = next;
    }
    return out;
  }

  /** What compaction must leave: below the active segment the latest record per key, all of the active segment. */
  private static List<Rec> expectedAfterCleaning(List<Rec> appended, long cleanedBelow, boolean dropTombstones) {
    Map<String, Long> latest = new HashMap<>();
    for (Rec r : appended) {
      if (r.offset() < cleanedBelow) {
        latest.put(r.key(), r.offset());
      }
    }
    List<Rec> out = new ArrayList<>();
    for (Rec r : appended) {
      boolean survives = r.offset() >= cleanedBelow
          || (latest.get(r.key()) == r.offset() && !(dropTombstones && r.value() == null));
      if (survives) {
        out.add(r);
      }
    }
    return out;
  }

  @Test
  void shouldStopMidSegmentWhenTheOffsetMapFillsAndGoOnInTheNextPass() throws Exception {
    LogConfig cfg = COMPACT.withMinCleanableDirtyRatio(0.01);
    // 1024 bytes: 42 slots of 24 bytes, full at 90%, so a pass maps 37 keys.
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults().withCleanerDedupeBufferSize(1024))) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), cfg);
      List<Rec> appended = new ArrayList<>();
      for (int i = 0; i < 120; i++) {
        appended.addAll(append(log, now, now, "k" + (i % 60), "v" + i, "u" + i, "w" + i));
      }

      assertThat(log.runCleaner(now)).isTrue();

      assertThat(log.cleanerOffset()).isEqualTo(37); // offsets 0-36, each record has a key
      assertThat(log.segments().stream().map(LogSegment::baseOffset)).doesNotContain(37L);
      assertThat(consume(log)).containsExactlyElementsOf(expectedAfterCleaning(appended, 37, false));
      for (int pass = 0; pass < 20 && log.runCleaner(now); pass++) {
        assertThat(log.cleanerOffset()).isLessThanOrEqualTo(activeBase(log));
      }
      assertThat(log.cleanerOffset()).isEqualTo(activeBase(log));
      assertThat(consume(log)).containsExactlyElementsOf(expectedAfterCleaning(appended, activeBase(log), false));
    }
  }

  @Test
  void shouldKeepLatestValuePerKeyWithOriginalOffsetsAcrossSegments() throws Exception {
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), COMPACT);
      List<Rec> appended = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        if (i % 7 == 0) {
          appended.addAll(append(log, Compression.gzip().build(), now, now, "k" + (i % 13), "g" + i,
              "k" + ((i + 5) % 13), "h" + i, "k" + ((i + 1) % 13), "j" + i));
        } else {
          appended.addAll(append(log, now, now, "k" + (i % 13), "v" + i));
        }
      }
      assertThat(log.segmentCount()).isGreaterThan(10);
      long sizeBefore = log.sizeInBytes();
      long cleanedBelow = activeBase(log);

      assertThat(log.runCleaner(now)).isTrue();

      List<Rec> expected = expectedAfterCleaning(appended, cleanedBelow, false);
      assertThat(consume(log)).containsExactlyElementsOf(expected);
      assertThat(log.sizeInBytes()).isLessThan(sizeBefore / 3);
      assertThat(log.logEndOffset()).isEqualTo(appended.size());
      assertThat(log.cleanerOffset()).isEqualTo(cleanedBelow);
      // Any offset, including those compacted away, reads from the first survivor at or after it: the first batch
      // returned has lastOffset >= the fetch offset (a rewritten batch keeps its lastOffset, so it may hold only
      // smaller offsets, and the consumer continues after it, as with Kafka).
      for (long offset = 0; offset < log.logEndOffset(); offset++) {
        long target = offset;
        Rec firstSurvivor = expected.stream().filter(r -> r.offset() >= target).findFirst().orElseThrow();
        long fetchOffset = offset;
        Record first = null;
        while (first == null) {
          RecordBatch batch = log.read(fetchOffset, 1, Long.MAX_VALUE, true).records().batches().iterator().next();
          assertThat(batch.lastOffset()).isGreaterThanOrEqualTo(fetchOffset);
          for (Record r : batch) {
            if (r.offset() >= offset) {
              first = r;
              break;
            }
          }
          fetchOffset = batch.lastOffset() + 1;
        }
        assertThat(first.offset()).as("first record at or after %d", offset).isEqualTo(firstSurvivor.offset());
      }
      // Rewritten batches keep their compression.
      boolean sawGzip = false;
      for (LogSegment s : log.segments()) {
        ReadResult r = log.read(Math.max(s.baseOffset(), log.logStartOffset()), 1 << 20, Long.MAX_VALUE, true);
        for (RecordBatch b : r.records().batches()) {
          sawGzip |= b.compressionType() == CompressionType.GZIP;
        }
      }
      assertThat(sawGzip).isTrue();
      assertThat(OffsetCheckpointFile.read(dir.resolve(LogStore.CLEANER_OFFSET_CHECKPOINT)))
          .containsEntry(new TopicPartition("t", 0), cleanedBelow);
    }
    // Offsets now have gaps; a crash-free restart and an unclean one both keep the whole log.
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> COMPACT)) {
      PartitionLog log = store.log("t", 0).orElseThrow();
      assertThat(log.logEndOffset()).isEqualTo(300 + 2 * 43);
      store.closeAbruptlyForTesting();
    }
    Files.deleteIfExists(dir.resolve(LogStore.RECOVERY_POINT_CHECKPOINT));
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> COMPACT)) {
      PartitionLog log = store.log("t", 0).orElseThrow();
      assertThat(log.logEndOffset()).isEqualTo(300 + 2 * 43);
      assertThat(log.appendAsLeader(keyed(Compression.NONE, now, "k1", "after"), 0, now).firstOffset())
          .isEqualTo(386);
    }
  }

  @Test
  void shouldKeepTombstonesUntilDeleteRetentionMsHasPassed() throws Exception {
    LogConfig config = COMPACT.withDeleteRetentionMs(DAY).withMinCleanableDirtyRatio(0.01);
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), config);
      append(log, now - 5, now, "a", "a1", "b", "b1");
      long tombstoneOffset = append(log, now - 4, now, "a", null, "c", "c1").get(0).offset();
      for (int i = 0; i < 40; i++) {
        append(log, now, now, "filler" + (i % 4), "x" + i);
      }

      assertThat(log.runCleaner(now)).isTrue();

      assertThat(consume(log)).filteredOn(r -> r.key().equals("a"))
          .containsExactly(new Rec(tombstoneOffset, "a", null, now - 4));
      RecordBatch tombstoneBatch = log.read(tombstoneOffset, 1, Long.MAX_VALUE, true).records().batches()
          .iterator().next();
      assertThat(tombstoneBatch.deleteHorizonMs()).isEqualTo(OptionalLong.of(now + DAY)); // KIP-534
      assertThat(tombstoneBatch.maxTimestamp()).isEqualTo(now - 4);

      assertThat(log.runCleaner(now + DAY - 1)).isFalse(); // nothing dirty, horizon not reached
      assertThat(consume(log)).extracting(Rec::key).contains("a");

      assertThat(log.runCleaner(now + DAY)).isTrue();
      List<Rec> after = consume(log);
      assertThat(after).extracting(Rec::key).doesNotContain("a").contains("b", "c");
      assertThat(after).filteredOn(r -> r.key().equals("c")).containsExactly(
          new Rec(tombstoneOffset + 1, "c", "c1", now - 4));
      assertThat(log.runCleaner(now + 2 * DAY)).isFalse();
    }
  }

  @Test
  void shouldNotCompactRecordsYoungerThanMinCompactionLag() throws Exception {
    LogConfig config = COMPACT.withSegmentMs(HOUR).withMinCompactionLagMs(HOUR / 2).withMinCleanableDirtyRatio(0.1);
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), config);
      List<Rec> appended = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        appended.addAll(append(log, now - 2 * HOUR, now, "old" + (i % 5), "o" + i));
      }
      long firstRecent = log.logEndOffset();
      for (int i = 0; i < 30; i++) {
        appended.addAll(append(log, now, now, "new" + (i % 5), "n" + i));
      }
      append(log, now + 2 * HOUR, now + 2 * HOUR, "last", "l"); // rolls: segment.ms measured from the first batch
      assertThat(activeBase(log)).isEqualTo(70);

      assertThat(log.runCleaner(now)).isTrue();

      List<Rec> survivors = consume(log);
      assertThat(survivors).filteredOn(r -> r.key().startsWith("old")).hasSize(5);
      assertThat(survivors).filteredOn(r -> r.offset() >= firstRecent && r.offset() < 70).hasSize(30);
      assertThat(log.cleanerOffset()).isEqualTo(firstRecent);

      assertThat(log.runCleaner(now + HOUR)).isTrue(); // the recent records are now older than the lag
      List<Rec> expected = new ArrayList<>(expectedAfterCleaning(appended, 70, false));
      expected.add(new Rec(70, "last", "l", now + 2 * HOUR));
      assertThat(consume(log)).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void shouldRespectMinCleanableDirtyRatio() throws Exception {
    LogConfig config = COMPACT.withMinCleanableDirtyRatio(0.5);
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), config);
      PartitionLog other = store.createLog("u", 0, Uuid.randomUuid(), config.withCleanupPolicy(CleanupPolicy.DELETE));
      for (int i = 0; i < 100; i++) {
        append(log, now, now, "k" + i, "v" + i);
        append(other, now, now, "k", "v" + i);
      }
      assertThat(store.runCleaner(now)).isTrue();
      assertThat(other.cleanerOffset()).isZero(); // cleanup.policy=delete is never compacted
      long cleanSize = log.sizeInBytes();

      for (int i = 0; i < 30; i++) {
        append(log, now, now, "k" + i, "w" + i); // a little dirt (one or two rolled segments): below 0.5
      }
      assertThat(log.cleanableRange(now).dirtyRatio()).isGreaterThan(0).isLessThan(0.5);
      assertThat(store.runCleaner(now)).isFalse();
      assertThat(log.runCleaner(now)).isFalse();

      for (int i = 0; i < 150; i++) {
        append(log, now, now, "k" + (i % 20), "x" + i);
      }
      assertThat(log.cleanableRange(now).dirtyRatio()).isGreaterThan(0.5);
      assertThat(store.runCleaner(now)).isTrue();
      assertThat(log.sizeInBytes()).isLessThan(cleanSize + 1024);
    }
  }

  @Test
  void shouldCleanWhenMaxCompactionLagIsExceededEvenIfBarelyDirty() throws Exception {
    LogConfig config = COMPACT.withMinCleanableDirtyRatio(0.99).withMaxCompactionLagMs(HOUR);
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), config);
      for (int i = 0; i < 100; i++) {
        append(log, now, now, "k" + i, "v" + i);
      }
      assertThat(log.runCleaner(now)).isTrue(); // never cleaned: ratio 1.0
      for (int i = 0; i < 20; i++) {
        append(log, now, now, "k" + (i % 3), "w" + i);
      }
      append(log, now + 2 * HOUR, now + 2 * HOUR, "roll", "r"); // segment.ms is capped by max.compaction.lag.ms
      assertThat(log.runCleaner(now + 30 * 60_000L)).isFalse();
      assertThat(log.runCleaner(now + 2 * HOUR)).isTrue();
    }
  }

  @Test
  void shouldApplyRetentionOnlyWhenPolicyIncludesDelete() throws Exception {
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog compactDelete = store.createLog("cd", 0, Uuid.randomUuid(),
          COMPACT.withCleanupPolicy(CleanupPolicy.COMPACT_DELETE).withRetentionMs(HOUR));
      PartitionLog compactOnly = store.createLog("c", 0, Uuid.randomUuid(), COMPACT.withRetentionMs(HOUR));
      for (PartitionLog log : List.of(compactDelete, compactOnly)) {
        for (int i = 0; i < 40; i++) {
          append(log, now - 3 * HOUR, now, "old" + i, "o" + i);
        }
        for (int i = 0; i < 40; i++) {
          append(log, now, now, "new" + (i % 4), "n" + i);
        }
        log.runRetention(now);
      }
      assertThat(compactDelete.logStartOffset()).isGreaterThan(0);
      assertThat(consume(compactDelete)).filteredOn(r -> r.key().startsWith("old")).hasSizeLessThan(20);
      assertThat(compactOnly.logStartOffset()).isZero();

      assertThat(compactDelete.runCleaner(now)).isTrue(); // and compaction still applies
      long cleanedBelow = activeBase(compactDelete);
      assertThat(consume(compactDelete)).filteredOn(r -> r.offset() < cleanedBelow && r.key().startsWith("new"))
          .hasSizeLessThanOrEqualTo(4);
    }
  }

  /** Kafka's LogValidator: one error per record, the key first, and INVALID_TIMESTAMP when any is a timestamp. */
  @Test
  void shouldListKeyAndTimestampErrorsTogetherOnCompactedTopics() throws Exception {
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), COMPACT);
      long future = now + 7_200_000L; // message.timestamp.after.max.ms is an hour
      MemoryRecords mixed = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(now, null, bytes("no key")),
          new SimpleRecord(future, bytes("k"), bytes("too new")), new SimpleRecord(future, null, bytes("both")),
          new SimpleRecord(now, bytes("k"), bytes("fine")));
      assertThatThrownBy(() -> log.appendAsLeader(mixed, 0, now))
          .isInstanceOf(LogAppendException.class)
          .hasMessage("One or more records have been rejected due to invalid timestamp")
          .satisfies(e -> {
            LogAppendException refused = (LogAppendException) e;
            assertThat(refused.reason()).isEqualTo(Reason.INVALID_TIMESTAMP);
            assertThat(refused.recordErrors()).extracting(LogAppendException.RecordError::batchIndex).containsExactly(0, 1, 2);
            assertThat(refused.recordErrors().get(0).message()).startsWith("Compacted topic cannot accept message without key");
            assertThat(refused.recordErrors().get(1).message()).startsWith("Timestamp " + future + " of message with offset 1");
            assertThat(refused.recordErrors().get(2).message()).startsWith("Compacted topic cannot accept message without key");
          });
      assertThat(log.logEndOffset()).isZero();
    }
  }

  @Test
  void shouldRejectRecordsWithoutKeyOnCompactedTopics() throws Exception {
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), COMPACT);
      for (Compression compression : List.of(Compression.NONE, Compression.gzip().build())) {
        MemoryRecords noKey = MemoryRecords.withRecords(compression, new SimpleRecord(now, bytes("k"), bytes("v")),
            new SimpleRecord(now, null, bytes("v")));
        assertThatThrownBy(() -> log.appendAsLeader(noKey, 0, now))
            .isInstanceOf(LogAppendException.class)
            .satisfies(e -> assertThat(((LogAppendException) e).reason()).isEqualTo(Reason.INVALID_RECORD))
            .satisfies(e -> assertThat(((LogAppendException) e).recordErrors()).containsExactly(new LogAppendException.RecordError(
                1, "Compacted topic cannot accept message without key in topic partition t-0")))
            .hasMessage("One or more records have been rejected due to 1 record errors in total, and only showing the first"
                + " three errors at most: [RecordError(batchIndex=1, message='Compacted topic cannot accept message without"
                + " key in topic partition t-0')]");
      }
      assertThat(log.logEndOffset()).isZero();
      PartitionLog deleting = store.createLog("d", 0, Uuid.randomUuid(), LogConfig.defaults());
      deleting.appendAsLeader(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(now, null, bytes("v"))),
          0, now);
      assertThat(deleting.logEndOffset()).isEqualTo(1);
    }
  }

  @Test
  void shouldStillDetectDuplicatesOfAProducersLastBatchAfterCompaction() throws Exception {
    long pid = 77L;
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> COMPACT)) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), COMPACT);
      for (int seq = 0; seq < 10; seq++) {
        log.appendAsLeader(idempotentBatch(pid, (short) 0, seq, now, "p" + seq), 0, now); // all key "k0"
      }
      for (int i = 0; i < 40; i++) {
        append(log, now, now, "k0", "newer" + i); // supersedes every record of the producer
      }
      assertThat(log.runCleaner(now)).isTrue();

      // The producer's last batch (offset 9) is kept, empty; its earlier batches are gone.
      RecordBatch last = log.read(0, 1, Long.MAX_VALUE, true).records().batches().iterator().next();
      assertThat(last.baseOffset()).isEqualTo(9);
      assertThat(last.countOrNull()).isZero();
      assertThat(last.producerId()).isEqualTo(pid);
      assertThat(last.lastSequence()).isEqualTo(9);
      assertThat(log.appendAsLeader(idempotentBatch(pid, (short) 0, 9, now, "p9"), 0, now))
          .isEqualTo(new AppendResult(9, 9, now, 0, true, 0)); // the original batch's timestamp, as Kafka
      store.closeAbruptlyForTesting();
    }
    // Rebuilt from the log alone, producer state still knows the last sequence.
    try (Stream<Path> s = Files.list(dir.resolve("t-0"))) {
      for (Path p : s.filter(p -> p.toString().endsWith(".snapshot")).toList()) {
        Files.delete(p);
      }
    }
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> COMPACT)) {
      PartitionLog log = store.log("t", 0).orElseThrow();
      assertThat(log.appendAsLeader(idempotentBatch(pid, (short) 0, 9, now, "p9"), 0, now))
          .isEqualTo(new AppendResult(9, 9, now, 0, true, 0));
      assertThatThrownBy(() -> log.appendAsLeader(idempotentBatch(pid, (short) 0, 12, now, "gap"), 0, now))
          .isInstanceOf(LogAppendException.class);
      assertThat(log.appendAsLeader(idempotentBatch(pid, (short) 0, 10, now, "p10"), 0, now).duplicate())
          .isFalse();
    }
  }

  @Test
  void shouldKeepReplacedSegmentsReadableUntilTheDeleteDelay() throws Exception {
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), COMPACT.withFileDeleteDelayMs(60_000));
      for (int i = 0; i < 60; i++) {
        append(log, now, now, "k" + (i % 3), "v" + i);
      }
      ReadResult inFlight = log.read(0, 1 << 20, Long.MAX_VALUE, false); // e.g. a zero-copy send in progress

      assertThat(log.runCleaner(now)).isTrue();

      assertThat(StorageTestSupport.records(inFlight.records()).get(0).value()).isEqualTo("v0");
      assertThat(consume(log).get(0).value()).isNotEqualTo("v0");
    }
  }

  @Test
  void shouldCompleteOrRollBackAnInterruptedSwapOnLoad() throws Exception {
    Path original = dir.resolve("a");
    Path crashed = dir.resolve("b");
    try (LogStore store = LogStore.open(original, StoreConfig.defaults(), StorageIo.standard(), t -> COMPACT)) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), COMPACT);
      for (int i = 0; i < 200; i++) {
        append(log, now, now, "k" + (i % 9), "v" + i);
      }
    }
    copyTree(original, crashed);
    List<Rec> cleaned;
    try (LogStore store = LogStore.open(original, StoreConfig.defaults(), StorageIo.standard(), t -> COMPACT)) {
      PartitionLog log = store.log("t", 0).orElseThrow();
      assertThat(log.runCleaner(now)).isTrue();
      cleaned = consume(log);
    }
    // The crash: every cleaned segment written as .swap, the first original already renamed away, a stray
    // .cleaned from a later pass, no cleaner checkpoint, no clean-shutdown marker.
    Path partitionDir = crashed.resolve("t-0");
    List<Path> cleanedLogs;
    try (Stream<Path> s = Files.list(original.resolve("t-0"))) {
      cleanedLogs = s.filter(p -> p.toString().endsWith(".log")).sorted().toList();
    }
    boolean first = true;
    for (Path p : cleanedLogs) {
      Path target = partitionDir.resolve(p.getFileName());
      if (Files.mismatch(p, target) == -1) {
        continue;
      }
      Files.copy(p, partitionDir.resolve(p.getFileName() + ".swap"));
      if (first) {
        Files.move(target, partitionDir.resolve(p.getFileName() + ".deleted"));
        first = false;
      }
    }
    assertThat(first).isFalse();
    Files.write(partitionDir.resolve("00000000000000000000.log.cleaned"), new byte[100]);
    Files.deleteIfExists(crashed.resolve(LogStore.CLEAN_SHUTDOWN_MARKER));
    Files.deleteIfExists(crashed.resolve(LogStore.RECOVERY_POINT_CHECKPOINT));

    try (LogStore store = LogStore.open(crashed, StoreConfig.defaults(), StorageIo.standard(), t -> COMPACT)) {
      PartitionLog log = store.log("t", 0).orElseThrow();
      assertThat(log.logEndOffset()).isEqualTo(200);
      assertThat(consume(log)).isEqualTo(cleaned);
      store.closeAbruptlyForTesting();
    }
    try (Stream<Path> s = Files.list(partitionDir)) {
      assertThat(s.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.endsWith(".swap") || n.endsWith(".cleaned") || n.endsWith(".deleted"));
    }
    // The completed swap was recorded in the cleaner checkpoint, so a second crash still accepts the gaps.
    Files.deleteIfExists(crashed.resolve(LogStore.RECOVERY_POINT_CHECKPOINT));
    try (LogStore store = LogStore.open(crashed, StoreConfig.defaults(), StorageIo.standard(), t -> COMPACT)) {
      PartitionLog log = store.log("t", 0).orElseThrow();
      assertThat(log.logEndOffset()).isEqualTo(200);
      assertThat(consume(log)).isEqualTo(cleaned);
    }
  }

  @Test
  void shouldKeepSegmentsAlreadySwappedInWhenALaterSwapFails() throws Exception {
    // The second original cannot become .deleted (a directory holds the name): it stays the live copy, so its .swap
    // goes; the first segment, already swapped in, is the only copy of its records and must stay.
    assertNoRecordLostWhenTheSecondSwapFails(".log.deleted", false);
  }

  @Test
  void shouldLeaveTheSwapForTheLoaderWhenItsOriginalWasRenamedBeforeTheSwapFailed() throws Exception {
    // The second original's data file becomes .deleted but its offset index cannot follow: the .swap is now the only
    // copy of that segment's records, and the next load completes it.
    assertNoRecordLostWhenTheSecondSwapFails(".index.deleted", true);
  }

  private void assertNoRecordLostWhenTheSecondSwapFails(String blockedSuffix, boolean swapKept) throws Exception {
    LogConfig cfg = COMPACT.withFileDeleteDelayMs(60_000);
    Map<String, String> expected = new HashMap<>();
    List<Long> bases = new ArrayList<>();
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> cfg)) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), cfg);
      for (int i = 0; i < 60; i++) {
        append(log, now, now, "u" + i, "v" + i, "hot", "h" + i); // "hot" makes every segment worth rewriting
        expected.put("u" + i, "v" + i);
        expected.put("hot", "h" + i);
      }
      for (LogSegment s : log.segments()) {
        bases.add(s.baseOffset());
      }
      assertThat(bases).hasSizeGreaterThan(3);
      Path blocker = log.dir().resolve(LogSegment.filenamePrefix(bases.get(1)) + blockedSuffix);
      Files.createDirectories(blocker.resolve("x"));

      assertThat(log.runCleaner(now)).isFalse();

      assertThat(log.isOffline()).isTrue();
      assertThat(LogSegment.logFile(log.dir(), bases.get(0))).exists();
      Path secondSwap = log.dir().resolve(LogSegment.filenamePrefix(bases.get(1)) + ".log" + LogSegment.SWAP_SUFFIX);
      assertThat(Files.exists(secondSwap)).isEqualTo(swapKept);
      assertThat(latestValues(log)).isEqualTo(expected);
      Files.delete(blocker.resolve("x"));
      Files.delete(blocker);
    }
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> cfg)) {
      assertThat(latestValues(store.log("t", 0).orElseThrow())).isEqualTo(expected);
    }
  }

  @Test
  void shouldKeepTheOriginalsOfAMergedGroupWhenItsFirstRenameFails() throws Exception {
    // Nothing was renamed yet: the .swap goes, the log and the next load keep the segments as they were.
    assertMergedGroupRecovers((io, log, bases) -> block(log, bases.get(0)), false);
  }

  @Test
  void shouldCompleteAMergedGroupOnLoadWhenItsSwapFailsMidGroup() throws Exception {
    // The first original is .deleted, the second cannot follow: the load completes the swap and drops the second.
    assertMergedGroupRecovers((io, log, bases) -> block(log, bases.get(1)), true);
  }

  @Test
  void shouldCompleteAMergedGroupOnLoadWhenTheDirectoryFsyncBeforeItsSwapFails() throws Exception {
    // Every original is .deleted; the fsync that must precede the .swap's rename fails (the first directory fsync
    // of the pass, for the .swap names, succeeds).
    assertMergedGroupRecovers((io, log, bases) -> io.failDirectoryForce(2), true);
  }

  /** Fault injected before the pass that merges the first segments of the log. */
  private interface MergeFault {
    void inject(FaultyStorageIo io, PartitionLog log, List<Long> bases) throws IOException;
  }

  /** Makes renaming segment {@code base} to {@code .deleted} fail (its first pass's original is still there). */
  private static void block(PartitionLog log, long base) throws IOException {
    Path deleted = log.dir().resolve(LogSegment.filenamePrefix(base) + ".log.deleted");
    Files.deleteIfExists(deleted);
    Files.createDirectories(deleted.resolve("x"));
  }

  /**
   * A first pass shrinks every segment to a few records; the second merges the first ones into one cleaned segment
   * and {@code fault} makes its swap fail. The log goes offline with every record readable, and the next load finds
   * either all the originals of the group ({@code completed} false) or only the merged segment.
   */
  private void assertMergedGroupRecovers(MergeFault fault, boolean completed) throws Exception {
    LogConfig cfg = COMPACT.withFileDeleteDelayMs(60_000).withMinCleanableDirtyRatio(0.01);
    FaultyStorageIo io = new FaultyStorageIo();
    Map<String, String> expected = new HashMap<>();
    List<Long> bases = new ArrayList<>();
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), io, t -> cfg)) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), cfg);
      for (int i = 0; i < 80; i++) {
        String key = i % 4 == 0 ? "u" + i : "hot";
        append(log, now, now, key, "v" + i + "x".repeat(100));
        expected.put(key, "v" + i + "x".repeat(100));
      }
      assertThat(log.runCleaner(now)).isTrue();
      long active = activeBase(log);
      while (activeBase(log) == active) {
        append(log, now, now, "hot", "last");
      }
      expected.put("hot", "last");
      for (LogSegment s : log.segments()) {
        bases.add(s.baseOffset());
      }
      assertThat(LogCompactor.groupBySize(List.copyOf(log.segments()), cfg, active).get(0)).hasSizeGreaterThan(2);
      log.flush();
      fault.inject(io, log, bases);

      assertThat(log.runCleaner(now)).isFalse();

      assertThat(log.isOffline()).isTrue();
      assertThat(latestValues(log)).isEqualTo(expected);
    }
    try (Stream<Path> blockers = Files.list(dir.resolve("t-0")).filter(Files::isDirectory)) {
      for (Path p : blockers.toList()) {
        Files.delete(p.resolve("x"));
      }
    }
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> cfg)) {
      PartitionLog log = store.log("t", 0).orElseThrow();
      assertThat(latestValues(log)).isEqualTo(expected);
      List<Long> loaded = log.segments().stream().map(LogSegment::baseOffset).toList();
      assertThat(loaded.contains(bases.get(1))).as("second original of the group in %s", loaded).isEqualTo(!completed);
      assertThat(loaded).contains(bases.get(0));
    }
  }

  private static Map<String, String> latestValues(PartitionLog log) throws Exception {
    Map<String, String> out = new HashMap<>();
    for (Rec r : consume(log)) {
      out.put(r.key(), r.value());
    }
    return out;
  }
}
