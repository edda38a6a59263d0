package io.gregor.storage;

import static io.gregor.storage.StorageTestSupport.keyed;
import static io.gregor.storage.StorageTestSupport.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import io.gregor.storage.StorageTestSupport.ReadRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Compaction behaviours where Gregor used to differ from Kafka 4.4's LogCleaner / LogCleanerManager. */
@Timeout(60)
class CompactionDivergenceTest {
  private static final long HOUR = 3_600_000L;
  private static final LogConfig COMPACT = LogConfig.defaults().withSegmentBytes(1024).withIndexIntervalBytes(100)
      .withFileDeleteDelayMs(0).withCleanupPolicy(CleanupPolicy.COMPACT);

  @TempDir
  Path dir;

  private final long now = System.currentTimeMillis();

  /** key=value of every record from the log start to the end, in offset order, read as a consumer does. */
  private static List<String> consume(PartitionLog log) throws Exception {
    List<String> out = new ArrayList<>();
    for (ReadRecord r : readAll(log)) {
      out.add(r.key() + "=" + r.value());
    }
    return out;
  }

  /**
   * Kafka's Cleaner keeps the last batch of a cleaning round, emptied, when it ends at the log end (KAFKA-17076,
   * KAFKA-20452), so that a fetch at an offset whose records were all removed still gets a batch to step over: once
   * the tail of the log below an empty active segment is compacted away (here an expired tombstone), a fetch there
   * must still reach the log end, or a consumer never gets there.
   */
  @Test
  void aFetchBehindTheLogEndShouldAlwaysMakeProgressAfterTheTailIsCompactedAway() throws Exception {
    LogConfig cfg = COMPACT.withDeleteRetentionMs(1000).withSegmentMs(HOUR);
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), cfg);
      log.appendAsLeader(keyed(Compression.NONE, now, "k1", "v1", "k2", "v2"), 0, now); // offsets 0, 1
      log.appendAsLeader(keyed(Compression.NONE, now, "k1", null), 0, now);              // offset 2: delete k1
      log.runRetention(now + HOUR + 1); // segment.ms rolls the idle active segment: the new one is empty
      assertThat(log.logEndOffset()).isEqualTo(3);

      assertThat(log.runCleaner(now)).isTrue();        // k1=v1 goes, the tombstone gets its delete horizon
      assertThat(log.runCleaner(now + 1000)).isTrue(); // the horizon has passed: the tombstone goes

      assertThat(consume(log)).containsExactly("k2=v2");
      // A consumer that had read k2=v2 fetches at offset 2, below the log end offset 3.
      ReadResult atTwo = log.read(2, 1 << 16, Long.MAX_VALUE, true);
      long next = 2;
      for (RecordBatch b : atTwo.records().batches()) {
        next = b.lastOffset() + 1;
      }
      assertThat(next).as("position after fetching at offset 2 (log end offset %d)", log.logEndOffset())
          .isEqualTo(log.logEndOffset());
    }
  }
}
