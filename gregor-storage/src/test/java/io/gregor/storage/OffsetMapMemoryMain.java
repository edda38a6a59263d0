package io.gregor.storage;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * Child JVM of {@link CompactionDivergenceTest#theOffsetMapShouldStayWithinTheDedupeBufferSize}: one compacted
 * segment of {@code args[1]} unique keys, cleaned with a 1 MiB log.cleaner.dedupe.buffer.size. Exits 0 when the pass
 * completes.
 */
public final class OffsetMapMemoryMain {
  private OffsetMapMemoryMain() {
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int keys = Integer.parseInt(args[1]);
    long now = System.currentTimeMillis();
    LogConfig cfg = LogConfig.defaults().withCleanupPolicy(CleanupPolicy.COMPACT).withSegmentBytes(256 << 20)
        .withSegmentMs(3_600_000L);
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults().withCleanerDedupeBufferSize(1 << 20))) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), cfg);
      byte[] value = {1};
      for (int i = 0; i < keys; i += 1000) {
        SimpleRecord[] batch = new SimpleRecord[1000];
        for (int j = 0; j < 1000; j++) {
          batch[j] = new SimpleRecord(now, String.format("k%08d", i + j).getBytes(StandardCharsets.UTF_8), value);
        }
        log.appendAsLeader(MemoryRecords.withRecords(Compression.NONE, batch), 0, now);
      }
      log.runRetention(now + 3_600_001L); // roll: the whole log is one inactive segment
      log.runCleaner(now);
      System.out.println("cleaned up to " + log.cleanerOffset());
    }
  }
}
