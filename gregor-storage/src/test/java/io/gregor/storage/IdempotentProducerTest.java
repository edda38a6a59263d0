package io.gregor.storage;

import static io.gregor.storage.StorageTestSupport.idempotentBatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gregor.storage.LogAppendException.Reason;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class IdempotentProducerTest {
  private static final long PID = 1000L;

  @TempDir
  Path dir;

  private final long now = System.currentTimeMillis();

  private static void assertRejected(PartitionLog log, MemoryRecords records, long nowMs, Reason reason) {
    long leo = log.logEndOffset();
    assertThatThrownBy(() -> log.appendAsLeader(records, 0, nowMs))
        .isInstanceOf(LogAppendException.class)
        .satisfies(e -> assertThat(((LogAppendException) e).reason()).isEqualTo(reason));
    assertThat(log.logEndOffset()).isEqualTo(leo);
  }

  @Test
  void shouldAnswerDuplicatesWithOriginalOffsets() throws Exception {
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), LogConfig.defaults());
      log.appendAsLeader(StorageTestSupport.batch(now, "plain"), 0, now);
      AppendResult first = log.appendAsLeader(idempotentBatch(PID, (short) 0, 0, now - 5, "a", "b"), 0, now);
      AppendResult second = log.appendAsLeader(idempotentBatch(PID, (short) 0, 2, now, "c"), 0, now);
      long size = log.sizeInBytes();

      AppendResult retry = log.appendAsLeader(idempotentBatch(PID, (short) 0, 0, now - 5, "a", "b"), 0, now + 9);

      assertThat(first.withoutSize()).isEqualTo(new AppendResult(1, 2, -1, 0, false, 0));
      assertThat(second.firstOffset()).isEqualTo(3);
      // As Kafka's UnifiedLog: a duplicate is answered with the original batch's timestamp as its log append time,
      // on a CreateTime topic too (its max timestamp), where a first append answers -1.
      assertThat(retry).isEqualTo(new AppendResult(1, 2, now - 5, 0, true, 0));
      assertThat(log.sizeInBytes()).isEqualTo(size);
      assertThat(log.logEndOffset()).isEqualTo(4);
    }
  }

  @Test
  void shouldOnlyRememberTheLastFiveBatches() throws Exception {
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), LogConfig.defaults());
      for (int seq = 0; seq < 6; seq++) {
        log.appendAsLeader(idempotentBatch(PID, (short) 0, seq, now, "v" + seq), 0, now);
      }
      assertThat(log.appendAsLeader(idempotentBatch(PID, (short) 0, 1, now, "v1"), 0, now).duplicate()).isTrue();
      assertRejected(log, idempotentBatch(PID, (short) 0, 0, now, "v0"), now, Reason.OUT_OF_ORDER_SEQUENCE);
    }
  }

  @Test
  void shouldRejectSequenceGapsAndStaleEpochs() throws Exception {
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), LogConfig.defaults());
      // An unknown producer may start anywhere (its state may have expired).
      assertThat(log.appendAsLeader(idempotentBatch(PID, (short) 3, 5, now, "a"), 0, now).firstOffset()).isZero();
      assertRejected(log, idempotentBatch(PID, (short) 3, 7, now, "gap"), now, Reason.OUT_OF_ORDER_SEQUENCE);
      assertRejected(log, idempotentBatch(PID, (short) 2, 6, now, "old"), now, Reason.INVALID_PRODUCER_EPOCH);
      assertRejected(log, idempotentBatch(PID, (short) 4, 1, now, "new"), now, Reason.OUT_OF_ORDER_SEQUENCE);
      assertThat(log.appendAsLeader(idempotentBatch(PID, (short) 3, 6, now, "b"), 0, now).firstOffset())
          .isEqualTo(1);
      assertThat(log.appendAsLeader(idempotentBatch(PID, (short) 4, 0, now, "c"), 0, now).firstOffset())
          .isEqualTo(2);
      assertRejected(log, idempotentBatch(PID, (short) 3, 7, now, "old"), now, Reason.INVALID_PRODUCER_EPOCH);
    }
  }

  @Test
  void shouldWrapSequenceAfterIntMax() throws Exception {
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), LogConfig.defaults());
      log.appendAsLeader(idempotentBatch(PID, (short) 0, Integer.MAX_VALUE - 1, now, "a", "b"), 0, now);
      assertThat(log.appendAsLeader(idempotentBatch(PID, (short) 0, 0, now, "c"), 0, now).duplicate()).isFalse();
      assertThat(log.logEndOffset()).isEqualTo(3);
    }
  }

  @Test
  void shouldKeepProducerStateAcrossCleanRestart() throws Exception {
    LogConfig config = LogConfig.defaults().withSegmentBytes(300);
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), config);
      for (int seq = 0; seq < 10; seq++) {
        log.appendAsLeader(idempotentBatch(PID, (short) 0, seq, now, "v" + seq), 0, now);
      }
    }
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> config)) {
      PartitionLog log = store.log("t", 0).orElseThrow();
      AppendResult dup = log.appendAsLeader(idempotentBatch(PID, (short) 0, 8, now, "v8"), 0, now);
      assertThat(dup).isEqualTo(new AppendResult(8, 8, now, 0, true, 0));
      assertRejected(log, idempotentBatch(PID, (short) 0, 12, now, "gap"), now, Reason.OUT_OF_ORDER_SEQUENCE);
      assertThat(log.appendAsLeader(idempotentBatch(PID, (short) 0, 10, now, "v10"), 0, now).firstOffset())
          .isEqualTo(10);
    }
  }

  @Test
  void shouldRebuildProducerStateAfterCrash() throws Exception {
    LogConfig config = LogConfig.defaults().withSegmentBytes(300);
    LogStore store = LogStore.open(dir, StoreConfig.defaults());
    PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), config);
    for (int seq = 0; seq < 10; seq++) {
      log.appendAsLeader(idempotentBatch(PID, (short) 0, seq, now, "v" + seq), 0, now);
      log.appendAsLeader(idempotentBatch(PID + 1, (short) 2, seq, now, "w" + seq), 0, now);
    }
    assertThat(log.segmentCount()).isGreaterThan(2); // snapshots were taken on roll
    store.closeAbruptlyForTesting();

    try (LogStore reopened = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> config)) {
      PartitionLog again = reopened.log("t", 0).orElseThrow();
      assertThat(again.logEndOffset()).isEqualTo(20);
      assertThat(again.appendAsLeader(idempotentBatch(PID, (short) 0, 9, now, "v9"), 0, now))
          .isEqualTo(new AppendResult(18, 18, now, 0, true, 0));
      assertThat(again.appendAsLeader(idempotentBatch(PID + 1, (short) 2, 7, now, "w7"), 0, now))
          .isEqualTo(new AppendResult(15, 15, now, 0, true, 0));
      assertRejected(again, idempotentBatch(PID + 1, (short) 1, 10, now, "x"), now, Reason.INVALID_PRODUCER_EPOCH);
      assertRejected(again, idempotentBatch(PID, (short) 0, 11, now, "x"), now, Reason.OUT_OF_ORDER_SEQUENCE);
    }
  }

  @Test
  void shouldRebuildProducerStateFromTheWholeLogWithoutSnapshots() throws Exception {
    LogStore store = LogStore.open(dir, StoreConfig.defaults());
    PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), LogConfig.defaults());
    for (int seq = 0; seq < 4; seq++) {
      log.appendAsLeader(idempotentBatch(PID, (short) 0, seq, now, "v" + seq), 0, now);
    }
    store.closeAbruptlyForTesting();
    assertThat(ProducerStateTable.listSnapshots(log.dir())).isEmpty();

    try (LogStore reopened = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog again = reopened.log("t", 0).orElseThrow();
      assertThat(again.appendAsLeader(idempotentBatch(PID, (short) 0, 2, now, "v2"), 0, now).duplicate()).isTrue();
    }
  }

  @Test
  void shouldExpireIdleProducers() throws Exception {
    StoreConfig storeConfig = StoreConfig.defaults().withProducerIdExpirationMs(60_000);
    try (LogStore store = LogStore.open(dir, storeConfig)) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), LogConfig.defaults());
      log.appendAsLeader(idempotentBatch(PID, (short) 5, 0, now, "a"), 0, now);
      log.removeExpiredProducers(now + 120_000);
      // Forgotten: an older epoch and any sequence are accepted again, as for an unknown producer.
      assertThat(log.appendAsLeader(idempotentBatch(PID, (short) 1, 9, now, "b"), 0, now).duplicate()).isFalse();
    }
  }

  /** As Kafka: a producer's last timestamp is its newest batch's, even when that one is stamped earlier. */
  @Test
  void shouldKeepTheNewestBatchsTimestampAsTheProducersLastTimestamp() throws Exception {
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), LogConfig.defaults());
      log.appendAsLeader(idempotentBatch(PID, (short) 0, 0, now, "a"), 0, now);
      log.appendAsLeader(idempotentBatch(PID, (short) 0, 1, now - 60_000, "b"), 0, now);
      assertThat(log.activeProducers()).singleElement()
          .satisfies(p -> assertThat(p.lastTimestamp()).isEqualTo(now - 60_000));
    }
  }

  /**
   * Kafka's ProducerStateManager.loadFromSnapshot drops the producers that expired (producer.id.expiration.ms since
   * their last batch's timestamp) while the log was closed: after the restart they are unknown, not listed by
   * DescribeProducers, and their next batch is accepted at any sequence.
   */
  @Test
  void shouldForgetProducersThatExpiredWhileTheLogWasClosed() throws Exception {
    StoreConfig storeConfig = StoreConfig.defaults().withProducerIdExpirationMs(10_000);
    long lastBatch = now - 9_000; // still live when the store closes
    try (LogStore store = LogStore.open(dir, storeConfig)) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), LogConfig.defaults());
      log.appendAsLeader(idempotentBatch(PID, (short) 0, 0, lastBatch, "a"), 0, now);
      assertThat(log.activeProducers()).hasSize(1);
    }
    // The store stays closed until the producer's state is past producer.id.expiration.ms.
    await().atMost(Duration.ofSeconds(10)).until(() -> System.currentTimeMillis() >= lastBatch + 10_000);
    try (LogStore store = LogStore.open(dir, storeConfig)) {
      PartitionLog log = store.log("t", 0).orElseThrow();
      assertThat(log.activeProducers()).isEmpty();
      long later = System.currentTimeMillis();
      assertThat(log.appendAsLeader(idempotentBatch(PID, (short) 0, 7, later, "b"), 0, later).duplicate()).isFalse();
    }
  }

  /**
   * Kafka keeps a producer in memory when DeleteRecords removes its batches, but its reload (rebuildProducerState:
   * truncateAndReload deletes the snapshots at or below logStartOffset, and the log is replayed from logStartOffset)
   * forgets a producer whose batches are all below logStartOffset: after a purge to the log end and a restart the
   * partition has no producers.
   */
  @Test
  void shouldForgetProducersWhoseBatchesWereAllDeletedOnRestart() throws Exception {
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), LogConfig.defaults());
      log.appendAsLeader(idempotentBatch(PID, (short) 0, 0, now, "a"), 0, now);
      log.appendAsLeader(idempotentBatch(PID, (short) 0, 1, now, "b"), 0, now);
      assertThat(log.deleteRecordsBefore(log.logEndOffset())).isEqualTo(2);
      assertThat(log.activeProducers()).hasSize(1); // in memory, as Kafka
    }
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.log("t", 0).orElseThrow();
      assertThat(log.logStartOffset()).isEqualTo(2);
      assertThat(log.activeProducers()).isEmpty();
    }
  }
}
