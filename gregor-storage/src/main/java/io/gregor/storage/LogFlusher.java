package io.gregor.storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group-commit flusher of one {@link LogStore} (BookKeeper's ForceWriteThread pattern): producer threads
 * register durability waiters; the flusher thread drains all pending waiters at once into a round, which fsyncs each
 * log they wait on once (the logs in parallel) and completes every waiter that fsync covered. Up to
 * {@link #MAX_ROUNDS_IN_FLIGHT} rounds run at a time: waiters that arrive while a round syncs start the next round at
 * once instead of waiting for the running one to finish (each log still syncs one call at a time, see
 * {@link PartitionLog#flush}). Every {@code recoveryCheckpointIntervalMs} (and when asked) the flusher thread also
 * flushes all dirty logs and writes the store's offset checkpoints.
 *
 * <p>Threads: the waiter queue, the parked waiters and the round count are guarded by {@link #lock}; a round's
 * fsyncs run on {@link #syncPool}, whose last finishing thread completes the round's waiters.
 */
final class LogFlusher {
  private static final Logger LOG = LoggerFactory.getLogger(LogFlusher.class);
  private static final int SYNC_THREADS = 8;
  /**
   * Two: a request that arrives while a round syncs no longer waits for that round to end before its own sync starts
   * (measured on the shared bench, acks=all at half the peak rate: producer p99 20-200 ms down to 10-12 ms, no loss of
   * peak throughput); more would only add fsyncs.
   */
  private static final int MAX_ROUNDS_IN_FLIGHT = 2;

  private record Waiter(PartitionLog log, long offset, CompletableFuture<Void> future) {
  }

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wakeup = lock.newCondition();
  private final long intervalNanos;
  private final Supplier<Collection<PartitionLog>> logs;
  private final Runnable checkpointWriter;
  private final Thread thread;
  /** Runs the rounds' fsyncs; FIFO, so a round's syncs start before those of a later round. */
  private final ExecutorService syncPool;
  private List<Waiter> pending = new ArrayList<>();      // guarded by lock
  private final List<Waiter> parked = new ArrayList<>(); // guarded by lock: offsets not yet appended at their round
  private int roundsInFlight;                            // guarded by lock
  private boolean checkpointRequested;                   // guarded by lock
  private boolean closing;                               // guarded by lock
  private boolean aborted;                               // guarded by lock: stop without a last flush (crash tests)

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

  /** Stops the thread after one last round; waiters it cannot satisfy fail. */
  void close() {
    stop(false);
  }

  /** Stops the thread without flushing or writing checkpoints (simulated crash). */
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
      boolean periodic;
      boolean checkpoint;
      boolean stopping;
      lock.lock();
      try {
        long waitNanos = nextPeriodicNanos - System.nanoTime();
        while ((pending.isEmpty() || roundsInFlight >= MAX_ROUNDS_IN_FLIGHT) && !closing && !checkpointRequested
            && waitNanos > 0) {
          try {
            waitNanos = wakeup.awaitNanos(waitNanos);
          } catch (InterruptedException e) {
            closing = true;
          }
        }
        while (closing && roundsInFlight > 0) {
          wakeup.awaitUninterruptibly(); // the last round starts after the running ones end
        }
        if (aborted) {
          failAll(pending, "log store aborted");
          failAll(parked, "log store aborted");
          syncPool.shutdown();
          return;
        }
        batch = pending;
        pending = new ArrayList<>();
        batch.addAll(parked);
        parked.clear();
        stopping = closing;
        periodic = System.nanoTime() - nextPeriodicNanos >= 0;
        checkpoint = checkpointRequested;
        checkpointRequested = false;
        if (!batch.isEmpty()) {
          roundsInFlight++;
        }
      } finally {
        lock.unlock();
      }
      if (periodic || stopping) {
        Map<PartitionLog, Boolean> flushed = new IdentityHashMap<>();
        for (PartitionLog log : logs.get()) {
          flushed.put(log, tryFlush(log));
        }
        nextPeriodicNanos = System.nanoTime() + intervalNanos;
        checkpoint = true;
        if (!batch.isEmpty()) {
          finishRound(batch, flushed, stopping);
        }
      } else if (!batch.isEmpty()) {
        startRound(batch);
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
            w.future().completeExceptionally(new LogStorageException("log store closed before offset " + w.offset()
                + " of " + w.log().name() + " became durable"));
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
   * Fsyncs every log the batch waits on, the logs in parallel (on ext4 and XFS concurrent fdatasyncs share journal
   * commits, so a round costs about one sync instead of one per partition); the thread that finishes last completes
   * the batch.
   */
  private void startRound(List<Waiter> batch) {
    Set<PartitionLog> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Waiter w : batch) {
      distinct.add(w.log());
    }
    List<PartitionLog> toSync = new ArrayList<>(distinct);
    boolean[] ok = new boolean[toSync.size()];
    CompletableFuture<?>[] running = new CompletableFuture<?>[toSync.size()];
    try {
      for (int i = 0; i < toSync.size(); i++) {
        int index = i;
        running[i] = CompletableFuture.runAsync(() -> ok[index] = tryFlush(toSync.get(index)), syncPool);
      }
    } catch (RejectedExecutionException e) {
      LOG.error("Cannot start an fsync round", e);
      failAll(batch, "the flusher is stopped");
      roundEnded();
      return;
    }
    CompletableFuture.allOf(running).whenComplete((v, e) -> { // happens-before: ok[] is visible here
      Map<PartitionLog, Boolean> flushed = new IdentityHashMap<>();
      for (int i = 0; i < toSync.size(); i++) {
        flushed.put(toSync.get(i), ok[i]);
      }
      finishRound(batch, flushed, false);
    });
  }

  /** Completes the waiters a round covered and parks the rest; ends the round even if a completion throws. */
  private void finishRound(List<Waiter> batch, Map<PartitionLog, Boolean> flushed, boolean stopping) {
    try {
      List<Waiter> notYetAppended = new ArrayList<>();
      for (Waiter w : batch) {
        boolean flushSucceeded = flushed.getOrDefault(w.log(), Boolean.TRUE);
        if (!flushSucceeded || w.log().isOffline()) {
          w.future().completeExceptionally(new LogStorageException("fsync of " + w.log().name() + " failed"));
        } else if (w.offset() < w.log().recoveryPoint()) {
          w.future().complete(null);
        } else if (w.log().isClosed() && !stopping) {
          w.future().completeExceptionally(new LogStorageException(w.log().name() + " was closed or deleted"));
        } else {
          notYetAppended.add(w); // the offset has not been appended yet; re-examined with the next round
        }
      }
      lock.lock();
      try {
        parked.addAll(notYetAppended);
      } finally {
        lock.unlock();
      }
    } finally {
      roundEnded();
    }
  }

  private void roundEnded() {
    lock.lock();
    try {
      roundsInFlight--;
      wakeup.signal();
    } finally {
      lock.unlock();
    }
  }

  private static void failAll(List<Waiter> waiters, String message) {
    for (Waiter w : waiters) {
      w.future().completeExceptionally(new LogStorageException(message));
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
}
