package io.gregor.storage;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * What the cleaner would do with one compacted log now (Kafka's LogToClean): the dirty section is
 * [firstDirtyOffset, firstUncleanableOffset); bytes are whole segments.
 *
 * @param firstDirtyOffset       the cleaner checkpoint, at least the log start offset
 * @param firstUncleanableOffset the active segment's base, or the first segment holding a record younger than
 *                               min.compaction.lag.ms (KIP-58)
 * @param cleanBytes             bytes of the segments below the dirty section
 * @param cleanableBytes         bytes of the segments in the dirty section
 * @param needCompactionNow      a dirty inactive segment's first batch is older than max.compaction.lag.ms (KIP-354)
 * @param tombstonesExpired      a tombstone kept by an earlier pass has reached its delete horizon (KIP-534)
 */
record CleanableRange(long firstDirtyOffset, long firstUncleanableOffset, long cleanBytes, long cleanableBytes,
    boolean needCompactionNow, boolean tombstonesExpired) {

  /**
   * Computes the range for a log whose segments (ascending, the last one active) are {@code segments}.
   *
   * @param cleanerOffset         the log's cleaner checkpoint
   * @param minTombstoneHorizonMs earliest delete horizon of the tombstones earlier passes kept
   */
  static CleanableRange of(Collection<LogSegment> segments, LogConfig config, long logStartOffset,
      long logEndOffset, long cleanerOffset, long minTombstoneHorizonMs, long nowMs) {
    // A checkpoint beyond the log end is stale (Kafka resets it to the log start).
    long firstDirty = cleanerOffset > logEndOffset ? logStartOffset : Math.max(cleanerOffset, logStartOffset);
    List<LogSegment> inactive = new ArrayList<>(segments);
    LogSegment active = inactive.remove(inactive.size() - 1);
    long firstUncleanable = active.baseOffset();
    long lagCutoffMs = nowMs - config.minCompactionLagMs();
    long cleanBytes = 0;
    long cleanableBytes = 0;
    // As Kafka's maxCompactionDelay: the earliest first-batch timestamp (> 0) of every dirty inactive segment, those
    // past the min.compaction.lag.ms boundary included; records with old CreateTimes may sit behind newer ones.
    long earliestDirtyTimestamp = Long.MAX_VALUE;
    boolean inRange = true;
    for (LogSegment segment : inactive) {
      if (segment.nextOffset() <= firstDirty && segment.baseOffset() < firstDirty) {
        cleanBytes += segment.size();
        continue;
      }
      if (segment.firstBatchTimestamp() > 0) {
        earliestDirtyTimestamp = Math.min(earliestDirtyTimestamp, segment.firstBatchTimestamp());
      }
      if (!inRange) {
        continue;
      }
      if (config.minCompactionLagMs() > 0 && segment.largestTimestamp() > lagCutoffMs) {
        firstUncleanable = segment.baseOffset(); // it holds records younger than min.compaction.lag.ms
        inRange = false;
        continue;
      }
      cleanableBytes += segment.size();
    }
    boolean overdue = cleanableBytes > 0
        && earliestDirtyTimestamp < nowMs - Math.max(config.maxCompactionLagMs(), 0L);
    return new CleanableRange(firstDirty, firstUncleanable, cleanBytes, cleanableBytes, overdue,
        minTombstoneHorizonMs <= nowMs);
  }

  /** cleanableBytes / (cleanBytes + cleanableBytes), 0 for an empty log. */
  double dirtyRatio() {
    long total = cleanBytes + cleanableBytes;
    return total == 0 ? 0.0 : (double) cleanableBytes / total;
  }

  /** Kafka's choice: dirty enough (strictly above the ratio) or overdue, and something to clean. */
  boolean shouldClean(double minCleanableDirtyRatio) {
    return (cleanableBytes > 0 && (dirtyRatio() > minCleanableDirtyRatio || needCompactionNow)) || tombstonesExpired;
  }
}
