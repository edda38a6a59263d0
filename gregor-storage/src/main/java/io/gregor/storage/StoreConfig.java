package io.gregor.storage;

/**
 * Settings of one {@link LogStore}, with Kafka's key names; immutable.
 *
 * @param flushBeforeAck               fsync (group commit) before an acks=all produce is acknowledged
 * @param retentionCheckIntervalMs     {@code log.retention.check.interval.ms}
 * @param recoveryCheckpointIntervalMs {@code log.flush.offset.checkpoint.interval.ms}: periodic flush + checkpoints
 * @param producerIdExpirationMs       {@code producer.id.expiration.ms}
 */
public record StoreConfig(boolean flushBeforeAck, long retentionCheckIntervalMs, long recoveryCheckpointIntervalMs,
    long producerIdExpirationMs) {

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
  }

  public static StoreConfig defaults() {
    return new StoreConfig(true, 300_000L, 60_000L, 86_400_000L);
  }

  public StoreConfig withFlushBeforeAck(boolean value) {
    return new StoreConfig(value, retentionCheckIntervalMs, recoveryCheckpointIntervalMs, producerIdExpirationMs);
  }

  public StoreConfig withRetentionCheckIntervalMs(long value) {
    return new StoreConfig(flushBeforeAck, value, recoveryCheckpointIntervalMs, producerIdExpirationMs);
  }

  public StoreConfig withRecoveryCheckpointIntervalMs(long value) {
    return new StoreConfig(flushBeforeAck, retentionCheckIntervalMs, value, producerIdExpirationMs);
  }

  public StoreConfig withProducerIdExpirationMs(long value) {
    return new StoreConfig(flushBeforeAck, retentionCheckIntervalMs, recoveryCheckpointIntervalMs, value);
  }
}
