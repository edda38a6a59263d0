package io.gregor.storage;

/**
 * Outcome of {@link PartitionLog#appendAsLeader}. For an idempotent duplicate ({@code duplicate == true}) the
 * offsets are those the original batch got and nothing was written.
 *
 * @param logAppendTimeMs broker time stamped on the batch for LogAppendTime topics, -1 otherwise
 */
public record AppendResult(long firstOffset, long lastOffset, long logAppendTimeMs, long logStartOffset,
    boolean duplicate) {
}
