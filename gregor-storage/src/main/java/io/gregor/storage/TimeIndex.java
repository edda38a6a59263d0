package io.gregor.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The sparse time index of one segment: at each offset-index point, the largest batch timestamp seen so far in the
 * segment and the last offset of the batch that carried it. Entries strictly increase in timestamp. In memory,
 * persisted to {@code NNN.timeindex} on roll and clean shutdown, rebuilt by recovery.
 *
 * <p>Threads: same contract as {@link OffsetIndex} (append under the log lock, lock-free lookups).
 *
 * <pre>
 * NNN.timeindex, big-endian:
 *  0                               8               12
 *  +-------------------------------+---------------+
 *  | timestamp (max so far)        | relativeOffset|   relativeOffset = lastOffset of the batch holding
 *  +-------------------------------+---------------+                    that max timestamp - baseOffset
 * </pre>
 */
final class TimeIndex {
  static final int ENTRY_SIZE = 12;

  private final long baseOffset;
  private final int maxEntries;
  private volatile long[] entries; // [timestamp0, relativeOffset0, timestamp1, relativeOffset1, ...]
  private volatile int count;

  TimeIndex(long baseOffset, int maxEntries) {
    this.baseOffset = baseOffset;
    this.maxEntries = Math.max(1, maxEntries);
    this.entries = new long[16];
  }

  int entryCount() {
    return count;
  }

  boolean isFull() {
    return count >= maxEntries;
  }

  /**
   * Appends (timestamp, offset) if the timestamp is larger than the last entry's, an empty index's being -1 as in
   * Kafka's TimeIndex (records without timestamps leave it empty). Owner thread only.
   */
  void maybeAppend(long timestamp, long offset) {
    int n = count;
    long[] arr = entries;
    if (timestamp < 0 || n > 0 && (arr[2 * n - 2] >= timestamp || arr[2 * n - 1] > offset - baseOffset)) {
      return;
    }
    if (2 * n + 2 > arr.length) {
      arr = Arrays.copyOf(arr, arr.length * 2);
      entries = arr;
    }
    arr[2 * n] = timestamp;
    arr[2 * n + 1] = offset - baseOffset;
    count = n + 1;
  }

  /** Offset of the entry with the largest timestamp < {@code target}, or -1 when none. Any thread. */
  long lastOffsetBefore(long target) {
    int n = count;
    long[] arr = entries;
    int lo = 0;
    int hi = n - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (arr[2 * mid] < target) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? -1L : baseOffset + arr[2 * found + 1];
  }

  /** Last entry's timestamp, or -1. */
  long lastTimestamp() {
    int n = count;
    return n == 0 ? -1L : entries[2 * n - 2];
  }

  /** Last entry's offset, or -1. */
  long lastOffset() {
    int n = count;
    return n == 0 ? -1L : baseOffset + entries[2 * n - 1];
  }

  void clear() {
    count = 0;
  }

  ByteBuffer serialize() {
    int n = count;
    long[] arr = entries;
    ByteBuffer buf = ByteBuffer.allocate(n * ENTRY_SIZE);
    for (int i = 0; i < n; i++) {
      buf.putLong(arr[2 * i]).putInt((int) arr[2 * i + 1]);
    }
    return buf.flip();
  }

  /**
   * Loads {@code file}; null when missing or inconsistent (partial entry, not increasing, an offset past
   * {@code maxRelativeOffset}) so the caller rebuilds it.
   */
  static TimeIndex load(Path file, long baseOffset, int maxEntries, long maxRelativeOffset) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return null;
    }
    // Any number of entries: more than segment.index.bytes allows now (it was lowered) only makes the index full.
    if (bytes.length % ENTRY_SIZE != 0) {
      return null;
    }
    TimeIndex index = new TimeIndex(baseOffset, maxEntries);
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    long prevTimestamp = Long.MIN_VALUE;
    int prevRelative = -1;
    while (buf.hasRemaining()) {
      long timestamp = buf.getLong();
      int relative = buf.getInt();
      if (timestamp <= prevTimestamp || relative < prevRelative || relative < 0 || relative > maxRelativeOffset) {
        return null;
      }
      index.maybeAppend(timestamp, baseOffset + relative);
      prevTimestamp = timestamp;
      prevRelative = relative;
    }
    return index;
  }
}
