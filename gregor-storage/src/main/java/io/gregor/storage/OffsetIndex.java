package io.gregor.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The sparse offset index of one segment, held in memory and persisted to {@code NNN.index} when the segment rolls
 * and on clean shutdown (rebuilt by recovery when missing or inconsistent).
 *
 * <p>Threads: entries are appended only by the thread holding the owning {@link PartitionLog}'s lock (or by the
 * loader before the log is published); lookups are lock-free from any thread. Publication order: the array
 * reference, then the entry, then the volatile {@code count}; a reader reads {@code count} first.
 *
 * <pre>
 * NNN.index, big-endian, one entry per indexed batch, both fields increasing:
 *  0               4               8
 *  +---------------+---------------+
 *  | relativeOffset| position      |   relativeOffset = batch lastOffset - segment baseOffset
 *  +---------------+---------------+   position       = byte position of that batch in NNN.log
 * </pre>
 */
final class OffsetIndex {
  static final int ENTRY_SIZE = 8;

  private final long baseOffset;
  private final int maxEntries;
  private volatile int[] entries; // [relativeOffset0, position0, relativeOffset1, position1, ...]
  private volatile int count;

  OffsetIndex(long baseOffset, int maxEntries) {
    this.baseOffset = baseOffset;
    this.maxEntries = Math.max(1, maxEntries);
    this.entries = new int[16];
  }

  int entryCount() {
    return count;
  }

  boolean isFull() {
    return count >= maxEntries;
  }

  /** Appends an entry; offsets and positions must increase. Owner thread only. */
  void append(long offset, int position) {
    int n = count;
    int[] arr = entries;
    long relative = offset - baseOffset;
    if (relative < 0 || relative > Integer.MAX_VALUE) {
      throw new IllegalStateException("offset " + offset + " outside segment at base " + baseOffset);
    }
    if (n > 0 && (arr[2 * n - 2] >= relative || arr[2 * n - 1] >= position)) {
      throw new IllegalStateException("index entry (" + offset + ", " + position + ") not after ("
          + (baseOffset + arr[2 * n - 2]) + ", " + arr[2 * n - 1] + ")");
    }
    if (2 * n + 2 > arr.length) {
      arr = Arrays.copyOf(arr, arr.length * 2);
      entries = arr;
    }
    arr[2 * n] = (int) relative;
    arr[2 * n + 1] = position;
    count = n + 1;
  }

  /** Position of the indexed batch with the largest offset <= {@code offset}, or 0 when none. Any thread. */
  int lookupPosition(long offset) {
    int n = count;
    int[] arr = entries;
    long relative = offset - baseOffset;
    int lo = 0;
    int hi = n - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (arr[2 * mid] <= relative) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? 0 : arr[2 * found + 1];
  }

  /** Absolute offset of the last entry, or -1. */
  long lastOffset() {
    int n = count;
    return n == 0 ? -1L : baseOffset + entries[2 * n - 2];
  }

  /** Position of the last entry, or 0. */
  int lastPosition() {
    int n = count;
    return n == 0 ? 0 : entries[2 * n - 1];
  }

  void clear() {
    count = 0;
  }

  ByteBuffer serialize() {
    int n = count;
    int[] arr = entries;
    ByteBuffer buf = ByteBuffer.allocate(n * ENTRY_SIZE);
    for (int i = 0; i < n; i++) {
      buf.putInt(arr[2 * i]).putInt(arr[2 * i + 1]);
    }
    return buf.flip();
  }

  /**
   * Loads {@code file}; returns null when missing or inconsistent (size not a whole number of entries, entries not
   * increasing, a position at or past {@code segmentSize}, more entries than allowed) so the caller rebuilds it.
   */
  static OffsetIndex load(Path file, long baseOffset, int maxEntries, int segmentSize) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return null;
    }
    // More entries than segment.index.bytes allows now (it was lowered) is no damage: the index is full, as Kafka
    // sizes an existing index by its file; rejected, it would be rebuilt, just as long, at every start.
    if (bytes.length % ENTRY_SIZE != 0) {
      return null;
    }
    OffsetIndex index = new OffsetIndex(baseOffset, maxEntries);
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    int prevRelative = -1;
    int prevPosition = -1;
    while (buf.hasRemaining()) {
      int relative = buf.getInt();
      int position = buf.getInt();
      if (relative <= prevRelative || position <= prevPosition || position >= segmentSize) {
        return null;
      }
      index.append(baseOffset + relative, position);
      prevRelative = relative;
      prevPosition = position;
    }
    return index;
  }
}
