package io.gregor.storage;

import static io.gregor.storage.StorageTestSupport.batch;
import static io.gregor.storage.StorageTestSupport.readAll;
import static io.gregor.storage.StorageTestSupport.records;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class RetentionTest {
  private static final long HOUR = 3_600_000L;
  private static final LogConfig SMALL = LogConfig.defaults().withSegmentBytes(1024).withIndexIntervalBytes(100)
      .withFileDeleteDelayMs(0);

  @TempDir
  Path dir;

  private final long now = System.currentTimeMillis();

  private static long countFiles(Path partitionDir, String suffix) throws IOException {
    try (Stream<Path> s = Files.list(partitionDir)) {
      return s.filter(p -> p.toString().endsWith(suffix)).count();
    }
  }

  @Test
  void shouldDeleteSegmentsOlderThanRetentionMs() throws Exception {
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), SMALL.withRetentionMs(HOUR));
      for (int i = 0; i < 40; i++) {
        log.appendAsLeader(batch(now - 3 * HOUR, "old" + i), 0, now);
      }
      long firstRecent = log.logEndOffset();
      for (int i = 0; i < 40; i++) {
        log.appendAsLeader(batch(now, "new" + i), 0, now);
      }
      int segmentsBefore = log.segmentCount();

      log.runRetention(now);

      assertThat(log.segmentCount()).isLessThan(segmentsBefore);
      assertThat(log.logStartOffset()).isGreaterThan(0).isLessThanOrEqualTo(firstRecent);
      assertThat(readAll(log)).allSatisfy(r -> assertThat(r.offset()).isGreaterThanOrEqualTo(log.logStartOffset()));
      assertThat(readAll(log).stream().filter(r -> r.value().startsWith("new")).count()).isEqualTo(40);
      assertThatThrownBy(() -> log.read(log.logStartOffset() - 1, 100, Long.MAX_VALUE, true))
          .isInstanceOf(OffsetOutOfRangeException.class);
      await().atMost(Duration.ofSeconds(10)).until(() -> countFiles(log.dir(), ".deleted") == 0);
      assertThat(countFiles(log.dir(), ".log")).isEqualTo(log.segmentCount());
    }
  }

  /**
   * A store opened without cleanup (the broker's way: its logs get their topics' settings only after the store has
   * opened) runs no retention pass on the settings logs were loaded with, however short the check interval, until
   * its owner starts cleanup; then the logs' own settings apply.
   */
  @Test
  void shouldNotRunRetentionBeforeCleanupIsStarted() throws Exception {
    StoreConfig fastChecks = StoreConfig.defaults().withRetentionCheckIntervalMs(10);
    LogConfig placeholder = SMALL.withRetentionMs(HOUR); // what the logs are loaded with
    try (LogStore store = LogStore.open(dir, fastChecks, StorageIo.standard(), t -> LogConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), SMALL.withRetentionMs(-1));
      for (int i = 0; i < 40; i++) {
        log.appendAsLeader(batch(now - 3 * HOUR, "old" + i), 0, now);
      }
    }
    try (LogStore store = LogStore.openWithoutCleanup(dir, fastChecks, StorageIo.standard(), t -> placeholder)) {
      PartitionLog log = store.log("t", 0).orElseThrow();
      int segments = log.segmentCount();
      await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
          .until(() -> log.logStartOffset() == 0 && log.segmentCount() == segments);

      log.updateConfig(SMALL.withRetentionMs(2 * HOUR)); // the topic's own setting, as the broker applies it
      store.startCleanup();
      await().atMost(Duration.ofSeconds(10)).until(() -> log.logStartOffset() > 0);
      assertThat(readAll(log).stream().filter(r -> r.value().startsWith("old")).count()).isLessThan(40);
    }
  }

  @Test
  void shouldRollAndDeleteAnExpiredActiveSegment() throws Exception {
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), SMALL.withRetentionMs(HOUR));
      for (int i = 0; i < 5; i++) {
        log.appendAsLeader(batch(now - 3 * HOUR, "old" + i), 0, now);
      }
      log.runRetention(now);
      assertThat(log.logStartOffset()).isEqualTo(5);
      assertThat(log.logEndOffset()).isEqualTo(5);
      assertThat(log.sizeInBytes()).isZero();
      assertThat(log.read(5, 100, Long.MAX_VALUE, true).records().sizeInBytes()).isZero();
      assertThat(log.appendAsLeader(batch(now, "new"), 0, now).firstOffset()).isEqualTo(5);
    }
  }

  @Test
  void shouldDeleteOldestSegmentsBeyondRetentionBytes() throws Exception {
    long retentionBytes = 2000;
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), SMALL.withRetentionBytes(retentionBytes));
      for (int i = 0; i < 100; i++) {
        log.appendAsLeader(batch(now, "value-" + i), 0, now);
      }
      assertThat(log.sizeInBytes()).isGreaterThan(3 * retentionBytes);

      log.runRetention(now);

      LogSegment first = log.segments().iterator().next();
      assertThat(log.sizeInBytes()).isGreaterThanOrEqualTo(retentionBytes);
      assertThat(log.sizeInBytes() - first.size()).isLessThan(retentionBytes);
      assertThat(log.logStartOffset()).isEqualTo(first.baseOffset());
      assertThat(readAll(log).get(readAll(log).size() - 1).value()).isEqualTo("value-99");
    }
  }

  @Test
  void shouldKeepEverySegmentWhenTheCleanupPolicyIsEmpty() throws Exception {
    // Kafka 4.2+ (KAFKA-19112): cleanup.policy= (an empty list) means neither deletion nor compaction.
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(),
          SMALL.withRetentionMs(HOUR).withRetentionBytes(100).withCleanupPolicy(CleanupPolicy.parse("")));
      for (int i = 0; i < 40; i++) {
        log.appendAsLeader(batch(now - 3 * HOUR, "old" + i), 0, now); // no keys: not a compacted topic
      }
      int segmentsBefore = log.segmentCount();
      assertThat(segmentsBefore).isGreaterThan(1);

      log.runRetention(now);

      assertThat(log.runCleaner(now)).isFalse();
      assertThat(log.segmentCount()).isEqualTo(segmentsBefore);
      assertThat(log.logStartOffset()).isZero();
      assertThat(readAll(log)).hasSize(40);
      assertThat(log.deleteRecordsBefore(10)).isEqualTo(10); // DeleteRecords still applies, as in Kafka
    }
  }

  @Test
  void shouldKeepDeletedSegmentFilesReadableUntilTheDelayPasses() throws Exception {
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(),
          SMALL.withRetentionMs(HOUR).withFileDeleteDelayMs(60_000));
      for (int i = 0; i < 30; i++) {
        log.appendAsLeader(batch(now - 3 * HOUR, "old" + i), 0, now);
      }
      log.appendAsLeader(batch(now, "new"), 0, now);
      ReadResult inFlight = log.read(0, 1 << 20, Long.MAX_VALUE, false); // e.g. a zero-copy send in progress

      log.runRetention(now);

      assertThat(log.logStartOffset()).isGreaterThan(0);
      assertThat(countFiles(log.dir(), ".log.deleted")).isGreaterThan(0);
      assertThat(records(inFlight.records()).get(0).value()).isEqualTo("old0");
    }
    try (Stream<Path> s = Files.list(dir.resolve("t-0"))) {
      assertThat(s.filter(p -> p.toString().endsWith(".deleted"))).isEmpty(); // close finishes pending deletes
    }
  }

  @Test
  void shouldRollActiveSegmentBySegmentMs() throws Exception {
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), LogConfig.defaults().withSegmentMs(1000));
      log.appendAsLeader(batch(now, "a"), 0, now);
      log.appendAsLeader(batch(now + 500, "b"), 0, now + 500);
      assertThat(log.segmentCount()).isEqualTo(1);
      log.appendAsLeader(batch(now + 1500, "c"), 0, now + 1500); // 1500 ms after the segment's first batch
      assertThat(log.segmentCount()).isEqualTo(2);
      log.runRetention(now + 5000);
      assertThat(log.segmentCount()).isEqualTo(3);
      assertThat(log.segments().stream().map(LogSegment::baseOffset)).containsExactly(0L, 2L, 3L);
    }
  }

  @Test
  void shouldDeleteSegmentsWhollyBelowTheLogStartOffsetWhenTheyStopBeingActive() throws Exception {
    assertRetentionDeletesTheSegmentBelowTheLogStartOffset(CleanupPolicy.DELETE);
  }

  @Test
  void shouldDeleteSegmentsWhollyBelowTheLogStartOffsetOnCompactedTopicsToo() throws Exception {
    assertRetentionDeletesTheSegmentBelowTheLogStartOffset(CleanupPolicy.COMPACT);
  }

  private void assertRetentionDeletesTheSegmentBelowTheLogStartOffset(CleanupPolicy policy) throws Exception {
    LogConfig cfg = LogConfig.defaults().withSegmentBytes(1000).withRetentionMs(-1).withFileDeleteDelayMs(0)
        .withCleanupPolicy(policy);
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> cfg)) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), cfg);
      log.appendAsLeader(batch(now, "x".repeat(600)), 0, now);   // offset 0, in the active segment 0
      assertThat(log.deleteRecordsBefore(1)).isEqualTo(1);         // segment 0 is active: kept
      log.appendAsLeader(batch(now, "y".repeat(600)), 0, now);   // rolls: segment 1 at offset 1
      assertThat(log.segments().stream().map(LogSegment::baseOffset)).containsExactly(0L, 1L);

      log.runRetention(now);

      assertThat(log.segments().stream().map(LogSegment::baseOffset)).containsExactly(1L);
      assertThat(log.logStartOffset()).isEqualTo(1);
      assertThat(countFiles(log.dir(), ".log")).isEqualTo(1);
    }
  }

  @Test
  void shouldDeleteRecordsBefore() throws Exception {
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> SMALL)) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), SMALL);
      for (int i = 0; i < 60; i++) {
        log.appendAsLeader(batch(now, "v" + i), 0, now);
      }
      int segments = log.segmentCount();
      assertThatThrownBy(() -> log.deleteRecordsBefore(61)).isInstanceOf(OffsetOutOfRangeException.class);

      assertThat(log.deleteRecordsBefore(25)).isEqualTo(25);
      assertThat(log.deleteRecordsBefore(10)).isEqualTo(25);

      assertThat(log.logStartOffset()).isEqualTo(25);
      assertThat(log.segmentCount()).isLessThan(segments);
      assertThat(log.segments().iterator().next().baseOffset()).isLessThanOrEqualTo(25);
      assertThatThrownBy(() -> log.read(24, 100, Long.MAX_VALUE, true))
          .isInstanceOf(OffsetOutOfRangeException.class);
      assertThat(readAll(log).get(0).offset()).isEqualTo(25);
      assertThat(log.offsetForTimestamp(0)).contains(new OffsetAndTimestamp(25, now));
      await().atMost(Duration.ofSeconds(10)).until(() -> OffsetCheckpointFile
          .read(dir.resolve(LogStore.LOG_START_OFFSET_CHECKPOINT)).get(new TopicPartition("t", 0)) == 25L);
      store.closeAbruptlyForTesting();
    }
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> SMALL)) {
      PartitionLog log = store.log("t", 0).orElseThrow();
      assertThat(log.logStartOffset()).isEqualTo(25);
      assertThat(log.deleteRecordsBefore(60)).isEqualTo(60);
      assertThat(log.logEndOffset()).isEqualTo(60);
    }
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> SMALL)) {
      PartitionLog log = store.log("t", 0).orElseThrow();
      assertThat(log.logStartOffset()).isEqualTo(60);
      assertThat(log.read(60, 100, Long.MAX_VALUE, true).records().sizeInBytes()).isZero();
    }
  }
}
