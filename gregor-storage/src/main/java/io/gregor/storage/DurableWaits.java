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
  /** Per wait: fsynced even when log.flush.before.ack is off (flush.messages). */
  private final List<Boolean> fsyncAlways = new ArrayList<>();
  /** Each added wait's outcome, in the order added; filled by {@link #register}. */
  private final List<CompletableFuture<Void>> outcomes = new ArrayList<>();
  /** A round register(true) kept for the caller's thread, or null. */
  private Runnable keptRound;

  /**
   * Waits, once registered, until everything up to and including {@code offset} of {@code log} is durable.
   *
   * @return the index of this wait, for {@link #outcome}
   */
  public int add(PartitionLog log, long offset) {
    return add(log, offset, false);
  }

  /**
   * As {@link #add(PartitionLog, long)}; with {@code fsyncAlways}, the wait is for the fsync whatever
   * log.flush.before.ack says (as {@link PartitionLog#awaitFsynced}).
   */
  public int add(PartitionLog log, long offset, boolean fsyncAlways) {
    logs.add(log);
    offsets.add(offset);
    this.fsyncAlways.add(fsyncAlways);
    return logs.size() - 1;
  }

  /**
   * The outcome of the wait {@link #add} numbered {@code index}, once {@link #register} was called: when the future
   * that returned fails, some waits may still have succeeded (another log dir's round, or a log that stayed online
   * while another failed its fsync).
   */
  public CompletableFuture<Void> outcome(int index) {
    return outcomes.get(index);
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
    Map<LogFlusher, List<Integer>> waiting = new IdentityHashMap<>();
    for (int i = 0; i < logs.size(); i++) {
      CompletableFuture<Void> now = fsyncAlways.get(i) ? logs.get(i).fsyncedWithoutWaiting(offsets.get(i))
          : logs.get(i).durabilityWithoutWaiting(offsets.get(i));
      outcomes.add(now);
      if (now == null) {
        waiting.computeIfAbsent(logs.get(i).flusher(), f -> new ArrayList<>()).add(i);
      }
    }
    for (Map.Entry<LogFlusher, List<Integer>> e : waiting.entrySet()) {
      List<Integer> indexes = e.getValue();
      // At most one round is kept: those of other log dirs sync on their flushers' threads, in parallel.
      List<CompletableFuture<Void>> futures = e.getKey().await(indexes.stream().map(logs::get).toList(),
          indexes.stream().map(offsets::get).toList(), keepRound && keptRound == null ? round -> keptRound = round : null);
      for (int j = 0; j < indexes.size(); j++) {
        outcomes.set(indexes.get(j), futures.get(j));
      }
    }
    return outcomes.size() == 1 ? outcomes.get(0) : CompletableFuture.allOf(outcomes.toArray(new CompletableFuture<?>[0]));
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
