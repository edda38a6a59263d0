package io.gregor.storage;

import static io.gregor.storage.StorageTestSupport.batch;
import static io.gregor.storage.StorageTestSupport.readAll;
import static io.gregor.storage.StorageTestSupport.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Busy active segments are zero-filled ahead of their data; none of that may show in what is read or recovered. */
@Timeout(60)
class PreallocationTest {
  private static final int RECORD_BYTES = 8 * 1024;

  @TempDir
  Path dir;

  private final long now = System.currentTimeMillis();
  private final List<String> written = new ArrayList<>();

  @Test
  void shouldZeroFillAheadOfABusySegmentAndTrimTheZerosOnCleanClose() throws Exception {
    Path file;
    long dataBytes;
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), LogConfig.defaults());
      file = log.dir().resolve("00000000000000000000.log");
      appendDurably(log, 200); // 1.6 MB, past SegmentPreallocator.MIN_SEGMENT_BYTES

      await().atMost(Duration.ofSeconds(10)).until(
          () -> Files.size(file) >= log.sizeInBytes() + SegmentPreallocator.PIECE_BYTES);
      assertThat(zerosAfter(file, log.sizeInBytes())).isTrue();
      assertThat(values(readAll(log))).isEqualTo(written);
      dataBytes = log.sizeInBytes();
    }
    assertThat(Files.size(file)).isEqualTo(dataBytes);
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.log("t", 0).orElseThrow();
      assertThat(appendDurably(log, 1)).isEqualTo(200);
      assertThat(values(readAll(log))).isEqualTo(written);
    }
  }

  @Test
  void shouldRecoverAPreallocatedSegmentAfterACrashWithEveryRecordAndNothingElse() throws Exception {
    Path file;
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), LogConfig.defaults());
      file = log.dir().resolve("00000000000000000000.log");
      appendDurably(log, 200);
      await().atMost(Duration.ofSeconds(10)).until(
          () -> Files.size(file) >= log.sizeInBytes() + SegmentPreallocator.PIECE_BYTES);
      appendDurably(log, 20); // appends now land in the prepared space
      store.closeAbruptlyForTesting(); // like a SIGKILL: the zeros stay
      assertThat(Files.size(file)).isGreaterThan(log.sizeInBytes());
    }
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.log("t", 0).orElseThrow();
      assertThat(log.logEndOffset()).isEqualTo(220);
      assertThat(Files.size(file)).isEqualTo(log.sizeInBytes());
      assertThat(appendDurably(log, 1)).isEqualTo(220);
      assertThat(values(readAll(log))).isEqualTo(written);
    }
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      assertThat(values(readAll(store.log("t", 0).orElseThrow()))).isEqualTo(written);
    }
  }

  @Test
  void shouldTrimTheZerosOfASegmentWhenItRolls() throws Exception {
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(),
          LogConfig.defaults().withSegmentBytes(3 * 1024 * 1024));
      Path first = log.dir().resolve("00000000000000000000.log");
      appendDurably(log, 200);
      await().atMost(Duration.ofSeconds(10)).until(() -> Files.size(first) > log.sizeInBytes());
      while (log.segmentCount() < 2) {
        appendDurably(log, 1);
      }
      LogSegment rolled = log.segments().iterator().next();
      await().atMost(Duration.ofSeconds(10)).until(() -> Files.size(first) == rolled.size());
      assertThat(values(readAll(log))).isEqualTo(written);
    }
  }

  @Test
  void shouldHoldAnAppendThatWouldReachAPieceBeingZeroFilledUntilItIsWritten() throws Exception {
    FaultyStorageIo io = new FaultyStorageIo();
    CountDownLatch pieceStarted = io.closePreallocateGate();
    Path file;
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), io, t -> LogConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), LogConfig.defaults());
      file = log.dir().resolve("00000000000000000000.log");
      // A busy acks=all producer: past 1 MiB an append asks for the first piece, which starts right after the data,
      // so the first append after it has to wait for the piece to be written.
      List<CompletableFuture<Void>> durable = new ArrayList<>();
      CompletableFuture<Long> producer = CompletableFuture.supplyAsync(() -> {
        try {
          while (pieceStarted.getCount() > 0) {
            AppendResult r = append(log);
            durable.add(log.awaitDurable(r.lastOffset()));
          }
          return append(log).firstOffset();
        } catch (Exception e) {
          throw new CompletionException(e);
        }
      });
      assertThat(pieceStarted.await(10, TimeUnit.SECONDS)).isTrue();
      await().atMost(Duration.ofSeconds(10)).until(() -> log.preparationWaiters() > 0);
      assertThat(producer).isNotDone();
      io.openPreallocateGate();
      assertThat(producer.get(10, TimeUnit.SECONDS)).isEqualTo(written.size() - 1);
      CompletableFuture.allOf(durable.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
      assertThat(values(readAll(log))).isEqualTo(written);
      store.closeAbruptlyForTesting();
    }
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.log("t", 0).orElseThrow();
      assertThat(values(readAll(log))).isEqualTo(written);
      assertThat(Files.size(file)).isEqualTo(log.sizeInBytes());
    }
  }

  @Test
  void shouldPreallocateOnlyForLogsWhoseWritersWaitForFsyncs() throws Exception {
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog idle = store.createLog("idle", 0, Uuid.randomUuid(), LogConfig.defaults());
      PartitionLog acksOne = store.createLog("acks-one", 0, Uuid.randomUuid(), LogConfig.defaults());
      PartitionLog acksAll = store.createLog("acks-all", 0, Uuid.randomUuid(), LogConfig.defaults());
      appendDurably(idle, 10); // 80 KB: below SegmentPreallocator.MIN_SEGMENT_BYTES
      for (int i = 0; i < 200; i++) {
        append(acksOne); // nobody waits for these fsyncs
      }
      appendDurably(acksAll, 200);
      // One preallocator thread serves requests in order: once the acks=all log got space, any earlier request
      // of the other two would have been served too.
      await().atMost(Duration.ofSeconds(10)).until(() -> fileSize(acksAll) > acksAll.sizeInBytes());
      assertThat(fileSize(idle)).isEqualTo(idle.sizeInBytes());
      assertThat(fileSize(acksOne)).isEqualTo(acksOne.sizeInBytes());
    }
  }

  private static long fileSize(PartitionLog log) throws Exception {
    return Files.size(log.dir().resolve("00000000000000000000.log"));
  }

  /**
   * Appends {@code count} 8 KB records, one batch each, waiting for each to be durable as an acks=all produce does;
   * returns the first offset.
   */
  private long appendDurably(PartitionLog log, int count) throws Exception {
    long first = -1L;
    List<CompletableFuture<Void>> durable = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      AppendResult r = append(log);
      first = first < 0 ? r.firstOffset() : first;
      durable.add(log.awaitDurable(r.lastOffset()));
    }
    CompletableFuture.allOf(durable.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
    return first;
  }

  private AppendResult append(PartitionLog log) throws Exception {
    String value = "v" + written.size() + "-" + "x".repeat(RECORD_BYTES);
    written.add(value);
    return log.appendAsLeader(batch(now, value), 0, now);
  }

  private static boolean zerosAfter(Path file, long position) throws Exception {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocate((int) (ch.size() - position));
      while (buf.hasRemaining() && ch.read(buf, position + buf.position()) > 0) {
        // read fully
      }
      for (int i = 0; i < buf.position(); i++) {
        if (buf.get(i) != 0) {
          return false;
        }
      }
      return buf.position() > 0;
    }
  }
}
