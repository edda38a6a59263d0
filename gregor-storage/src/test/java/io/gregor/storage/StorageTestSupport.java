package io.gregor.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.record.internal.SimpleRecord;

/** Batch builders and read helpers shared by the storage tests. */
final class StorageTestSupport {
  private StorageTestSupport() {
  }

  /** A record as read back: offset, timestamp, key, value. */
  record ReadRecord(long offset, long timestamp, String key, String value) {
  }

  static SimpleRecord rec(long timestamp, String key, String value) {
    return new SimpleRecord(timestamp, bytes(key), bytes(value));
  }

  static SimpleRecord rec(long timestamp, String key, String value, Header... headers) {
    return new SimpleRecord(timestamp, bytes(key), bytes(value), headers);
  }

  /** A client batch (baseOffset 0, CreateTime) of values, all with {@code timestamp}. */
  static MemoryRecords batch(long timestamp, String... values) {
    SimpleRecord[] records = new SimpleRecord[values.length];
    for (int i = 0; i < values.length; i++) {
      records[i] = rec(timestamp, "k" + i, values[i]);
    }
    return MemoryRecords.withRecords(Compression.NONE, records);
  }

  static MemoryRecords idempotentBatch(long producerId, short epoch, int baseSequence, long timestamp,
      String... values) {
    SimpleRecord[] records = new SimpleRecord[values.length];
    for (int i = 0; i < values.length; i++) {
      records[i] = rec(timestamp, "k" + i, values[i]);
    }
    return MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, epoch, baseSequence, records);
  }

  /** A client batch of (key, value) pairs, each record with one header; a null value is a tombstone. */
  static MemoryRecords keyed(Compression compression, long timestamp, String... keysAndValues) {
    SimpleRecord[] records = new SimpleRecord[keysAndValues.length / 2];
    for (int i = 0; i < records.length; i++) {
      records[i] = new SimpleRecord(timestamp, bytes(keysAndValues[2 * i]), bytes(keysAndValues[2 * i + 1]),
          new RecordHeader[] {new RecordHeader("h", bytes("hv" + i))});
    }
    return MemoryRecords.withRecords(compression, records);
  }

  /** Base offset of the active (last) segment. */
  static long activeBase(PartitionLog log) {
    long base = -1;
    for (LogSegment s : log.segments()) {
      base = s.baseOffset();
    }
    return base;
  }

  /** A batch whose value is {@code size} bytes of filler, to fill segments quickly. */
  static MemoryRecords bigBatch(long timestamp, int size) {
    byte[] value = new byte[size];
    return MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(timestamp, null, value));
  }

  static byte[] bytes(String s) {
    return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
  }

  static String string(ByteBuffer buf) {
    if (buf == null) {
      return null;
    }
    byte[] b = new byte[buf.remaining()];
    buf.duplicate().get(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  static List<ReadRecord> records(Records records) {
    List<ReadRecord> out = new ArrayList<>();
    for (RecordBatch batch : records.batches()) {
      for (Record r : batch) {
        out.add(new ReadRecord(r.offset(), r.timestamp(), string(r.key()), string(r.value())));
      }
    }
    return out;
  }

  /**
   * Reads the whole log from logStartOffset with small fetches as a consumer does: the next fetch starts after the
   * last batch returned, records or not (the cleaner keeps some batches empty), and every fetch must make progress.
   */
  static List<ReadRecord> readAll(PartitionLog log) throws OffsetOutOfRangeException {
    List<ReadRecord> out = new ArrayList<>();
    long offset = log.logStartOffset();
    while (offset < log.logEndOffset()) {
      long next = offset;
      for (RecordBatch batch : log.read(offset, 1024, Long.MAX_VALUE, true).records().batches()) {
        for (Record r : batch) {
          if (r.offset() >= offset) {
            out.add(new ReadRecord(r.offset(), r.timestamp(), string(r.key()), string(r.value())));
          }
        }
        next = batch.lastOffset() + 1;
      }
      assertThat(next).as("position after a fetch at offset %d (log end offset %d)", offset, log.logEndOffset())
          .isGreaterThan(offset);
      offset = next;
    }
    return out;
  }

  static List<String> values(List<ReadRecord> records) {
    List<String> out = new ArrayList<>();
    for (ReadRecord r : records) {
      out.add(r.value());
    }
    return out;
  }

  /** Copies a directory tree as it is now (what a SIGKILL at this moment would leave on disk). */
  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }
}
