package io.gregor.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.internals.ByteBufferOutputStream;

/**
 * One cleaning pass over one compacted log (the work of Kafka's LogCleaner, not its code): builds a key → latest
 * offset map ({@link OffsetMap}) over the dirty section, then groups the inactive segments from the log start up to
 * the map's end by size (Kafka's groupSegmentsBySize) and rewrites each group into one {@code NNN.log.cleaned},
 * keeping a record only when its offset is the latest for its key (records past the map's end, when it filled
 * mid-segment, are kept). A group of one segment in which nothing changes is not rewritten. Each cleaned segment is
 * fsynced and renamed to {@code .swap}; {@link PartitionLog} then swaps them in under its lock.
 *
 * <p>Batch rules: offsets, timestamps, headers, producer id/epoch/base sequence, leader epoch, transactional flag
 * and compression type of the original batch are kept, and a rewritten batch keeps its original lastOffset (so the
 * producer's last sequence survives). Control batches are copied untouched. A batch whose records all go is dropped,
 * unless it is the newest batch of a producer in the producer-state table, or the last batch below the pass's
 * upper bound (the first uncleanable offset): those stay, empty, as in Kafka. The last one keeps the offset it ends
 * at readable: without it a fetch there, below the log end, would find no batch to step over (KAFKA-17076).
 * Records without a key are dropped. Tombstones follow KIP-534: the first pass that keeps a tombstone writes its
 * batch with the delete-horizon attribute (bit 6) and baseTimestamp = now + delete.retention.ms; a later pass at
 * or after that horizon drops them.
 *
 * <p>Threads: one instance per pass, on the cleaner thread (or a test calling {@link PartitionLog#runCleaner})
 * under the log's cleaner lock. It only reads inactive segments (lock-free, like a fetch) and writes its own files.
 */
final class LogCompactor {
  /**
   * Neighbouring segments (ascending) and the one cleaned segment that replaces them, fsynced and named {@code
   * .swap}, with the first one's base offset. When there are several, the cleaned segment ends with the last batch of
   * the last non-empty one (kept empty if need be), so that a load finding the {@code .swap} knows which segments it
   * replaces: those with a base offset in [its base, its end) (see LogLoader's completeSwaps).
   */
  record CleanedSegment(List<LogSegment> originals, LogSegment cleaned) {
  }

  /**
   * How far {@link PartitionLog}'s swap of this pass's segments got, recorded as each rename lands. The pass owns it
   * and hands it to {@link #discard} even when the swap throws halfway: a cleaned segment already in the log is the
   * only copy of its records (the originals are {@code .deleted}), and so is a {@code .swap} one of whose originals
   * was renamed before a rename failed. Cleaner thread, written under the log's lock.
   */
  static final class SwapProgress {
    private final List<LogSegment> swappedIn = new ArrayList<>();
    private final List<LogSegment> leftForLoader = new ArrayList<>();

    /** {@code cleaned} is now {@code NNN.log} and in the log's segment map. */
    void onSwappedIn(LogSegment cleaned) {
      swappedIn.add(cleaned);
    }

    /** An original of {@code cleaned} is renamed away, {@code cleaned} is still {@code .swap}: a load completes it. */
    void onLeftForLoader(LogSegment cleaned) {
      leftForLoader.add(cleaned);
    }

    int swappedInCount() {
      return swappedIn.size();
    }
  }

  /** Thrown when the log was closed or deleted, or the store is shutting down, during the pass. */
  static final class AbortedException extends Exception {
    AbortedException(String message) {
      super(message, null, false, false);
    }
  }

  /** Thrown when a pass fails (an I/O error, a batch that cannot be read): the log keeps its segments as they were. */
  static final class FailedException extends Exception {
    FailedException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final String name;
  private final LogConfig config;
  private final StorageIo io;
  private final long nowMs;
  private final Map<Long, Long> producerLastOffsets;
  private final BooleanSupplier aborted;
  private final long mapBudgetBytes;
  private long minTombstoneHorizonMs = Long.MAX_VALUE;
  private final List<LogSegment> created = new ArrayList<>();

  LogCompactor(String name, LogConfig config, StorageIo io, long nowMs, Map<Long, Long> producerLastOffsets,
      BooleanSupplier aborted, long mapBudgetBytes) {
    this.name = name;
    this.config = config;
    this.io = io;
    this.nowMs = nowMs;
    this.producerLastOffsets = producerLastOffsets;
    this.aborted = aborted;
    this.mapBudgetBytes = mapBudgetBytes;
  }

  /** Earliest delete horizon among the tombstones this pass kept; Long.MAX_VALUE when it kept none. */
  long minTombstoneHorizonMs() {
    return minTombstoneHorizonMs;
  }

  /**
   * Maps the keyed records of non-control batches with offsets in [firstDirtyOffset, firstUncleanableOffset) of
   * {@code segments} (inactive, ascending) into an {@link OffsetMap} sized to that range and the dedupe budget. When
   * the map fills it stops, mid-segment and mid-batch if need be, as Kafka's cleaner does: its endOffset is then the
   * last mapped offset + 1, and the pass cleans only below it.
   */
  OffsetMap buildOffsetMap(List<LogSegment> segments, long firstDirtyOffset, long firstUncleanableOffset)
      throws IOException, AbortedException {
    OffsetMap map = OffsetMap.forRange(mapBudgetBytes, firstUncleanableOffset - firstDirtyOffset);
    map.setEndOffset(firstDirtyOffset);
    BatchHeader h = new BatchHeader();
    for (LogSegment segment : segments) {
      if (segment.baseOffset() >= firstUncleanableOffset) {
        break;
      }
      if (segment.nextOffset() <= firstDirtyOffset) {
        continue;
      }
      FileChannel ch = segment.channel();
      int limit = segment.size();
      int pos = 0;
      while (true) {
        throwIfAborted();
        BatchHeader.Status status = h.read(ch, pos, limit);
        if (status == BatchHeader.Status.END) {
          break;
        }
        throwIfNotOk(status, h, segment);
        if (h.lastOffset() >= firstDirtyOffset && !h.isControl() && h.recordCount() > 0) {
          MutableRecordBatch batch = onlyBatch(segment.loadBatch(pos, h.batchSize()));
          for (Record r : batch) {
            if (r.offset() >= firstDirtyOffset && r.hasKey()) {
              if (map.isFull()) {
                return map; // its endOffset is one past the last offset put
              }
              map.put(r.key(), r.offset());
              map.setEndOffset(r.offset() + 1);
            }
          }
        }
        pos = h.nextPosition();
      }
    }
    map.setEndOffset(firstUncleanableOffset);
    return map;
  }

  /**
   * Groups {@code segments} as Kafka's Cleaner.groupSegmentsBySize does, then rewrites each group of several into one
   * cleaned segment, and each group of one that has something to remove (or a tombstone batch to stamp with a delete
   * horizon) into its own; each is fsynced and named {@code NNN.log.swap}, and the directory is fsynced. Groups of
   * one left unchanged are left out of the result. The batch ending at {@code upperBoundOffset} (the pass's first
   * uncleanable offset) is kept, empty if need be.
   */
  List<CleanedSegment> clean(List<LogSegment> segments, OffsetMap map, long upperBoundOffset)
      throws IOException, AbortedException {
    List<CleanedSegment> out = new ArrayList<>();
    for (List<LogSegment> group : groupBySize(segments, config, upperBoundOffset)) {
      LogSegment first = group.get(0);
      LogSegment last = group.get(group.size() - 1);
      LogSegment cleaned;
      if (group.size() == 1) {
        cleaned = cleanInto(first, null, map, upperBoundOffset, -1L);
      } else {
        cleaned = createCleaned(first);
        long groupEnd = endOfLastBatch(group);
        for (LogSegment member : group) {
          cleanInto(member, cleaned, map, upperBoundOffset, groupEnd);
        }
      }
      if (cleaned != null) {
        cleaned.onBecomeInactive();
        io.force(cleaned.channel());
        Files.setLastModifiedTime(cleaned.file(), Files.getLastModifiedTime(last.file()));
        cleaned.renameFile(LogSegment.SWAP_SUFFIX);
        out.add(new CleanedSegment(group, cleaned));
      }
    }
    if (!out.isEmpty()) {
      // The .swap names must be durable before any original is renamed away, or a power loss could keep the renames
      // and lose the only name of the records that replace them.
      io.syncDirectory(out.get(0).cleaned().file().getParent());
    }
    return out;
  }

  /**
   * Kafka's grouping: neighbours join a group while their total size fits segment.bytes, their index entries fit
   * the index limits, and (for a non-empty one) the largest offset it may hold, bounded by the next segment's base
   * or {@code firstUncleanableOffset}, stays within Integer.MAX_VALUE of the group's base offset.
   */
  static List<List<LogSegment>> groupBySize(List<LogSegment> segments, LogConfig config, long firstUncleanableOffset) {
    List<List<LogSegment>> groups = new ArrayList<>();
    int i = 0;
    while (i < segments.size()) {
      LogSegment first = segments.get(i++);
      List<LogSegment> group = new ArrayList<>();
      group.add(first);
      long bytes = first.size();
      long offsetEntries = first.offsetIndexEntries();
      while (i < segments.size()) {
        LogSegment next = segments.get(i);
        long maxOffset = (i + 1 < segments.size() ? segments.get(i + 1).baseOffset() : firstUncleanableOffset) - 1;
        // The merged segment counts index.interval.bytes on across its members' boundaries, where each member
        // started from zero: it may need one offset-index entry more per member than theirs added up, and a time-index
        // entry for each of those plus the one written when it becomes inactive.
        long offsetEntriesAtMost = offsetEntries + next.offsetIndexEntries() + group.size() + 1;
        if (bytes + next.size() > config.segmentBytes()
            || offsetEntriesAtMost > config.maxOffsetIndexEntries()
            || offsetEntriesAtMost + 1 > config.maxTimeIndexEntries()
            || (next.size() > 0 && maxOffset - first.baseOffset() > Integer.MAX_VALUE)) {
          break;
        }
        group.add(next);
        bytes += next.size();
        offsetEntries += next.offsetIndexEntries();
        i++;
      }
      groups.add(group);
    }
    return groups;
  }

  /** Where the last batch of {@code group} ends: the next offset of its last non-empty segment; -1 when all are empty. */
  private static long endOfLastBatch(List<LogSegment> group) {
    for (int i = group.size() - 1; i >= 0; i--) {
      if (group.get(i).size() > 0) {
        return group.get(i).nextOffset();
      }
    }
    return -1L;
  }

  /**
   * Closes and deletes every {@code .cleaned} / {@code .swap} file this pass created, except what {@code progress}
   * says the log now depends on: a segment swapped in stays open, a {@code .swap} left for the loader is closed and
   * stays on disk.
   */
  void discard(SwapProgress progress) {
    for (LogSegment segment : created) {
      if (progress.swappedIn.contains(segment)) {
        continue;
      }
      try {
        segment.close();
        if (!progress.leftForLoader.contains(segment)) {
          Files.deleteIfExists(segment.file());
        }
      } catch (IOException e) {
        // The loader drops .cleaned leftovers; a .swap leftover is a completed cleaning and is swapped in on load.
      }
    }
  }

  /**
   * Writes what {@code source} keeps into {@code target}; with a null target, into a cleaned segment of its own,
   * created at the first change (null is returned when nothing changes). The batch ending at {@code groupEnd} is
   * kept, empty if need be.
   */
  private LogSegment cleanInto(LogSegment source, LogSegment target, OffsetMap map, long upperBoundOffset,
      long groupEnd) throws IOException, AbortedException {
    FileChannel ch = source.channel();
    int limit = source.size();
    BatchHeader h = new BatchHeader();
    LogSegment cleaned = target;
    int[] unchanged = new int[16]; // (position, size) pairs kept as they are before the first change
    int unchangedCount = 0;
    int pos = 0;
    while (true) {
      throwIfAborted();
      BatchHeader.Status status = h.read(ch, pos, limit);
      if (status == BatchHeader.Status.END) {
        break;
      }
      throwIfNotOk(status, h, source);
      MemoryRecords original = source.loadBatch(pos, h.batchSize());
      MemoryRecords result = filterBatch(original, map, upperBoundOffset, groupEnd);
      if (cleaned == null && result == original) {
        if (2 * unchangedCount + 2 > unchanged.length) {
          unchanged = Arrays.copyOf(unchanged, unchanged.length * 2);
        }
        unchanged[2 * unchangedCount] = pos;
        unchanged[2 * unchangedCount + 1] = h.batchSize();
        unchangedCount++;
      } else {
        if (cleaned == null) {
          cleaned = createCleaned(source);
          for (int i = 0; i < unchangedCount; i++) {
            append(cleaned, source.loadBatch(unchanged[2 * i], unchanged[2 * i + 1]));
          }
        }
        if (result != null) {
          append(cleaned, result);
        }
      }
      pos = h.nextPosition();
    }
    return cleaned;
  }

  private LogSegment createCleaned(LogSegment first) throws IOException {
    LogSegment cleaned = LogSegment.createCleaned(first.file().getParent(), first.baseOffset(), config, nowMs);
    created.add(cleaned);
    return cleaned;
  }

  private void append(LogSegment cleaned, MemoryRecords batchRecords) throws IOException {
    MutableRecordBatch batch = onlyBatch(batchRecords);
    cleaned.append(io, batchRecords, batch.lastOffset(), batch.maxTimestamp(), config.indexIntervalBytes(), nowMs);
  }

  /**
   * The batch to write in place of {@code original}: {@code original} itself when nothing changes, a rewritten
   * batch, an empty batch (a producer's newest, or the one ending at {@code upperBoundOffset} or {@code groupEnd}),
   * or null to drop it.
   */
  private MemoryRecords filterBatch(MemoryRecords original, OffsetMap map, long upperBoundOffset, long groupEnd) {
    MutableRecordBatch batch = onlyBatch(original);
    if (batch.isControlBatch()) {
      return original; // transaction markers: kept (Kafka's removal of markers and aborted data is not done here)
    }
    if (batch.baseOffset() >= map.endOffset()) {
      return original; // past what the map covers (it filled): the next pass cleans it
    }
    OptionalLong horizon = batch.deleteHorizonMs();
    boolean tombstonesExpired = horizon.isPresent() && nowMs >= horizon.getAsLong();
    List<Record> retained = new ArrayList<>();
    boolean removed = false;
    boolean keptTombstone = false;
    for (Record r : batch) {
      if (shouldRetain(r, map, tombstonesExpired)) {
        retained.add(r);
        keptTombstone |= !r.hasValue();
      } else {
        removed = true;
      }
    }
    boolean stampHorizon = keptTombstone && horizon.isEmpty();
    long newHorizon = stampHorizon ? saturatedAdd(nowMs, config.deleteRetentionMs())
        : horizon.orElse(RecordBatch.NO_TIMESTAMP);
    if (keptTombstone) {
      minTombstoneHorizonMs = Math.min(minTombstoneHorizonMs, newHorizon);
    }
    if (retained.isEmpty()) {
      // Also a batch an earlier pass kept empty: once nothing needs it any more it goes, as Kafka's DELETE_EMPTY.
      Long producerLast = batch.hasProducerId() ? producerLastOffsets.get(batch.producerId()) : null;
      boolean producersNewest = producerLast != null && producerLast == batch.lastOffset();
      boolean endsGroup = batch.nextOffset() == upperBoundOffset || batch.nextOffset() == groupEnd;
      if (!producersNewest && !endsGroup) {
        return null;
      }
      return removed ? emptyBatch(batch) : original;
    }
    if (!removed && !stampHorizon) {
      return original;
    }
    return rebuild(batch, retained, newHorizon);
  }

  private static boolean shouldRetain(Record r, OffsetMap map, boolean tombstonesExpired) {
    if (r.offset() >= map.endOffset()) {
      return true; // past what the map covers, as Kafka's pastLatestOffset
    }
    if (!r.hasKey()) {
      return false; // cannot be compacted; Kafka's cleaner drops such records too
    }
    if (map.get(r.key()) > r.offset()) {
      return false; // a newer record with this key exists
    }
    return r.hasValue() || !tombstonesExpired;
  }

  private MemoryRecords rebuild(MutableRecordBatch batch, List<Record> retained, long deleteHorizonMs) {
    long logAppendTime = batch.timestampType() == TimestampType.LOG_APPEND_TIME ? batch.maxTimestamp()
        : RecordBatch.NO_TIMESTAMP;
    ByteBufferOutputStream out = new ByteBufferOutputStream(batch.sizeInBytes());
    MemoryRecordsBuilder builder = new MemoryRecordsBuilder(out, RecordBatch.MAGIC_VALUE_V2,
        Compression.of(batch.compressionType()).build(), batch.timestampType(), batch.baseOffset(), logAppendTime,
        batch.producerId(), batch.producerEpoch(), batch.baseSequence(), batch.isTransactional(), false,
        batch.partitionLeaderEpoch(), Integer.MAX_VALUE, deleteHorizonMs);
    for (Record r : retained) {
      builder.appendWithOffset(r.offset(), r);
    }
    // Keep lastOffset, and with it lastSequence, so the producer is not told its next batch is out of order.
    builder.overrideLastOffset(batch.lastOffset());
    return builder.build();
  }

  private static MemoryRecords emptyBatch(MutableRecordBatch batch) {
    ByteBuffer buf = ByteBuffer.allocate(DefaultRecordBatch.RECORD_BATCH_OVERHEAD);
    DefaultRecordBatch.writeEmptyHeader(buf, RecordBatch.MAGIC_VALUE_V2, batch.producerId(), batch.producerEpoch(),
        batch.baseSequence(), batch.baseOffset(), batch.lastOffset(), batch.partitionLeaderEpoch(),
        batch.timestampType(), batch.maxTimestamp(), batch.isTransactional(), false);
    buf.position(0).limit(DefaultRecordBatch.RECORD_BATCH_OVERHEAD);
    return MemoryRecords.readableRecords(buf);
  }

  private static MutableRecordBatch onlyBatch(MemoryRecords records) {
    return records.batches().iterator().next();
  }

  private void throwIfAborted() throws AbortedException {
    if (aborted.getAsBoolean()) {
      throw new AbortedException(name + ": cleaning aborted");
    }
  }

  private static void throwIfNotOk(BatchHeader.Status status, BatchHeader h, LogSegment segment)
      throws IOException {
    if (status != BatchHeader.Status.OK) {
      throw new IOException("segment " + segment.file() + " has an invalid batch at position " + h.position()
          + ": " + h.problem());
    }
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }
}
