package io.gregor.storage;

import static io.gregor.storage.StorageTestSupport.rec;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records whose timestamp is NO_TIMESTAMP (-1) in a CreateTime batch (a raw client, or an old one, sends them; Kafka's
 * LogValidator accepts them on a CreateTime topic: validateTimestamp skips -1), and what the time index, ListOffsets
 * MAX_TIMESTAMP and ListOffsets by timestamp make of them, compared with Kafka 4.4.
 */
@Timeout(60)
class NoTimestampKafkaParityTest {
  @TempDir
  Path dir;

  private final long now = System.currentTimeMillis();

  private static MemoryRecords noTimestamps(String... values) {
    List<org.apache.kafka.common.record.internal.SimpleRecord> records = new ArrayList<>();
    for (String v : values) {
      records.add(rec(RecordBatch.NO_TIMESTAMP, "k", v));
    }
    return MemoryRecords.withRecords(Compression.NONE,
        records.toArray(new org.apache.kafka.common.record.internal.SimpleRecord[0]));
  }

  /**
   * Kafka 4.4 TimeIndex.maybeAppend appends an entry only when its timestamp is larger than the last entry's, and an
   * empty time index's last entry is (NO_TIMESTAMP, baseOffset) (TimeIndex.lastEntry): "If all the messages are in
   * message format v0, the timestamp will always be NoTimestamp. In that case, the time index will be empty." So
   * LogSegment.append, indexing batches that carry no timestamp (maxTimestampSoFar -1), writes no time index entry,
   * and onBecomeInactiveSegment / close add none either: the segment's .timeindex, at a roll or a clean shutdown, is
   * empty.
   *
   * <p>An entry (-1, -1) there would make Kafka's TimeIndex.sanityCheck (kafka-dump-log --index-sanity-check) call
   * the file corrupt, and the loader refuse and rebuild it at every start.
   */
  @Test
  void shouldWriteNoTimeIndexEntryForBatchesWithoutTimestamps() throws Exception {
    LogConfig config = LogConfig.defaults().withIndexIntervalBytes(0).withSegmentBytes(100_000);
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), config);
      for (int i = 0; i < 3; i++) {
        log.appendAsLeader(noTimestamps("a" + i, "b" + i), 0, now);
      }
    }
    // The .timeindex written at the clean shutdown (Kafka's would be empty).
    Path timeIndex = dir.resolve("t-0").resolve(String.format("%020d.timeindex", 0));
    byte[] written = Files.exists(timeIndex) ? Files.readAllBytes(timeIndex) : new byte[0];
    java.nio.ByteBuffer entries = java.nio.ByteBuffer.wrap(written);
    List<String> found = new ArrayList<>();
    while (entries.remaining() >= 12) {
      found.add("timestamp " + entries.getLong() + " relative offset " + entries.getInt());
    }
    assertThat(found).as("entries of the .timeindex of a segment none of whose records has a timestamp").isEmpty();
  }

  /**
   * Kafka 4.4 UnifiedLog.fetchOffsetByTimestamp(MAX_TIMESTAMP): the segment with the largest maxTimestampSoFar (the
   * first one when all are -1), its readMaxTimestampAndOffsetSoFar() (for a segment with no timestamp, the empty time
   * index's lastEntry (NO_TIMESTAMP, baseOffset)), then the first batch from that offset's position whose
   * maxTimestamp equals it, and that batch's offsetOfMaxTimestamp() (RecordBatch: the first record whose timestamp is
   * the batch's max timestamp, -1 here). A log whose records all have timestamp -1 therefore answers offset 0 with
   * timestamp -1, not "no offset" (offset -1), which Kafka answers only for an empty log.
   */
  @Test
  void shouldAnswerMaxTimestampWithTheFirstRecordWhenNoRecordHasATimestamp() throws Exception {
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), LogConfig.defaults());
      log.appendAsLeader(noTimestamps("a", "b"), 0, now);
      log.appendAsLeader(noTimestamps("c"), 0, now);
      assertThat(log.maxTimestampOffset()).isEqualTo(new OffsetAndTimestamp(0, RecordBatch.NO_TIMESTAMP));
    }
  }

}
