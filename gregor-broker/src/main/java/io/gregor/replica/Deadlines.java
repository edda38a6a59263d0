package io.gregor.replica;

import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Fails futures still pending when their deadline passes, for waits that nearly always end long before it (an
 * acks=all produce waiting for its fsync round, against the request's {@code timeout.ms}). One task on the timer
 * sweeps every registered future each {@link #TICK_MS} while any is registered, so a registration costs a queue
 * insert. {@code CompletableFuture.orTimeout} scheduled a task per request and woke its timer thread each time the
 * earliest one was cancelled: at one partition of 100 B records that was a wake-up per produce request, and ~3% of
 * the broker's CPU in that thread alone (profiled). A deadline fires up to one tick late.
 *
 * <p>Thread-safe: request threads register, the timer thread sweeps.
 */
public final class Deadlines {
    /** How often pending futures are checked while any is registered. */
    static final long TICK_MS = 10;

    private record Entry(CompletableFuture<?> future, long deadlineNanos) {
    }

    private final ConcurrentLinkedQueue<Entry> entries = new ConcurrentLinkedQueue<>();
    /** A sweep is scheduled or running. */
    private final AtomicBoolean sweeping = new AtomicBoolean();
    private final ScheduledExecutorService timer;

    Deadlines(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    /**
     * Completes {@code future} exceptionally with a {@link TimeoutException} if it is still pending
     * {@code timeoutMs} from now (at most one tick later); returns it.
     */
    public <T> CompletableFuture<T> failAfter(CompletableFuture<T> future, long timeoutMs) {
        if (future.isDone()) {
            return future;
        }
        entries.add(new Entry(future, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, timeoutMs))));
        if (sweeping.compareAndSet(false, true)) {
            schedule();
        }
        return future;
    }

    private void schedule() {
        try {
            timer.schedule(this::sweep, TICK_MS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            sweeping.set(false); // shut down: whatever waits is failed by its owner's close
        }
    }

    private void sweep() {
        try {
            expire(System.nanoTime());
        } finally {
            afterSweep(); // even if a callback threw: later deadlines must still fire
        }
    }

    private void expire(long now) {
        for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (e.future().isDone()) {
                it.remove();
            } else if (now - e.deadlineNanos() >= 0) {
                it.remove();
                e.future().completeExceptionally(new TimeoutException("no answer within the request's timeout"));
            }
        }
    }

    private void afterSweep() {
        if (!entries.isEmpty()) {
            schedule();
            return;
        }
        sweeping.set(false);
        // A registration between the emptiness check and the reset found a sweep still scheduled.
        if (!entries.isEmpty() && sweeping.compareAndSet(false, true)) {
            schedule();
        }
    }
}
