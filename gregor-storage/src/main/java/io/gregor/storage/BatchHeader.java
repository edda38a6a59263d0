package io.gregor.storage;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * A reusable view of one record batch header read from a segment file with a positional read. Used by reads,
 * timestamp searches, recovery and producer-state replay to walk a segment batch by batch without loading records.
 * Not thread-safe: each caller uses its own instance.
 *
 * <pre>
 * Record batch v2 (magic 2) header, big-endian; the CRC-32C covers attributes .. end of batch:
 *  0 baseOffset int64 | 8 length int32 (bytes after this field) | 12 partitionLeaderEpoch int32 | 16 magic int8
 * 17 crc uint32 | 21 attributes int16 (bits 0-2 codec, 3 timestampType, 4 transactional, 5 control,
 *                                      6 delete horizon: baseTimestamp is then the KIP-534 horizon)
 * 23 lastOffsetDelta int32 | 27 baseTimestamp int64 | 35 maxTimestamp int64 | 43 producerId int64
 * 51 producerEpoch int16 | 53 baseSequence int32 | 57 recordCount int32 | 61 records...
 * </pre>
 */
final class BatchHeader {
  static final int SIZE = 61;
  private static final int LENGTH_OFFSET = 8;
  private static final int EPOCH_OFFSET = 12;
  private static final int MAGIC_OFFSET = 16;
  private static final int CRC_OFFSET = 17;
  private static final int ATTRIBUTES_OFFSET = 21;
  private static final int LAST_OFFSET_DELTA_OFFSET = 23;
  private static final int BASE_TIMESTAMP_OFFSET = 27;
  private static final int MAX_TIMESTAMP_OFFSET = 35;
  private static final int PRODUCER_ID_OFFSET = 43;
  private static final int PRODUCER_EPOCH_OFFSET = 51;
  private static final int BASE_SEQUENCE_OFFSET = 53;
  private static final int RECORD_COUNT_OFFSET = 57;
  private static final int LOG_OVERHEAD = 12;

  /** Result of {@link #read}. */
  enum Status { OK, END, TORN, CORRUPT }

  private final ByteBuffer buf = ByteBuffer.allocate(SIZE);
  private int position;
  private String problem = "";

  /**
   * Reads the header of the batch starting at {@code position}, looking only at bytes before {@code limit}.
   * END: position == limit. TORN: the header or the batch runs past limit. CORRUPT: impossible length or magic != 2.
   */
  Status read(FileChannel channel, int position, int limit) throws IOException {
    this.position = position;
    if (position == limit) {
      return Status.END;
    }
    if (limit - position < SIZE) {
      problem = "partial batch header: " + (limit - position) + " bytes (expected: >= " + SIZE + ")";
      return Status.TORN;
    }
    buf.clear();
    readFully(channel, buf, position);
    int length = buf.getInt(LENGTH_OFFSET);
    if (length < SIZE - LOG_OVERHEAD) {
      problem = "batch length: " + length + " (expected: >= " + (SIZE - LOG_OVERHEAD) + ")";
      return Status.CORRUPT;
    }
    if ((long) limit - position - LOG_OVERHEAD < length) {
      problem = "batch length: " + length + " runs past the end of the file (" + (limit - position - LOG_OVERHEAD)
          + " bytes left)";
      return Status.TORN;
    }
    if (buf.get(MAGIC_OFFSET) != RecordBatch.MAGIC_VALUE_V2) {
      problem = "magic: " + buf.get(MAGIC_OFFSET) + " (expected: 2)";
      return Status.CORRUPT;
    }
    if (buf.getInt(LAST_OFFSET_DELTA_OFFSET) < 0) {
      problem = "lastOffsetDelta: " + buf.getInt(LAST_OFFSET_DELTA_OFFSET) + " (expected: >= 0)";
      return Status.CORRUPT;
    }
    return Status.OK;
  }

  /** Why the last {@link #read} did not return OK. */
  String problem() {
    return problem;
  }

  /** Verifies the CRC-32C of the batch whose header was just read, streaming through {@code scratch}. */
  boolean crcValid(FileChannel channel, ByteBuffer scratch) throws IOException {
    CRC32C crc = new CRC32C();
    long pos = (long) position + ATTRIBUTES_OFFSET;
    long end = (long) position + batchSize();
    while (pos < end) {
      scratch.clear();
      scratch.limit((int) Math.min(scratch.capacity(), end - pos));
      readFully(channel, scratch, pos); // leaves scratch flipped, ready to read
      crc.update(scratch);
      pos += scratch.limit();
    }
    return crc.getValue() == (buf.getInt(CRC_OFFSET) & 0xFFFFFFFFL);
  }

  /** Fills {@code dst} from {@code position}, then flips it. */
  static void readFully(FileChannel channel, ByteBuffer dst, long position) throws IOException {
    long pos = position;
    while (dst.hasRemaining()) {
      int n = channel.read(dst, pos);
      if (n < 0) {
        throw new EOFException("unexpected end of " + channel + " at position " + pos);
      }
      pos += n;
    }
    dst.flip();
  }

  int position() {
    return position;
  }

  int batchSize() {
    return buf.getInt(LENGTH_OFFSET) + LOG_OVERHEAD;
  }

  int nextPosition() {
    return position + batchSize();
  }

  long baseOffset() {
    return buf.getLong(0);
  }

  long lastOffset() {
    return baseOffset() + buf.getInt(LAST_OFFSET_DELTA_OFFSET);
  }

  int partitionLeaderEpoch() {
    return buf.getInt(EPOCH_OFFSET);
  }

  boolean isControl() {
    return (buf.getShort(ATTRIBUTES_OFFSET) & 0x20) != 0;
  }

  TimestampType timestampType() {
    return (buf.getShort(ATTRIBUTES_OFFSET) & 0x08) != 0 ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME;
  }

  long baseTimestamp() {
    return buf.getLong(BASE_TIMESTAMP_OFFSET);
  }

  long maxTimestamp() {
    return buf.getLong(MAX_TIMESTAMP_OFFSET);
  }

  long producerId() {
    return buf.getLong(PRODUCER_ID_OFFSET);
  }

  short producerEpoch() {
    return buf.getShort(PRODUCER_EPOCH_OFFSET);
  }

  int baseSequence() {
    return buf.getInt(BASE_SEQUENCE_OFFSET);
  }

  int lastSequence() {
    int base = baseSequence();
    return base == RecordBatch.NO_SEQUENCE ? RecordBatch.NO_SEQUENCE
        : DefaultRecordBatch.incrementSequence(base, buf.getInt(LAST_OFFSET_DELTA_OFFSET));
  }

  int recordCount() {
    return buf.getInt(RECORD_COUNT_OFFSET);
  }
}
