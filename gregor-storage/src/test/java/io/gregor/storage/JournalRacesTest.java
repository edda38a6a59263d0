package io.gregor.storage;

import static io.gregor.storage.StorageTestSupport.batch;
import static io.gregor.storage.StorageTestSupport.readAll;
import static io.gregor.storage.StorageTestSupport.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal against what runs beside it: a full flush while a round syncs, a restart that crashes while it loads,
 * a log deleted while its checkpoint cannot be written. Each acknowledged record must survive a power loss after.
 */
@Timeout(60)
class JournalRacesTest {
  @TempDir
  Path dir;

  private final long now = System.currentTimeMillis();

  /**
   * Real file system, with hooks: hold the journal's group-commit fsync ({@link DurabilityJournal#sync}) at a gate, and
   * fail the fsyncs of segment files ({@link PartitionLog} flushes).
   */
  static final class HookIo implements StorageIo {
    private final StorageIo real = StorageIo.standard();
    final AtomicReference<CountDownLatch> journalSyncGate = new AtomicReference<>();
    final CountDownLatch journalSyncHeld = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    volatile boolean failSegmentForces;
    volatile boolean failRecoveryPointCheckpoints;

    @Override
    public int append(FileRecords segment, MemoryRecords records) throws IOException {
      return real.append(segment, records);
    }

    @Override
    public void force(FileChannel channel) throws IOException {
      if (calledFrom(DurabilityJournal.class, "sync")) {
        CountDownLatch gate = journalSyncGate.getAndSet(null);
        if (gate != null) {
          gate = release;
          journalSyncHeld.countDown();
          try {
            gate.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
          }
        }
      }
      if (failSegmentForces && calledFrom(PartitionLog.class, "force")) {
        throw new IOException("Input/output error (injected segment fsync failure)");
      }
      real.force(channel);
    }

    @Override
    public void write(FileChannel channel, ByteBuffer src, long position) throws IOException {
      real.write(channel, src, position);
    }

    @Override
    public void writeFile(Path target, ByteBuffer content, boolean sync) throws IOException {
      if (failRecoveryPointCheckpoints && target.getFileName().toString().equals(LogStore.RECOVERY_POINT_CHECKPOINT)) {
        throw new IOException("Input/output error (injected checkpoint write failure)");
      }
      real.writeFile(target, content, sync);
    }

    private static boolean calledFrom(Class<?> type, String method) {
      return StackWalker.getInstance().walk(frames -> frames.anyMatch(
          f -> f.getClassName().equals(type.getName()) && f.getMethodName().equals(method)));
    }
  }

  /**
   * A round copies a log's new bytes into journal file 1, rolls to file 2 (fsyncing file 1) for the rest and
   * is then syncing file 2. Meanwhile a full flush fails the log's segment fsync (the log goes offline): it checks
   * {@code dependsOnJournal()} before the round raised journalDurableOffset, finds nothing to keep, and recycles
   * file 1. The round then completes and acknowledges the records as durable, although their only durable copy
   * was in the recycled file: after a power loss they are gone.
   */
  @Test
  void shouldNotRecycleAJournalFileHoldingARoundInFlightOfALogThatWentOffline() throws Exception {
    HookIo io = new HookIo();
    long fileBytes = 16 * 1024;
    LogConfig config = LogConfig.defaults();
    StoreConfig storeConfig = StoreConfig.defaults().withJournalFileBytes(fileBytes);
    List<String> acked = new ArrayList<>();
    Path logDir;
    long fsyncedBytes;
    try (LogStore store = LogStore.open(dir, storeConfig, io, t -> config)) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), config);
      logDir = log.dir();
      // Fill journal file 1 to within ~3 KiB of its end, then fsync the segment: the log depends on no journal record.
      for (int i = 0; fileBytes - store.journalMarkForTesting() > 3000; i++) {
        String value = "f" + i + "-" + "x".repeat(300);
        log.awaitDurable(log.appendAsLeader(batch(now, value), 0, now).lastOffset()).get(10, TimeUnit.SECONDS);
        acked.add(value);
      }
      log.flush();
      fsyncedBytes = log.sizeInBytes();
      assertThat(log.recoveryPoint()).isEqualTo(log.logEndOffset());

      // Two more batches, the second one in a new segment: one round journals the first into file 1 and rolls to
      // file 2 for the second (too big for what is left of file 1).
      String v1 = "one-" + "y".repeat(1000);
      String v2 = "two-" + "z".repeat(4000);
      MemoryRecords b1 = batch(now, v1);
      MemoryRecords b2 = batch(now, v2);
      log.updateConfig(config.withSegmentBytes((int) (log.sizeInBytes() + b1.sizeInBytes() + 100)));
      io.journalSyncGate.set(new CountDownLatch(1));
      AppendResult r1 = log.appendAsLeader(b1, 0, now);
      AppendResult r2 = log.appendAsLeader(b2, 0, now);
      assertThat(log.segmentCount()).isEqualTo(2);
      DurableWaits waits = new DurableWaits();
      waits.add(log, r1.lastOffset());
      waits.add(log, r2.lastOffset());
      CompletableFuture<Void> ack = waits.register();
      assertThat(io.journalSyncHeld.await(10, TimeUnit.SECONDS)).isTrue(); // the round syncs file 2
      assertThat(journalFiles(DurabilityJournal.SUFFIX)).isEqualTo(2);

      // A full flush now: the log's segment fsync fails, the log goes offline.
      io.failSegmentForces = true;
      store.requestFullFlushForTesting();
      await().atMost(Duration.ofSeconds(10)).until(log::isOffline);
      store.awaitCheckpointerForTesting();

      io.release.countDown();
      boolean acknowledged;
      try {
        ack.get(10, TimeUnit.SECONDS);
        acknowledged = true;
      } catch (ExecutionException e) {
        acknowledged = false; // failing the producer would be correct
      }
      assertThat(log.isOffline()).isTrue();
      if (acknowledged) {
        acked.add(v1);
        acked.add(v2);
      }
      store.closeAbruptlyForTesting();
    }
    JournalTest.losePageCache(logDir, fsyncedBytes); // the segment's bytes past its last successful fsync

    try (LogStore store = LogStore.open(dir, storeConfig, StorageIo.standard(), t -> config)) {
      assertThat(values(readAll(store.log("t", 0).orElseThrow()))).containsExactlyElementsOf(acked);
    }
  }

  /**
   * After a SIGKILL, a restart replays the journal into the segment files and fsyncs their data, but not the
   * partition directories of segments it did not create; it then turns every journal file into a spare (fsyncing
   * the log dir) before the loader's first flush fsyncs those directories. A power loss (or any crash of the
   * restart) in between loses the name of a segment rolled since the last directory fsync: its acknowledged records
   * are gone, and the journal that held them is already spare.
   */
  @Test
  void shouldKeepTheJournalUntilTheNamesOfTheSegmentsItRestoredAreDurable() throws Exception {
    FaultyStorageIo io = new FaultyStorageIo();
    LogConfig config = LogConfig.defaults().withSegmentBytes(1024);
    List<String> acked = new ArrayList<>();
    Path logDir;
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), io, t -> config)) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), config);
      logDir = log.dir();
      log.appendAsLeader(batch(now, "first"), 0, now);
      log.flush(); // segment 0 and its name are durable
      acked.add("first");
      for (int i = 0; log.segmentCount() < 3; i++) {
        String value = "v" + i + "-" + "x".repeat(200);
        log.awaitDurable(log.appendAsLeader(batch(now, value), 0, now).lastOffset()).get(10, TimeUnit.SECONDS);
        acked.add(value);
      }
      store.closeAbruptlyForTesting(); // SIGKILL: nothing is lost yet
    }

    // The restart crashes once the logs are being loaded (here: its first segment fsync fails; the disk is left as a
    // power loss at that moment would find it, minus the names not yet fsynced).
    io.failForces(true);
    try {
      LogStore.open(dir, StoreConfig.defaults(), io, t -> config).close();
    } catch (IOException | RuntimeException expected) {
      // the crash
    }
    io.failForces(false);
    io.losePower(logDir, name -> name.endsWith(".log"));

    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> config)) {
      assertThat(values(readAll(store.log("t", 0).orElseThrow()))).containsExactlyElementsOf(acked);
    }
  }

  /**
   * Deleting a log writes the recovery-point checkpoint without it, so that a namesake created next is not
   * taken as fsynced up to the deleted log's recovery point. When that write fails, the deletion goes on (the error
   * is reported at the end) and the old entry stays on disk until the next successful checkpoint. A namesake
   * created meanwhile journals its acknowledged records with end offsets below that stale recovery point, and
   * replay after a power loss skips them as already fsynced.
   */
  @Test
  void shouldReplayANamesakeCreatedAfterTheDeletionCheckpointFailed() throws Exception {
    HookIo io = new HookIo();
    LogConfig config = LogConfig.defaults();
    Path logDir;
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), io, t -> config)) {
      PartitionLog old = store.createLog("t", 0, Uuid.randomUuid(), config);
      for (int i = 0; i < 50; i++) {
        old.appendAsLeader(batch(now, "old" + i), 0, now);
      }
      old.flush();
      store.writeCheckpoints(); // t-0 recovered up to 50
      io.failRecoveryPointCheckpoints = true;
      try {
        store.deleteLog("t", 0);
      } catch (IOException expected) {
        // reported; the log is deleted all the same
      }
      io.failRecoveryPointCheckpoints = false;
      assertThat(store.log("t", 0)).isEmpty();
      PartitionLog recreated = store.createLog("t", 0, Uuid.randomUuid(), config);
      logDir = recreated.dir();
      for (String v : List.of("a", "b", "c")) {
        recreated.awaitDurable(recreated.appendAsLeader(batch(now, v), 0, now).lastOffset())
            .get(10, TimeUnit.SECONDS);
      }
      store.closeAbruptlyForTesting();
    }
    JournalTest.losePageCache(logDir, 0);

    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> config)) {
      assertThat(values(readAll(store.log("t", 0).orElseThrow()))).containsExactly("a", "b", "c");
    }
  }

  private long journalFiles(String suffix) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(suffix)).count();
    }
  }
}
