package io.gregor.storage;

import java.nio.ByteBuffer;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The cleaner's key → latest offset map for one pass (the role of Kafka's SkimpyOffsetMap, not its code): a
 * fixed-size open-addressing table of MD5 digests of the keys, allocated once, so that a pass never holds more than
 * log.cleaner.dedupe.buffer.size however many keys a segment has. It is sized to what the dirty range can need (one
 * entry per offset at most), so a small log gets a small table. It is full at 90% of its slots (Kafka's
 * log.cleaner.io.buffer.load.factor default): {@link LogCompactor} then stops mapping, mid-segment if need be, and
 * the pass cleans only below {@link #endOffset}. Two keys with the same 128-bit digest would share an entry; with
 * n keys that happens with probability about n² / 2^129, as in Kafka.
 *
 * <pre>
 * slot i (24 bytes), linear probing from digest bytes 0-7 modulo the slot count:
 *   digests[2i]     digests[2i + 1]   offsets[i]
 *   MD5 bytes 0-7   MD5 bytes 8-15    latest offset of the key, -1 when the slot is empty
 * </pre>
 *
 * <p>Threads: one pass, on the cleaner thread.
 */
final class OffsetMap {
  static final int BYTES_PER_SLOT = 24;
  private static final double LOAD_FACTOR = 0.9;
  private static final int MAX_SLOTS = Integer.MAX_VALUE / 2 - 8; // digests has two longs a slot

  private final long[] digests;
  private final long[] offsets;
  private final int maxEntries;
  private final MessageDigest md5;
  private final ByteBuffer digest = ByteBuffer.allocate(16);
  private int size;
  private long endOffset;
  private long hi;
  private long lo;

  private OffsetMap(int slots) {
    this.digests = new long[2 * slots];
    this.offsets = new long[slots];
    Arrays.fill(offsets, -1L);
    this.maxEntries = Math.max(1, Math.min(slots - 1, (int) (slots * LOAD_FACTOR)));
    try {
      this.md5 = MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has MD5", e);
    }
  }

  /**
   * A map for a dirty range of {@code offsetsInRange} offsets: as many slots as that many keys need, at most
   * {@code budgetBytes} / {@link #BYTES_PER_SLOT}.
   */
  static OffsetMap forRange(long budgetBytes, long offsetsInRange) {
    long needed = (long) Math.ceil(Math.max(offsetsInRange, 1L) / LOAD_FACTOR) + 1;
    long slots = Math.min(Math.min(budgetBytes / BYTES_PER_SLOT, needed), MAX_SLOTS);
    return new OffsetMap((int) Math.max(2L, slots));
  }

  int slots() {
    return offsets.length;
  }

  int size() {
    return size;
  }

  /** True when no further key may be put: the pass must stop mapping. */
  boolean isFull() {
    return size >= maxEntries;
  }

  /** Mapping covered [firstDirtyOffset, endOffset): every keyed record there has its key in the map. */
  long endOffset() {
    return endOffset;
  }

  void setEndOffset(long endOffset) {
    this.endOffset = endOffset;
  }

  /**
   * Records {@code offset} as the latest offset of {@code key} (keys are put in offset order).
   *
   * @throws IllegalStateException if the map {@link #isFull} and {@code key} is new
   */
  void put(ByteBuffer key, long offset) {
    int slot = find(key);
    if (offsets[slot] < 0) {
      if (isFull()) {
        throw new IllegalStateException("offset map is full: " + size + " keys in " + slots() + " slots");
      }
      digests[2 * slot] = hi;
      digests[2 * slot + 1] = lo;
      size++;
    }
    offsets[slot] = offset;
  }

  /** The latest offset of {@code key}, or -1 when the map does not have it. */
  long get(ByteBuffer key) {
    return offsets[find(key)];
  }

  /** The slot holding {@code key}'s digest, or the empty slot where it would go; leaves the digest in hi / lo. */
  private int find(ByteBuffer key) {
    md5.update(key.duplicate());
    try {
      md5.digest(digest.array(), 0, 16);
    } catch (DigestException e) {
      throw new IllegalStateException("MD5 digest into 16 bytes failed", e);
    }
    hi = digest.getLong(0);
    lo = digest.getLong(8);
    int slot = (int) Long.remainderUnsigned(hi, offsets.length);
    // Ends: at most maxEntries < slots slots are taken, so an empty one is always reached.
    while (offsets[slot] >= 0 && (digests[2 * slot] != hi || digests[2 * slot + 1] != lo)) {
      slot = slot + 1 == offsets.length ? 0 : slot + 1;
    }
    return slot;
  }
}
