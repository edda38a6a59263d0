package io.gregor.storage;

import static io.gregor.storage.StorageTestSupport.batch;
import static io.gregor.storage.StorageTestSupport.copyTree;
import static io.gregor.storage.StorageTestSupport.readAll;
import static io.gregor.storage.StorageTestSupport.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class DurabilityTest {
  @TempDir
  Path dir;

  private final long now = System.currentTimeMillis();
  private final FaultyStorageIo io = new FaultyStorageIo();

  private LogStore open(StoreConfig config) throws Exception {
    return LogStore.open(dir, config, io, t -> LogConfig.defaults());
  }

  @Test
  void shouldCompleteAwaitDurableAfterOneJournalSync() throws Exception {
    try (LogStore store = open(StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), LogConfig.defaults());
      AppendResult r = log.appendAsLeader(batch(now, "a", "b"), 0, now);
      log.awaitDurable(r.lastOffset()).get(10, TimeUnit.SECONDS);
      assertThat(log.durableOffset()).isGreaterThan(r.lastOffset());
      assertThat(io.forces.get()).isEqualTo(1); // the journal's; the segment waits for the periodic flush
      assertThat(log.recoveryPoint()).isZero();
      assertThat(log.awaitDurable(r.lastOffset())).isCompleted();
    }
  }

  @Test
  void shouldCoverEveryPartitionOfARequestWithOneJournalSync() throws Exception {
    try (LogStore store = open(StoreConfig.defaults())) {
      List<PartitionLog> logs = new ArrayList<>();
      DurableWaits waits = new DurableWaits();
      for (int p = 0; p < 3; p++) {
        PartitionLog log = store.createLog("t", p, Uuid.randomUuid(), LogConfig.defaults());
        logs.add(log);
        waits.add(log, log.appendAsLeader(batch(now, "a" + p, "b" + p), 0, now).lastOffset());
      }
      waits.register().get(10, TimeUnit.SECONDS);
      // Registered one by one, the first partition's wait would start a round of its own and the others a second.
      assertThat(io.forces.get()).isEqualTo(1);
      assertThat(logs).allSatisfy(log -> assertThat(log.durableOffset()).isEqualTo(2));
    }
  }

  @Test
  void shouldFsyncTheSegmentsOfABusyLogInTheBackgroundLongBeforeTheFullFlush() throws Exception {
    try (LogStore store = open(StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), LogConfig.defaults());
      appendPastOneBackgroundStep(log, true);
      // The journal made each write durable; the segment was fsynced beside it once 2 MiB had piled up, not at the
      // full flush (after 64 MiB of journal, or a minute).
      await().atMost(Duration.ofSeconds(10)).until(() -> log.recoveryPoint() > 0);
      assertThat(log.recoveryPoint()).isLessThanOrEqualTo(log.logEndOffset());
    }
  }

  @Test
  void shouldFsyncALogThatNoRoundTouchesInTheBackgroundToo() throws Exception {
    try (LogStore store = open(StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), LogConfig.defaults());
      appendPastOneBackgroundStep(log, false); // acks=1: nobody waits for durability
      // Without a step of its own, an acks=1 log's segments were fsynced only by the full flush (a minute later),
      // all at once, stalling every acks=all round behind that write-back.
      await().atMost(Duration.ofSeconds(10)).until(() -> log.recoveryPoint() > 0);
      assertThat(log.recoveryPoint()).isLessThanOrEqualTo(log.logEndOffset());
      assertThat(log.unflushedBytes()).isLessThan(LogFlusher.BACKGROUND_FLUSH_BYTES);
    }
  }

  /** Appends 64 KiB batches until a background step's worth and 1 MiB more are in; acks=all waits for each. */
  private void appendPastOneBackgroundStep(PartitionLog log, boolean acksAll) throws Exception {
    String value = "x".repeat(64 * 1024);
    for (long bytes = 0; bytes < LogFlusher.BACKGROUND_FLUSH_BYTES + 1024 * 1024; bytes += value.length()) {
      AppendResult r = log.appendAsLeader(batch(now, value), 0, now);
      if (acksAll) {
        log.awaitDurable(r.lastOffset()).get(10, TimeUnit.SECONDS);
      }
    }
  }

  @ParameterizedTest(name = "{0} round(s) in flight")
  @ValueSource(ints = {1, 2})
  void shouldShareOneFsyncAmongManyWaitersWhileEveryRoundIsBusy(int roundsInFlight) throws Exception {
    StoreConfig config = StoreConfig.defaults().withRoundsInFlight(roundsInFlight);
    try (LogStore store = open(config)) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), LogConfig.defaults());
      PartitionLog other = store.createLog("u", 0, Uuid.randomUuid(), LogConfig.defaults());
      int slots = config.roundsInFlight();
      CountDownLatch blocked = io.closeGate(slots);
      List<CompletableFuture<Void>> early = new ArrayList<>();
      for (int i = 0; i < slots; i++) {
        PartitionLog target = i % 2 == 0 ? log : other;
        early.add(target.awaitDurable(target.appendAsLeader(batch(now, "early" + i), 0, now).lastOffset()));
        long stillFree = slots - i - 1;
        await().atMost(Duration.ofSeconds(10)).until(() -> blocked.getCount() == stillFree); // its own round
      }

      List<CompletableFuture<Void>> waiters = new ArrayList<>();
      List<Thread> producers = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        PartitionLog target = t % 2 == 0 ? log : other;
        Thread producer = new Thread(() -> {
          for (int i = 0; i < 25; i++) {
            try {
              AppendResult r = target.appendAsLeader(batch(now, "v" + i), 0, now);
              CompletableFuture<Void> f = target.awaitDurable(r.lastOffset());
              synchronized (waiters) {
                waiters.add(f);
              }
            } catch (Exception e) {
              throw new AssertionError(e);
            }
          }
        });
        producers.add(producer);
        producer.start();
      }
      for (Thread p : producers) {
        p.join();
      }
      assertThat(waiters).hasSize(200).noneMatch(CompletableFuture::isDone);
      io.openGate();

      CompletableFuture.allOf(waiters.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
      CompletableFuture.allOf(early.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
      // One journal sync per early round, then one for all 200 others, whatever log they wrote to.
      assertThat(io.forces.get()).isLessThanOrEqualTo(slots + 1);
      assertThat(log.durableOffset()).isEqualTo(log.logEndOffset());
      assertThat(other.durableOffset()).isEqualTo(other.logEndOffset());
    }
  }

  @Test
  void shouldRunTheRoundOnTheRegisteringThreadAndHandTheOneThatPiledUpToTheSyncPool() throws Exception {
    try (LogStore store = open(StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), LogConfig.defaults());
      PartitionLog other = store.createLog("u", 0, Uuid.randomUuid(), LogConfig.defaults());
      // Nothing is syncing: the round is kept for this thread, which runs it when it asks.
      DurableWaits first = new DurableWaits();
      first.add(log, log.appendAsLeader(batch(now, "a"), 0, now).lastOffset());
      CompletableFuture<Void> firstDone = first.register(true);
      assertThat(firstDone).isNotDone(); // kept for this thread
      first.runKeptRound();
      assertThat(firstDone).isCompleted();
      assertThat(io.forcingThreads).containsExactly(Thread.currentThread());
      assertThat(log.durableOffset()).isEqualTo(1);

      // A round held at its fsync on one request thread; a second request's wait piles up behind it, with no
      // round for its thread to run. The first thread hands the second round to the sync pool and returns: a
      // stalled disk holds one request thread, not one after another.
      CountDownLatch blocked = io.closeGate(1);
      CompletableFuture<Thread> running = new CompletableFuture<>();
      Thread requestThread = new Thread(() -> {
        DurableWaits waits = new DurableWaits();
        try {
          waits.add(log, log.appendAsLeader(batch(now, "b"), 0, now).lastOffset());
          CompletableFuture<Void> done = waits.register(true);
          waits.runKeptRound();
          done.get(10, TimeUnit.SECONDS);
          running.complete(Thread.currentThread());
        } catch (Exception e) {
          running.completeExceptionally(e);
        }
      }, "request-a");
      requestThread.start();
      assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
      DurableWaits second = new DurableWaits();
      second.add(other, other.appendAsLeader(batch(now, "c"), 0, now).lastOffset());
      CompletableFuture<Void> secondDone = second.register(true);
      second.runKeptRound(); // nothing kept: a round is running, and this wait joins the next one
      assertThat(secondDone).isNotDone();

      io.openGate();
      secondDone.get(10, TimeUnit.SECONDS);
      assertThat(running.get(10, TimeUnit.SECONDS)).isSameAs(requestThread);
      assertThat(io.forcingThreads).hasSize(3);
      assertThat(io.forcingThreads.subList(0, 2)).containsExactly(Thread.currentThread(), requestThread);
      assertThat(io.forcingThreads.get(2).getName()).endsWith("-sync");
      assertThat(log.durableOffset()).isEqualTo(2);
      assertThat(other.durableOffset()).isEqualTo(1);
    }
  }

  @Test
  void shouldStartARoundWhileAnotherIsSyncingAndCompleteThemInOrder() throws Exception {
    try (LogStore store = open(StoreConfig.defaults().withRoundsInFlight(2))) {
      PartitionLog slow = store.createLog("t", 0, Uuid.randomUuid(), LogConfig.defaults());
      PartitionLog fast = store.createLog("u", 0, Uuid.randomUuid(), LogConfig.defaults());
      List<String> completed = Collections.synchronizedList(new ArrayList<>());
      CountDownLatch blocked = io.closeGate(1);
      CompletableFuture<Void> first = slow.awaitDurable(slow.appendAsLeader(batch(now, "a"), 0, now).lastOffset())
          .thenRun(() -> completed.add("first"));
      assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();

      AppendResult r = fast.appendAsLeader(batch(now, "b"), 0, now);
      CompletableFuture<Void> second = fast.awaitDurable(r.lastOffset()).thenRun(() -> completed.add("second"));
      // The second round's sync does not wait for the first round to end...
      await().atMost(Duration.ofSeconds(10)).until(() -> io.forces.get() == 1);
      // ...but counts only once the overlapping first one returned (it may have taken an error), and its waiters
      // complete after the first round's, as they would with one round at a time.
      assertThat(second).isNotDone();
      assertThat(fast.durableOffset()).isZero();

      io.openGate();
      CompletableFuture.allOf(first, second).get(10, TimeUnit.SECONDS);
      assertThat(completed).containsExactly("first", "second");
      assertThat(slow.durableOffset()).isEqualTo(1);
      assertThat(fast.durableOffset()).isEqualTo(1);
    }
  }

  @Test
  void shouldFsyncTheSegmentsWhenAJournalSyncFailedWhileAnOverlappingOneReturnedZero() throws Exception {
    try (LogStore store = open(StoreConfig.defaults().withRoundsInFlight(2))) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), LogConfig.defaults());
      CountDownLatch blocked = io.closeGate(1);
      io.failGatedForce(true); // as Linux does: the error goes to one fsync, the overlapping one returns 0
      CompletableFuture<Void> first = log.awaitDurable(log.appendAsLeader(batch(now, "a"), 0, now).lastOffset());
      assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<Void> second = log.awaitDurable(log.appendAsLeader(batch(now, "b"), 0, now).lastOffset());
      await().atMost(Duration.ofSeconds(10)).until(() -> io.forces.get() == 1); // the second journal sync returned 0
      assertThat(second).isNotDone();

      io.openGate();
      // Neither round trusts the journal: both are acknowledged once the segment itself is fsynced.
      CompletableFuture.allOf(first, second).get(10, TimeUnit.SECONDS);
      assertThat(log.isOffline()).isFalse();
      assertThat(log.recoveryPoint()).isEqualTo(2);
    }
  }

  @Test
  void shouldNotWaitWithoutFlushBeforeAckButStillFlushPeriodically() throws Exception {
    StoreConfig config = StoreConfig.defaults().withFlushBeforeAck(false).withRecoveryCheckpointIntervalMs(50);
    try (LogStore store = open(config)) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), LogConfig.defaults());
      AppendResult r = log.appendAsLeader(batch(now, "a"), 0, now);
      assertThat(log.awaitDurable(r.lastOffset())).isCompleted();
      await().atMost(Duration.ofSeconds(10)).until(() -> log.recoveryPoint() == 1);
      assertThat(io.forces.get()).isGreaterThan(0);
    }
  }

  /** The metadata log's wait: fsynced before it completes, also where appends are acknowledged from the page cache. */
  @Test
  void shouldFsyncBeforeAnAwaitFsyncedCompletesEvenWithoutFlushBeforeAck() throws Exception {
    StoreConfig config = StoreConfig.defaults().withFlushBeforeAck(false);
    try (LogStore store = open(config)) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), LogConfig.defaults());
      AppendResult r = log.appendAsLeader(batch(now, "a"), 0, now);
      assertThat(log.durableOffset()).isZero();
      int forcesBefore = io.forces.get();
      log.awaitFsynced(r.lastOffset()).get(10, TimeUnit.SECONDS);
      assertThat(log.durableOffset()).isGreaterThan(r.lastOffset());
      assertThat(io.forces.get()).isGreaterThan(forcesBefore);
    }
  }

  @Test
  void shouldFailWaitersAndTakeLogOfflineWhenFsyncFails() throws Exception {
    try (LogStore store = open(StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), LogConfig.defaults());
      AppendResult r = log.appendAsLeader(batch(now, "a"), 0, now);
      io.failForces(true);
      assertThatThrownBy(() -> log.awaitDurable(r.lastOffset()).get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(LogStorageException.class);
      assertThat(log.isOffline()).isTrue();
      assertThatThrownBy(() -> log.appendAsLeader(batch(now, "b"), 0, now))
          .isInstanceOf(LogStorageException.class);
      assertThat(values(readAll(log))).containsExactly("a");
      io.failForces(false);
    }
  }

  @Test
  void shouldUndoFailedWriteAndAcceptAppendsAfterTheFaultClears() throws Exception {
    try (LogStore store = open(StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), LogConfig.defaults());
      for (int i = 0; i < 5; i++) {
        log.appendAsLeader(batch(now, "v" + i), 0, now);
      }
      long size = log.sizeInBytes();
      io.failAppend(1, 30); // half a batch reaches the file, then "disk full"

      assertThatThrownBy(() -> log.appendAsLeader(batch(now, "lost"), 0, now))
          .isInstanceOf(LogStorageException.class);

      assertThat(log.logEndOffset()).isEqualTo(5);
      assertThat(log.sizeInBytes()).isEqualTo(size);
      assertThat(Files.size(log.dir().resolve("00000000000000000000.log"))).isEqualTo(size);
      assertThat(values(readAll(log))).containsExactly("v0", "v1", "v2", "v3", "v4");

      io.failAllAppends(true);
      for (int i = 0; i < 3; i++) {
        assertThatThrownBy(() -> log.appendAsLeader(batch(now, "lost"), 0, now))
            .isInstanceOf(LogStorageException.class);
      }
      io.failAllAppends(false);
      assertThat(log.appendAsLeader(batch(now, "v5"), 0, now).firstOffset()).isEqualTo(5);
      assertThat(log.isOffline()).isFalse();
      store.closeAbruptlyForTesting();
    }
    try (LogStore store = open(StoreConfig.defaults())) {
      assertThat(values(readAll(store.log("t", 0).orElseThrow())))
          .containsExactly("v0", "v1", "v2", "v3", "v4", "v5");
    }
  }

  @Test
  void shouldDeleteLogDirectoryAsynchronously() throws Exception {
    try (LogStore store = open(StoreConfig.defaults())) {
      LogConfig config = LogConfig.defaults().withFileDeleteDelayMs(0);
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), config);
      log.appendAsLeader(batch(now, "a"), 0, now);
      Path partitionDir = log.dir();

      store.deleteLog("t", 0);

      assertThat(store.log("t", 0)).isEmpty();
      assertThat(partitionDir).doesNotExist();
      assertThatThrownBy(() -> log.appendAsLeader(batch(now, "b"), 0, now))
          .isInstanceOf(LogStorageException.class);
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        try (Stream<Path> s = Files.list(dir)) {
          return s.noneMatch(p -> p.getFileName().toString().endsWith("-delete"));
        }
      });
      PartitionLog fresh = store.createLog("t", 0, Uuid.randomUuid(), config);
      assertThat(fresh.logEndOffset()).isZero();
    }
    try (LogStore store = open(StoreConfig.defaults())) {
      assertThat(store.log("t", 0).orElseThrow().logEndOffset()).isZero();
    }
  }

  @Test
  void shouldDeleteAWholeTopicWithOneDirectorySyncAndOneCheckpointWrite() throws Exception {
    List<TopicPartition> doomed = new ArrayList<>();
    try (LogStore store = open(StoreConfig.defaults())) {
      LogConfig config = LogConfig.defaults().withFileDeleteDelayMs(0);
      Uuid topicId = Uuid.randomUuid();
      for (int p = 0; p < 50; p++) {
        store.createLog("big", p, topicId, config).appendAsLeader(batch(now, "v" + p), 0, now);
        doomed.add(new TopicPartition("big", p));
      }
      PartitionLog kept = store.createLog("kept", 0, Uuid.randomUuid(), config);
      kept.awaitDurable(kept.appendAsLeader(batch(now, "k"), 0, now).lastOffset()).get(10, TimeUnit.SECONDS);
      int writesBefore = io.fileWrites.size();
      int directorySyncsBefore = io.directorySyncs.get();
      List<TopicPartition> asked = new ArrayList<>(doomed);
      asked.add(new TopicPartition("never-created", 0)); // skipped

      store.deleteLogs(asked);

      assertThat(io.fileWrites.subList(writesBefore, io.fileWrites.size())).extracting(p -> p.getFileName().toString())
          .containsExactlyInAnyOrder(LogStore.RECOVERY_POINT_CHECKPOINT, LogStore.LOG_START_OFFSET_CHECKPOINT,
              LogStore.CLEANER_OFFSET_CHECKPOINT);
      assertThat(io.directorySyncs.get() - directorySyncsBefore).isEqualTo(1);
      assertThat(doomed).allSatisfy(tp -> assertThat(store.log(tp.topic(), tp.partition())).isEmpty());
      assertThat(OffsetCheckpointFile.read(dir.resolve(LogStore.RECOVERY_POINT_CHECKPOINT)).keySet())
          .containsExactly(new TopicPartition("kept", 0));
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        try (Stream<Path> s = Files.list(dir)) {
          return s.noneMatch(p -> p.getFileName().toString().startsWith("big-"));
        }
      });
      store.closeAbruptlyForTesting();
    }
    try (LogStore store = open(StoreConfig.defaults())) {
      assertThat(store.logs()).extracting(PartitionLog::name).containsExactly("kept-0");
      assertThat(values(readAll(store.log("kept", 0).orElseThrow()))).containsExactly("k");
    }
  }

  @Test
  void shouldNeverServeADeletedLogsRecordsFromANamesakeWhenItsDirectoryCouldNotBeRenamed() throws Exception {
    Uuid newId = Uuid.randomUuid();
    try (LogStore store = open(StoreConfig.defaults())) {
      LogConfig config = LogConfig.defaults().withFileDeleteDelayMs(0);
      PartitionLog old = store.createLog("t", 0, Uuid.randomUuid(), config);
      old.awaitDurable(old.appendAsLeader(batch(now, "old"), 0, now).lastOffset()).get(10, TimeUnit.SECONDS);

      io.failRenames(true);
      assertThatThrownBy(() -> store.deleteLog("t", 0)).isInstanceOf(IOException.class);
      assertThat(store.log("t", 0)).isEmpty();
      assertThat(dir.resolve("t-0")).isDirectory(); // left under its own name
      assertThatThrownBy(() -> store.createLog("t", 0, newId, config)).isInstanceOf(IOException.class)
          .hasMessageContaining("left from a deleted log");
      io.failRenames(false);

      PartitionLog fresh = store.createLog("t", 0, newId, config);
      assertThat(fresh.logEndOffset()).isZero();
      assertThat(readAll(fresh)).isEmpty();
      fresh.awaitDurable(fresh.appendAsLeader(batch(now, "new"), 0, now).lastOffset()).get(10, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        try (Stream<Path> s = Files.list(dir)) {
          return s.noneMatch(p -> p.getFileName().toString().endsWith("-delete"));
        }
      });
      store.closeAbruptlyForTesting();
    }
    try (LogStore store = open(StoreConfig.defaults())) {
      PartitionLog log = store.log("t", 0).orElseThrow();
      assertThat(log.topicId()).isEqualTo(newId);
      assertThat(values(readAll(log))).containsExactly("new");
    }
  }

  /**
   * After a restart, a log whose directory cannot be fsynced when its segments are deleted keeps the log start offset
   * the checkpoint already held for it (read at load), instead of being left out of the checkpoint: a power loss that
   * brought the deleted segments back would otherwise serve records DeleteRecords had removed.
   */
  @Test
  void shouldKeepTheLoadedLogStartOffsetInTheCheckpointWhenTheDirectoryCannotBeFsynced() throws Exception {
    TopicPartition tp = new TopicPartition("t", 0);
    LogConfig config = LogConfig.defaults().withSegmentBytes(1024).withFileDeleteDelayMs(0);
    long deletedUpTo;
    try (LogStore store = open(StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), config);
      for (int i = 0; i < 60; i++) {
        log.appendAsLeader(batch(now, "v" + i), 0, now);
      }
      List<LogSegment> segments = new ArrayList<>(log.segments());
      assertThat(segments).hasSizeGreaterThan(3);
      deletedUpTo = segments.get(1).baseOffset() + 1; // inside the second segment: only the first goes
      assertThat(log.deleteRecordsBefore(deletedUpTo)).isEqualTo(deletedUpTo);
    }
    assertThat(OffsetCheckpointFile.read(dir.resolve(LogStore.LOG_START_OFFSET_CHECKPOINT))).containsEntry(tp, deletedUpTo);
    try (LogStore store = open(StoreConfig.defaults())) {
      PartitionLog log = store.log("t", 0).orElseThrow();
      log.updateConfig(config);
      io.failDirectoryForces(true);
      long next = new ArrayList<>(log.segments()).get(1).baseOffset();
      log.maybeIncrementLogStartOffset(next + 1); // deletes the segment holding the old start, in memory
      store.writeCheckpoints();
      io.failDirectoryForces(false);
      assertThat(OffsetCheckpointFile.read(dir.resolve(LogStore.LOG_START_OFFSET_CHECKPOINT)))
          .as("the offset the checkpoint held, not no entry").containsEntry(tp, deletedUpTo);
    }
  }

  /**
   * After an unclean stop the store replays the journal, turns its files into spares and flushes each recovered log,
   * checkpointing a recovery point at its end: the journal no longer protects anything. The segments rolled before the
   * stop were never fsynced into the partition directory, so that flush must fsync them and the directory before its
   * recovery point covers them.
   */
  @Test
  void shouldFsyncSegmentsRolledBeforeAnUncleanStopBeforeTheRestartCheckpointsPastThem() throws Exception {
    LogConfig config = LogConfig.defaults().withSegmentBytes(1024);
    List<String> acked = new ArrayList<>();
    Path partitionDir;
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), io, t -> config)) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), config);
      partitionDir = log.dir().toAbsolutePath();
      for (int i = 0; i < 60; i++) { // journaled only: no segment or directory fsync yet
        AppendResult r = log.appendAsLeader(batch(now, "v" + i + "a", "v" + i + "b"), 0, now);
        log.awaitDurable(r.lastOffset()).get(10, TimeUnit.SECONDS);
        acked.add("v" + i + "a");
        acked.add("v" + i + "b");
      }
      assertThat(log.segmentCount()).isGreaterThan(3);
      store.closeAbruptlyForTesting(); // SIGKILL: the names stay (page cache), none of them is durable
    }
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), io, t -> config)) {
      assertThat(values(readAll(store.log("t", 0).orElseThrow()))).containsExactlyElementsOf(acked);
      assertThat(OffsetCheckpointFile.read(dir.resolve(LogStore.RECOVERY_POINT_CHECKPOINT)))
          .containsEntry(new TopicPartition("t", 0), 120L); // the journal files are spares now
      store.closeAbruptlyForTesting();
    }
    io.losePower(partitionDir, name -> name.matches("\\d{20}\\.(log|index|timeindex)"));
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> config)) {
      assertThat(values(readAll(store.log("t", 0).orElseThrow()))).containsExactlyElementsOf(acked);
    }
  }

  @Test
  void shouldFinishDeletingALogWhoseRenameCouldNotBeMadeDurable() throws Exception {
    TopicPartition tp = new TopicPartition("t", 0);
    try (LogStore store = open(StoreConfig.defaults())) {
      LogConfig config = LogConfig.defaults().withFileDeleteDelayMs(0);
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), config);
      log.appendAsLeader(batch(now, "old"), 0, now);
      store.writeCheckpoints();
      assertThat(OffsetCheckpointFile.read(dir.resolve(LogStore.RECOVERY_POINT_CHECKPOINT))).containsKey(tp);

      io.failDirectoryForces(true);
      assertThatThrownBy(() -> store.deleteLog("t", 0)).isInstanceOf(IOException.class)
          .hasMessageContaining("directory fsync");
      io.failDirectoryForces(false);

      // Deleted all the same: gone from the store, its recovery point no longer checkpointed (a namesake must not
      // inherit it), its directory removed.
      assertThat(store.log("t", 0)).isEmpty();
      assertThat(OffsetCheckpointFile.read(dir.resolve(LogStore.RECOVERY_POINT_CHECKPOINT))).doesNotContainKey(tp);
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        try (Stream<Path> s = Files.list(dir)) {
          return s.noneMatch(p -> p.getFileName().toString().endsWith("-delete"));
        }
      });
      PartitionLog fresh = store.createLog("t", 0, Uuid.randomUuid(), config);
      fresh.awaitDurable(fresh.appendAsLeader(batch(now, "new"), 0, now).lastOffset()).get(10, TimeUnit.SECONDS);
      store.closeAbruptlyForTesting();
    }
    try (LogStore store = open(StoreConfig.defaults())) {
      assertThat(values(readAll(store.log("t", 0).orElseThrow()))).containsExactly("new");
    }
  }

  @Test
  void shouldNeverFsyncOnTheAppendingThread() throws Exception {
    StoreConfig config = StoreConfig.defaults().withFlushBeforeAck(false);
    try (LogStore store = open(config)) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), LogConfig.defaults().withSegmentBytes(1024));
      for (int i = 0; i < 200; i++) {
        log.appendAsLeader(batch(now, "v" + i), 0, now);
      }
      assertThat(log.segmentCount()).isGreaterThan(5);
      assertThat(io.forces.get()).isZero();
      assertThat(log.recoveryPoint()).isZero();
    }
    assertThat(io.forces.get()).isGreaterThan(0); // close flushes
  }

  @Test
  void shouldRunRetentionOnTheStoreSchedule() throws Exception {
    StoreConfig config = StoreConfig.defaults().withRetentionCheckIntervalMs(20);
    try (LogStore store = open(config)) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), LogConfig.defaults().withSegmentBytes(1024)
          .withRetentionMs(3_600_000L).withFileDeleteDelayMs(0));
      for (int i = 0; i < 50; i++) {
        log.appendAsLeader(batch(now - 7_200_000L, "old" + i), 0, now);
      }
      log.appendAsLeader(batch(now, "new"), 0, now);
      // The schedule may already be deleting while we append (it runs every 20 ms), so only the
      // end state is asserted: whole old segments gone, the active one kept.
      await().atMost(Duration.ofSeconds(10)).until(() -> log.segmentCount() == 1);
      assertThat(log.logStartOffset()).isPositive();
      List<String> left = values(readAll(log));
      assertThat(left.get(left.size() - 1)).isEqualTo("new");
    }
  }

  private static final String SEGMENT_FILE = "\\d{20}\\.(log|index|timeindex|snapshot)(\\.deleted)?";

  private static long checkpointed(Path logDir, String file, String topic) throws IOException {
    return OffsetCheckpointFile.read(logDir.resolve(file)).getOrDefault(new TopicPartition(topic, 0), -1L);
  }

  /** Appends 60 two-record batches acknowledged with acks=all (journaled; segments of 1 KiB, not fsynced). */
  private List<String> appendAcknowledged(PartitionLog log) throws Exception {
    List<String> acked = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      AppendResult r = log.appendAsLeader(batch(now, "v" + i + "a", "v" + i + "b"), 0, now);
      log.awaitDurable(r.lastOffset()).get(10, TimeUnit.SECONDS);
      acked.add("v" + i + "a");
      acked.add("v" + i + "b");
    }
    return acked;
  }

  /**
   * The full flush fdatasyncs rolled segments and checkpoints a recovery point past them, after which replay skips
   * the journal's copy: their names must be durable first, or a power loss loses acknowledged records (Kafka's
   * LocalLog.flush fsyncs the directory of segments created since the last flush too).
   */
  @Test
  void shouldFsyncThePartitionDirectoryBeforeTheRecoveryPointCoversARolledSegment() throws Exception {
    LogConfig config = LogConfig.defaults().withSegmentBytes(1024);
    List<String> acked;
    Path partitionDir;
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), io, t -> config)) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), config);
      partitionDir = log.dir().toAbsolutePath();
      io.syncs.clear();
      acked = appendAcknowledged(log);
      assertThat(log.segmentCount()).isGreaterThan(3);

      store.requestFullFlushForTesting();
      await().atMost(Duration.ofSeconds(10))
          .until(() -> checkpointed(dir, LogStore.RECOVERY_POINT_CHECKPOINT, "t") == 120);
      List<Path> syncs = List.copyOf(io.syncs);
      int checkpointWrite = syncs.indexOf(dir.resolve(LogStore.RECOVERY_POINT_CHECKPOINT).toAbsolutePath());
      assertThat(syncs.subList(0, checkpointWrite)).contains(partitionDir);
      store.closeAbruptlyForTesting();
    }
    io.losePower(partitionDir, name -> name.matches(SEGMENT_FILE));

    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> config)) {
      assertThat(values(readAll(store.log("t", 0).orElseThrow()))).containsExactlyElementsOf(acked);
    }
  }

  /**
   * A new log's first acks=all record goes into a journal file that already existed: the partition directory's
   * name must be durable before the record is acknowledged, or replay after a power loss skips it as a deleted
   * topic's.
   */
  @Test
  void shouldKeepANewLogsAcknowledgedRecordAfterPowerLoss() throws Exception {
    Uuid newId = Uuid.randomUuid();
    try (LogStore store = open(StoreConfig.defaults())) {
      PartitionLog first = store.createLog("first", 0, Uuid.randomUuid(), LogConfig.defaults());
      first.awaitDurable(first.appendAsLeader(batch(now, "x"), 0, now).lastOffset()).get(10, TimeUnit.SECONDS);
      PartitionLog log = store.createLog("fresh", 0, newId, LogConfig.defaults());
      log.awaitDurable(log.appendAsLeader(batch(now, "acked"), 0, now).lastOffset()).get(10, TimeUnit.SECONDS);
      store.closeAbruptlyForTesting();
    }
    io.losePower(dir, name -> name.equals("fresh-0"));

    try (LogStore store = open(StoreConfig.defaults())) {
      // What the broker does from its metadata at start: the partition exists, so it (re)creates its log.
      PartitionLog log = store.createLog("fresh", 0, newId, LogConfig.defaults());
      assertThat(values(readAll(log))).containsExactly("acked");
    }
  }

  /**
   * A batch creation writes every new log's files first and fsyncs them after: each partition.metadata and each
   * partition directory must still be fsynced, and the log directory after them, before any log of the batch is
   * used, so that an acknowledged record of one survives a power loss right after.
   */
  @Test
  void shouldKeepAnAcknowledgedRecordOfABatchCreatedLogAfterPowerLoss() throws Exception {
    Uuid topicId = Uuid.randomUuid();
    int partitions = 300;
    List<LogStore.NewLog> batch = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      batch.add(new LogStore.NewLog("many", p, topicId, LogConfig.defaults()));
    }
    List<Path> partitionDirs = new ArrayList<>();
    try (LogStore store = open(StoreConfig.defaults())) {
      PartitionLog first = store.createLog("first", 0, Uuid.randomUuid(), LogConfig.defaults());
      first.awaitDurable(first.appendAsLeader(batch(now, "x"), 0, now).lastOffset()).get(10, TimeUnit.SECONDS);
      io.syncs.clear();

      LogStore.CreatedLogs created = store.createLogs(batch);

      assertThat(created.failures()).isEmpty();
      assertThat(created.logs()).hasSize(partitions);
      List<Path> syncs = List.copyOf(io.syncs);
      int logDirSync = syncs.lastIndexOf(dir.toAbsolutePath());
      for (PartitionLog log : created.logs().values()) {
        Path partitionDir = log.dir().toAbsolutePath();
        partitionDirs.add(partitionDir);
        assertThat(syncs.subList(0, logDirSync)).contains(partitionDir.resolve(LogStore.PARTITION_METADATA),
            partitionDir);
      }
      for (int p : new int[] {0, 150, partitions - 1}) {
        PartitionLog log = created.logs().get(new TopicPartition("many", p));
        log.awaitDurable(log.appendAsLeader(batch(now, "acked-" + p), 0, now).lastOffset()).get(10, TimeUnit.SECONDS);
      }
      store.closeAbruptlyForTesting();
    }
    for (Path partitionDir : partitionDirs) {
      io.losePower(partitionDir, name -> true);
    }
    io.losePower(dir, name -> name.startsWith("many-"));

    try (LogStore store = open(StoreConfig.defaults())) {
      // What the broker does from its metadata at start: the partitions exist, so it (re)creates their logs.
      LogStore.CreatedLogs reopened = store.createLogs(batch);
      assertThat(reopened.failures()).isEmpty();
      for (int p = 0; p < partitions; p++) {
        PartitionLog log = reopened.logs().get(new TopicPartition("many", p));
        assertThat(log.topicId()).isEqualTo(topicId);
        if (p == 0 || p == 150 || p == partitions - 1) {
          assertThat(values(readAll(log))).containsExactly("acked-" + p);
        } else {
          assertThat(log.logEndOffset()).isZero();
        }
      }
    }
  }

  /**
   * DeleteRecords renames never-fsynced segments to .deleted; once a checkpoint records the new logStartOffset
   * the renames must be durable: a power loss undoing them would bring back segments whose data is lost.
   */
  @Test
  void shouldFsyncThePartitionDirectoryBeforeCheckpointingALogStartOffsetPastDeletedSegments() throws Exception {
    LogConfig config = LogConfig.defaults().withSegmentBytes(1024).withFileDeleteDelayMs(60_000);
    List<String> acked;
    Path partitionDir;
    long logStart;
    List<Long> deletedBases;
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), io, t -> config)) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), config);
      partitionDir = log.dir().toAbsolutePath();
      acked = appendAcknowledged(log);
      List<LogSegment> before = new ArrayList<>(log.segments());
      logStart = before.get(2).baseOffset();
      io.syncs.clear();

      assertThat(log.deleteRecordsBefore(logStart)).isEqualTo(logStart); // drops the first two segments

      assertThat(io.syncs).containsSubsequence(partitionDir,
          dir.resolve(LogStore.LOG_START_OFFSET_CHECKPOINT).toAbsolutePath());
      assertThat(checkpointed(dir, LogStore.LOG_START_OFFSET_CHECKPOINT, "t")).isEqualTo(logStart);
      assertThat(io.forcedChannels).doesNotContain(before.get(0).channel(), before.get(1).channel());
      deletedBases = List.of(before.get(0).baseOffset(), before.get(1).baseOffset());
      store.closeAbruptlyForTesting();
    }
    io.losePower(partitionDir, name -> name.matches(SEGMENT_FILE));
    for (long base : deletedBases) { // a segment the power loss brought back lost its never-fsynced data
      Path file = LogSegment.logFile(partitionDir, base);
      if (Files.exists(file)) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
          ch.truncate(0);
        }
      }
    }

    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> config)) {
      PartitionLog log = store.log("t", 0).orElseThrow();
      assertThat(log.logStartOffset()).isEqualTo(logStart);
      assertThat(values(readAll(log))).containsExactlyElementsOf(acked.subList((int) logStart, acked.size()));
    }
  }

  /**
   * DeleteRecords is answered once deleteRecordsBefore returns: a SIGKILL right after must not bring the records
   * back, even while the flusher's checkpoint thread is held in a slow fsync.
   */
  @Test
  void shouldCheckpointTheLogStartOffsetBeforeDeleteRecordsReturns() throws Exception {
    Path live = dir.resolve("live");
    Path killed = dir.resolve("killed");
    try (LogStore store = LogStore.open(live, StoreConfig.defaults(), io, t -> LogConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), LogConfig.defaults());
      for (int i = 0; i < 10; i++) {
        log.appendAsLeader(batch(now, "v" + i), 0, now); // acks=1
      }
      CountDownLatch stuck = io.closeGate(1);
      store.requestFullFlushForTesting(); // its fsync of t-0 hangs on a slow disk
      assertThat(stuck.await(10, TimeUnit.SECONDS)).isTrue();

      assertThat(log.deleteRecordsBefore(5)).isEqualTo(5); // answered to the client

      copyTree(live, killed); // SIGKILL now: the files as the page cache holds them
      io.openGate();
    }
    try (LogStore store = LogStore.open(killed, StoreConfig.defaults(), StorageIo.standard(),
        t -> LogConfig.defaults())) {
      assertThat(store.log("t", 0).orElseThrow().logStartOffset()).isEqualTo(5);
    }
  }

  @Test
  void shouldCheckpointTheLogStartOffsetsOfADeleteRecordsRequestWithOneWrite() throws Exception {
    try (LogStore store = open(StoreConfig.defaults())) {
      List<PartitionLog> logs = new ArrayList<>();
      for (int p = 0; p < 5; p++) {
        PartitionLog log = store.createLog("t", p, Uuid.randomUuid(), LogConfig.defaults());
        log.appendAsLeader(batch(now, "a", "b", "c"), 0, now);
        logs.add(log);
      }
      int writesBefore = io.fileWrites.size();

      for (PartitionLog log : logs) {
        assertThat(log.maybeIncrementLogStartOffset(2)).isEqualTo(2);
      }
      for (PartitionLog log : logs) {
        log.checkpointLogStartOffset();
      }

      List<Path> writes = List.copyOf(io.fileWrites);
      assertThat(writes.subList(writesBefore, writes.size())).filteredOn(p -> p.getParent().equals(dir))
          .containsExactly(dir.resolve(LogStore.LOG_START_OFFSET_CHECKPOINT)); // and each log's epoch file, unsynced
      assertThat(OffsetCheckpointFile.read(dir.resolve(LogStore.LOG_START_OFFSET_CHECKPOINT)).values())
          .containsOnly(2L).hasSize(5);
    }
  }
}
