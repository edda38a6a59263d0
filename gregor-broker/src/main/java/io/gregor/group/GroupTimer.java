package io.gregor.group;

/**
 * Deadlines of the group state machine (heartbeat expiry, join and sync timeouts, initial
 * rebalance delay). One task per key: scheduling a key again replaces its task. Tasks run on the
 * coordinator thread with the time they fire at and a fresh {@link Effects}.
 */
public interface GroupTimer {

    @FunctionalInterface
    interface Task {
        void run(long nowMs, Effects effects);
    }

    void schedule(String key, long deadlineMs, Task task);

    void cancel(String key);
}
