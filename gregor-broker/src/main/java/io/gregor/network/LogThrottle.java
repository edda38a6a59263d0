package io.gregor.network;

/**
 * Lets one log line of a kind through per period and counts the ones held back, so that a failure repeating many
 * times a second (an accept loop out of file descriptors, connections out of direct memory) is reported without
 * flooding the log. Any thread: the state is guarded by this object's lock, held for a comparison.
 */
final class LogThrottle {

    private final long periodMs;
    private long nextMs = Long.MIN_VALUE;
    private long suppressed;

    LogThrottle(long periodMs) {
        this.periodMs = periodMs;
    }

    /**
     * Whether to log now: the number of lines held back since the last one let through ({@code >= 0}) when this one
     * should be logged, or {@code -1} when it is held back.
     */
    synchronized long tryAcquire(long nowMs) {
        if (nowMs < nextMs) {
            suppressed++;
            return -1;
        }
        nextMs = nowMs + periodMs;
        long held = suppressed;
        suppressed = 0;
        return held;
    }
}
