package io.gregor.storage;

/**
 * Outcome of {@link PartitionLog#appendAsLeader}. For an idempotent duplicate ({@code duplicate == true}) the
 * offsets are those the original batch got and nothing was written.
 *
 * @param logAppendTimeMs broker time stamped on the batch for LogAppendTime topics, -1 otherwise
 * @param storedBytes     bytes the log grew by (after any recompression; 0 for a duplicate): what a parked fetch
 *                        counts toward its min_bytes
 */
public record AppendResult(long firstOffset, long lastOffset, long logAppendTimeMs, long logStartOffset,
    boolean duplicate, int storedBytes) {

  /** Without the stored size, for comparisons in tests. */
  public AppendResult withoutSize() {
    return new AppendResult(firstOffset, lastOffset, logAppendTimeMs, logStartOffset, duplicate, 0);
  }
}
