package io.gregor.storage;

import io.gregor.storage.LogAppendException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.compress.Compression;
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
 * exactly one batch, no longer than the bytes (bytes after it that cannot be a whole batch are left out, as Kafka
 * trims them), magic 2, baseOffset 0, size <= max.message.bytes, CRC-32C, record count = lastOffsetDelta + 1 (> 0), the records themselves (framing, offset deltas 0..count-1, exactly
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
  private static final int ATTRIBUTES_OFFSET = 21;
  private static final int BASE_TIMESTAMP_OFFSET = 27;
  private static final int RECORDS_OFFSET = 61;
  /** The smallest size a v0 record declares (Kafka's LegacyRecord.RECORD_OVERHEAD_V0). */
  private static final int MIN_LEGACY_RECORD_BYTES = 14;
  /**
   * Decompression buffers kept per thread (lz4 takes the block size the batch declares, up to 4 MiB), as Kafka keeps
   * one supplier per request handler thread; a stream or iterator returns them when closed, and none of ours nest.
   */
  private static final ThreadLocal<BufferSupplier> BUFFERS = ThreadLocal.withInitial(BufferSupplier::create);
  /** snappy-java's stream header: magic (8 bytes), then version and compatible version (int32 each). */
  private static final byte[] SNAPPY_HEADER = {(byte) 0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
  private static final int SNAPPY_HEADER_HEAD = ByteBuffer.wrap(SNAPPY_HEADER).getInt();
  /** More than snappy's densest encoding gives (64 bytes from a 3-byte copy element: 21.3). */
  private static final int SNAPPY_MAX_RATIO = 24;

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
    if (batchSize < LOG_OVERHEAD + MIN_LEGACY_RECORD_BYTES) {
      // As Kafka's ByteBufferLogInputStream: a length no record can have is a corrupt request.
      throw new LogAppendException(Reason.CORRUPT_MESSAGE, "batch length field: " + (batchSize - LOG_OVERHEAD)
          + " (expected: >= " + MIN_LEGACY_RECORD_BYTES + ")");
    }
    if (batchSize < BatchHeader.SIZE || batchSize > total) {
      throw LogAppendException.requestShape("batch length field says " + batchSize
          + " bytes but the partition's records are " + total + " bytes (expected: exactly one batch)");
    }
    throwIfTailIsABatch(buf, start + (int) batchSize, start + total);
    byte magic = buf.get(start + MAGIC_OFFSET);
    if (magic != RecordBatch.MAGIC_VALUE_V2) {
      throw LogAppendException.requestShape("magic: " + magic + " (expected: 2)");
    }
    // As Kafka's UnifiedLog.analyzeAndValidateRecords: a client's base offset before its size and CRC.
    if (buf.getLong(start) != 0) {
      throw new LogAppendException(Reason.INVALID_RECORD, "baseOffset: " + buf.getLong(start) + " (expected: 0)");
    }
    if (batchSize > config.maxMessageBytes()) {
      throw new LogAppendException(Reason.MESSAGE_TOO_LARGE,
          "batch size: " + batchSize + " bytes (expected: <= max.message.bytes " + config.maxMessageBytes() + ")");
    }
    ByteBuffer bytes = buf.slice(start, (int) batchSize);
    if (bytes.isReadOnly()) {
      ByteBuffer copy = ByteBuffer.allocate((int) batchSize);
      copy.put(bytes).flip();
      bytes = copy;
    }
    MemoryRecords exact = MemoryRecords.readableRecords(bytes);
    Iterator<MutableRecordBatch> it = exact.batches().iterator();
    MutableRecordBatch batch = it.next();
    if (!batch.isValid()) {
      throw new LogAppendException(Reason.CORRUPT_MESSAGE, "batch CRC-32C does not match its contents");
    }
    int codec = bytes.getShort(ATTRIBUTES_OFFSET) & 0x07;
    if (codec > CompressionType.ZSTD.id) {
      throw new LogAppendException(Reason.INVALID_RECORD, "compression codec id " + codec + " (expected: 0-4)");
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
        ? walkRecords(new BufferReader(bytes, RECORDS_OFFSET), count, requireKeys, baseTimestamp, Integer.MAX_VALUE)
        : scanCompressed(batch, bytes, count, requireKeys, baseTimestamp, maxRecordBytes);
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
      // As Kafka's LogValidator, one error per record. (Kafka 4.4 lets such a batch onto a CreateTime topic when its
      // max timestamp is in the window, and stores it as CreateTime; refused here, as no client sends one.)
      throw recordErrors(batch, maxRecordBytes, r -> new Problem("Invalid timestamp type in message " + r
          + ". Producer should not set timestamp type to LogAppendTime.", true));
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
    MemoryRecords rebuilt;
    // The builder's codec streams are the broker's own, but a codec that cannot load throws from their constructors.
    try (CloseableIterator<Record> records =
        batch.streamingIterator(BufferSupplier.NO_CACHING, config.maxDecompressedRecordBytes())) {
      ByteBufferOutputStream out = new ByteBufferOutputStream(Math.max(64, batch.sizeInBytes()));
      MemoryRecordsBuilder builder = new MemoryRecordsBuilder(out, RecordBatch.MAGIC_VALUE_V2,
          config.targetCompressionWithLevel(), TimestampType.CREATE_TIME, 0L, RecordBatch.NO_TIMESTAMP, batch.producerId(),
          batch.producerEpoch(), batch.baseSequence(), batch.isTransactional(), false,
          RecordBatch.NO_PARTITION_LEADER_EPOCH, Integer.MAX_VALUE);
      while (records.hasNext()) {
        Record r = records.next();
        builder.appendWithOffset(r.offset(), r.timestamp(), r.key(), r.value(), r.headers());
      }
      rebuilt = builder.build();
    } catch (InvalidRecordException e) {
      throw new LogAppendException(Reason.INVALID_RECORD, e.getMessage());
    } catch (RuntimeException e) {
      throw undecompressable(e);
    } catch (Error e) {
      throw undecompressable(e);
    }
    if (rebuilt.sizeInBytes() > config.maxMessageBytes()) {
      throw new LogAppendException(Reason.MESSAGE_TOO_LARGE, "batch size after recompression to " + target.name
          + ": " + rebuilt.sizeInBytes() + " bytes (expected: <= max.message.bytes " + config.maxMessageBytes() + ")");
    }
    return new ValidatedBatch(rebuilt.batches().iterator().next(), rebuilt);
  }

  /**
   * What may follow the one batch, between {@code from} and {@code end}: as Kafka's ByteBufferLogInputStream reads a
   * produce request's records, bytes that cannot be a whole batch (fewer than a batch's length and magic, or fewer
   * than the length they declare) are left out of the log, a nonsensical length or magic is CORRUPT_MESSAGE, and a
   * whole second batch is refused (one batch per partition).
   */
  private static void throwIfTailIsABatch(ByteBuffer buf, int from, int end) throws LogAppendException {
    int remaining = end - from;
    if (remaining < LOG_OVERHEAD) {
      return;
    }
    int size = buf.getInt(from + LENGTH_OFFSET);
    if (size < MIN_LEGACY_RECORD_BYTES) {
      throw new LogAppendException(Reason.CORRUPT_MESSAGE, "bytes after the batch declare a record size of " + size
          + " (expected: >= " + MIN_LEGACY_RECORD_BYTES + ")");
    }
    if (remaining < MAGIC_OFFSET + 1) {
      return;
    }
    byte magic = buf.get(from + MAGIC_OFFSET);
    if (magic < 0 || magic > RecordBatch.CURRENT_MAGIC_VALUE) {
      throw new LogAppendException(Reason.CORRUPT_MESSAGE, "bytes after the batch declare magic " + magic);
    }
    if (remaining >= (long) size + LOG_OVERHEAD) {
      throw LogAppendException.requestShape("a second record batch (expected: exactly one batch per partition)");
    }
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
    // Keys and values skipped: only their presence, the timestamps and the offsets are needed (the framing was walked).
    try (CloseableIterator<Record> it = batch.skipKeyValueIterator(BUFFERS.get(), maxRecordBytes)) {
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
    } catch (RuntimeException e) {
      throw undecompressable(e);
    } catch (Error e) {
      throw undecompressable(e);
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
   * Walks the framing of every record of a batch (its bytes, or its decompressed stream) so a client cannot make us
   * store bytes consumers cannot parse: each record's length (at most {@code maxRecordBytes},
   * max.decompressed.message.bytes for a compressed batch), attributes, timestamp delta, offset delta (must equal its
   * index), key, value and headers must exactly fill it (the checks of Kafka's DefaultRecord.readFrom), and nothing
   * may follow the last of {@code count} records. Keys and values are skipped, never copied.
   *
   * <pre>
   * record: length varint | attributes int8 | timestampDelta varlong | offsetDelta varint | keyLength varint | key
   *         | valueLength varint | value | headerCount varint | headers: (keyLength varint | key | valueLength varint
   *         | value)*
   * </pre>
   */
  private static TimestampRange walkRecords(RecordReader r, int count, boolean requireKeys, long baseTimestamp,
      int maxRecordBytes) throws LogAppendException {
    TimestampRange range = new TimestampRange();
    int end = r.limit;
    for (int i = 0; i < count; i++) {
      int length = r.readVarint();
      if (r.failed) {
        throw malformed(i, "missing (the batch holds fewer records than its count of " + count + ")");
      }
      if (length > maxRecordBytes) {
        throw new LogAppendException(Reason.INVALID_RECORD, "Invalid record size: " + length
            + " exceeds the configured maximum record size of " + maxRecordBytes + ".");
      }
      if (length <= 0 || length > end - r.pos) {
        throw malformed(i, "length " + length);
      }
      int recordEnd = r.pos + length;
      r.limit = recordEnd;
      r.skip(1); // attributes
      range.add(baseTimestamp + r.readVarlong()); // timestampDelta
      int offsetDelta = r.readVarint();
      if (!r.failed && offsetDelta != i) {
        throw malformed(i, "offsetDelta " + offsetDelta);
      }
      int keyLength = r.skipBytesField(true); // key
      r.skipBytesField(true); // value
      int headers = r.readVarint();
      if (!r.failed && headers < 0) {
        throw malformed(i, "header count " + headers);
      }
      for (int h = 0; h < headers && !r.failed; h++) {
        r.skipBytesField(false); // header key: never null
        r.skipBytesField(true); // header value
      }
      if (r.failed || r.pos != recordEnd) {
        throw malformed(i, r.failed ? "truncated fields" : (recordEnd - r.pos) + " unread bytes");
      }
      if (requireKeys && keyLength < 0) {
        range.keyless = true;
      }
      r.limit = end;
    }
    if (!r.atEnd()) {
      throw new LogAppendException(Reason.INVALID_RECORD, "bytes after the last of " + count + " records (expected: none)");
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
   * Decompresses a batch (as Kafka's LogValidator does for every compressed batch) and walks its records with
   * {@link #walkRecords}: framing, offset deltas, exactly its count of records, none larger than
   * {@code maxRecordBytes} (max.decompressed.message.bytes), their timestamps and keys. Anything wrong, including bytes
   * the codec cannot read, is INVALID_RECORD: the same bytes would fail again, so a retriable code would only make the
   * producer send them until its delivery timeout (Kafka answers bytes that cannot be decompressed with
   * UNKNOWN_SERVER_ERROR, an uncaught exception of its own). A snappy stream's chunk sizes are checked first, since
   * the codec allocates what they declare before reading a byte of them.
   */
  private static TimestampRange scanCompressed(MutableRecordBatch batch, ByteBuffer bytes, int count,
      boolean requireKeys, long baseTimestamp, int maxRecordBytes) throws LogAppendException {
    ByteBuffer payload = bytes.duplicate().position(RECORDS_OFFSET).slice();
    if (batch.compressionType() == CompressionType.SNAPPY) {
      throwIfSnappyChunksImplausible(payload);
    }
    try (InputStream in = Compression.of(batch.compressionType()).build()
        .wrapForInput(payload, RecordBatch.MAGIC_VALUE_V2, BUFFERS.get())) {
      return walkRecords(new StreamReader(in), count, requireKeys, baseTimestamp, maxRecordBytes);
    } catch (IOException | RuntimeException e) {
      throw undecompressable(e);
    } catch (Error e) {
      throw undecompressable(e);
    }
  }

  /**
   * What a codec threw on a client's bytes, as the refusal of the batch: codecs throw what they like on bad input
   * (IOException, KafkaException, NegativeArraySizeException, snappy-java's SnappyError, which is an Error), and all
   * of it means the bytes are not records. The JVM's own errors (out of memory, stack overflow) are rethrown, and a
   * codec that cannot load becomes an IllegalStateException.
   */
  private static LogAppendException undecompressable(Throwable e) {
    if (e instanceof VirtualMachineError vm) {
      throw vm;
    }
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof LinkageError broken) {
        // A codec's native library or class that cannot load (kafka-clients wraps it in a KafkaException) is this
        // broker's fault, whatever the bytes: an unexpected error (UNKNOWN_SERVER_ERROR, logged with its stack) for
        // this partition alone.
        throw new IllegalStateException("compression codec unavailable: " + broken, e);
      }
    }
    return new LogAppendException(Reason.INVALID_RECORD, "records cannot be decompressed: " + e);
  }

  /**
   * The chunks of a snappy-java stream as SnappyInputStream will read them, checked before it allocates what they
   * declare: after the 16-byte header (or, without it, the whole payload as one raw block), each chunk is an int32
   * length and that many bytes, the length positive and within the payload, and the uncompressed length its snappy
   * block starts with no more than {@link #SNAPPY_MAX_RATIO} times its compressed size (snappy cannot expand more:
   * its densest element, a 3-byte copy, stands for 64 bytes).
   */
  private static void throwIfSnappyChunksImplausible(ByteBuffer payload) throws LogAppendException {
    int pos = 0;
    int end = payload.limit();
    boolean framed = end >= SNAPPY_HEADER.length + 8;
    for (int i = 0; framed && i < SNAPPY_HEADER.length; i++) {
      framed = payload.get(i) == SNAPPY_HEADER[i];
    }
    if (!framed) {
      throwIfSnappyBlockImplausible(payload, 0, end);
      return;
    }
    pos = SNAPPY_HEADER.length + 8; // magic, version, compatible version
    while (pos < end) {
      if (end - pos < 4) {
        throw new LogAppendException(Reason.INVALID_RECORD, "snappy stream: " + (end - pos) + " bytes where a chunk length"
            + " belongs");
      }
      int chunk = payload.getInt(pos);
      pos += 4;
      if (chunk == SNAPPY_HEADER_HEAD && end - pos >= 12) { // another stream's header: concatenated streams
        pos += 12;
        continue;
      }
      if (chunk <= 0 || chunk > end - pos) {
        throw new LogAppendException(Reason.INVALID_RECORD, "snappy stream: chunk of " + chunk + " bytes with "
            + (end - pos) + " left");
      }
      throwIfSnappyBlockImplausible(payload, pos, chunk);
      pos += chunk;
    }
  }

  private static void throwIfSnappyBlockImplausible(ByteBuffer payload, int start, int size) throws LogAppendException {
    long declared = 0;
    for (int i = 0; i < 5; i++) {
      if (i >= size) {
        throw new LogAppendException(Reason.INVALID_RECORD, "snappy block of " + size + " bytes without its length");
      }
      int b = payload.get(start + i) & 0xFF;
      declared |= (long) (b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) {
        break;
      }
    }
    if (declared > (long) SNAPPY_MAX_RATIO * size) {
      throw new LogAppendException(Reason.INVALID_RECORD, "snappy block of " + size + " bytes declares " + declared
          + " uncompressed bytes (snappy expands at most " + SNAPPY_MAX_RATIO + " times)");
    }
  }

  private static LogAppendException malformed(int index, String what) {
    return new LogAppendException(Reason.INVALID_RECORD, "record " + index + " is malformed: " + what);
  }

  /**
   * Bounds-checked zigzag varint reader over a batch's records; sets {@code failed} instead of throwing. {@code pos}
   * counts the bytes read, {@code limit} is where the current record (or the records) end.
   */
  private abstract static class RecordReader {
    int pos;
    int limit;
    boolean failed;

    /** The byte at {@code pos} (which is below {@code limit}), or -1 when the data ends there. */
    abstract int next();

    /** Passes over {@code n} bytes from {@code pos} (all below {@code limit}); false when the data ends first. */
    abstract boolean pass(int n);

    /** Whether the data ends where the last record ended. */
    abstract boolean atEnd();

    final void skip(int n) {
      if (n < 0 || n > limit - pos || !pass(n)) {
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
    final int skipBytesField(boolean nullable) {
      int len = readVarint();
      if (len < 0 && nullable) {
        return -1; // any negative length is null, as kafka-clients' DefaultRecord reads it (consumers too)
      }
      if (len < 0) {
        failed = true;
        pos = limit;
        return len;
      }
      if (len > 0) {
        skip(len);
      }
      return len;
    }

    /** As Kafka's ByteUtils.readVarint: the fifth byte's bits above the 32nd are dropped before the zigzag. */
    final int readVarint() {
      int raw = (int) readRaw(5);
      return (raw >>> 1) ^ -(raw & 1);
    }

    final long readVarlong() {
      long v = readRaw(10);
      return (v >>> 1) ^ -(v & 1);
    }

    private long readRaw(int maxBytes) {
      long value = 0;
      for (int i = 0; i < maxBytes; i++) {
        int b = pos < limit ? next() : -1;
        if (b < 0) {
          failed = true;
          pos = limit;
          return 0;
        }
        pos++;
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

  /** The records of an uncompressed batch, in its bytes. */
  private static final class BufferReader extends RecordReader {
    private final ByteBuffer buf;

    BufferReader(ByteBuffer buf, int start) {
      this.buf = buf;
      this.pos = start;
      this.limit = buf.limit();
    }

    @Override
    int next() {
      return buf.get(pos) & 0xFF;
    }

    @Override
    boolean pass(int n) {
      return true;
    }

    @Override
    boolean atEnd() {
      return pos == buf.limit();
    }
  }

  /**
   * The records of a compressed batch, as its codec decompresses them, read through a buffer of its own (a codec's
   * single-byte read can cost a call into its decompressor per byte).
   */
  private static final class StreamReader extends RecordReader {
    private final InputStream in;
    private final byte[] buffer = new byte[8192];
    private int start;
    private int end;

    StreamReader(InputStream in) {
      this.in = in;
      this.limit = Integer.MAX_VALUE;
    }

    /** Refills the buffer; false at the end of the stream. */
    private boolean fill() {
      try {
        int read;
        do { // an empty lz4 block reads as 0 bytes: not the end of the stream
          read = in.read(buffer, 0, buffer.length);
        } while (read == 0);
        start = 0;
        end = Math.max(read, 0);
        return read > 0;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    int next() {
      if (start == end && !fill()) {
        return -1;
      }
      return buffer[start++] & 0xFF;
    }

    @Override
    boolean pass(int n) {
      while (n > 0) {
        if (start == end && !fill()) {
          return false;
        }
        int taken = Math.min(n, end - start);
        start += taken;
        n -= taken;
      }
      return true;
    }

    @Override
    boolean atEnd() {
      return start == end && !fill();
    }
  }
}
