package io.gregor.storage;

/**
 * Settings of one {@link LogStore}, with Kafka's key names; immutable.
 *
 * @param flushBeforeAck               fsync (group commit) before an acks=all produce is acknowledged
 * @param retentionCheckIntervalMs     {@code log.retention.check.interval.ms}
 * @param recoveryCheckpointIntervalMs {@code log.flush.offset.checkpoint.interval.ms}: periodic flush + checkpoints
 * @param producerIdExpirationMs       {@code producer.id.expiration.ms}
 * @param cleanerBackoffMs             {@code log.cleaner.backoff.ms}: the cleaner's sleep when no log needs cleaning
 * @param cleanerDedupeBufferSize      {@code log.cleaner.dedupe.buffer.size}: memory budget of the key → offset map
 *                                     of one cleaning pass ({@link OffsetMap}, 24 bytes a slot; a pass stops where
 *                                     the map fills, mid-segment if need be)
 * @param journalFileBytes             size of one file of the store's {@link DurabilityJournal} (Gregor's own; the
 *                                     store flushes its segments early once a file's worth was journaled)
 * @param roundsInFlight               group-commit rounds that may sync at once (see {@link LogFlusher}); 1 measured
 *                                     best on a 2-core VM, where every extra fdatasync costs CPU the clients need
 * @param recoveryThreads              {@code num.recovery.threads.per.data.dir}: threads that load (and recover) the
 *                                     logs at start-up
 * @param producerIdExpirationCheckIntervalMs {@code producer.id.expiration.check.interval.ms}: how often idle producers
 *                                     (producer.id.expiration.ms) are forgotten
 */
public record StoreConfig(boolean flushBeforeAck, long retentionCheckIntervalMs, long recoveryCheckpointIntervalMs,
    long producerIdExpirationMs, long cleanerBackoffMs, long cleanerDedupeBufferSize, long journalFileBytes,
    int roundsInFlight, int recoveryThreads, long producerIdExpirationCheckIntervalMs) {

  private static final long DEFAULT_CLEANER_BACKOFF_MS = 15_000L;
  private static final long DEFAULT_CLEANER_DEDUPE_BUFFER_SIZE = 128L * 1024 * 1024;
  /** Kafka 4's num.recovery.threads.per.data.dir default. */
  private static final int DEFAULT_RECOVERY_THREADS = 2;
  /** Kafka's producer.id.expiration.check.interval.ms default. */
  private static final long DEFAULT_PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS = 600_000L;

  public StoreConfig {
    if (retentionCheckIntervalMs <= 0) {
      throw new IllegalArgumentException("retentionCheckIntervalMs: " + retentionCheckIntervalMs + " (expected: > 0)");
    }
    if (recoveryCheckpointIntervalMs <= 0) {
      throw new IllegalArgumentException(
          "recoveryCheckpointIntervalMs: " + recoveryCheckpointIntervalMs + " (expected: > 0)");
    }
    if (producerIdExpirationMs <= 0) {
      throw new IllegalArgumentException("producerIdExpirationMs: " + producerIdExpirationMs + " (expected: > 0)");
    }
    if (cleanerBackoffMs <= 0) {
      throw new IllegalArgumentException("cleanerBackoffMs: " + cleanerBackoffMs + " (expected: > 0)");
    }
    if (cleanerDedupeBufferSize < 1024) {
      throw new IllegalArgumentException(
          "cleanerDedupeBufferSize: " + cleanerDedupeBufferSize + " (expected: >= 1024)");
    }
    if (journalFileBytes < 4096) {
      throw new IllegalArgumentException("journalFileBytes: " + journalFileBytes + " (expected: >= 4096)");
    }
    if (roundsInFlight < 1) {
      throw new IllegalArgumentException("roundsInFlight: " + roundsInFlight + " (expected: >= 1)");
    }
    if (producerIdExpirationCheckIntervalMs <= 0) {
      throw new IllegalArgumentException("producerIdExpirationCheckIntervalMs: " + producerIdExpirationCheckIntervalMs
          + " (expected: > 0)");
    }
    if (recoveryThreads < 1) {
      throw new IllegalArgumentException("recoveryThreads: " + recoveryThreads + " (expected: >= 1)");
    }
  }

  /** The settings that predate the cleaner; the cleaner gets Kafka's defaults. */
  public StoreConfig(boolean flushBeforeAck, long retentionCheckIntervalMs, long recoveryCheckpointIntervalMs,
      long producerIdExpirationMs) {
    this(flushBeforeAck, retentionCheckIntervalMs, recoveryCheckpointIntervalMs, producerIdExpirationMs,
        DEFAULT_CLEANER_BACKOFF_MS, DEFAULT_CLEANER_DEDUPE_BUFFER_SIZE, DurabilityJournal.FILE_BYTES, 1,
        DEFAULT_RECOVERY_THREADS, DEFAULT_PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS);
  }

  public static StoreConfig defaults() {
    return new StoreConfig(true, 300_000L, 60_000L, 86_400_000L);
  }

  public StoreConfig withFlushBeforeAck(boolean value) {
    return new StoreConfig(value, retentionCheckIntervalMs, recoveryCheckpointIntervalMs, producerIdExpirationMs,
        cleanerBackoffMs, cleanerDedupeBufferSize, journalFileBytes, roundsInFlight, recoveryThreads,
        producerIdExpirationCheckIntervalMs);
  }

  public StoreConfig withRetentionCheckIntervalMs(long value) {
    return new StoreConfig(flushBeforeAck, value, recoveryCheckpointIntervalMs, producerIdExpirationMs,
        cleanerBackoffMs, cleanerDedupeBufferSize, journalFileBytes, roundsInFlight, recoveryThreads,
        producerIdExpirationCheckIntervalMs);
  }

  public StoreConfig withRecoveryCheckpointIntervalMs(long value) {
    return new StoreConfig(flushBeforeAck, retentionCheckIntervalMs, value, producerIdExpirationMs,
        cleanerBackoffMs, cleanerDedupeBufferSize, journalFileBytes, roundsInFlight, recoveryThreads,
        producerIdExpirationCheckIntervalMs);
  }

  public StoreConfig withProducerIdExpirationMs(long value) {
    return new StoreConfig(flushBeforeAck, retentionCheckIntervalMs, recoveryCheckpointIntervalMs, value,
        cleanerBackoffMs, cleanerDedupeBufferSize, journalFileBytes, roundsInFlight, recoveryThreads,
        producerIdExpirationCheckIntervalMs);
  }

  public StoreConfig withCleanerBackoffMs(long value) {
    return new StoreConfig(flushBeforeAck, retentionCheckIntervalMs, recoveryCheckpointIntervalMs,
        producerIdExpirationMs, value, cleanerDedupeBufferSize, journalFileBytes, roundsInFlight, recoveryThreads,
        producerIdExpirationCheckIntervalMs);
  }

  public StoreConfig withCleanerDedupeBufferSize(long value) {
    return new StoreConfig(flushBeforeAck, retentionCheckIntervalMs, recoveryCheckpointIntervalMs,
        producerIdExpirationMs, cleanerBackoffMs, value, journalFileBytes, roundsInFlight, recoveryThreads,
        producerIdExpirationCheckIntervalMs);
  }

  public StoreConfig withJournalFileBytes(long value) {
    return new StoreConfig(flushBeforeAck, retentionCheckIntervalMs, recoveryCheckpointIntervalMs,
        producerIdExpirationMs, cleanerBackoffMs, cleanerDedupeBufferSize, value, roundsInFlight, recoveryThreads,
        producerIdExpirationCheckIntervalMs);
  }

  public StoreConfig withRoundsInFlight(int value) {
    return new StoreConfig(flushBeforeAck, retentionCheckIntervalMs, recoveryCheckpointIntervalMs,
        producerIdExpirationMs, cleanerBackoffMs, cleanerDedupeBufferSize, journalFileBytes, value, recoveryThreads,
        producerIdExpirationCheckIntervalMs);
  }

  public StoreConfig withRecoveryThreads(int value) {
    return new StoreConfig(flushBeforeAck, retentionCheckIntervalMs, recoveryCheckpointIntervalMs,
        producerIdExpirationMs, cleanerBackoffMs, cleanerDedupeBufferSize, journalFileBytes, roundsInFlight, value,
        producerIdExpirationCheckIntervalMs);
  }

  public StoreConfig withProducerIdExpirationCheckIntervalMs(long value) {
    return new StoreConfig(flushBeforeAck, retentionCheckIntervalMs, recoveryCheckpointIntervalMs,
        producerIdExpirationMs, cleanerBackoffMs, cleanerDedupeBufferSize, journalFileBytes, roundsInFlight,
        recoveryThreads, value);
  }
}
