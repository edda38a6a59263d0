package io.gregor.storage;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The durability waits of one request that appended to several partitions (an acks=all produce, a coordinator's
 * writes), registered together once every append is done, so that one group-commit round covers all of them.
 * Registered one at a time, right after each append, the first would start a round holding only its own partition
 * while the others queued for the next round: two fsync rounds per request instead of one.
 *
 * <p>Not thread-safe: one request thread fills it and calls {@link #register} once.
 */
public final class DurableWaits {
  private final List<PartitionLog> logs = new ArrayList<>();
  private final List<Long> offsets = new ArrayList<>();
  /** A round register(true) kept for the caller's thread, or null. */
  private Runnable keptRound;

  /** Waits, once registered, until everything up to and including {@code offset} of {@code log} is durable. */
  public void add(PartitionLog log, long offset) {
    logs.add(log);
    offsets.add(offset);
  }

  public boolean isEmpty() {
    return logs.isEmpty();
  }

  /**
   * Registers every wait added, with one round start per log store, and completes once all of them completed (as
   * {@link PartitionLog#awaitDurable} does for one); fails with the first failure.
   */
  public CompletableFuture<Void> register() {
    return register(false);
  }

  /**
   * As {@link #register()}; with {@code keepRound}, a round that can start at once is kept for
   * {@link #runKeptRound} instead of being handed to the flusher's thread, and the caller must call that exactly
   * once after it has wired the returned future, even if something failed meanwhile: until then the round holds
   * its slot, so every later wait on that store queues behind it and closing the store waits for it. For request
   * threads (a request's response waits for the round anyway): it saves a hand-off per round. Not for threads
   * that must stay responsive (a coordinator's, the controller's).
   */
  public CompletableFuture<Void> register(boolean keepRound) {
    List<CompletableFuture<Void>> futures = new ArrayList<>(logs.size());
    Map<LogFlusher, List<PartitionLog>> waitingLogs = new IdentityHashMap<>();
    Map<LogFlusher, List<Long>> waitingOffsets = new IdentityHashMap<>();
    for (int i = 0; i < logs.size(); i++) {
      PartitionLog log = logs.get(i);
      long offset = offsets.get(i);
      CompletableFuture<Void> now = log.durabilityWithoutWaiting(offset);
      if (now != null) {
        futures.add(now);
      } else {
        LogFlusher flusher = log.flusher();
        waitingLogs.computeIfAbsent(flusher, f -> new ArrayList<>()).add(log);
        waitingOffsets.computeIfAbsent(flusher, f -> new ArrayList<>()).add(offset);
      }
    }
    for (Map.Entry<LogFlusher, List<PartitionLog>> e : waitingLogs.entrySet()) {
      // At most one round is kept: those of other log dirs sync on their flushers' threads, in parallel.
      futures.addAll(e.getKey().await(e.getValue(), waitingOffsets.get(e.getKey()),
          keepRound && keptRound == null ? round -> keptRound = round : null));
    }
    return futures.size() == 1 ? futures.get(0) : CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]));
  }

  /**
   * Runs on this thread the round {@link #register(boolean) register(true)} kept (none when a round was already
   * running: the waits then join the next one); a round that piled up behind it goes to the flusher's sync thread.
   * Blocks for one fsync when there was a round to run.
   */
  public void runKeptRound() {
    Runnable round = keptRound;
    keptRound = null;
    if (round != null) {
      round.run();
    }
  }
}
