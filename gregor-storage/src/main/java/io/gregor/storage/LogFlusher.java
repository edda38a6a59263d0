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
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group-commit flusher of one {@link LogStore} (BookKeeper's ForceWriteThread pattern): producer threads
 * register durability waiters; the flusher thread drains all pending waiters at once into a <em>round</em> that
 * fsyncs each dirty log once and completes every waiter that fsync covered. Every
 * {@code recoveryCheckpointIntervalMs} (and when asked) it also flushes all dirty logs and writes the store's offset
 * checkpoints.
 *
 * <p>Up to {@link #MAX_ROUNDS_IN_FLIGHT} rounds run at once: a waiter that arrives while a round is syncing starts
 * its own round's fsyncs at once instead of after that round ends (under light load almost every round serves one
 * request); it then waits for its own fsync or the earlier round's end, whichever is later, since rounds complete
 * in the order they started. When
 * that many rounds are running, new waiters queue and the next free slot takes them all together: under heavy load
 * rounds grow, as plain group commit does.
 *
 * <p>Threads: the waiter queues and the round count are guarded by {@link #lock}; rounds run on {@link #syncPool}
 * and complete their waiters there; periodic flushes, checkpoints and the final flush on close run on the flusher
 * thread, with no round running.
 */
final class LogFlusher {
  private static final Logger LOG = LoggerFactory.getLogger(LogFlusher.class);
  /** Rounds syncing at the same time; more would only queue at the disk. */
  static final int MAX_ROUNDS_IN_FLIGHT = 2;
  private static final int SYNC_THREADS = 8;

  private record Waiter(PartitionLog log, long offset, CompletableFuture<Void> future) {
  }

  private final ReentrantLock lock = new ReentrantLock();
  /** Signalled when there is work for the flusher thread, or a round ended. */
  private final Condition wakeup = lock.newCondition();
  private final long intervalNanos;
  private final Supplier<Collection<PartitionLog>> logs;
  private final Runnable checkpointWriter;
  private final Thread thread;
  /** Runs rounds and the fsyncs of one round in parallel. */
  private final ExecutorService syncPool;
  private List<Waiter> pending = new ArrayList<>(); // guarded by lock
  /** Offsets not yet appended when their round ended; re-examined with the next round. Guarded by lock. */
  private List<Waiter> parked = new ArrayList<>();
  private int roundsInFlight;                       // guarded by lock: started and not yet completed
  private long nextRoundId;                         // guarded by lock
  private long nextRoundToComplete;                 // guarded by lock
  /** Rounds whose fsyncs ended, waiting for earlier rounds to complete first. Guarded by lock. */
  private final TreeMap<Long, Runnable> syncedRounds = new TreeMap<>();
  private boolean completingRounds;                 // guarded by lock: a thread is completing rounds in order
  private boolean checkpointRequested;              // guarded by lock
  private boolean closing;                          // guarded by lock
  private boolean aborted;                          // guarded by lock: stop without a last flush (crash tests)

  LogFlusher(String name, long intervalMs, Supplier<Collection<PartitionLog>> logs, Runnable checkpointWriter) {
    this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMs);
    this.logs = logs;
    this.checkpointWriter = checkpointWriter;
    this.thread = new Thread(this::run, name);
    this.thread.setDaemon(true);
    this.syncPool = Executors.newFixedThreadPool(SYNC_THREADS, r -> {
      Thread t = new Thread(r, name + "-sync");
      t.setDaemon(true);
      return t;
    });
  }

  void start() {
    thread.start();
  }

  /** Registers a waiter completed (on a flusher thread) once {@code offset} of {@code log} is fsynced. */
  CompletableFuture<Void> await(PartitionLog log, long offset) {
    CompletableFuture<Void> future = new CompletableFuture<>();
    lock.lock();
    try {
      if (closing) {
        future.completeExceptionally(new LogStorageException("log store " + log.dir().getParent() + " is closed"));
        return future;
      }
      pending.add(new Waiter(log, offset, future));
      wakeup.signal();
    } finally {
      lock.unlock();
    }
    return future;
  }

  /** Asks for the offset checkpoints to be written soon (e.g. after DeleteRecords moved a logStartOffset). */
  void requestCheckpoint() {
    lock.lock();
    try {
      checkpointRequested = true;
      wakeup.signal();
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
   * (their fsyncs were issued before the "crash"); every other waiter fails.
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
      List<Waiter> batch;
      long roundId = -1L;
      boolean periodic;
      boolean checkpoint;
      boolean stopping;
      lock.lock();
      try {
        long waitNanos = nextPeriodicNanos - System.nanoTime();
        while (!closing && !checkpointRequested && waitNanos > 0
            && (pending.isEmpty() || roundsInFlight >= MAX_ROUNDS_IN_FLIGHT)) {
          try {
            waitNanos = wakeup.awaitNanos(waitNanos);
          } catch (InterruptedException e) {
            closing = true;
          }
        }
        stopping = closing;
        periodic = stopping || System.nanoTime() - nextPeriodicNanos >= 0;
        if (periodic) {
          awaitRoundsLocked(); // a full flush (and close) runs alone
        }
        if (aborted) {
          failAll(pending, "log store aborted");
          failAll(parked, "log store aborted");
          syncPool.shutdown();
          return;
        }
        checkpoint = checkpointRequested || periodic;
        checkpointRequested = false;
        if (periodic || roundsInFlight < MAX_ROUNDS_IN_FLIGHT) {
          batch = pending;
          pending = new ArrayList<>();
        } else {
          batch = new ArrayList<>(); // woken for a checkpoint while every round slot is busy
        }
        if (!batch.isEmpty() || periodic) {
          batch.addAll(parked);
          parked = new ArrayList<>();
        }
        if (!periodic && !batch.isEmpty()) {
          roundsInFlight++;
          roundId = nextRoundId++;
        }
      } finally {
        lock.unlock();
      }
      if (periodic) {
        Map<PartitionLog, Boolean> flushed = new ConcurrentHashMap<>(); // log -> flush succeeded
        for (PartitionLog log : logs.get()) {
          flushed.put(log, tryFlush(log));
        }
        nextPeriodicNanos = System.nanoTime() + intervalNanos;
        flushRound(batch, flushed).join();
        completeRound(batch, flushed, stopping);
      } else if (!batch.isEmpty()) {
        List<Waiter> round = batch;
        long id = roundId;
        Map<PartitionLog, Boolean> flushed = new ConcurrentHashMap<>();
        flushRound(round, flushed).whenComplete(
            (v, e) -> onRoundSynced(id, () -> completeRound(round, flushed, false)));
      }
      if (checkpoint) {
        try {
          checkpointWriter.run();
        } catch (RuntimeException e) {
          LOG.error("Writing offset checkpoints failed", e);
        }
      }
      if (stopping) {
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
        return;
      }
    }
  }

  /**
   * Completes synced rounds in the order they started, whatever order their fsyncs ended in: a log's waiters then
   * complete in the order they were registered, as with one round at a time (the controller publishes metadata
   * images, and the coordinators replay records, in completion order). The thread that finds the next round ready
   * completes it and any later ones already synced; callbacks run without the lock.
   */
  private void onRoundSynced(long id, Runnable completion) {
    lock.lock();
    try {
      syncedRounds.put(id, completion);
      if (completingRounds) {
        return; // the thread completing rounds will get to this one
      }
      completingRounds = true;
    } finally {
      lock.unlock();
    }
    while (true) {
      Runnable next;
      lock.lock();
      try {
        next = syncedRounds.remove(nextRoundToComplete);
        if (next == null) {
          completingRounds = false;
          return;
        }
        nextRoundToComplete++;
      } finally {
        lock.unlock();
      }
      try {
        next.run();
      } catch (RuntimeException e) {
        LOG.error("Completing durability waiters failed", e);
      } finally {
        lock.lock();
        try {
          roundsInFlight--;
          wakeup.signal();
        } finally {
          lock.unlock();
        }
      }
    }
  }

  /** Waits until no round is syncing. Called with the lock held, on the flusher thread. */
  private void awaitRoundsLocked() {
    while (roundsInFlight > 0) {
      wakeup.awaitUninterruptibly();
    }
  }

  private static void failAll(List<Waiter> waiters, String why) {
    for (Waiter w : waiters) {
      w.future().completeExceptionally(new LogStorageException(why));
    }
    waiters.clear();
  }

  /**
   * Fsyncs every log the batch waits on that {@code flushed} does not hold yet, the logs in parallel: on ext4 and XFS
   * concurrent fdatasyncs share journal commits, so a round costs about one sync instead of one per partition (an
   * acks=all request to 6 partitions waits for 6 logs). Records each outcome in {@code flushed}.
   */
  private CompletableFuture<Void> flushRound(List<Waiter> batch, Map<PartitionLog, Boolean> flushed) {
    Set<PartitionLog> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Waiter w : batch) {
      if (!flushed.containsKey(w.log())) {
        distinct.add(w.log());
      }
    }
    CompletableFuture<?>[] running = new CompletableFuture<?>[distinct.size()];
    int i = 0;
    for (PartitionLog log : distinct) {
      running[i++] = CompletableFuture.runAsync(() -> flushed.put(log, tryFlush(log)), syncPool);
    }
    return CompletableFuture.allOf(running);
  }

  private void completeRound(List<Waiter> batch, Map<PartitionLog, Boolean> flushed, boolean stopping) {
    List<Waiter> notYetAppended = new ArrayList<>();
    for (Waiter w : batch) {
      if (!complete(w, flushed.getOrDefault(w.log(), Boolean.TRUE), stopping)) {
        notYetAppended.add(w);
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

  /** Fsyncs one log; false (logged once) when that failed and the log went offline. */
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
    if (!flushSucceeded || w.log().isOffline()) {
      w.future().completeExceptionally(new LogStorageException("fsync of " + w.log().name() + " failed"));
    } else if (w.offset() < w.log().recoveryPoint()) {
      w.future().complete(null);
    } else if (w.log().isClosed() && !stopping) {
      w.future().completeExceptionally(new LogStorageException(w.log().name() + " was closed or deleted"));
    } else {
      return false;
    }
    return true;
  }
}
