package io.gregor.replica;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.TopicPartition;

/**
 * Long-poll fetches parked until enough bytes arrive or their {@code max.wait.ms} passes.
 * Appends call {@link #onAppend}; nothing polls. A waiter completes exactly once, either from
 * an appending request thread or from the timer thread.
 */
public final class FetchWaiters implements AutoCloseable {

    /** A parked fetch; {@link #complete()} builds and sends its response. */
    public abstract static class Waiter {
        private final AtomicBoolean done = new AtomicBoolean();
        private final Collection<TopicPartition> partitions;
        private final int minBytes;
        /** Each partition's partition_max_bytes, when the fetch set one (Kafka counts at most that per partition). */
        private final Map<TopicPartition, Integer> partitionMaxBytes;
        /** Bytes appended to each partition since parking, as counted (capped). */
        private final Map<TopicPartition, Long> appended = new HashMap<>();
        private long bytesSeen;
        private ScheduledFuture<?> timeout;

        protected Waiter(Collection<TopicPartition> partitions, int minBytes, long bytesAlready) {
            this(partitions, minBytes, bytesAlready, Map.of());
        }

        protected Waiter(Collection<TopicPartition> partitions, int minBytes, long bytesAlready,
                         Map<TopicPartition, Integer> partitionMaxBytes) {
            this.partitions = partitions;
            this.minBytes = minBytes;
            this.bytesSeen = bytesAlready;
            this.partitionMaxBytes = partitionMaxBytes;
        }

        /** Runs once, on whichever thread satisfied or expired the wait. */
        protected abstract void complete();

        /**
         * Counts bytes appended to {@code tp}, at most its partition_max_bytes in all, as Kafka's
         * DelayedFetch.tryComplete takes each partition's fetch size as the bound of what it accumulates.
         */
        synchronized boolean addBytes(TopicPartition tp, int bytes) {
            Integer cap = partitionMaxBytes.get(tp);
            long counted = appended.getOrDefault(tp, 0L);
            long add = cap == null ? bytes : Math.max(0, Math.min(bytes, cap - counted));
            appended.put(tp, counted + add);
            bytesSeen += add;
            return bytesSeen >= minBytes;
        }

        synchronized boolean raiseBytesTo(long bytes) {
            bytesSeen = Math.max(bytesSeen, bytes);
            return bytesSeen >= minBytes;
        }

        boolean tryFinish() {
            return done.compareAndSet(false, true);
        }
    }

    private final Map<TopicPartition, Set<Waiter>> waiting = new ConcurrentHashMap<>();
    private final ScheduledThreadPoolExecutor timer;
    private final Deadlines deadlines;

    public FetchWaiters(String threadName) {
        timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        deadlines = new Deadlines(timer);
    }

    /** The partitions some parked fetch waits on now. */
    public Set<TopicPartition> waitingPartitions() {
        return Set.copyOf(waiting.keySet());
    }

    /** Request deadlines (acks=all produce timeouts), swept on this timer's thread. */
    public Deadlines deadlines() {
        return deadlines;
    }

    /** Parks a waiter for at most {@code maxWaitMs}. */
    public void park(Waiter waiter, long maxWaitMs) {
        // Added and removed inside the map's atomic steps, so that a set emptied by finish is dropped (as Kafka's
        // purgatory drops a key whose watchers are gone) and never one a concurrent park just added to.
        for (TopicPartition tp : waiter.partitions) {
            waiting.compute(tp, (k, set) -> {
                Set<Waiter> s = set == null ? ConcurrentHashMap.newKeySet() : set;
                s.add(waiter);
                return s;
            });
        }
        waiter.timeout = timer.schedule(() -> finish(waiter), maxWaitMs, TimeUnit.MILLISECONDS);
    }

    /** Bytes were appended to {@code tp}: wake the waiters that now have enough. */
    public void onAppend(TopicPartition tp, int bytes) {
        Set<Waiter> set = waiting.get(tp);
        if (set == null || set.isEmpty()) {
            return;
        }
        for (Waiter w : set) {
            if (w.addBytes(tp, bytes)) {
                finish(w);
            }
        }
    }

    /**
     * Completes now every waiter of {@code tps}, which were deleted or replaced (a topic re-created under its name):
     * each reads again and answers what it finds, as Kafka completes the delayed fetches of partitions it stops.
     */
    public void wakeAll(Collection<TopicPartition> tps) {
        for (TopicPartition tp : tps) {
            Set<Waiter> set = waiting.remove(tp);
            if (set != null) {
                for (Waiter w : set) {
                    finish(w);
                }
            }
        }
    }

    /**
     * The waiter's partitions hold {@code bytes} readable bytes as counted by a read after it was parked (appends
     * between its first read and its parking reached no waiter): true when that is enough to answer.
     */
    public boolean raiseBytesTo(Waiter w, long bytes) {
        return w.raiseBytesTo(bytes);
    }

    /** Completes a waiter now (its partitions changed between its read and its parking). */
    public void wake(Waiter w) {
        finish(w);
    }

    private void finish(Waiter w) {
        if (!w.tryFinish()) {
            return;
        }
        if (w.timeout != null) {
            w.timeout.cancel(false);
        }
        for (TopicPartition tp : w.partitions) {
            waiting.computeIfPresent(tp, (k, set) -> {
                set.remove(w);
                return set.isEmpty() ? null : set;
            });
        }
        w.complete();
    }

    /** Completes every parked waiter now (shutdown). */
    public void completeAll() {
        for (Set<Waiter> set : waiting.values()) {
            for (Waiter w : set) {
                finish(w);
            }
        }
    }

    @Override
    public void close() {
        completeAll();
        // Not shutdownNow: a waiter completed on the timer thread reads logs, and an interrupt landing in a
        // FileChannel read closes that segment's channel.
        timer.shutdown();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
