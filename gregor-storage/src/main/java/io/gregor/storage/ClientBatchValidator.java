package io.gregor.storage;

import io.gregor.storage.LogAppendException.Reason;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.apache.kafka.common.utils.internals.ByteBufferOutputStream;
import org.apache.kafka.common.utils.internals.CloseableIterator;

/**
 * Validates the bytes a client sent for one partition before anything is locked or written (Kafka's
 * ProduceRequest / LogValidator rules, PROTOCOL.md 2.5), in this order, failing on the first violation:
 * exactly one batch whose declared length matches the bytes, magic 2, size <= max.message.bytes, CRC-32C, baseOffset
 * 0, record count = lastOffsetDelta + 1 (> 0), the records themselves (framing, offset deltas 0..count-1, exactly
 * count of them; a compressed batch is decompressed for this, as Kafka does for every compressed batch, and none of
 * its records may be larger than max.decompressed.message.bytes), not a control batch, producerId => baseSequence
 * >= 0, no client-set LogAppendTime, on a CreateTime topic every record's timestamp (but -1) within
 * message.timestamp.before/after.max.ms of now, and on a compacted topic every record has a key (Kafka's
 * LogValidator: "Compacted topic cannot accept message without key"). As Kafka's LogValidator does, the header's
 * maxTimestamp is rewritten to the records' newest timestamp where the client wrote another one (Sarama 1.22 writes
 * -1 there), so a header cannot hide a record's timestamp from the window, the time index or retention.
 *
 * <p>Stateless and thread-safe; runs on the caller's thread. The batch is returned over a private, writable copy
 * of its bytes only when the caller's buffer is read-only; otherwise the caller's bytes are rewritten in place.
 */
final class ClientBatchValidator {
  private static final int LOG_OVERHEAD = 12;
  private static final int LENGTH_OFFSET = 8;
  private static final int MAGIC_OFFSET = 16;
  private static final int BASE_TIMESTAMP_OFFSET = 27;
  private static final int RECORDS_OFFSET = 61;
  /**
   * Decompression buffers kept per thread (lz4 and zstd take 64-128 KiB per batch), as Kafka keeps one supplier per
   * request handler thread; an iterator returns them when closed, and none of ours nest.
   */
  private static final ThreadLocal<BufferSupplier> BUFFERS = ThreadLocal.withInitial(BufferSupplier::create);

  private ClientBatchValidator() {
  }

  /** A validated batch and the exact bytes to write. */
  record ValidatedBatch(MutableRecordBatch batch, MemoryRecords bytes) {
  }

  static ValidatedBatch validate(MemoryRecords records, LogConfig config, long nowMs, String partitionName)
      throws LogAppendException {
    ByteBuffer buf = records.buffer();
    int total = buf.remaining();
    if (total < BatchHeader.SIZE) {
      throw LogAppendException.requestShape(
          "records: " + total + " bytes (expected: exactly one record batch of >= " + BatchHeader.SIZE + " bytes)");
    }
    int start = buf.position();
    long batchSize = (long) buf.getInt(start + LENGTH_OFFSET) + LOG_OVERHEAD;
    if (batchSize != total) {
      throw LogAppendException.requestShape("batch length field says " + batchSize
          + " bytes but the partition's records are " + total + " bytes (expected: exactly one batch)");
    }
    byte magic = buf.get(start + MAGIC_OFFSET);
    if (magic != RecordBatch.MAGIC_VALUE_V2) {
      throw LogAppendException.requestShape("magic: " + magic + " (expected: 2)");
    }
    if (batchSize > config.maxMessageBytes()) {
      throw new LogAppendException(Reason.MESSAGE_TOO_LARGE,
          "batch size: " + batchSize + " bytes (expected: <= max.message.bytes " + config.maxMessageBytes() + ")");
    }
    ByteBuffer bytes = buf.slice(start, total);
    if (bytes.isReadOnly()) {
      ByteBuffer copy = ByteBuffer.allocate(total);
      copy.put(bytes).flip();
      bytes = copy;
    }
    MemoryRecords exact = MemoryRecords.readableRecords(bytes);
    Iterator<MutableRecordBatch> it = exact.batches().iterator();
    MutableRecordBatch batch = it.next();
    if (!batch.isValid()) {
      throw new LogAppendException(Reason.CORRUPT_MESSAGE, "batch CRC-32C does not match its contents");
    }
    if (batch.baseOffset() != 0) {
      throw new LogAppendException(Reason.INVALID_RECORD, "baseOffset: " + batch.baseOffset() + " (expected: 0)");
    }
    long countFromOffsets = batch.lastOffset() - batch.baseOffset() + 1;
    Integer count = batch.countOrNull();
    if (countFromOffsets <= 0 || count == null || count <= 0 || count != countFromOffsets) {
      throw new LogAppendException(Reason.INVALID_RECORD, "record count: " + count
          + " (expected: lastOffsetDelta + 1 = " + countFromOffsets + ", > 0)");
    }
    boolean requireKeys = config.cleanupPolicy().compacts();
    Optional<CompressionType> target = config.targetCompression();
    boolean needsRecompression = target.isPresent() && target.get() != batch.compressionType();
    int maxRecordBytes = config.maxDecompressedRecordBytes();
    // On a LogAppendTime topic the broker replaces every timestamp: Kafka checks none of the client's.
    boolean topicCreateTime = !config.logAppendTime();
    long baseTimestamp = bytes.getLong(BASE_TIMESTAMP_OFFSET);
    long headerMax = batch.maxTimestamp();
    // The records' timestamps, and whether one lacks a key (looked for on a compacted topic only).
    TimestampRange timestamps = batch.compressionType() == CompressionType.NONE
        ? throwIfRecordsMalformed(bytes, count, requireKeys, baseTimestamp)
        : scanCompressed(batch, requireKeys, maxRecordBytes);
    boolean keyless = timestamps.keyless;
    if (keyless && !topicCreateTime) {
      throw recordErrors(batch, maxRecordBytes, r -> r.hasKey() ? null : new Problem(keyError(partitionName), false));
    }
    if (batch.isControlBatch()) {
      throw new LogAppendException(Reason.INVALID_RECORD, "control batches may not be produced by clients");
    }
    if (batch.producerId() >= 0 && batch.baseSequence() < 0) {
      throw new LogAppendException(Reason.INVALID_RECORD, "producerId " + batch.producerId()
          + " with baseSequence: " + batch.baseSequence() + " (expected: >= 0)");
    }
    if (batch.timestampType() != TimestampType.CREATE_TIME) {
      throw new LogAppendException(Reason.INVALID_TIMESTAMP,
          "timestampType: LogAppendTime (expected: CreateTime; only the broker sets LogAppendTime)");
    }
    if (topicCreateTime) {
      // As Kafka's LogValidator: every record's timestamp other than NO_TIMESTAMP (-1) must lie in the window, and
      // the stored header carries the records' newest timestamp whatever the client wrote there (the time index,
      // ListOffsets by time and retention read it).
      long earliest = saturatedSubtract(nowMs, config.timestampBeforeMaxMs());
      long latest = saturatedAdd(nowMs, config.timestampAfterMaxMs());
      long newest = timestamps.newest;
      long oldest = timestamps.oldest();
      if (keyless || (newest != RecordBatch.NO_TIMESTAMP && newest > latest)
          || (oldest != RecordBatch.NO_TIMESTAMP && oldest < earliest)) {
        // One error per record, its key first (Kafka's validateRecord), and INVALID_TIMESTAMP if any is a timestamp.
        throw recordErrors(batch, maxRecordBytes, r -> {
          if (keyless && !r.hasKey()) {
            return new Problem(keyError(partitionName), false);
          }
          long ts = r.timestamp();
          return ts == RecordBatch.NO_TIMESTAMP || (ts >= earliest && ts <= latest) ? null : new Problem("Timestamp " + ts
              + " of message with offset " + r.offset() + " is out of range. The timestamp should be within ["
              + earliest + ", " + latest + "]", true);
        });
      }
      if (newest != headerMax) {
        batch.setMaxTimestamp(TimestampType.CREATE_TIME, newest); // rewrites the CRC too
      }
    }
    if (needsRecompression) {
      // Only the codec decides, as in Kafka's LogValidator: a batch already in the topic's codec is kept even when
      // the producer used another level than compression.<codec>.level.
      return recompress(batch, target.get(), config);
    }
    return new ValidatedBatch(batch, exact);
  }

  /**
   * The batch rewritten with the topic's codec ({@code compression.type}), as Kafka's LogValidator does: same
   * producer id, epoch, base sequence, transactional flag and records (timestamps, keys, values, headers, offset
   * deltas), at the topic's compression level (KIP-390); the rewritten size must still fit max.message.bytes.
   */
  private static ValidatedBatch recompress(MutableRecordBatch batch, CompressionType target, LogConfig config)
      throws LogAppendException {
    ByteBufferOutputStream out = new ByteBufferOutputStream(Math.max(64, batch.sizeInBytes()));
    MemoryRecordsBuilder builder = new MemoryRecordsBuilder(out, RecordBatch.MAGIC_VALUE_V2,
        config.targetCompressionWithLevel(), TimestampType.CREATE_TIME, 0L, RecordBatch.NO_TIMESTAMP, batch.producerId(),
        batch.producerEpoch(), batch.baseSequence(), batch.isTransactional(), false,
        RecordBatch.NO_PARTITION_LEADER_EPOCH, Integer.MAX_VALUE);
    try (CloseableIterator<Record> records =
        batch.streamingIterator(BufferSupplier.NO_CACHING, config.maxDecompressedRecordBytes())) {
      while (records.hasNext()) {
        Record r = records.next();
        builder.appendWithOffset(r.offset(), r.timestamp(), r.key(), r.value(), r.headers());
      }
    } catch (InvalidRecordException e) {
      throw new LogAppendException(Reason.INVALID_RECORD, e.getMessage());
    } catch (RuntimeException e) {
      throw new LogAppendException(Reason.INVALID_RECORD, "records cannot be decompressed: " + e.getMessage());
    }
    MemoryRecords rebuilt = builder.build();
    if (rebuilt.sizeInBytes() > config.maxMessageBytes()) {
      throw new LogAppendException(Reason.MESSAGE_TOO_LARGE, "batch size after recompression to " + target.name
          + ": " + rebuilt.sizeInBytes() + " bytes (expected: <= max.message.bytes " + config.maxMessageBytes() + ")");
    }
    return new ValidatedBatch(rebuilt.batches().iterator().next(), rebuilt);
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }

  private static String keyError(String partitionName) {
    return "Compacted topic cannot accept message without key in topic partition " + partitionName;
  }

  /** What is wrong with one record, and whether it is its timestamp. */
  private record Problem(String message, boolean timestamp) {
  }

  /**
   * The refusal of a batch for rules about single records, as Kafka's LogValidator words it: every record
   * {@code problem} has something to say about (else null) as a record error, and one message for the batch;
   * INVALID_TIMESTAMP when any of them is about a timestamp, else INVALID_RECORD.
   */
  private static LogAppendException recordErrors(MutableRecordBatch batch, int maxRecordBytes,
      Function<Record, Problem> problem) throws LogAppendException {
    List<LogAppendException.RecordError> errors = new ArrayList<>();
    Reason reason = Reason.INVALID_RECORD;
    try (CloseableIterator<Record> it = batch.streamingIterator(BufferSupplier.NO_CACHING, maxRecordBytes)) {
      while (it.hasNext()) {
        Record record = it.next();
        Problem found = problem.apply(record);
        if (found != null) {
          errors.add(new LogAppendException.RecordError((int) (record.offset() - batch.baseOffset()), found.message()));
          if (found.timestamp()) {
            reason = Reason.INVALID_TIMESTAMP;
          }
        }
      }
    } catch (KafkaException e) {
      throw new LogAppendException(Reason.INVALID_RECORD, "records cannot be read: " + e.getMessage());
    }
    String message = reason == Reason.INVALID_TIMESTAMP ? "One or more records have been rejected due to invalid timestamp"
        : "One or more records have been rejected due to " + errors.size() + " record errors in total, and only showing"
            + " the first three errors at most: " + errors.subList(0, Math.min(3, errors.size()));
    return new LogAppendException(reason, message, errors);
  }

  private static long saturatedSubtract(long a, long b) {
    long r = a - b;
    return ((a ^ b) & (a ^ r)) < 0 ? Long.MIN_VALUE : r;
  }

  /**
   * Walks the framing of every record of an uncompressed batch so a client cannot make us store bytes consumers
   * cannot parse: each record's length, attributes, timestamp delta, offset delta (must equal its index), key,
   * value and headers must exactly fill the batch (the checks of Kafka's DefaultRecord.readFrom).
   *
   * <pre>
   * record: length varint | attributes int8 | timestampDelta varlong | offsetDelta varint | keyLength varint | key
   *         | valueLength varint | value | headerCount varint | headers: (keyLength varint | key | valueLength varint
   *         | value)*
   * </pre>
   */
  private static TimestampRange throwIfRecordsMalformed(ByteBuffer batch, int count, boolean requireKeys, long baseTimestamp)
      throws LogAppendException {
    VarintReader r = new VarintReader(batch, RECORDS_OFFSET);
    TimestampRange range = new TimestampRange();
    for (int i = 0; i < count; i++) {
      int length = r.readVarint();
      if (length <= 0 || length > batch.limit() - r.pos) {
        throw malformed(i, "length " + length);
      }
      int end = r.pos + length;
      r.limit = end;
      r.skip(1); // attributes
      range.add(baseTimestamp + r.readVarlong()); // timestampDelta
      int offsetDelta = r.readVarint();
      if (offsetDelta != i) {
        throw malformed(i, "offsetDelta " + offsetDelta);
      }
      int keyLength = r.skipBytesField(true); // key
      r.skipBytesField(true); // value
      int headers = r.readVarint();
      if (headers < 0) {
        throw malformed(i, "header count " + headers);
      }
      for (int h = 0; h < headers; h++) {
        r.skipBytesField(false); // header key: never null
        r.skipBytesField(true); // header value
      }
      if (r.failed || r.pos != end) {
        throw malformed(i, r.failed ? "truncated fields" : (end - r.pos) + " unread bytes");
      }
      if (requireKeys && keyLength < 0) {
        range.keyless = true;
      }
      r.limit = batch.limit();
    }
    if (r.pos != batch.limit()) {
      throw new LogAppendException(Reason.INVALID_RECORD,
          (batch.limit() - r.pos) + " bytes after the last of " + count + " records (expected: 0)");
    }
    return range;
  }

  /**
   * The oldest record timestamp other than NO_TIMESTAMP and the newest one, as Kafka's LogValidator counts them: the
   * newest starts at NO_TIMESTAMP (a batch of records without timestamps keeps -1), NO_TIMESTAMP is never "oldest".
   */
  private static final class TimestampRange {
    private long oldestSeen = Long.MAX_VALUE;
    long newest = RecordBatch.NO_TIMESTAMP;
    /** A record without a key was seen (only looked for on a compacted topic). */
    boolean keyless;

    void add(long timestamp) {
      if (timestamp != RecordBatch.NO_TIMESTAMP) {
        oldestSeen = Math.min(oldestSeen, timestamp);
      }
      newest = Math.max(newest, timestamp);
    }

    /** The oldest timestamp other than NO_TIMESTAMP; NO_TIMESTAMP when no record has one. */
    long oldest() {
      return oldestSeen == Long.MAX_VALUE ? RecordBatch.NO_TIMESTAMP : oldestSeen;
    }
  }

  /**
   * Decompresses a batch and reads its records as Kafka's LogValidator does for every compressed batch, keys and
   * values skipped: their timestamps, whether one lacks a key (when {@code requireKeys}), offset deltas 0..count-1,
   * and that the batch holds exactly its declared count of records ("Incorrect declared batch size" from
   * kafka-clients' iterator either way), none of them larger than {@code maxRecordBytes}
   * (max.decompressed.message.bytes: "Invalid record size: N exceeds the configured maximum record size of M.").
   * Anything wrong is INVALID_RECORD: the same bytes would fail again, so a retriable code would only make the
   * producer send them until its delivery timeout (Kafka answers bytes that cannot be decompressed with
   * UNKNOWN_SERVER_ERROR, an uncaught exception of its own).
   */
  private static TimestampRange scanCompressed(MutableRecordBatch batch, boolean requireKeys, int maxRecordBytes)
      throws LogAppendException {
    int index = 0;
    TimestampRange range = new TimestampRange();
    try (CloseableIterator<Record> it = batch.skipKeyValueIterator(BUFFERS.get(), maxRecordBytes)) {
      while (it.hasNext()) {
        Record record = it.next();
        if (record.offset() - batch.baseOffset() != index) {
          throw malformed(index, "offsetDelta " + (record.offset() - batch.baseOffset()));
        }
        if (requireKeys && !record.hasKey()) {
          range.keyless = true;
        }
        range.add(record.timestamp());
        index++;
      }
    } catch (InvalidRecordException e) {
      throw new LogAppendException(Reason.INVALID_RECORD, e.getMessage());
    } catch (KafkaException e) {
      throw new LogAppendException(Reason.INVALID_RECORD, "record " + index + " cannot be decompressed: "
          + e.getMessage());
    }
    return range;
  }

  private static LogAppendException malformed(int index, String what) {
    return new LogAppendException(Reason.INVALID_RECORD, "record " + index + " is malformed: " + what);
  }

  /** Bounds-checked zigzag varint reader; sets {@code failed} instead of throwing. */
  private static final class VarintReader {
    private final ByteBuffer buf;
    int pos;
    int limit;
    boolean failed;

    VarintReader(ByteBuffer buf, int pos) {
      this.buf = buf;
      this.pos = pos;
      this.limit = buf.limit();
    }

    void skip(int n) {
      if (n < 0 || n > limit - pos) {
        failed = true;
        pos = limit;
      } else {
        pos += n;
      }
    }

    /**
     * Skips a length-prefixed bytes field and returns its length (-1 = null); length -1 is allowed only when
     * {@code nullable}.
     */
    int skipBytesField(boolean nullable) {
      int len = readVarint();
      if (len < -1 || (len == -1 && !nullable)) {
        failed = true;
        pos = limit;
        return len;
      }
      if (len > 0) {
        skip(len);
      }
      return len;
    }

    int readVarint() {
      long v = readRaw(5);
      return (int) ((v >>> 1) ^ -(v & 1));
    }

    long readVarlong() {
      long v = readRaw(10);
      return (v >>> 1) ^ -(v & 1);
    }

    private long readRaw(int maxBytes) {
      long value = 0;
      for (int i = 0; i < maxBytes; i++) {
        if (pos >= limit) {
          failed = true;
          return 0;
        }
        byte b = buf.get(pos++);
        value |= (long) (b & 0x7F) << (7 * i);
        if ((b & 0x80) == 0) {
          return value;
        }
      }
      failed = true;
      pos = limit;
      return 0;
    }
  }
}
