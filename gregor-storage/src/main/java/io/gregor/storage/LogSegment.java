package io.gregor.storage;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.Records;

/**
 * One segment of a partition log: the {@code NNN.log} file of record batches (wire format, as validated and
 * rewritten by the leader) plus its in-memory {@link OffsetIndex} and {@link TimeIndex}.
 *
 * <p>Threads: appends, rolls, truncation and recovery run under the owning {@link PartitionLog}'s lock (or in the
 * loader before publication). Reads are lock-free: they only look at bytes below the volatile {@link #size}, which
 * is published after a batch is fully written and indexed, and use positional reads on the shared channel.
 */
final class LogSegment {
  private static final String LOG_SUFFIX = ".log";
  private static final String INDEX_SUFFIX = ".index";
  private static final String TIME_INDEX_SUFFIX = ".timeindex";
  static final String DELETED_SUFFIX = ".deleted";
  static final String CLEANED_SUFFIX = ".cleaned";
  static final String SWAP_SUFFIX = ".swap";

  private final long baseOffset;
  private final FileRecords records;
  private final Path dir;
  private OffsetIndex offsetIndex;
  private TimeIndex timeIndex;
  private final int maxOffsetIndexEntries;
  private final int maxTimeIndexEntries;
  private final long createdMs;
  private final long rollJitterMs;            // drawn once per segment from segment.jitter.ms, as Kafka does

  private volatile int size;                  // published bytes: whole batches only
  private volatile long nextOffset;           // lastOffset + 1 of the last published batch; baseOffset when empty
  private volatile long maxTimestamp = -1L;   // largest batch maxTimestamp
  private volatile long offsetOfMaxTimestamp = -1L; // lastOffset of the batch carrying maxTimestamp
  private long firstBatchTimestamp = -1L;     // rolls by segment.ms are measured from here (Kafka's rule)
  private long firstAppendMs = -1L;           // wall clock of the first append in this process
  private int bytesSinceLastIndexEntry;
  private volatile boolean deleted;

  private LogSegment(Path dir, long baseOffset, FileRecords records, LogConfig config, long createdMs) {
    this.dir = dir;
    this.baseOffset = baseOffset;
    this.records = records;
    this.maxOffsetIndexEntries = config.maxOffsetIndexEntries();
    this.maxTimeIndexEntries = config.maxTimeIndexEntries();
    this.offsetIndex = new OffsetIndex(baseOffset, maxOffsetIndexEntries);
    this.timeIndex = new TimeIndex(baseOffset, maxTimeIndexEntries);
    this.createdMs = createdMs;
    this.rollJitterMs = config.randomSegmentJitterMs();
    this.size = records.sizeInBytes();
    this.nextOffset = baseOffset;
  }

  static String filenamePrefix(long offset) {
    return String.format("%020d", offset);
  }

  static Path logFile(Path dir, long baseOffset) {
    return dir.resolve(filenamePrefix(baseOffset) + LOG_SUFFIX);
  }

  static Path offsetIndexFile(Path dir, long baseOffset) {
    return dir.resolve(filenamePrefix(baseOffset) + INDEX_SUFFIX);
  }

  static Path timeIndexFile(Path dir, long baseOffset) {
    return dir.resolve(filenamePrefix(baseOffset) + TIME_INDEX_SUFFIX);
  }

  /** Creates a new empty segment (replacing an empty leftover file of the same name). */
  static LogSegment create(Path dir, long baseOffset, LogConfig config, long nowMs) throws IOException {
    Path file = logFile(dir, baseOffset);
    if (Files.exists(file) && Files.size(file) == 0) {
      Files.delete(file);
    }
    Files.deleteIfExists(offsetIndexFile(dir, baseOffset));
    Files.deleteIfExists(timeIndexFile(dir, baseOffset));
    FileRecords records = FileRecords.open(file.toFile(), true, false, 0, false);
    return new LogSegment(dir, baseOffset, records, config, nowMs);
  }

  /**
   * Creates the empty {@code NNN.log.cleaned} file the cleaner rewrites segment {@code baseOffset} into (replacing a
   * leftover of an aborted pass). It becomes {@code .swap}, then {@code .log}, through {@link #renameFile}.
   */
  static LogSegment createCleaned(Path dir, long baseOffset, LogConfig config, long nowMs) throws IOException {
    Path file = dir.resolve(filenamePrefix(baseOffset) + LOG_SUFFIX + CLEANED_SUFFIX);
    Files.deleteIfExists(file);
    FileRecords records = FileRecords.open(file.toFile(), true, false, 0, false);
    return new LogSegment(dir, baseOffset, records, config, nowMs);
  }

  /** Opens an existing segment file; the caller then calls {@link #tryLoadIndexes} or {@link #recover}. */
  static LogSegment open(Path dir, long baseOffset, LogConfig config, long nowMs) throws IOException {
    FileRecords records = FileRecords.open(logFile(dir, baseOffset).toFile(), true, true, 0, false);
    return new LogSegment(dir, baseOffset, records, config, nowMs);
  }

  long baseOffset() {
    return baseOffset;
  }

  int size() {
    return size;
  }

  long nextOffset() {
    return nextOffset;
  }

  long maxTimestamp() {
    return maxTimestamp;
  }

  long offsetOfMaxTimestamp() {
    return offsetOfMaxTimestamp;
  }

  FileChannel channel() {
    return records.channel();
  }

  /** The data file under its current name: {@code .log}, or {@code .cleaned}, {@code .swap}, {@code .deleted}. */
  Path file() {
    return records.file().toPath();
  }

  /** Renames the data file to {@code NNN.log + suffix} ("" for the plain {@code .log}); readers keep working. */
  void renameFile(String suffix) throws IOException {
    records.renameTo(logFile(dir, baseOffset).resolveSibling(filenamePrefix(baseOffset) + LOG_SUFFIX + suffix)
        .toFile());
  }

  boolean isDeleted() {
    return deleted;
  }

  /** Timestamp that retention compares with retention.ms: the largest batch timestamp, else the file's mtime. */
  long largestTimestamp() {
    long ts = maxTimestamp;
    if (ts >= 0) {
      return ts;
    }
    File f = records.file();
    long modified = f.lastModified();
    return modified > 0 ? modified : createdMs;
  }

  /** Wall clock when this segment was created, or opened by the loader. */
  long createdMs() {
    return createdMs;
  }

  /** How much earlier than segment.ms (or the compaction-lag cap) this segment rolls. */
  long rollJitterMs() {
    return rollJitterMs;
  }

  /**
   * Start of the idle time after which retention rolls the active segment: the wall clock of its first append in
   * this process; for a segment loaded with data, its first batch's timestamp when that is earlier than the load (so
   * that restarts more often than segment.ms or max.compaction.lag.ms do not keep an idle segment from ever rolling:
   * at most one roll per start for old CreateTimes); else its creation. Never a record timestamp once this process
   * appended: records with old CreateTimes (a backfill) would make every retention check roll a new segment. Owner:
   * the log lock.
   */
  long idleRollBaseMs() {
    if (firstAppendMs >= 0) {
      return firstAppendMs;
    }
    return firstBatchTimestamp > 0 ? Math.min(firstBatchTimestamp, createdMs) : createdMs;
  }

  long firstBatchTimestamp() {
    return firstBatchTimestamp;
  }

  int offsetIndexEntries() {
    return offsetIndex.entryCount();
  }

  int timeIndexEntries() {
    return timeIndex.entryCount();
  }

  boolean indexesFull() {
    return offsetIndex.isFull() || timeIndex.isFull();
  }

  /**
   * Writes one validated batch at the end (write() only) and indexes it; on failure truncates back so the file
   * keeps only whole batches. {@code nowMs} is the wall clock of the append. Owner: the log lock.
   */
  void append(StorageIo io, MemoryRecords batch, long lastOffset, long batchMaxTimestamp, int indexIntervalBytes,
      long nowMs) throws IOException {
    int position = size;
    int batchSize = batch.sizeInBytes();
    try {
      int written = io.append(records, batch);
      if (written != batchSize || records.sizeInBytes() != position + batchSize) {
        throw new IOException("short write to " + records.file() + ": " + written + " bytes (expected: "
            + batchSize + ")");
      }
    } catch (IOException | RuntimeException e) {
      truncateAfterFailedWrite(position, e);
      throw e;
    }
    onBatchAppended(position, batchSize, lastOffset, batchMaxTimestamp, indexIntervalBytes);
    if (firstAppendMs < 0) {
      firstAppendMs = nowMs;
    }
    size = position + batchSize; // publish: readers may now see this batch
  }

  private void truncateAfterFailedWrite(int position, Exception cause) throws UndoFailedException {
    try {
      records.truncateTo(position);
    } catch (IOException | RuntimeException e) {
      cause.addSuppressed(e);
      throw new UndoFailedException("could not truncate " + records.file() + " back to " + position
          + " after a failed write", cause);
    }
  }

  /** A failed write left bytes that could not be truncated away: the segment can no longer be appended to. */
  static final class UndoFailedException extends IOException {
    UndoFailedException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private void onBatchAppended(int position, int batchSize, long lastOffset, long batchMaxTimestamp,
      int indexIntervalBytes) {
    if (firstBatchTimestamp < 0 && position == 0) {
      firstBatchTimestamp = batchMaxTimestamp;
    }
    if (batchMaxTimestamp > maxTimestamp) {
      maxTimestamp = batchMaxTimestamp;
      offsetOfMaxTimestamp = lastOffset;
    }
    // Kafka's rule: index the batch that follows more than index.interval.bytes of unindexed data.
    if (bytesSinceLastIndexEntry > indexIntervalBytes) {
      offsetIndex.append(lastOffset, position);
      timeIndex.maybeAppend(maxTimestamp, offsetOfMaxTimestamp);
      bytesSinceLastIndexEntry = 0;
    }
    bytesSinceLastIndexEntry += batchSize;
    nextOffset = lastOffset + 1;
  }

  /** Outcome of {@link #recover}: bytes kept, and why the rest was cut (null when the whole file was valid). */
  record RecoveryOutcome(int validBytes, int fileBytes, String problem, long problemOffset) {
  }

  /**
   * Rebuilds indexes and statistics by walking every batch from position 0 (lengths, magic, offsets increasing) and
   * verifying the CRC of batches whose lastOffset >= {@code verifyCrcFromOffset}; truncates the file at the first
   * bad or torn batch. Leader epochs found in batch headers are offered to {@code epochs}. Offsets must be dense
   * unless {@code offsetsMayHaveGaps} (a segment the cleaner rewrote). Loader only.
   */
  RecoveryOutcome recover(long verifyCrcFromOffset, int indexIntervalBytes, LeaderEpochCache epochs,
      boolean offsetsMayHaveGaps) throws IOException {
    offsetIndex = new OffsetIndex(baseOffset, maxOffsetIndexEntries);
    timeIndex = new TimeIndex(baseOffset, maxTimeIndexEntries);
    maxTimestamp = -1L;
    offsetOfMaxTimestamp = -1L;
    firstBatchTimestamp = -1L;
    bytesSinceLastIndexEntry = 0;
    nextOffset = baseOffset;
    FileChannel ch = records.channel();
    int fileSize = (int) Math.min(Integer.MAX_VALUE, ch.size());
    BatchHeader h = new BatchHeader();
    ByteBuffer scratch = ByteBuffer.allocate(64 * 1024);
    int pos = 0;
    long expectedOffset = baseOffset;
    String problem = null;
    while (true) {
      BatchHeader.Status status = h.read(ch, pos, fileSize);
      if (status == BatchHeader.Status.END) {
        break;
      }
      if (status != BatchHeader.Status.OK) {
        if (!zeroFrom(ch, pos, fileSize)) {
          problem = h.problem(); // else: zeros never written after the last batch, a normal end
        }
        break;
      }
      // Appends keep offsets dense, so in a segment the cleaner never rewrote any jump means a corrupt baseOffset,
      // which the CRC does not cover. A cleaned segment only keeps them increasing.
      if (offsetsMayHaveGaps ? h.baseOffset() < expectedOffset : h.baseOffset() != expectedOffset) {
        problem = "baseOffset: " + h.baseOffset() + " (expected: " + (offsetsMayHaveGaps ? ">= " : "")
            + expectedOffset + ")";
        break;
      }
      if (h.lastOffset() - baseOffset > Integer.MAX_VALUE) {
        problem = "lastOffset: " + h.lastOffset() + " too far from segment base " + baseOffset;
        break;
      }
      if (h.lastOffset() >= verifyCrcFromOffset && !h.crcValid(ch, scratch)) {
        problem = "CRC-32C mismatch";
        break;
      }
      if (epochs != null) {
        epochs.assignRecovered(h.partitionLeaderEpoch(), h.baseOffset());
      }
      onBatchAppended(pos, h.batchSize(), h.lastOffset(), h.maxTimestamp(), indexIntervalBytes);
      expectedOffset = h.lastOffset() + 1;
      pos = h.nextPosition();
    }
    if (pos < fileSize) {
      records.truncateTo(pos);
    }
    size = pos;
    return new RecoveryOutcome(pos, fileSize, problem, expectedOffset);
  }

  /**
   * True when every byte from {@code position} to {@code limit} is zero: space never written (a crash after the file
   * grew but before its data reached the disk, or the zero-filled space earlier versions kept ahead of the data).
   */
  private static boolean zeroFrom(FileChannel ch, int position, int limit) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    long pos = position;
    while (pos < limit) {
      buf.clear().limit((int) Math.min(buf.capacity(), limit - pos));
      int n = ch.read(buf, pos);
      if (n <= 0) {
        return false;
      }
      for (int i = 0; i < n; i++) {
        if (buf.get(i) != 0) {
          return false;
        }
      }
      pos += n;
    }
    return true;
  }

  /**
   * Trusts the persisted index files when they are consistent with the log: loads both, checks the last offset-index
   * entry against the batch header it points at, and walks only the headers after it (at most about one index
   * interval) to find the segment's end. Returns false when a full {@link #recover} is needed. Loader only.
   */
  boolean tryLoadIndexes(int indexIntervalBytes, boolean offsetsMayHaveGaps) throws IOException {
    FileChannel ch = records.channel();
    int fileSize = (int) Math.min(Integer.MAX_VALUE, ch.size());
    OffsetIndex oi = OffsetIndex.load(offsetIndexFile(dir, baseOffset), baseOffset, maxOffsetIndexEntries, fileSize);
    TimeIndex ti = TimeIndex.load(timeIndexFile(dir, baseOffset), baseOffset, maxTimeIndexEntries, Integer.MAX_VALUE);
    if (oi == null || ti == null) {
      return false;
    }
    BatchHeader h = new BatchHeader();
    int pos = 0;
    if (oi.entryCount() > 0) {
      pos = oi.lastPosition();
      if (h.read(ch, pos, fileSize) != BatchHeader.Status.OK || h.lastOffset() != oi.lastOffset()) {
        return false;
      }
    }
    long first = -1L;
    if (fileSize > 0) {
      if (h.read(ch, 0, fileSize) != BatchHeader.Status.OK || h.baseOffset() < baseOffset) {
        return false;
      }
      first = h.maxTimestamp();
    }
    long maxTs = ti.lastTimestamp();
    long maxTsOffset = ti.lastOffset();
    long next = -1L;
    while (true) {
      BatchHeader.Status status = h.read(ch, pos, fileSize);
      if (status == BatchHeader.Status.END) {
        break;
      }
      boolean offsetOk = next < 0 || (offsetsMayHaveGaps ? h.baseOffset() >= next : h.baseOffset() == next);
      if (status != BatchHeader.Status.OK || h.baseOffset() < baseOffset || !offsetOk) {
        return false;
      }
      if (h.maxTimestamp() > maxTs) {
        maxTs = h.maxTimestamp();
        maxTsOffset = h.lastOffset();
      }
      next = h.lastOffset() + 1;
      pos = h.nextPosition();
    }
    if (next < 0) {
      next = baseOffset;
    }
    if (ti.lastOffset() >= next) {
      return false;
    }
    offsetIndex = oi;
    timeIndex = ti;
    firstBatchTimestamp = first;
    maxTimestamp = maxTs;
    offsetOfMaxTimestamp = maxTsOffset;
    bytesSinceLastIndexEntry = fileSize - oi.lastPosition();
    nextOffset = next;
    size = fileSize;
    return true;
  }

  /**
   * Reads from the first batch whose lastOffset >= fetchOffset. Returns null when no published batch of this segment
   * reaches fetchOffset (the caller moves to the next segment). Any thread.
   */
  Records read(long fetchOffset, int maxBytes, long maxOffsetExclusive, boolean minOneBatch) {
    try {
      int limit = size;
      int pos = offsetIndex.lookupPosition(fetchOffset);
      if (pos >= limit) {
        pos = 0;
      }
      BatchHeader h = new BatchHeader();
      FileChannel ch = records.channel();
      while (true) {
        BatchHeader.Status status = h.read(ch, pos, limit);
        if (status == BatchHeader.Status.END) {
          return null;
        }
        throwIfNotOk(status, h);
        if (h.lastOffset() >= fetchOffset) {
          break;
        }
        pos = h.nextPosition();
      }
      if (h.lastOffset() >= maxOffsetExclusive) {
        return MemoryRecords.EMPTY; // cut at batch boundaries: never expose offsets >= maxOffsetExclusive
      }
      int start = pos;
      int adjustedMaxBytes = minOneBatch ? Math.max(maxBytes, h.batchSize()) : maxBytes;
      if (adjustedMaxBytes <= 0) {
        return MemoryRecords.EMPTY;
      }
      int end;
      if (maxOffsetExclusive >= nextOffset) {
        end = limit;
      } else {
        end = start;
        int p = start;
        while (p - start < adjustedMaxBytes) {
          BatchHeader.Status status = h.read(ch, p, limit);
          if (status == BatchHeader.Status.END) {
            break;
          }
          throwIfNotOk(status, h);
          if (h.lastOffset() >= maxOffsetExclusive) {
            break;
          }
          p = h.nextPosition();
          end = p;
        }
      }
      int sliceSize = Math.min(adjustedMaxBytes, end - start);
      if (sliceSize <= 0) {
        return MemoryRecords.EMPTY;
      }
      return records.slice(start, sliceSize);
    } catch (IOException e) {
      throw new UncheckedIOException("read of " + records.file() + " failed", e);
    }
  }

  private void throwIfNotOk(BatchHeader.Status status, BatchHeader h) {
    if (status != BatchHeader.Status.OK) {
      throw new IllegalStateException("published bytes of " + records.file() + " are not a valid batch at position "
          + h.position() + ": " + h.problem());
    }
  }

  /**
   * Position of the first batch at or after the time-index hint whose maxTimestamp >= target and lastOffset >=
   * minOffset, with its header left in {@code h}; -1 when none. Any thread.
   */
  int findBatchByTimestamp(long targetTimestamp, long minOffset, BatchHeader h) throws IOException {
    int limit = size;
    long hintOffset = Math.max(timeIndex.lastOffsetBefore(targetTimestamp), minOffset);
    int pos = offsetIndex.lookupPosition(hintOffset);
    if (pos >= limit) {
      pos = 0;
    }
    FileChannel ch = records.channel();
    while (true) {
      BatchHeader.Status status = h.read(ch, pos, limit);
      if (status == BatchHeader.Status.END) {
        return -1;
      }
      throwIfNotOk(status, h);
      if (h.maxTimestamp() >= targetTimestamp && h.lastOffset() >= minOffset) {
        return pos;
      }
      pos = h.nextPosition();
    }
  }

  /** Position of the batch containing {@code offset} with its header left in {@code h}; -1 when none. */
  int findBatch(long offset, BatchHeader h) throws IOException {
    int limit = size;
    int pos = offsetIndex.lookupPosition(offset);
    if (pos >= limit) {
      pos = 0;
    }
    FileChannel ch = records.channel();
    while (true) {
      BatchHeader.Status status = h.read(ch, pos, limit);
      if (status == BatchHeader.Status.END) {
        return -1;
      }
      throwIfNotOk(status, h);
      if (h.lastOffset() >= offset) {
        return h.baseOffset() <= offset ? pos : -1;
      }
      pos = h.nextPosition();
    }
  }

  /**
   * The first record at or after {@code fromOffset} carrying the largest timestamp among the records there;
   * {@link OffsetAndTimestamp#NONE} when there are none. For the segment holding the log start offset, whose
   * {@link #maxTimestamp} may belong to a record DeleteRecords removed. Walks the headers from {@code fromOffset}
   * and loads only the batch straddling it and the winning batch. Any thread.
   */
  OffsetAndTimestamp maxTimestampFrom(long fromOffset) throws IOException {
    MaxTimestampBatches found = new MaxTimestampBatches(fromOffset);
    forEachBatchFrom(fromOffset, found);
    OffsetAndTimestamp best = OffsetAndTimestamp.NONE;
    if (found.straddlingPosition >= 0) {
      // Its header's maxTimestamp may be a record below fromOffset: only the records from there count.
      for (Record r : loadBatch(found.straddlingPosition, found.straddlingSize).records()) {
        if (r.offset() >= fromOffset && r.timestamp() > best.timestamp()) {
          best = new OffsetAndTimestamp(r.offset(), r.timestamp());
        }
      }
    }
    if (found.wholePosition >= 0 && found.wholeMaxTimestamp > best.timestamp()) {
      for (Record r : loadBatch(found.wholePosition, found.wholeSize).records()) {
        if (r.timestamp() == found.wholeMaxTimestamp) {
          return new OffsetAndTimestamp(r.offset(), r.timestamp());
        }
      }
    }
    return best;
  }

  /**
   * What {@link #maxTimestampFrom} learns from the headers alone: the batch straddling fromOffset, and the first
   * batch wholly at or after it with the largest maxTimestamp. Batches without records (kept empty by the cleaner)
   * name no record and are skipped.
   */
  private static final class MaxTimestampBatches implements BatchVisitor {
    private final long fromOffset;
    private int straddlingPosition = -1;
    private int straddlingSize;
    private int wholePosition = -1;
    private int wholeSize;
    private long wholeMaxTimestamp = -1L;

    MaxTimestampBatches(long fromOffset) {
      this.fromOffset = fromOffset;
    }

    @Override
    public void visit(BatchHeader h) {
      if (h.recordCount() == 0) {
        return;
      }
      if (h.baseOffset() < fromOffset) {
        straddlingPosition = h.position();
        straddlingSize = h.batchSize();
      } else if (h.maxTimestamp() > wholeMaxTimestamp) {
        wholePosition = h.position();
        wholeSize = h.batchSize();
        wholeMaxTimestamp = h.maxTimestamp();
      }
    }
  }

  /** Walks the headers of batches with lastOffset >= fromOffset, in order. Any thread. */
  void forEachBatchFrom(long fromOffset, BatchVisitor visitor) throws IOException {
    int limit = size;
    int pos = offsetIndex.lookupPosition(fromOffset);
    if (pos >= limit) {
      pos = 0;
    }
    BatchHeader h = new BatchHeader();
    FileChannel ch = records.channel();
    while (true) {
      BatchHeader.Status status = h.read(ch, pos, limit);
      if (status == BatchHeader.Status.END) {
        return;
      }
      throwIfNotOk(status, h);
      if (h.lastOffset() >= fromOffset) {
        visitor.visit(h);
      }
      pos = h.nextPosition();
    }
  }

  /** Receives batch headers from {@link #forEachBatchFrom}. */
  interface BatchVisitor {
    void visit(BatchHeader header);
  }

  /** Loads the whole batch at {@code position} into memory (cold paths: timestamp lookups). */
  MemoryRecords loadBatch(int position, int batchSize) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(batchSize);
    BatchHeader.readFully(records.channel(), buf, position);
    return MemoryRecords.readableRecords(buf);
  }

  /** Called when the segment stops being the active one: adds the final time-index entry (Kafka does the same). */
  void onBecomeInactive() {
    if (maxTimestamp >= 0) {
      timeIndex.maybeAppend(maxTimestamp, offsetOfMaxTimestamp);
    }
  }

  /** Persists both indexes (no fsync: recovery validates and rebuilds them). Owner: the log lock. */
  void writeIndexes(StorageIo io) throws IOException {
    writeIndexes(io, false);
  }

  /**
   * Writes both index files; with {@code sync}, fsynced with their directory: a start after a clean shutdown trusts
   * the index files of every segment, and a time index lost to a power loss would understate the segment's newest
   * timestamp (ListOffsets by time would skip it, retention delete it early).
   */
  void writeIndexes(StorageIo io, boolean sync) throws IOException {
    io.writeFile(offsetIndexFile(dir, baseOffset), offsetIndex.serialize(), sync);
    io.writeFile(timeIndexFile(dir, baseOffset), timeIndex.serialize(), sync);
  }

  /**
   * fsyncs the index files a roll wrote (not through {@link #writeIndexes(StorageIo, boolean) sync}: the roll runs
   * under the log's lock); the flush that fsyncs the rolled segment calls this before its recovery point covers it,
   * and fsyncs the directory after. Files gone meanwhile (the segment was deleted or compacted away) are skipped.
   */
  void forceIndexFiles(StorageIo io) throws IOException {
    for (Path file : List.of(offsetIndexFile(dir, baseOffset), timeIndexFile(dir, baseOffset))) {
      if (deleted) {
        return;
      }
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
        io.force(ch);
      } catch (NoSuchFileException e) {
        // never written (the roll's write failed: recovery rebuilds it), or deleted meanwhile
      }
    }
  }

  /** Renames the files to {@code *.deleted}; open readers keep working until {@link #closeAndDeleteFiles}. */
  void renameToDeleted() throws IOException {
    deleted = true;
    records.renameTo(new File(records.file().getPath() + DELETED_SUFFIX));
    renameIfExists(offsetIndexFile(dir, baseOffset));
    renameIfExists(timeIndexFile(dir, baseOffset));
  }

  private static void renameIfExists(Path p) throws IOException {
    if (Files.exists(p)) {
      Files.move(p, p.resolveSibling(p.getFileName() + DELETED_SUFFIX), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /**
   * Closes and deletes the data file under its current name and the index files: the {@code .deleted} ones after
   * {@link #renameToDeleted}, since by then the plain names may belong to a cleaned segment that replaced this one.
   */
  void closeAndDeleteFiles() throws IOException {
    close();
    Files.deleteIfExists(records.file().toPath());
    Files.deleteIfExists(offsetIndexFile(dir, baseOffset).resolveSibling(
        offsetIndexFile(dir, baseOffset).getFileName() + DELETED_SUFFIX));
    Files.deleteIfExists(timeIndexFile(dir, baseOffset).resolveSibling(
        timeIndexFile(dir, baseOffset).getFileName() + DELETED_SUFFIX));
    if (!deleted) {
      Files.deleteIfExists(offsetIndexFile(dir, baseOffset));
      Files.deleteIfExists(timeIndexFile(dir, baseOffset));
    }
  }

  /**
   * Closes the file without FileRecords.close(), which would fsync and trim: the flusher already synced what
   * matters, and a deleted segment needs no fsync.
   */
  void close() throws IOException {
    records.channel().close();
  }

  @Override
  public String toString() {
    return "LogSegment(baseOffset=" + baseOffset + ", size=" + size + ", nextOffset=" + nextOffset + ")";
  }
}
