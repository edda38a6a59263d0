package io.gregor.storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group-commit flusher of one {@link LogStore} (BookKeeper's ForceWriteThread pattern): producer threads
 * register durability waiters; all waiters pending when a round slot is free go into one <em>round</em> that
 * copies what their logs appended into the store's {@link DurabilityJournal}, fsyncs the journal once and completes
 * every waiter that sync covered. Every {@code recoveryCheckpointIntervalMs}, and whenever the journal has grown by
 * {@link DurabilityJournal#FLUSH_AFTER_FILES} journal files, a <em>full flush</em> fsyncs every dirty log's
 * segments, writes the store's offset checkpoints and recycles the journal files that flush made redundant; it runs
 * on its own thread, beside the rounds.
 *
 * <p>Up to {@link StoreConfig#roundsInFlight} rounds run at once (default 1). With more than one, a waiter that
 * arrives while a round is syncing starts its own round at once instead of after that round ends; it then waits
 * for its own sync or the earlier round's end, whichever is later, since rounds complete in the order they
 * started. When every slot is busy, new waiters queue and the next free slot takes them all together: under heavy
 * load rounds grow, as plain group commit does. On a 2-core VM one round at a time gave 7-22% more acks=all
 * throughput than two while each produce request still took two rounds (each round costs an fdatasync's CPU);
 * since a request's partitions share one round ({@link DurableWaits}) one and two measured alike.
 *
 * <p>Threads: the waiter queues and the round count are guarded by {@link #lock}; the thread that registers a waiter
 * while a slot is free hands the new round to {@link #syncPool} itself (no hop through the flusher thread), or runs it
 * itself when it asked to (a request thread: {@link DurableWaits#register(boolean)}, that one round only: a round that
 * completing it starts goes to the pool, so a stalled disk holds at most one request thread per round slot). A pool
 * thread that completes rounds runs the first round that starts, and hands any other to the pool. Waiters are
 * completed, in round order, by whichever thread completes rounds; full flushes, checkpoint writes and background
 * segment flushes run one at a time on {@link #checkpointer}: the flusher thread schedules them (an appending thread
 * starts a background flush itself when nothing runs there), and runs the final flush on close once no round is
 * running.
 */
final class LogFlusher {
  private static final Logger LOG = LoggerFactory.getLogger(LogFlusher.class);
  /** Unjournaled bytes of one log above which a round fsyncs its segments instead of copying them. */
  static final long DIRECT_FLUSH_BYTES = 8L * 1024 * 1024;
  /** A log with this much appended since its last fsync gets a background flush (see {@link #requestBackgroundFlush}). */
  static final long BACKGROUND_FLUSH_BYTES = 2L * 1024 * 1024;

  private record Waiter(PartitionLog log, long offset, CompletableFuture<Void> future) {
  }

  private record Round(long id, List<Waiter> waiters) {
  }

  private final ReentrantLock lock = new ReentrantLock();
  /** Signalled when there is work for the flusher thread, or a round or full flush ended. */
  private final Condition wakeup = lock.newCondition();
  private final long intervalNanos;
  private final Supplier<Collection<PartitionLog>> logs;
  private final Runnable checkpointWriter;
  private final DurabilityJournal journal;
  private final Thread thread;
  private final int maxRoundsInFlight;
  /** Runs rounds. */
  private final ExecutorService syncPool;
  /** Runs full flushes and checkpoint writes, one at a time. */
  private final ExecutorService checkpointer;
  private List<Waiter> pending = new ArrayList<>(); // guarded by lock
  /** Offsets not yet appended when their round ended; re-examined with the next round. Guarded by lock. */
  private List<Waiter> parked = new ArrayList<>();
  private int roundsInFlight;                       // guarded by lock: started and not yet completed
  private long nextRoundId;                         // guarded by lock
  private long nextRoundToComplete;                 // guarded by lock
  /** Rounds whose syncs ended, waiting for earlier rounds to complete first. Guarded by lock. */
  private final TreeMap<Long, Runnable> syncedRounds = new TreeMap<>();
  private boolean completingRounds;                 // guarded by lock: a thread is completing rounds in order
  /** Logs whose background flush waits for the checkpointer thread (see {@link #requestBackgroundFlush}). */
  private final Set<PartitionLog> flushDue = Collections.newSetFromMap(new IdentityHashMap<>()); // guarded by lock
  private boolean checkpointRequested;              // guarded by lock
  private boolean fullFlushRequested;               // guarded by lock: asked for (tests)
  private boolean journalFull;                      // guarded by lock: a round found the journal wanting a flush
  private int checkpointTasks;                      // guarded by lock: full flushes / checkpoint writes running
  private boolean closing;                          // guarded by lock
  private boolean keepingJournal;                   // checkpointer thread only: see fullFlush
  private boolean aborted;                          // guarded by lock: stop without a last flush (crash tests)

  LogFlusher(String name, long intervalMs, int maxRoundsInFlight, Supplier<Collection<PartitionLog>> logs,
      Runnable checkpointWriter, DurabilityJournal journal) {
    this.maxRoundsInFlight = maxRoundsInFlight;
    this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMs);
    this.logs = logs;
    this.checkpointWriter = checkpointWriter;
    this.journal = journal;
    this.thread = new Thread(this::run, name);
    this.thread.setDaemon(true);
    this.syncPool = Executors.newFixedThreadPool(maxRoundsInFlight, r -> {
      Thread t = new Thread(r, name + "-sync");
      t.setDaemon(true);
      return t;
    });
    this.checkpointer = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, name + "-checkpoint");
      t.setDaemon(true);
      return t;
    });
  }

  void start() {
    thread.start();
  }

  /**
   * Registers one waiter per log, completed (on the thread completing rounds) once that log's offset is durable; all of
   * them enter the same round, so a request that appended to several logs waits for one round, not one per log.
   */
  List<CompletableFuture<Void>> await(List<PartitionLog> logs, List<Long> offsets) {
    return await(logs, offsets, null);
  }

  /**
   * As {@link #await(List, List)}; with a {@code roundRunner}, a round that can start now is handed to it as a task
   * instead of to the sync pool, and the caller must run that task exactly once, on the thread it chooses (until
   * then the round holds its slot: later waiters queue behind it, and close waits for it). A round that completing
   * it starts goes to the pool.
   */
  List<CompletableFuture<Void>> await(List<PartitionLog> logs, List<Long> offsets, Consumer<Runnable> roundRunner) {
    List<CompletableFuture<Void>> futures = new ArrayList<>(logs.size());
    Round round;
    lock.lock();
    try {
      for (int i = 0; i < logs.size(); i++) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        futures.add(future);
        if (closing) {
          future.completeExceptionally(
              new LogStorageException("log store " + logs.get(i).dir().getParent() + " is closed"));
        } else {
          pending.add(new Waiter(logs.get(i), offsets.get(i), future));
        }
      }
      round = takeRoundLocked();
    } finally {
      lock.unlock();
    }
    if (round != null && roundRunner != null) {
      roundRunner.accept(() -> runRounds(round, false));
    } else {
      startRound(round);
    }
    return futures;
  }

  /**
   * Takes every pending waiter into a new round when a round slot is free (and the flusher is not closing). Called
   * with the lock held wherever waiters arrive or a round ends, so pending waiters never wait for a free slot:
   * the flusher thread is not woken to start rounds.
   */
  private Round takeRoundLocked() {
    if (closing || pending.isEmpty() || roundsInFlight >= maxRoundsInFlight) {
      return null;
    }
    List<Waiter> batch = pending;
    pending = new ArrayList<>();
    batch.addAll(parked);
    parked = new ArrayList<>();
    roundsInFlight++;
    return new Round(nextRoundId++, batch);
  }

  /** Runs {@code round} (if any) on the sync pool. Called without the lock. */
  private void startRound(Round round) {
    if (round != null) {
      syncPool.execute(() -> runRounds(round, true));
    }
  }

  /**
   * Runs {@code round} on this thread; with {@code chain}, then each round that completing it started, else hands
   * that one to the pool. A sync pool thread chains: under a steady load it runs round after round without a
   * hand-off. A request thread does not, so that it returns to requests after one fsync. Running the round here
   * instead of handing it over saves a wake-up and a park per round (with the per-request timeout task it replaced,
   * ~10% of a durable produce's broker CPU at one partition of 100 B records, profiled).
   */
  private void runRounds(Round round, boolean chain) {
    Round next = round;
    while (next != null) {
      try {
        next = runRound(next.id(), next.waiters());
      } catch (RuntimeException e) {
        LOG.error("A group-commit round failed", e); // its waiters were completed or parked, the next round started
        next = null;
      }
      if (!chain) {
        startRound(next);
        return;
      }
    }
  }

  /** Asks for the offset checkpoints to be written soon (e.g. after retention moved a logStartOffset). */
  void requestCheckpoint() {
    lock.lock();
    try {
      checkpointRequested = true;
      wakeup.signal();
    } finally {
      lock.unlock();
    }
  }

  /** Asks for a full flush soon (tests). */
  /** Returns once the checkpoint thread finished the tasks queued on it before this call (tests). */
  void awaitCheckpointerForTesting() throws Exception {
    checkpointer.submit(() -> { }).get(10, TimeUnit.SECONDS);
  }

  void requestFullFlush() {
    lock.lock();
    try {
      fullFlushRequested = true;
      wakeup.signal();
    } finally {
      lock.unlock();
    }
  }

  /** A round found that the journal grew large: a full flush should recycle it. */
  private void onJournalFull() {
    lock.lock();
    try {
      if (!journalFull) {
        journalFull = true;
        wakeup.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Stops the thread after one last flush; waiters it cannot satisfy fail. */
  void close() {
    stop(false);
  }

  /**
   * Stops the thread without flushing or writing checkpoints (simulated crash). Rounds already syncing finish first
   * (their syncs were issued before the "crash"); every other waiter fails.
   */
  void abort() {
    stop(true);
  }

  private void stop(boolean abort) {
    lock.lock();
    try {
      closing = true;
      aborted |= abort;
      wakeup.signal();
    } finally {
      lock.unlock();
    }
    if (Thread.currentThread() != thread) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void run() {
    long nextPeriodicNanos = System.nanoTime() + intervalNanos;
    while (true) {
      List<Waiter> batch = List.of();
      Round round = null;
      List<PartitionLog> backgroundFlush = List.of();
      boolean fullFlush;
      boolean checkpoint;
      boolean stopping;
      lock.lock();
      try {
        long waitNanos = nextPeriodicNanos - System.nanoTime();
        while (!closing && !(checkpointTasks == 0 && (checkpointRequested || fullFlushRequested || journalFull
            || !flushDue.isEmpty() || waitNanos <= 0))
            && (pending.isEmpty() || roundsInFlight >= maxRoundsInFlight)) {
          try {
            waitNanos = wakeup.awaitNanos(checkpointTasks == 0 ? Math.max(waitNanos, 1) : intervalNanos);
            waitNanos = nextPeriodicNanos - System.nanoTime();
          } catch (InterruptedException e) {
            closing = true;
          }
        }
        stopping = closing;
        if (stopping) {
          // The final flush (and close) runs alone.
          while (roundsInFlight > 0 || checkpointTasks > 0) {
            wakeup.awaitUninterruptibly();
          }
        }
        if (aborted) {
          failAll(pending, "log store aborted");
          failAll(parked, "log store aborted");
          syncPool.shutdown();
          checkpointer.shutdown();
          return;
        }
        fullFlush = !stopping && checkpointTasks == 0
            && (fullFlushRequested || journalFull || System.nanoTime() - nextPeriodicNanos >= 0);
        checkpoint = !stopping && !fullFlush && checkpointTasks == 0 && checkpointRequested;
        if (!stopping && !fullFlush && !checkpoint && checkpointTasks == 0 && !flushDue.isEmpty()) {
          backgroundFlush = takeFlushDueLocked();
        }
        if (fullFlush) {
          pending.addAll(parked); // re-examined by the next round
          parked.clear();
        }
        if (fullFlush || checkpoint) {
          checkpointTasks++;
          fullFlushRequested = false;
          journalFull = false;
          checkpointRequested = false;
        }
        if (stopping) {
          batch = pending;
          pending = new ArrayList<>();
          batch.addAll(parked);
          parked = new ArrayList<>();
        } else {
          round = takeRoundLocked(); // parked waiters a full flush put back
        }
      } finally {
        lock.unlock();
      }
      if (stopping) {
        Map<PartitionLog, Boolean> flushed = new IdentityHashMap<>(); // log -> flush succeeded
        for (PartitionLog log : logs.get()) {
          flushed.put(log, tryFlush(log));
        }
        completeRound(batch, flushed, true);
        runCheckpointWriter();
        lock.lock();
        try {
          for (Waiter w : parked) {
            w.future().completeExceptionally(new LogStorageException("log store closed before offset "
                + w.offset() + " of " + w.log().name() + " became durable"));
          }
          parked.clear();
        } finally {
          lock.unlock();
        }
        syncPool.shutdown();
        checkpointer.shutdown();
        return;
      }
      startRound(round);
      if (fullFlush) {
        nextPeriodicNanos = System.nanoTime() + intervalNanos;
        checkpointer.execute(() -> endCheckpointTask(this::fullFlush));
      } else if (checkpoint) {
        checkpointer.execute(() -> endCheckpointTask(this::runCheckpointWriter));
      } else if (!backgroundFlush.isEmpty()) {
        List<PartitionLog> due = backgroundFlush;
        checkpointer.execute(() -> endCheckpointTask(() -> flushInBackground(due)));
      }
    }
  }

  /** Runs one round; returns a round that completing it started, for this thread to run next (or null). */
  private Round runRound(long id, List<Waiter> round) {
    Map<PartitionLog, Boolean> synced = new IdentityHashMap<>();
    boolean journaled = false;
    try {
      journalRound(round, synced);
      journaled = true;
    } finally {
      if (!journaled) { // an unexpected failure: complete what is durable, park the rest, and let it propagate
        startRound(onRoundSynced(id, () -> completeRound(round, synced, false)));
      }
    }
    return onRoundSynced(id, () -> completeRound(round, synced, false));
  }

  private void endCheckpointTask(Runnable task) {
    try {
      task.run();
    } finally {
      lock.lock();
      try {
        checkpointTasks--;
        wakeup.signal();
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * fsyncs every log's segments and checkpoints the recovery points; then the journal below the start is spare.
   * While a log is offline (a failed fsync, say) with acknowledged records only the journal holds, no journal file
   * is recycled: replay at the next start writes them back. Once no such log is left (it was deleted), recycling
   * resumes.
   */
  private void fullFlush() {
    long mark = journal.mark();
    List<String> offlineInJournal = new ArrayList<>();
    for (PartitionLog log : logs.get()) {
      tryFlush(log);
      if (log.isOffline() && log.dependsOnJournal()) {
        offlineInJournal.add(log.name());
      }
    }
    if (!runCheckpointWriter()) {
      journal.release(mark, false); // keep every file, and do not try again before the journal grew as much again
      return;
    }
    boolean keep = !offlineInJournal.isEmpty();
    if (keep && !keepingJournal) {
      LOG.error("Offline log(s) {} have acknowledged records that only the journal holds: its files are kept, and"
          + " replayed at the next start, from now on", offlineInJournal);
    } else if (!keep && keepingJournal) {
      LOG.info("No offline log depends on the journal any more: its files are recycled again");
    }
    keepingJournal = keep;
    journal.release(mark, !keepingJournal);
    boolean stillFull = journal.wantsFlush();
    lock.lock();
    try {
      journalFull &= stillFull; // rounds during this flush asked for the one this flush was
    } finally {
      lock.unlock();
    }
  }

  private boolean runCheckpointWriter() {
    try {
      checkpointWriter.run();
      return true;
    } catch (RuntimeException e) {
      LOG.error("Writing offset checkpoints failed", e);
      return false;
    }
  }

  /**
   * Completes synced rounds in the order they started, whatever order their fsyncs ended in: a log's waiters then
   * complete in the order they were registered, as with one round at a time (the controller publishes metadata
   * images, and the coordinators replay records, in completion order). The thread that finds the next round ready
   * completes it and any later ones already synced; callbacks run without the lock. Returns the first round that
   * completing them started, for the caller to run (others go to the sync pool), or null.
   */
  private Round onRoundSynced(long id, Runnable completion) {
    lock.lock();
    try {
      syncedRounds.put(id, completion);
      if (completingRounds) {
        return null; // the thread completing rounds will get to this one
      }
      completingRounds = true;
    } finally {
      lock.unlock();
    }
    Round runNext = null;
    while (true) {
      Runnable next;
      lock.lock();
      try {
        next = syncedRounds.remove(nextRoundToComplete);
        if (next == null) {
          completingRounds = false;
          return runNext;
        }
        nextRoundToComplete++;
      } finally {
        lock.unlock();
      }
      try {
        next.run();
      } catch (RuntimeException | Error e) {
        // Even an Error (a stack overflow down a waiter's chain of dependents, say) must not leave completingRounds
        // set or the round's slot taken: every later round would hang. Out of memory ends bin/gregor anyway.
        LOG.error("Completing durability waiters failed", e);
      } finally {
        lock.lock();
        Round following;
        try {
          roundsInFlight--;
          following = takeRoundLocked();
          if (closing) {
            wakeup.signal(); // the flusher's last flush waits for the rounds to end
          }
        } finally {
          lock.unlock();
        }
        if (runNext == null) {
          runNext = following;
        } else {
          startRound(following);
        }
      }
    }
  }

  private static void failAll(List<Waiter> waiters, String why) {
    for (Waiter w : waiters) {
      w.future().completeExceptionally(new LogStorageException(why));
    }
    waiters.clear();
  }

  /**
   * Copies what the round's logs appended into the journal and syncs it once; records per log whether its waiters'
   * offsets are durable now. While the journal cannot be used (it failed, until the next full flush) and for a log
   * with a large backlog, the round fsyncs the segments instead; a failed segment fsync takes that log offline.
   */
  private void journalRound(List<Waiter> batch, Map<PartitionLog, Boolean> synced) {
    Set<PartitionLog> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Waiter w : batch) {
      distinct.add(w.log());
    }
    for (PartitionLog log : distinct) {
      // A log that took many acks=1 (or acks=0) writes since its last flush would make this round copy all of them:
      // an fsync of its segments is cheaper, and leaves only what comes after it to the journal.
      if (log.unjournaledBytes() > DIRECT_FLUSH_BYTES && !tryFlush(log)) {
        synced.put(log, Boolean.FALSE);
      }
    }
    distinct.removeIf(synced::containsKey);
    if (!syncJournal(distinct)) {
      for (PartitionLog log : distinct) {
        synced.put(log, tryFlush(log));
      }
    }
    for (PartitionLog log : distinct) {
      synced.putIfAbsent(log, Boolean.TRUE);
    }
    if (journal.wantsFlush()) {
      onJournalFull();
    }
  }

  /**
   * Called (without the log's lock) by an append that left {@code log} with {@link #BACKGROUND_FLUSH_BYTES} or more
   * written since its last fsync: fsyncs its segments on the checkpointer thread, at once when nothing runs there,
   * else as soon as the full flush, checkpoint write or other background flush running there ends. Left to the full
   * flush alone (after 256 MiB of journal then), that meant fsyncing 256 MiB of segments at once: the disk queued it
   * ahead of the rounds' journal writes, and every round for the next ~200 ms took 25-35 ms (measured, 1 KiB at 72k
   * records/s). In 2 MiB steps (throttled p99 6-12 ms against 9-14 ms with 8 MiB steps, throughput alike) the full
   * flush finds little left to write, and no round waits behind more than one step. Logs written with acks=1 or 0
   * only, which no round ever touches, get the same steps: otherwise the full flush every
   * {@code recoveryCheckpointIntervalMs} fsynced everything they took since the last one, stalling every other
   * partition's rounds the same way. (With flushBeforeAck off nothing asks: the OS writes the page cache back, as
   * under Kafka.) It advances the recovery points in memory only: the journal keeps the ranges until the next full
   * flush checkpoints them.
   */
  void requestBackgroundFlush(PartitionLog log) {
    List<PartitionLog> due;
    lock.lock();
    try {
      if (closing) {
        return; // the last flush covers it
      }
      flushDue.add(log);
      if (checkpointTasks > 0) {
        return; // endCheckpointTask wakes the flusher thread, which starts it next
      }
      due = takeFlushDueLocked();
    } finally {
      lock.unlock();
    }
    checkpointer.execute(() -> endCheckpointTask(() -> flushInBackground(due)));
  }

  /** Takes the logs due for a background flush, counting it as a checkpointer task. */
  private List<PartitionLog> takeFlushDueLocked() {
    List<PartitionLog> due = new ArrayList<>(flushDue);
    flushDue.clear();
    checkpointTasks++;
    return due;
  }

  private static void flushInBackground(List<PartitionLog> due) {
    for (PartitionLog log : due) {
      log.onBackgroundFlushStarting();
      tryFlush(log);
    }
  }

  /** Journals what {@code logs} appended and syncs it; false if the journal failed (it logged that once). */
  private boolean syncJournal(Set<PartitionLog> logs) {
    if (!journal.usable()) {
      return false;
    }
    try {
      DurabilityJournal.Written written = journal.write(logs);
      journal.sync(written.end());
      for (Map.Entry<PartitionLog, Long> e : written.endOffsets().entrySet()) {
        e.getKey().markJournalDurable(e.getValue());
      }
      return true;
    } catch (IOException | RuntimeException e) {
      LOG.debug("Journal round failed; fsyncing the segments instead", e);
      return false;
    }
  }

  private void completeRound(List<Waiter> batch, Map<PartitionLog, Boolean> flushed, boolean stopping) {
    List<Waiter> notYetAppended = new ArrayList<>();
    for (Waiter w : batch) {
      try {
        if (!complete(w, flushed.getOrDefault(w.log(), Boolean.TRUE), stopping)) {
          notYetAppended.add(w);
        }
      } catch (RuntimeException e) { // a bug: fail this waiter, still complete or park the others
        LOG.error("Completing the durability wait of {} at offset {} failed", w.log().name(), w.offset(), e);
        w.future().completeExceptionally(e);
      }
    }
    if (!notYetAppended.isEmpty()) {
      lock.lock();
      try {
        parked.addAll(notYetAppended);
      } finally {
        lock.unlock();
      }
    }
  }

  /** Fsyncs one log's segments; false (logged once) when that failed and the log went offline. */
  private static boolean tryFlush(PartitionLog log) {
    try {
      log.flush();
      return true;
    } catch (IOException | RuntimeException e) {
      LOG.error("fsync of {} failed; the log is now offline", log.name(), e);
      return false;
    }
  }

  /** Completes the waiter, or returns false when its offset has not been appended yet (to be parked). */
  private static boolean complete(Waiter w, boolean flushSucceeded, boolean stopping) {
    if (w.offset() < w.log().durableOffset()) { // even if the log went offline since: these bytes were synced
      w.future().complete(null);
    } else if (!flushSucceeded || w.log().isOffline()) {
      w.future().completeExceptionally(new LogStorageException("fsync of " + w.log().name() + " failed"));
    } else if (w.log().isClosed() && !stopping) {
      w.future().completeExceptionally(new LogClosedException(w.log().name() + " was closed or deleted"));
    } else {
      return false;
    }
    return true;
  }
}
