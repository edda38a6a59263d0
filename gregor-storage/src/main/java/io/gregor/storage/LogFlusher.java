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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group-commit flusher of one {@link LogStore} (BookKeeper's ForceWriteThread pattern): producer threads
 * register durability waiters; the flusher thread drains all pending waiters at once, fsyncs each dirty log once,
 * and completes every waiter that fsync covered. Every {@code recoveryCheckpointIntervalMs} (and when asked) it also
 * flushes all dirty logs and writes the store's offset checkpoints.
 *
 * <p>Threads: the waiter queue is guarded by {@link #lock}; everything else runs on the single flusher thread, which
 * is the only thread that fsyncs while the store is open.
 */
final class LogFlusher {
  private static final Logger LOG = LoggerFactory.getLogger(LogFlusher.class);
  private static final int SYNC_THREADS = 8;

  private record Waiter(PartitionLog log, long offset, CompletableFuture<Void> future) {
  }

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wakeup = lock.newCondition();
  private final long intervalNanos;
  private final Supplier<Collection<PartitionLog>> logs;
  private final Runnable checkpointWriter;
  private final Thread thread;
  /** Runs the fsyncs of one round in parallel; owned by the flusher thread, which waits for them. */
  private final ExecutorService syncPool;
  private List<Waiter> pending = new ArrayList<>(); // guarded by lock
  private boolean checkpointRequested;              // guarded by lock
  private boolean closing;                          // guarded by lock
  private boolean aborted;                          // guarded by lock: stop without a last flush (crash tests)
  private final List<Waiter> parked = new ArrayList<>(); // flusher thread only: offsets not yet appended

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

  /** Registers a waiter completed (on the flusher thread) once {@code offset} of {@code log} is fsynced. */
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
        while (pending.isEmpty() && !closing && !checkpointRequested && waitNanos > 0) {
          try {
            waitNanos = wakeup.awaitNanos(waitNanos);
          } catch (InterruptedException e) {
            closing = true;
          }
        }
        if (aborted) {
          for (Waiter w : pending) {
            w.future().completeExceptionally(new LogStorageException("log store aborted"));
          }
          for (Waiter w : parked) {
            w.future().completeExceptionally(new LogStorageException("log store aborted"));
          }
          syncPool.shutdown();
          return;
        }
        batch = pending;
        pending = new ArrayList<>();
        stopping = closing;
        periodic = System.nanoTime() - nextPeriodicNanos >= 0;
        checkpoint = checkpointRequested;
        checkpointRequested = false;
      } finally {
        lock.unlock();
      }
      batch.addAll(parked);
      parked.clear();
      Map<PartitionLog, Boolean> flushed = new IdentityHashMap<>(); // log -> flush succeeded
      if (periodic || stopping) {
        for (PartitionLog log : logs.get()) {
          flushOnce(log, flushed);
        }
        nextPeriodicNanos = System.nanoTime() + intervalNanos;
        checkpoint = true;
      }
      flushAll(batch, flushed);
      for (Waiter w : batch) {
        complete(w, flushed.getOrDefault(w.log(), Boolean.TRUE), stopping);
      }
      if (checkpoint) {
        try {
          checkpointWriter.run();
        } catch (RuntimeException e) {
          LOG.error("Writing offset checkpoints failed", e);
        }
      }
      if (stopping) {
        for (Waiter w : parked) {
          w.future().completeExceptionally(new LogStorageException("log store closed before offset " + w.offset()
              + " of " + w.log().name() + " became durable"));
        }
        parked.clear();
        syncPool.shutdown();
        return;
      }
    }
  }

  /**
   * Fsyncs every log the batch waits on, the logs in parallel: on ext4 and XFS concurrent fdatasyncs share journal
   * commits, so a round costs about one sync instead of one per partition (an acks=all request to 6 partitions
   * waits for 6 logs).
   */
  private void flushAll(List<Waiter> batch, Map<PartitionLog, Boolean> flushed) {
    Set<PartitionLog> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Waiter w : batch) {
      if (!flushed.containsKey(w.log())) {
        distinct.add(w.log());
      }
    }
    if (distinct.size() <= 1) {
      for (PartitionLog log : distinct) {
        flushOnce(log, flushed);
      }
      return;
    }
    List<PartitionLog> logs = new ArrayList<>(distinct);
    boolean[] ok = new boolean[logs.size()];
    CompletableFuture<?>[] running = new CompletableFuture<?>[logs.size()];
    for (int i = 0; i < logs.size(); i++) {
      int index = i;
      running[i] = CompletableFuture.runAsync(() -> ok[index] = tryFlush(logs.get(index)), syncPool);
    }
    CompletableFuture.allOf(running).join(); // happens-before: the results are visible here
    for (int i = 0; i < logs.size(); i++) {
      flushed.put(logs.get(i), ok[i]);
    }
  }

  private static void flushOnce(PartitionLog log, Map<PartitionLog, Boolean> flushed) {
    if (!flushed.containsKey(log)) {
      flushed.put(log, tryFlush(log));
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

  private void complete(Waiter w, boolean flushSucceeded, boolean stopping) {
    if (!flushSucceeded || w.log().isOffline()) {
      w.future().completeExceptionally(new LogStorageException("fsync of " + w.log().name() + " failed"));
    } else if (w.offset() < w.log().recoveryPoint()) {
      w.future().complete(null);
    } else if (w.log().isClosed() && !stopping) {
      w.future().completeExceptionally(new LogStorageException(w.log().name() + " was closed or deleted"));
    } else {
      parked.add(w); // the offset has not been appended yet; re-examined after the next round
    }
  }
}
