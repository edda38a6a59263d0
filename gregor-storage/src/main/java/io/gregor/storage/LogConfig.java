package io.gregor.storage;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.CompressionType;

/**
 * Per-topic log settings with Kafka's key names; immutable. Validated on construction.
 *
 * @param segmentBytes         {@code segment.bytes}
 * @param segmentMs            {@code segment.ms}
 * @param retentionMs          {@code retention.ms}, -1 = unlimited
 * @param retentionBytes       {@code retention.bytes}; any negative value = unlimited, as in Kafka
 * @param maxMessageBytes      {@code max.message.bytes}: the largest batch accepted
 * @param logAppendTime        {@code message.timestamp.type=LogAppendTime}
 * @param indexIntervalBytes   {@code index.interval.bytes}
 * @param maxIndexSizeBytes    {@code segment.index.bytes}: a full index rolls the segment
 * @param fileDeleteDelayMs    {@code file.delete.delay.ms}
 * @param timestampAfterMaxMs  {@code message.timestamp.after.max.ms}
 * @param timestampBeforeMaxMs {@code message.timestamp.before.max.ms}
 * @param cleanupPolicy        {@code cleanup.policy}: delete, compact, or compact,delete
 * @param deleteRetentionMs    {@code delete.retention.ms}: how long the cleaner keeps tombstones (KIP-534 horizon)
 * @param minCleanableDirtyRatio {@code min.cleanable.dirty.ratio}
 * @param minCompactionLagMs   {@code min.compaction.lag.ms}: records younger than this are not compacted (KIP-58)
 * @param maxCompactionLagMs   {@code max.compaction.lag.ms}: a dirty record older than this forces cleaning (KIP-354)
 * @param compressionType      {@code compression.type}: {@code producer} keeps the producer's codec; otherwise
 *                             appends are recompressed to this one (uncompressed, gzip, snappy, lz4, zstd)
 * @param compressionLevel     the level of that codec ({@code compression.gzip.level}, {@code compression.lz4.level}
 *                             or {@code compression.zstd.level}, KIP-390); 0 for codecs without levels
 * @param maxDecompressedRecordBytes {@code max.decompressed.message.bytes}: the largest record body a compressed batch
 *                             may hold once decompressed
 * @param segmentJitterMs      {@code segment.jitter.ms}: each segment rolls up to this much (a random share, drawn per
 *                             segment) before segment.ms, so partitions created together do not all roll at once
 * @param flushMessages        {@code flush.messages}: a produce that leaves this many records or more not yet fsynced
 *                             is answered only once they are, whatever its acks and log.flush.before.ack
 */
public record LogConfig(int segmentBytes, long segmentMs, long retentionMs, long retentionBytes, int maxMessageBytes,
    boolean logAppendTime, int indexIntervalBytes, int maxIndexSizeBytes, long fileDeleteDelayMs,
    long timestampAfterMaxMs, long timestampBeforeMaxMs, CleanupPolicy cleanupPolicy, long deleteRetentionMs,
    double minCleanableDirtyRatio, long minCompactionLagMs, long maxCompactionLagMs, String compressionType,
    int compressionLevel, int maxDecompressedRecordBytes, long segmentJitterMs, long flushMessages) {

  public static final String SEGMENT_BYTES = "segment.bytes";
  public static final String SEGMENT_MS = "segment.ms";
  public static final String RETENTION_MS = "retention.ms";
  public static final String RETENTION_BYTES = "retention.bytes";
  public static final String MAX_MESSAGE_BYTES = "max.message.bytes";
  public static final String MESSAGE_TIMESTAMP_TYPE = "message.timestamp.type";
  public static final String INDEX_INTERVAL_BYTES = "index.interval.bytes";
  public static final String SEGMENT_INDEX_BYTES = "segment.index.bytes";
  public static final String FILE_DELETE_DELAY_MS = "file.delete.delay.ms";
  public static final String MESSAGE_TIMESTAMP_AFTER_MAX_MS = "message.timestamp.after.max.ms";
  public static final String MESSAGE_TIMESTAMP_BEFORE_MAX_MS = "message.timestamp.before.max.ms";
  public static final String CLEANUP_POLICY = "cleanup.policy";
  public static final String DELETE_RETENTION_MS = "delete.retention.ms";
  public static final String MIN_CLEANABLE_DIRTY_RATIO = "min.cleanable.dirty.ratio";
  public static final String MIN_COMPACTION_LAG_MS = "min.compaction.lag.ms";
  public static final String MAX_COMPACTION_LAG_MS = "max.compaction.lag.ms";
  public static final String COMPRESSION_TYPE = "compression.type";
  public static final String COMPRESSION_GZIP_LEVEL = "compression.gzip.level";
  public static final String COMPRESSION_LZ4_LEVEL = "compression.lz4.level";
  public static final String COMPRESSION_ZSTD_LEVEL = "compression.zstd.level";
  public static final String MAX_DECOMPRESSED_MESSAGE_BYTES = "max.decompressed.message.bytes";
  public static final String SEGMENT_JITTER_MS = "segment.jitter.ms";
  public static final String FLUSH_MESSAGES = "flush.messages";
  /**
   * Kafka's default and ceiling for {@code max.decompressed.message.bytes}: the largest array a JVM allocates, so no
   * record a broker could read is refused.
   */
  public static final int DEFAULT_MAX_DECOMPRESSED_RECORD_BYTES = Integer.MAX_VALUE - 8;
  /** The values of {@code compression.type}, in Kafka's order (its error messages list them so). */
  public static final List<String> COMPRESSION_TYPES =
      List.of("uncompressed", "zstd", "lz4", "snappy", "gzip", "producer");

  private static final LogConfig DEFAULTS = new LogConfig(1 << 30, 7 * 24 * 3_600_000L, 7 * 24 * 3_600_000L, -1L,
      1_048_588, false, 4096, 10 * 1024 * 1024, 60_000L, 3_600_000L, Long.MAX_VALUE, CleanupPolicy.DELETE,
      86_400_000L, 0.5, 0L, Long.MAX_VALUE, "producer", 0, DEFAULT_MAX_DECOMPRESSED_RECORD_BYTES, 0L, Long.MAX_VALUE);

  public LogConfig {
    requireAtLeast(SEGMENT_BYTES, segmentBytes, 14); // one empty v0 record, Kafka's historical floor
    requireAtLeast(SEGMENT_MS, segmentMs, 1);
    requireAtLeast(RETENTION_MS, retentionMs, -1);
    requireAtLeast(MAX_MESSAGE_BYTES, maxMessageBytes, 0);
    requireAtLeast(INDEX_INTERVAL_BYTES, indexIntervalBytes, 0);
    requireAtLeast(SEGMENT_INDEX_BYTES, maxIndexSizeBytes, 12); // room for one time-index entry
    requireAtLeast(FILE_DELETE_DELAY_MS, fileDeleteDelayMs, 0);
    requireAtLeast(MESSAGE_TIMESTAMP_AFTER_MAX_MS, timestampAfterMaxMs, 0);
    requireAtLeast(MESSAGE_TIMESTAMP_BEFORE_MAX_MS, timestampBeforeMaxMs, 0);
    if (cleanupPolicy == null) {
      throw new IllegalArgumentException(CLEANUP_POLICY + ": null (expected: delete, compact or compact,delete)");
    }
    requireAtLeast(DELETE_RETENTION_MS, deleteRetentionMs, 0);
    // NaN passes, as Kafka's ConfigDef lets it through: no dirty ratio exceeds it, so such a log is cleaned only for
    // max.compaction.lag.ms or expired tombstones (CleanableRange.shouldClean), as under Kafka.
    if (minCleanableDirtyRatio < 0 || minCleanableDirtyRatio > 1) {
      throw new IllegalArgumentException(MIN_CLEANABLE_DIRTY_RATIO + ": " + minCleanableDirtyRatio
          + " (expected: within [0, 1])");
    }
    requireAtLeast(MIN_COMPACTION_LAG_MS, minCompactionLagMs, 0);
    requireAtLeast(MAX_COMPACTION_LAG_MS, maxCompactionLagMs, 1);
    if (!COMPRESSION_TYPES.contains(compressionType)) {
      throw new IllegalArgumentException(COMPRESSION_TYPE + ": " + compressionType + " (expected: one of "
          + COMPRESSION_TYPES + ")");
    }
    Optional<CompressionType> codec = codec(compressionType);
    if (codec.isPresent() && hasLevels(codec.get())) {
      CompressionType t = codec.get();
      // gzip also takes -1, zlib's default level (Kafka's gzip validator).
      boolean valid = compressionLevel >= t.minLevel() && compressionLevel <= t.maxLevel()
          || t == CompressionType.GZIP && compressionLevel == CompressionType.GZIP.defaultLevel();
      if (!valid) {
        throw new IllegalArgumentException("compression." + t.name + ".level: " + compressionLevel + " (expected: "
            + t.levelValidator() + ")");
      }
    }
    requireAtLeast(SEGMENT_JITTER_MS, segmentJitterMs, 0);
    requireAtLeast(FLUSH_MESSAGES, flushMessages, 1);
    if (maxDecompressedRecordBytes < 1 || maxDecompressedRecordBytes > DEFAULT_MAX_DECOMPRESSED_RECORD_BYTES) {
      throw new IllegalArgumentException(MAX_DECOMPRESSED_MESSAGE_BYTES + ": " + maxDecompressedRecordBytes
          + " (expected: within [1, " + DEFAULT_MAX_DECOMPRESSED_RECORD_BYTES + "])");
    }
  }

  /** The codec named by a {@code compression.type} value, or empty for {@code producer}. */
  private static Optional<CompressionType> codec(String compressionType) {
    return compressionType.equals("producer") ? Optional.empty()
        : Optional.of(compressionType.equals("uncompressed") ? CompressionType.NONE
            : CompressionType.forName(compressionType));
  }

  /** The codec appends are recompressed to, or empty when batches keep the producer's. */
  Optional<CompressionType> targetCompression() {
    return codec(compressionType);
  }

  /** What a recompressed batch is written with: the topic's codec at its level. */
  Compression targetCompressionWithLevel() {
    CompressionType t = codec(compressionType).orElseThrow();
    return switch (t) {
      case GZIP -> Compression.gzip().level(compressionLevel).build();
      case LZ4 -> Compression.lz4().level(compressionLevel).build();
      case ZSTD -> Compression.zstd().level(compressionLevel).build();
      default -> Compression.of(t).build();
    };
  }

  /** Kafka's default level of a {@code compression.type} value's codec (0 when it has no levels). */
  public static int defaultCompressionLevel(String compressionType) {
    Optional<CompressionType> t = codec(compressionType);
    return t.isPresent() && hasLevels(t.get()) ? t.get().defaultLevel() : 0;
  }

  /** gzip, lz4 and zstd take a level; none and snappy do not (Kafka's CompressionType throws for them). */
  private static boolean hasLevels(CompressionType t) {
    return t == CompressionType.GZIP || t == CompressionType.LZ4 || t == CompressionType.ZSTD;
  }

  /** The codec at its default level. */
  public LogConfig withCompressionType(String v) {
    return withCompression(v, defaultCompressionLevel(v));
  }

  /** The codec and its level ({@code compression.gzip.level} etc. for that codec; ignored for codecs without). */
  public LogConfig withCompression(String type, int level) {
    return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes, logAppendTime,
        indexIntervalBytes, maxIndexSizeBytes, fileDeleteDelayMs, timestampAfterMaxMs, timestampBeforeMaxMs,
        cleanupPolicy, deleteRetentionMs, minCleanableDirtyRatio, minCompactionLagMs, maxCompactionLagMs, type,
        codec(type).isPresent() && hasLevels(codec(type).get()) ? level : 0, maxDecompressedRecordBytes, segmentJitterMs, flushMessages);
  }

  public LogConfig withMaxDecompressedRecordBytes(int v) {
    return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes, logAppendTime,
        indexIntervalBytes, maxIndexSizeBytes, fileDeleteDelayMs, timestampAfterMaxMs, timestampBeforeMaxMs,
        cleanupPolicy, deleteRetentionMs, minCleanableDirtyRatio, minCompactionLagMs, maxCompactionLagMs,
        compressionType, compressionLevel, v, segmentJitterMs, flushMessages);
  }

  /** The settings that predate compaction; the cleaner settings take Kafka's defaults (cleanup.policy=delete). */
  public LogConfig(int segmentBytes, long segmentMs, long retentionMs, long retentionBytes, int maxMessageBytes,
      boolean logAppendTime, int indexIntervalBytes, int maxIndexSizeBytes, long fileDeleteDelayMs,
      long timestampAfterMaxMs, long timestampBeforeMaxMs) {
    this(segmentBytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes, logAppendTime, indexIntervalBytes,
        maxIndexSizeBytes, fileDeleteDelayMs, timestampAfterMaxMs, timestampBeforeMaxMs, CleanupPolicy.DELETE,
        86_400_000L, 0.5, 0L, Long.MAX_VALUE, "producer", 0, DEFAULT_MAX_DECOMPRESSED_RECORD_BYTES, 0L, Long.MAX_VALUE);
  }

  public static LogConfig defaults() {
    return DEFAULTS;
  }

  /**
   * Builds a config from topic overrides (Kafka key names, string values as in CreateTopics / AlterConfigs);
   * keys not listed fall back to {@code base}; unknown keys are ignored (they belong to other components).
   *
   * @throws IllegalArgumentException on a malformed or out-of-range value
   */
  public static LogConfig fromMap(Map<String, String> overrides, LogConfig base) {
    LogConfig c = base;
    for (Map.Entry<String, String> e : overrides.entrySet()) {
      String v = e.getValue() == null ? null : e.getValue().trim();
      if (v == null) {
        continue;
      }
      try {
        switch (e.getKey()) {
          case SEGMENT_BYTES -> c = c.withSegmentBytes(Integer.parseInt(v));
          case SEGMENT_MS -> c = c.withSegmentMs(Long.parseLong(v));
          case RETENTION_MS -> c = c.withRetentionMs(Long.parseLong(v));
          case RETENTION_BYTES -> c = c.withRetentionBytes(Long.parseLong(v));
          case MAX_MESSAGE_BYTES -> c = c.withMaxMessageBytes(Integer.parseInt(v));
          case MESSAGE_TIMESTAMP_TYPE -> {
            if (!v.equals("CreateTime") && !v.equals("LogAppendTime")) {
              throw new IllegalArgumentException(
                  MESSAGE_TIMESTAMP_TYPE + ": " + v + " (expected: CreateTime or LogAppendTime)");
            }
            c = c.withLogAppendTime(v.equals("LogAppendTime"));
          }
          case INDEX_INTERVAL_BYTES -> c = c.withIndexIntervalBytes(Integer.parseInt(v));
          case SEGMENT_INDEX_BYTES -> c = c.withMaxIndexSizeBytes(Integer.parseInt(v));
          case FILE_DELETE_DELAY_MS -> c = c.withFileDeleteDelayMs(Long.parseLong(v));
          case MESSAGE_TIMESTAMP_AFTER_MAX_MS -> c = c.withTimestampAfterMaxMs(Long.parseLong(v));
          case MESSAGE_TIMESTAMP_BEFORE_MAX_MS -> c = c.withTimestampBeforeMaxMs(Long.parseLong(v));
          case CLEANUP_POLICY -> c = c.withCleanupPolicy(CleanupPolicy.parse(v));
          case DELETE_RETENTION_MS -> c = c.withDeleteRetentionMs(Long.parseLong(v));
          case MIN_CLEANABLE_DIRTY_RATIO -> c = c.withMinCleanableDirtyRatio(Double.parseDouble(v));
          case MIN_COMPACTION_LAG_MS -> c = c.withMinCompactionLagMs(Long.parseLong(v));
          case MAX_COMPACTION_LAG_MS -> c = c.withMaxCompactionLagMs(Long.parseLong(v));
          case COMPRESSION_TYPE -> c = c.withCompressionType(v);
          case MAX_DECOMPRESSED_MESSAGE_BYTES -> c = c.withMaxDecompressedRecordBytes(Integer.parseInt(v));
          case SEGMENT_JITTER_MS -> c = c.withSegmentJitterMs(Long.parseLong(v));
          case FLUSH_MESSAGES -> c = c.withFlushMessages(Long.parseLong(v));
          default -> {
            // not a log setting
          }
        }
      } catch (NumberFormatException ex) {
        throw new IllegalArgumentException(e.getKey() + ": " + v + " (expected: a number)", ex);
      }
    }
    // Only the level of the codec in use matters (compression.gzip.level for gzip, ...).
    String levelKey = "compression." + c.compressionType() + ".level";
    String level = overrides.get(levelKey);
    if (level != null) {
      try {
        c = c.withCompression(c.compressionType(), Integer.parseInt(level.trim()));
      } catch (NumberFormatException ex) {
        throw new IllegalArgumentException(levelKey + ": " + level + " (expected: a number)", ex);
      }
    }
    return c;
  }

  private static void requireAtLeast(String key, long value, long min) {
    if (value < min) {
      throw new IllegalArgumentException(key + ": " + value + " (expected: >= " + min + ")");
    }
  }

  /**
   * segment.ms as rolls apply it: on a compacted topic at most max.compaction.lag.ms, so that records leave the
   * uncleanable active segment in time (KIP-354).
   */
  long maxSegmentMs() {
    return cleanupPolicy.compacts() ? Math.min(segmentMs, maxCompactionLagMs) : segmentMs;
  }

  /** Largest number of entries the offset index of one segment may hold. */
  int maxOffsetIndexEntries() {
    return maxIndexSizeBytes / OffsetIndex.ENTRY_SIZE;
  }

  /**
   * A segment's roll jitter, drawn when it is created or loaded: uniform in [0, min(segment.jitter.ms, segment.ms)),
   * as Kafka's LogConfig.randomSegmentJitter (so at most Integer.MAX_VALUE ms).
   */
  long randomSegmentJitterMs() {
    if (segmentJitterMs == 0) {
      return 0;
    }
    return (ThreadLocalRandom.current().nextInt() & Integer.MAX_VALUE) % Math.min(segmentJitterMs, segmentMs);
  }

  /** Largest number of entries the time index of one segment may hold. */
  int maxTimeIndexEntries() {
    return maxIndexSizeBytes / TimeIndex.ENTRY_SIZE;
  }

  public LogConfig withSegmentBytes(int v) {
    return new LogConfig(v, segmentMs, retentionMs, retentionBytes, maxMessageBytes, logAppendTime,
        indexIntervalBytes, maxIndexSizeBytes, fileDeleteDelayMs, timestampAfterMaxMs, timestampBeforeMaxMs,
        cleanupPolicy, deleteRetentionMs, minCleanableDirtyRatio, minCompactionLagMs, maxCompactionLagMs, compressionType,
        compressionLevel, maxDecompressedRecordBytes, segmentJitterMs, flushMessages);
  }

  public LogConfig withSegmentMs(long v) {
    return new LogConfig(segmentBytes, v, retentionMs, retentionBytes, maxMessageBytes, logAppendTime,
        indexIntervalBytes, maxIndexSizeBytes, fileDeleteDelayMs, timestampAfterMaxMs, timestampBeforeMaxMs,
        cleanupPolicy, deleteRetentionMs, minCleanableDirtyRatio, minCompactionLagMs, maxCompactionLagMs, compressionType,
        compressionLevel, maxDecompressedRecordBytes, segmentJitterMs, flushMessages);
  }

  public LogConfig withRetentionMs(long v) {
    return new LogConfig(segmentBytes, segmentMs, v, retentionBytes, maxMessageBytes, logAppendTime,
        indexIntervalBytes, maxIndexSizeBytes, fileDeleteDelayMs, timestampAfterMaxMs, timestampBeforeMaxMs,
        cleanupPolicy, deleteRetentionMs, minCleanableDirtyRatio, minCompactionLagMs, maxCompactionLagMs, compressionType,
        compressionLevel, maxDecompressedRecordBytes, segmentJitterMs, flushMessages);
  }

  public LogConfig withRetentionBytes(long v) {
    return new LogConfig(segmentBytes, segmentMs, retentionMs, v, maxMessageBytes, logAppendTime,
        indexIntervalBytes, maxIndexSizeBytes, fileDeleteDelayMs, timestampAfterMaxMs, timestampBeforeMaxMs,
        cleanupPolicy, deleteRetentionMs, minCleanableDirtyRatio, minCompactionLagMs, maxCompactionLagMs, compressionType,
        compressionLevel, maxDecompressedRecordBytes, segmentJitterMs, flushMessages);
  }

  public LogConfig withMaxMessageBytes(int v) {
    return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, v, logAppendTime, indexIntervalBytes,
        maxIndexSizeBytes, fileDeleteDelayMs, timestampAfterMaxMs, timestampBeforeMaxMs, cleanupPolicy,
        deleteRetentionMs, minCleanableDirtyRatio, minCompactionLagMs, maxCompactionLagMs, compressionType,
        compressionLevel, maxDecompressedRecordBytes, segmentJitterMs, flushMessages);
  }

  public LogConfig withLogAppendTime(boolean v) {
    return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes, v,
        indexIntervalBytes, maxIndexSizeBytes, fileDeleteDelayMs, timestampAfterMaxMs, timestampBeforeMaxMs,
        cleanupPolicy, deleteRetentionMs, minCleanableDirtyRatio, minCompactionLagMs, maxCompactionLagMs, compressionType,
        compressionLevel, maxDecompressedRecordBytes, segmentJitterMs, flushMessages);
  }

  public LogConfig withIndexIntervalBytes(int v) {
    return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes, logAppendTime, v,
        maxIndexSizeBytes, fileDeleteDelayMs, timestampAfterMaxMs, timestampBeforeMaxMs, cleanupPolicy,
        deleteRetentionMs, minCleanableDirtyRatio, minCompactionLagMs, maxCompactionLagMs, compressionType,
        compressionLevel, maxDecompressedRecordBytes, segmentJitterMs, flushMessages);
  }

  public LogConfig withMaxIndexSizeBytes(int v) {
    return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes, logAppendTime,
        indexIntervalBytes, v, fileDeleteDelayMs, timestampAfterMaxMs, timestampBeforeMaxMs, cleanupPolicy,
        deleteRetentionMs, minCleanableDirtyRatio, minCompactionLagMs, maxCompactionLagMs, compressionType,
        compressionLevel, maxDecompressedRecordBytes, segmentJitterMs, flushMessages);
  }

  public LogConfig withFileDeleteDelayMs(long v) {
    return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes, logAppendTime,
        indexIntervalBytes, maxIndexSizeBytes, v, timestampAfterMaxMs, timestampBeforeMaxMs, cleanupPolicy,
        deleteRetentionMs, minCleanableDirtyRatio, minCompactionLagMs, maxCompactionLagMs, compressionType,
        compressionLevel, maxDecompressedRecordBytes, segmentJitterMs, flushMessages);
  }

  public LogConfig withTimestampAfterMaxMs(long v) {
    return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes, logAppendTime,
        indexIntervalBytes, maxIndexSizeBytes, fileDeleteDelayMs, v, timestampBeforeMaxMs, cleanupPolicy,
        deleteRetentionMs, minCleanableDirtyRatio, minCompactionLagMs, maxCompactionLagMs, compressionType,
        compressionLevel, maxDecompressedRecordBytes, segmentJitterMs, flushMessages);
  }

  public LogConfig withTimestampBeforeMaxMs(long v) {
    return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes, logAppendTime,
        indexIntervalBytes, maxIndexSizeBytes, fileDeleteDelayMs, timestampAfterMaxMs, v, cleanupPolicy,
        deleteRetentionMs, minCleanableDirtyRatio, minCompactionLagMs, maxCompactionLagMs, compressionType,
        compressionLevel, maxDecompressedRecordBytes, segmentJitterMs, flushMessages);
  }

  public LogConfig withCleanupPolicy(CleanupPolicy v) {
    return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes, logAppendTime,
        indexIntervalBytes, maxIndexSizeBytes, fileDeleteDelayMs, timestampAfterMaxMs, timestampBeforeMaxMs, v,
        deleteRetentionMs, minCleanableDirtyRatio, minCompactionLagMs, maxCompactionLagMs, compressionType,
        compressionLevel, maxDecompressedRecordBytes, segmentJitterMs, flushMessages);
  }

  public LogConfig withDeleteRetentionMs(long v) {
    return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes, logAppendTime,
        indexIntervalBytes, maxIndexSizeBytes, fileDeleteDelayMs, timestampAfterMaxMs, timestampBeforeMaxMs,
        cleanupPolicy, v, minCleanableDirtyRatio, minCompactionLagMs, maxCompactionLagMs, compressionType,
        compressionLevel, maxDecompressedRecordBytes, segmentJitterMs, flushMessages);
  }

  public LogConfig withMinCleanableDirtyRatio(double v) {
    return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes, logAppendTime,
        indexIntervalBytes, maxIndexSizeBytes, fileDeleteDelayMs, timestampAfterMaxMs, timestampBeforeMaxMs,
        cleanupPolicy, deleteRetentionMs, v, minCompactionLagMs, maxCompactionLagMs, compressionType,
        compressionLevel, maxDecompressedRecordBytes, segmentJitterMs, flushMessages);
  }

  public LogConfig withMinCompactionLagMs(long v) {
    return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes, logAppendTime,
        indexIntervalBytes, maxIndexSizeBytes, fileDeleteDelayMs, timestampAfterMaxMs, timestampBeforeMaxMs,
        cleanupPolicy, deleteRetentionMs, minCleanableDirtyRatio, v, maxCompactionLagMs, compressionType, compressionLevel,
        maxDecompressedRecordBytes, segmentJitterMs, flushMessages);
  }

  public LogConfig withMaxCompactionLagMs(long v) {
    return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes, logAppendTime,
        indexIntervalBytes, maxIndexSizeBytes, fileDeleteDelayMs, timestampAfterMaxMs, timestampBeforeMaxMs,
        cleanupPolicy, deleteRetentionMs, minCleanableDirtyRatio, minCompactionLagMs, v, compressionType, compressionLevel,
        maxDecompressedRecordBytes, segmentJitterMs, flushMessages);
  }

  public LogConfig withSegmentJitterMs(long v) {
    return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes, logAppendTime,
        indexIntervalBytes, maxIndexSizeBytes, fileDeleteDelayMs, timestampAfterMaxMs, timestampBeforeMaxMs,
        cleanupPolicy, deleteRetentionMs, minCleanableDirtyRatio, minCompactionLagMs, maxCompactionLagMs, compressionType,
        compressionLevel, maxDecompressedRecordBytes, v, flushMessages);
  }

  public LogConfig withFlushMessages(long v) {
    return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes, logAppendTime,
        indexIntervalBytes, maxIndexSizeBytes, fileDeleteDelayMs, timestampAfterMaxMs, timestampBeforeMaxMs,
        cleanupPolicy, deleteRetentionMs, minCleanableDirtyRatio, minCompactionLagMs, maxCompactionLagMs, compressionType,
        compressionLevel, maxDecompressedRecordBytes, segmentJitterMs, v);
  }
}
