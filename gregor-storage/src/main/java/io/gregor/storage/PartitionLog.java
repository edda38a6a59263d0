package io.gregor.storage;

import io.gregor.storage.ClientBatchValidator.ValidatedBatch;
import io.gregor.storage.ProducerStateTable.BatchMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition's log: its segments, log start/end offsets, leader-epoch cache and idempotent-producer state.
 * Created and loaded by {@link LogStore}; called by the broker's produce, fetch, ListOffsets, DeleteRecords and
 * OffsetForLeaderEpoch handlers, the store's flusher and its retention task.
 *
 * <p>Threads: every mutation (append, roll, retention, DeleteRecords, close) holds {@link #lock}, briefly: validate
 * happens before it, fsync never inside it except at close. Reads (fetch, timestamp and epoch lookups) take no lock:
 * they read the volatile {@code logEndOffset} / {@code logStartOffset} and the segments' published sizes; a batch
 * is published only after it is completely written and indexed.
 *
 * <p>Compaction ({@code cleanup.policy} with compact): {@link #runCleaner} runs one pass at a time under
 * {@link #cleanerLock} (the store's cleaner thread, or a test), reading inactive segments without {@link #lock}
 * and taking it only to swap cleaned segments in. Replaced segments are renamed {@code .deleted} and closed after
 * file.delete.delay.ms, so a reader holding one keeps working. Offsets below {@link #cleanerOffset()} may have gaps.
 */
public final class PartitionLog {
  private static final Logger LOG = LoggerFactory.getLogger(PartitionLog.class);

  private final String topic;
  private final int partition;
  private final String name;
  private volatile Uuid topicId;
  private volatile Path dir;
  private volatile LogConfig config;
  private final LogEnvironment env;
  private final ReentrantLock lock = new ReentrantLock();
  /** Tickets of this log's fsyncs in progress, and the next one to hand out (see {@link #flush}). Guarded by lock. */
  private final TreeSet<Long> runningForces = new TreeSet<>();
  private long nextForceTicket;
  private final Condition forceEnded = lock.newCondition();
  private final ConcurrentSkipListMap<Long, LogSegment> segments;
  private final LeaderEpochCache epochCache;
  private final ProducerStateTable producers;        // guarded by lock
  private final List<LogSegment> unflushed = new ArrayList<>(); // rolled, not yet fsynced; guarded by lock
  private volatile long logStartOffset;
  private volatile long logEndOffset;
  private volatile long recoveryPoint;                // everything below is fsynced; written by the flusher
  /** Everything below is in the synced journal (or fsynced segments); only grows. */
  private volatile long journalDurableOffset;
  /**
   * Everything below was copied into the journal by a round, which may still be syncing it; only grows. Until that
   * sync returns, recycling the journal file it was copied to could leave it nowhere durable.
   */
  private volatile long journaledOffset;
  /**
   * Merged groups swapped in, twice each: odd while one is being swapped in (under {@link #lock}). Readers that walk
   * from segment to segment without the lock check it and walk again, as a seqlock.
   */
  private volatile int mergeSwaps;
  /** Bytes appended since this log was opened; written under lock. */
  private volatile long appendedBytes;
  /** The {@link #appendedBytes} the last successful {@link #flush} covered. */
  private volatile long flushedBytes;
  /** A background flush of this log was asked for and has not started yet. */
  private final AtomicBoolean backgroundFlushRequested = new AtomicBoolean();
  // Where the next journal record of this log starts: a segment and a byte in it. Guarded by lock; moved by the
  // journal rounds (with the journal's lock held too, which orders the records) and by flush(), past what it fsynced.
  private long journalSegmentBase;
  private long journalPosition;
  private volatile boolean offline;
  private volatile boolean closed;
  /** The segments' files are closed (closed alone may mean deleted with files still open: {@link #markDeleted}). */
  private boolean segmentsClosed;
  // The names in dir are durable only once dir is fsynced. Each roll or segment deletion counts one change; a flush
  // fsyncs dir before its recovery point covers a segment created since, and a checkpointed logStartOffset waits for
  // the fsync of the deletions below it (Kafka's LocalLog.flush fsyncs the directory of new segments the same way).
  // All guarded by lock.
  private long directoryChanges;
  private long lastDeletionChange;  // the directoryChanges value of the last segment deletion
  private long directorySyncedUpTo; // the directoryChanges value the last finished fsync of dir covered
  /** The largest logStartOffset a written log-start-offset checkpoint holds for this log; -1 before the first. */
  private volatile long checkpointedLogStartOffset = -1L;
  private final ReentrantLock cleanerLock = new ReentrantLock(); // one cleaning pass at a time
  private volatile long cleanerOffset;                // first dirty offset; cleaner-offset-checkpoint
  private volatile long minTombstoneHorizonMs = Long.MAX_VALUE; // earliest horizon of tombstones the cleaner kept
  private volatile boolean cleaningAborted;

  PartitionLog(String topic, int partition, Uuid topicId, Path dir, LogConfig config, LogEnvironment env,
      ConcurrentSkipListMap<Long, LogSegment> segments, LeaderEpochCache epochCache, ProducerStateTable producers,
      long logStartOffset, long recoveryPoint, long cleanerOffset) {
    this.topic = topic;
    this.partition = partition;
    this.name = topic + "-" + partition;
    this.topicId = topicId;
    this.dir = dir;
    this.config = config;
    this.env = env;
    this.segments = segments;
    this.epochCache = epochCache;
    this.producers = producers;
    this.logEndOffset = segments.lastEntry().getValue().nextOffset();
    this.logStartOffset = logStartOffset;
    this.recoveryPoint = Math.min(recoveryPoint, logEndOffset);
    this.cleanerOffset = cleanerOffset;
    LogSegment active = segments.lastEntry().getValue();
    this.journalSegmentBase = active.baseOffset(); // the store flushes a recovered tail before it journals anything
    this.journalPosition = active.size();
    // Past the recovery point nothing loaded is known to be fsynced, names included (after a crash, journal replay
    // rewrote the bytes, not the directory entries of segments rolled before it): the first flush fsyncs those
    // segments and the directory before its recovery point, checkpointed at once by the start, covers them.
    for (LogSegment segment : segments.values()) {
      if (segment != active && segment.nextOffset() > this.recoveryPoint) {
        unflushed.add(segment);
      }
    }
    if (this.recoveryPoint < logEndOffset) {
      directoryChanges++;
    }
  }

  public String topic() {
    return topic;
  }

  public int partition() {
    return partition;
  }

  public Uuid topicId() {
    return topicId;
  }

  public Path dir() {
    return dir;
  }

  public LogConfig config() {
    return config;
  }

  /** Applies new topic settings to future appends, rolls and retention runs (existing segments keep theirs). */
  public void updateConfig(LogConfig newConfig) {
    this.config = newConfig;
  }

  public long logStartOffset() {
    return logStartOffset;
  }

  public long logEndOffset() {
    return logEndOffset;
  }

  /** Offset below which everything is fsynced (Kafka's recovery point). */
  public long recoveryPoint() {
    return recoveryPoint;
  }

  /** Offset below which everything survives a power loss: fsynced in the segments, or in the store's journal. */
  public long durableOffset() {
    return Math.max(recoveryPoint, journalDurableOffset);
  }

  /** What one journal round copies of this log: byte ranges of its segments, and the log end offset they reach. */
  record JournalWork(List<DurabilityJournal.Range> ranges, long endOffset) {
  }

  /**
   * The bytes appended since the last call (the journal's lock is held): each segment's range from where the
   * previous call (or a {@link #flush}) stopped to its published size, leaving out segments wholly below the
   * recovery point (already fsynced). The journal then copies them without this log's lock; the bytes of a
   * published batch never change.
   */
  JournalWork unjournaledRanges() {
    lock.lock();
    try {
      if (closed || offline) {
        return new JournalWork(List.of(), journalDurableOffset); // nothing of it becomes durable by this round
      }
      List<DurabilityJournal.Range> ranges = pendingJournalRanges();
      LogSegment active = segments.lastEntry().getValue();
      journalSegmentBase = active.baseOffset();
      journalPosition = active.size();
      journaledOffset = Math.max(journaledOffset, logEndOffset);
      return new JournalWork(ranges, logEndOffset);
    } finally {
      lock.unlock();
    }
  }

  /** How many bytes the next {@link #unjournaledRanges} would copy. */
  long unjournaledBytes() {
    lock.lock();
    try {
      long bytes = 0;
      for (DurabilityJournal.Range range : pendingJournalRanges()) {
        bytes += range.to() - range.from();
      }
      return bytes;
    } finally {
      lock.unlock();
    }
  }

  private List<DurabilityJournal.Range> pendingJournalRanges() {
    List<DurabilityJournal.Range> ranges = new ArrayList<>();
    long rp = recoveryPoint;
    Map.Entry<Long, LogSegment> entry = segments.floorEntry(journalSegmentBase);
    if (entry == null) {
      entry = segments.firstEntry();
    }
    for (; entry != null; entry = segments.higherEntry(entry.getKey())) {
      LogSegment segment = entry.getValue();
      Map.Entry<Long, LogSegment> next = segments.higherEntry(entry.getKey());
      long from = segment.baseOffset() == journalSegmentBase ? journalPosition : 0;
      long to = segment.size();
      long end = next != null ? next.getKey() : logEndOffset;
      if (to > from && end > rp) {
        ranges.add(new DurabilityJournal.Range(segment, from, to, end));
      }
    }
    return ranges;
  }

  /** True while records of this log acknowledged as durable are only in the journal, not in fsynced segments. */
  boolean dependsOnJournal() {
    // Counted from the copy, not the sync: a round in flight may yet acknowledge what it copied.
    return Math.max(journaledOffset, journalDurableOffset) > recoveryPoint;
  }

  /** After a journal sync: everything below {@code offset} is durable. */
  void markJournalDurable(long offset) {
    lock.lock();
    try {
      if (offset > journalDurableOffset) {
        journalDurableOffset = offset;
      }
    } finally {
      lock.unlock();
    }
  }

  /** True after an fsync failure or a write that could not be undone: appends fail, reads keep working. */
  public boolean isOffline() {
    return offline;
  }

  public long sizeInBytes() {
    long total = 0;
    for (LogSegment s : segments.values()) {
      total += s.size();
    }
    return total;
  }

  /** Number of segments, including the active one. */
  public int segmentCount() {
    return segments.size();
  }

  String name() {
    return name;
  }

  boolean isClosed() {
    return closed;
  }

  /**
   * Validates one client-sent batch set for this partition and appends it: offsets from the log end offset, the
   * leader epoch, and for LogAppendTime topics the broker time are written into the batch header (in the caller's
   * buffer unless it is read-only). Idempotent duplicates return the original offsets and write nothing.
   */
  public AppendResult appendAsLeader(MemoryRecords records, int leaderEpoch, long nowMs)
      throws LogAppendException, LogStorageException {
    LogConfig cfg = config;
    ValidatedBatch validated = ClientBatchValidator.validate(records, cfg, nowMs, name);
    if (validated.bytes().sizeInBytes() > cfg.segmentBytes()) {
      // As Kafka's UnifiedLog.append: a batch must fit in one segment, whatever max.message.bytes allows.
      throw new LogAppendException(LogAppendException.Reason.RECORD_LIST_TOO_LARGE, "batch size: "
          + validated.bytes().sizeInBytes() + " bytes (expected: <= segment.bytes " + cfg.segmentBytes() + ")");
    }
    MutableRecordBatch batch = validated.batch();
    long producerId = batch.producerId();
    boolean idempotent = producerId >= 0;
    short producerEpoch = batch.producerEpoch();
    int firstSeq = batch.baseSequence();
    int lastSeq = batch.lastSequence();
    int lastOffsetDelta = (int) (batch.lastOffset() - batch.baseOffset());
    boolean flushDue = false;
    lock.lock();
    try {
      throwIfUnavailable();
      if (idempotent) {
        BatchMetadata duplicate = producers.checkAppend(producerId, producerEpoch, firstSeq, lastSeq);
        if (duplicate != null) {
          // As Kafka: the original batch's timestamp (its max timestamp on a CreateTime topic) is answered as
          // the log append time, which the producer then reports as every record's timestamp.
          return new AppendResult(duplicate.firstOffset(), duplicate.lastOffset(), duplicate.timestamp(),
              logStartOffset, true, 0);
        }
      }
      long firstOffset = logEndOffset;
      long lastOffset = firstOffset + lastOffsetDelta;
      batch.setLastOffset(lastOffset);
      batch.setPartitionLeaderEpoch(leaderEpoch);
      long logAppendTimeMs = -1L;
      if (cfg.logAppendTime()) {
        batch.setMaxTimestamp(TimestampType.LOG_APPEND_TIME, nowMs);
        logAppendTimeMs = nowMs;
      }
      long batchMaxTimestamp = batch.maxTimestamp();
      LogSegment segment = maybeRoll(validated.bytes().sizeInBytes(), lastOffset, batchMaxTimestamp, nowMs, cfg);
      maybeStartEpoch(leaderEpoch, firstOffset);
      try {
        segment.append(env.io(), validated.bytes(), lastOffset, batchMaxTimestamp, cfg.indexIntervalBytes(), nowMs);
      } catch (LogSegment.UndoFailedException e) {
        offline = true;
        LOG.error("{}: a failed write could not be undone; the log is now offline", name, e);
        throw new LogStorageException(name + ": write failed and could not be undone; log is offline", e);
      } catch (IOException e) {
        throw new LogStorageException(name + ": write of " + validated.bytes().sizeInBytes()
            + " bytes at offset " + firstOffset + " failed: " + e.getMessage(), e);
      }
      if (idempotent) {
        producers.onBatchAppended(producerId, producerEpoch,
            new BatchMetadata(firstSeq, lastSeq, firstOffset, lastOffset, batchMaxTimestamp));
      }
      logEndOffset = lastOffset + 1; // publish to readers
      appendedBytes += validated.bytes().sizeInBytes();
      // (With flushBeforeAck off the page cache is left to the OS, as Kafka leaves it.)
      flushDue = unflushedBytes() >= LogFlusher.BACKGROUND_FLUSH_BYTES && env.storeConfig().flushBeforeAck()
          && backgroundFlushRequested.compareAndSet(false, true);
      return new AppendResult(firstOffset, lastOffset, logAppendTimeMs, logStartOffset, false,
          validated.bytes().sizeInBytes());
    } finally {
      lock.unlock();
      if (flushDue) {
        env.flusher().requestBackgroundFlush(this);
      }
    }
  }

  /** The background flush {@link #appendAsLeader} asked for starts: later appends may ask for the next one. */
  void onBackgroundFlushStarting() {
    backgroundFlushRequested.set(false);
  }

  private void throwIfUnavailable() throws LogStorageException {
    if (closed) {
      throw new LogClosedException(name + " is closed or deleted");
    }
    if (offline) {
      throw new LogStorageException(name + " is offline after an I/O error");
    }
  }

  private LogSegment maybeRoll(int batchSize, long lastOffset, long batchMaxTimestamp, long nowMs, LogConfig cfg)
      throws LogStorageException {
    LogSegment active = segments.lastEntry().getValue();
    if (active.size() == 0) {
      return active;
    }
    boolean full = active.size() > cfg.segmentBytes() - batchSize;
    // Kafka measures segment age from the first batch's timestamp when it has one, else from creation.
    long waitedMs = active.firstBatchTimestamp() >= 0 ? batchMaxTimestamp - active.firstBatchTimestamp()
        : nowMs - active.createdMs();
    boolean aged = waitedMs > cfg.maxSegmentMs() - active.rollJitterMs();
    boolean offsetOverflow = lastOffset - active.baseOffset() > Integer.MAX_VALUE;
    if (full || aged || active.indexesFull() || offsetOverflow) {
      return roll(nowMs);
    }
    return active;
  }

  /** Starts a new segment at the log end offset (no-op when the active one is empty). Holds the lock. */
  private LogSegment roll(long nowMs) throws LogStorageException {
    LogSegment old = segments.lastEntry().getValue();
    if (old.size() == 0) {
      return old;
    }
    long base = logEndOffset;
    LogSegment fresh;
    try {
      fresh = LogSegment.create(dir, base, config, nowMs);
    } catch (IOException e) {
      throw new LogStorageException(name + ": could not roll a new segment at offset " + base, e);
    }
    old.onBecomeInactive();
    try {
      old.writeIndexes(env.io());
    } catch (IOException e) {
      LOG.warn("{}: could not write the indexes of segment {}; recovery will rebuild them", name,
          old.baseOffset(), e);
    }
    producers.removeExpired(nowMs, env.storeConfig().producerIdExpirationMs());
    try {
      producers.writeSnapshot(dir, base, env.io(), false);
    } catch (IOException e) {
      LOG.warn("{}: could not write the producer snapshot at {}; recovery will replay the log", name, base, e);
    }
    segments.put(base, fresh);
    unflushed.add(old);
    directoryChanges++;
    LOG.debug("{}: rolled segment at offset {}", name, base);
    return fresh;
  }

  private void maybeStartEpoch(int leaderEpoch, long startOffset) throws LogStorageException {
    if (leaderEpoch <= epochCache.latestEpoch()) {
      return;
    }
    List<LeaderEpochCache.Entry> previous = epochCache.entries();
    if (epochCache.maybeAssign(leaderEpoch, startOffset)) {
      try {
        epochCache.write(env.io(), false);
      } catch (IOException e) {
        epochCache.restore(previous);
        throw new LogStorageException(name + ": could not write the leader-epoch checkpoint", e);
      }
    }
  }

  /**
   * Completes once everything up to and including {@code offset} is fsynced; immediately when flushBeforeAck is off or
   * it already is. Completed by the thread completing group-commit rounds (a sync or request thread); fails with {@link
   * LogStorageException} if the fsync fails.
   */
  public CompletableFuture<Void> awaitDurable(long offset) {
    CompletableFuture<Void> now = durabilityWithoutWaiting(offset);
    return now != null ? now : env.flusher().await(List.of(this), List.of(offset)).get(0);
  }

  /**
   * As {@link #awaitDurable} whatever flushBeforeAck says: for a log whose acknowledged writes must survive a power
   * loss in every mode. The metadata log is one (Kafka's KRaft log is always fsynced before a change is acknowledged):
   * a topic whose creation was lost would have its data deleted at the next start.
   */
  public CompletableFuture<Void> awaitFsynced(long offset) {
    CompletableFuture<Void> now = fsyncedWithoutWaiting(offset);
    return now != null ? now : env.flusher().await(List.of(this), List.of(offset)).get(0);
  }

  /**
   * The outcome of a durability wait for {@code offset} when it needs no flusher round (flushBeforeAck off, already
   * durable, or the log is offline); otherwise null.
   */
  /**
   * Whether a produce that appended up to {@code lastOffset} must wait for its fsync because of {@code flush.messages}
   * (Kafka's UnifiedLog.append flushes once logEndOffset - recoveryPoint reaches it, before the produce is answered).
   */
  public boolean flushDue(long lastOffset) {
    long every = config.flushMessages();
    return every != Long.MAX_VALUE && lastOffset + 1 - durableOffset() >= every;
  }

  CompletableFuture<Void> durabilityWithoutWaiting(long offset) {
    if (!env.storeConfig().flushBeforeAck()) {
      return CompletableFuture.completedFuture(null);
    }
    return fsyncedWithoutWaiting(offset);
  }

  CompletableFuture<Void> fsyncedWithoutWaiting(long offset) {
    if (offset < durableOffset()) {
      return CompletableFuture.completedFuture(null);
    }
    if (offline) {
      return CompletableFuture.failedFuture(new LogStorageException(name + " is offline after an I/O error"));
    }
    return null;
  }

  /** Bytes appended since the last successful {@link #flush} began (approximate while one runs). */
  long unflushedBytes() {
    return appendedBytes - flushedBytes;
  }

  LogFlusher flusher() {
    return env.flusher();
  }

  /**
   * fsyncs every segment written since the last flush and advances the recovery point. Flusher threads (or close);
   * several may run at once: a rolled segment leaves {@link #unflushed} only once an fsync of it has returned, and
   * the recovery point only moves forward, to what the finished fsyncs cover.
   *
   * <p>Linux reports a failed page write to the first fsync of the file descriptor that checks after it, not to
   * each: an fsync that returns 0 proves nothing while an overlapping one, which may have taken the error, has not
   * returned. So a flush only counts once every fsync of this log that started before it finished has ended too,
   * and fails if any of them failed (the log is then offline).
   */
  void flush() throws IOException {
    long leo;
    List<LogSegment> rolled;
    LogSegment active;
    long activeSize;
    long coveredBytes;
    long dirChanges;
    long ticket;
    lock.lock();
    try {
      if (closed || offline) {
        return;
      }
      leo = logEndOffset;
      if (leo <= recoveryPoint && unflushed.isEmpty()) {
        return;
      }
      rolled = new ArrayList<>(unflushed);
      active = segments.lastEntry().getValue();
      activeSize = active.size();
      coveredBytes = appendedBytes;
      dirChanges = directoryChanges;
      ticket = nextForceTicket++;
      runningForces.add(ticket);
    } finally {
      lock.unlock();
    }
    IOException failure = null;
    try {
      for (LogSegment segment : rolled) {
        force(segment);
        segment.forceIndexFiles(env.io()); // trusted as they are at a start after a clean shutdown
      }
      force(active);
      syncDirectoryUpTo(dirChanges); // the segments' names, before the recovery point or the journal skips them
    } catch (IOException e) {
      failure = e;
    } catch (RuntimeException e) {
      failure = new IOException(e);
    }
    lock.lock();
    try {
      runningForces.remove(ticket);
      forceEnded.signalAll();
      if (failure != null) {
        offline = true;
        throw failure;
      }
      long startedBeforeUs = nextForceTicket;
      while (!runningForces.isEmpty() && runningForces.first() < startedBeforeUs) {
        forceEnded.awaitUninterruptibly();
      }
      if (offline) {
        throw new IOException(name + ": an overlapping fsync failed");
      }
      unflushed.removeAll(rolled);
      if (leo > recoveryPoint) {
        recoveryPoint = leo;
      }
      flushedBytes = Math.max(flushedBytes, coveredBytes);
      // What this fsync covered need not go through the journal as well.
      if (journalSegmentBase < active.baseOffset()
          || (journalSegmentBase == active.baseOffset() && journalPosition < activeSize)) {
        journalSegmentBase = active.baseOffset();
        journalPosition = activeSize;
      }
    } finally {
      lock.unlock();
    }
  }

  private void force(LogSegment segment) throws IOException {
    if (segment.isDeleted()) {
      return;
    }
    try {
      env.io().force(segment.channel());
    } catch (ClosedChannelException e) {
      if (!segment.isDeleted() && !closed) {
        offline = true;
        throw e;
      }
    } catch (IOException | RuntimeException e) {
      offline = true; // fsync failures cannot be retried safely: the page cache may have dropped the data
      throw e;
    }
  }

  /**
   * fsyncs dir unless a finished fsync already covers directory change {@code change}. Not under lock (except at
   * close). A directory renamed away by the log's deletion is no failure; any other takes the log offline.
   */
  private void syncDirectoryUpTo(long change) throws IOException {
    lock.lock();
    try {
      if (directorySyncedUpTo >= change) {
        return;
      }
    } finally {
      lock.unlock();
    }
    try {
      env.io().syncDirectory(dir);
    } catch (IOException e) {
      if (closed) {
        return;
      }
      offline = true;
      throw e;
    }
    lock.lock();
    try {
      directorySyncedUpTo = Math.max(directorySyncedUpTo, change);
    } finally {
      lock.unlock();
    }
  }

  /** The loader created a segment file after the directory's last fsync. */
  void onSegmentFileCreated() {
    lock.lock();
    try {
      directoryChanges++;
    } finally {
      lock.unlock();
    }
  }

  /**
   * The logStartOffset a checkpoint may record now: fsyncs dir first when segments below it were deleted since its
   * last fsync, since a power loss that undid their renames would bring them back. Called by the store's checkpoint
   * writer, not under lock.
   */
  long logStartOffsetToCheckpoint() throws IOException {
    long lso;
    long deletion;
    lock.lock();
    try {
      lso = logStartOffset;
      deletion = lastDeletionChange;
    } finally {
      lock.unlock();
    }
    syncDirectoryUpTo(deletion);
    return lso;
  }

  /** A log-start-offset checkpoint holding {@code offset} for this log was written (fsynced). */
  void onLogStartOffsetCheckpointed(long offset) {
    lock.lock();
    try {
      checkpointedLogStartOffset = Math.max(checkpointedLogStartOffset, offset);
    } finally {
      lock.unlock();
    }
  }

  /** The logStartOffset of the last log-start-offset checkpoint written for this log; -1 before the first. */
  long checkpointedLogStartOffset() {
    return checkpointedLogStartOffset;
  }

  /**
   * Reads from the batch containing {@code fetchOffset}: at most {@code maxBytes} (the slice may end inside a batch),
   * or the whole first batch when {@code minOneBatch}; never a batch containing an offset >= maxOffsetExclusive.
   * Returns a zero-copy {@code FileRecords} slice of one segment, or {@code MemoryRecords.EMPTY}. Any thread.
   *
   * @throws OffsetOutOfRangeException if fetchOffset is outside [logStartOffset, logEndOffset]
   * @throws UncheckedIOException if the segment file cannot be read
   */
  public ReadResult read(long fetchOffset, int maxBytes, long maxOffsetExclusive, boolean minOneBatch)
      throws OffsetOutOfRangeException {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("maxBytes: " + maxBytes + " (expected: >= 0)");
    }
    long leo = logEndOffset;
    long lso = logStartOffset;
    if (fetchOffset < lso || fetchOffset > leo) {
      throw new OffsetOutOfRangeException(name + " fetchOffset: " + fetchOffset + " (expected: within ["
          + lso + ", " + leo + "])");
    }
    long limitOffset = Math.min(maxOffsetExclusive, leo);
    while (true) {
      int swaps = mergeSwaps;
      Map.Entry<Long, LogSegment> entry = segments.floorEntry(fetchOffset);
      if (entry == null) {
        throw new OffsetOutOfRangeException(name + " fetchOffset: " + fetchOffset + " was deleted concurrently");
      }
      boolean moved = false;
      Records found = null;
      while (entry != null && fetchOffset < limitOffset && entry.getKey() < limitOffset) {
        found = entry.getValue().read(fetchOffset, maxBytes, limitOffset, minOneBatch);
        if (found != null) {
          break;
        }
        entry = segments.higherEntry(entry.getKey());
        moved = true;
      }
      // Past a segment with nothing at the offset, a merge swapped in meanwhile may have taken the segments that
      // followed it out of the map: the next one found could lie beyond records the fetch must not skip.
      if (moved && mergeSwapped(swaps)) {
        continue;
      }
      return new ReadResult(found != null ? found : MemoryRecords.EMPTY, lso, leo);
    }
  }

  /** True when a merge was being swapped in or has been since {@link #mergeSwaps} read {@code before}. */
  private boolean mergeSwapped(int before) {
    return (before & 1) != 0 || mergeSwaps != before;
  }

  /**
   * ListOffsets by timestamp: the first record at or after logStartOffset, in the first batch whose max timestamp
   * is >= target, whose own timestamp is >= target. Empty when no batch qualifies. Any thread.
   */
  public Optional<OffsetAndTimestamp> offsetForTimestamp(long targetTimestamp) {
    while (true) {
      int swaps = mergeSwaps;
      Optional<OffsetAndTimestamp> found = offsetForTimestampOnce(targetTimestamp);
      if (!mergeSwapped(swaps)) { // a walk across a merge could have skipped the merged-away segments
        return found;
      }
    }
  }

  private Optional<OffsetAndTimestamp> offsetForTimestampOnce(long targetTimestamp) {
    long lso = logStartOffset;
    BatchHeader h = new BatchHeader();
    try {
      for (LogSegment segment : segments.values()) {
        if (segment.maxTimestamp() < targetTimestamp || segment.nextOffset() <= lso) {
          continue;
        }
        int pos = segment.findBatchByTimestamp(targetTimestamp, lso, h);
        while (pos >= 0) {
          MemoryRecords batch = segment.loadBatch(pos, h.batchSize());
          for (Record r : batch.records()) {
            if (r.timestamp() >= targetTimestamp && r.offset() >= lso) {
              return Optional.of(new OffsetAndTimestamp(r.offset(), r.timestamp()));
            }
          }
          pos = segment.findBatchByTimestamp(targetTimestamp, h.lastOffset() + 1, h);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(name + ": timestamp lookup failed", e);
    }
    return Optional.empty();
  }

  /**
   * ListOffsets MAX_TIMESTAMP: the first record at or after logStartOffset carrying the largest timestamp; (-1, -1)
   * when there is none. Any thread.
   */
  public OffsetAndTimestamp maxTimestampOffset() {
    while (true) {
      int swaps = mergeSwaps;
      OffsetAndTimestamp found = maxTimestampOffsetOnce();
      if (!mergeSwapped(swaps)) { // a walk across a merge could have skipped the merged-away segments
        return found;
      }
    }
  }

  private OffsetAndTimestamp maxTimestampOffsetOnce() {
    long lso = logStartOffset;
    OffsetAndTimestamp head = OffsetAndTimestamp.NONE;
    LogSegment best = null;
    try {
      for (LogSegment segment : segments.values()) {
        if (segment.nextOffset() <= lso) {
          continue;
        }
        if (segment.baseOffset() < lso) {
          // DeleteRecords moved the log start into this segment: its statistics may name a record below it, and a
          // client would be sent an offset paired with a timestamp that offset does not carry.
          head = segment.maxTimestampFrom(lso);
        } else if (segment.maxTimestamp() > Math.max(head.timestamp(), best == null ? -1L : best.maxTimestamp())) {
          best = segment;
        }
      }
      if (best == null) {
        return head.offset() < 0 ? firstRecordWithoutTimestamp(lso) : head;
      }
      BatchHeader h = new BatchHeader();
      int pos = best.findBatch(best.offsetOfMaxTimestamp(), h);
      if (pos >= 0) {
        for (Record r : best.loadBatch(pos, h.batchSize()).records()) {
          if (r.timestamp() == h.maxTimestamp()) {
            return new OffsetAndTimestamp(r.offset(), r.timestamp());
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(name + ": max timestamp lookup failed", e);
    }
    // That batch has no record with its timestamp (the cleaner kept it empty for its producer): name the batch.
    return new OffsetAndTimestamp(best.offsetOfMaxTimestamp(), best.maxTimestamp());
  }

  /**
   * When no record from {@code lso} carries a timestamp: the first of them, with timestamp -1, as Kafka's
   * MAX_TIMESTAMP lookup answers (its first batch whose max timestamp is -1); NONE for an empty log.
   */
  private OffsetAndTimestamp firstRecordWithoutTimestamp(long lso) {
    try {
      ReadResult read = read(lso, 1, Long.MAX_VALUE, true);
      for (RecordBatch batch : read.records().batches()) {
        for (Record r : batch) {
          if (r.offset() >= lso) {
            return new OffsetAndTimestamp(r.offset(), r.timestamp());
          }
        }
      }
    } catch (OffsetOutOfRangeException e) {
      // moved meanwhile: as for an empty log
    }
    return OffsetAndTimestamp.NONE;
  }

  /**
   * DeleteRecords: moves logStartOffset up to {@code offset}, deletes the segments wholly below it and checkpoints
   * the new logStartOffset (fsynced) before it returns, so the deleted records stay deleted after a crash. A request
   * naming many partitions calls {@link #maybeIncrementLogStartOffset} for each, then {@link
   * #checkpointLogStartOffset} for each: one checkpoint write per log dir.
   *
   * @return the new logStartOffset
   * @throws OffsetOutOfRangeException if offset is negative or beyond the log end offset
   * @throws LogStorageException if the log is offline or closed, or the checkpoint could not be written
   */
  public long deleteRecordsBefore(long offset) throws OffsetOutOfRangeException, LogStorageException {
    long logStart = maybeIncrementLogStartOffset(offset);
    checkpointLogStartOffset();
    return logStart;
  }

  /**
   * Makes this log's logStartOffset survive a crash or power loss: writes the store's log-start-offset checkpoint
   * (fsynced) unless one written since the offset last moved already holds it. Blocks on that write; not under the
   * log's lock. Called before DeleteRecords is answered.
   *
   * @throws LogStorageException if the checkpoint could not be written
   */
  public void checkpointLogStartOffset() throws LogStorageException {
    long logStart = logStartOffset;
    if (checkpointedLogStartOffset >= logStart) {
      return;
    }
    try {
      env.checkpoints().writeLogStartOffsets();
    } catch (IOException | RuntimeException e) {
      throw new LogStorageException(name + ": could not checkpoint logStartOffset " + logStart, e);
    }
    if (checkpointedLogStartOffset < logStart) {
      throw new LogStorageException(name + ": logStartOffset " + logStart + " is not in the checkpoint (the log is "
          + (offline ? "offline" : "closed") + ")");
    }
  }

  /**
   * As {@link #deleteRecordsBefore} without the checkpoint: the new logStartOffset is only in memory until {@link
   * #checkpointLogStartOffset} (or the flusher's next checkpoint) writes it.
   *
   * @return the new logStartOffset
   * @throws OffsetOutOfRangeException if offset is negative or beyond the log end offset
   */
  public long maybeIncrementLogStartOffset(long offset) throws OffsetOutOfRangeException, LogStorageException {
    lock.lock();
    try {
      throwIfUnavailable();
      if (offset < 0 || offset > logEndOffset) {
        throw new OffsetOutOfRangeException(name + " DeleteRecords offset: " + offset + " (expected: within [0, "
            + logEndOffset + "])");
      }
      if (offset <= logStartOffset) {
        return logStartOffset;
      }
      logStartOffset = offset;
      deleteSegments(segmentsWhollyBelow(offset), "DeleteRecords before " + offset);
      truncateEpochsFromStart(); // the caller checkpoints the new offset
      return logStartOffset;
    } finally {
      lock.unlock();
    }
  }

  /** The non-active segments whose every offset is below {@code offset} (the next segment starts at or before it). */
  private List<LogSegment> segmentsWhollyBelow(long offset) {
    List<LogSegment> below = new ArrayList<>();
    LogSegment previous = null;
    for (LogSegment segment : segments.values()) {
      if (previous != null) {
        if (segment.baseOffset() <= offset) {
          below.add(previous);
        } else {
          break;
        }
      }
      previous = segment;
    }
    return below;
  }

  /** The idempotent producers this partition keeps state for (DescribeProducers). */
  public List<ActiveProducer> activeProducers() {
    lock.lock();
    try {
      return producers.activeProducers();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Retention, on the store's scheduler (public for tests): rolls the active segment once segment.ms (capped by
   * max.compaction.lag.ms on compacted topics) has passed by the wall clock since its first append, whatever the
   * records' timestamps (see {@link LogSegment#idleRollBaseMs}), and, when cleanup.policy includes delete,
   * deletes oldest segments whose largest timestamp is older than retention.ms (rolling first when that
   * includes the active one), then oldest segments while the log stays >= retention.bytes without them (the active
   * one too, when not empty: rolled first).
   * Whatever the policy, deletes the segments wholly below logStartOffset.
   */
  public void runRetention(long nowMs) {
    lock.lock();
    try {
      if (closed || offline) {
        return;
      }
      // As Kafka's deleteLogStartOffsetBreachedSegments, for compacted topics too: DeleteRecords keeps a segment
      // while it is active, and once rolled no reader can reach it, yet it would hold its disk space forever.
      deleteSegments(segmentsWhollyBelow(logStartOffset), "below logStartOffset " + logStartOffset);
      LogConfig cfg = config;
      LogSegment tail = segments.lastEntry().getValue();
      // Idle roll: a compacted topic's quiet tail must become cleanable within max.compaction.lag.ms.
      if (tail.size() > 0 && nowMs - tail.idleRollBaseMs() > cfg.maxSegmentMs() - tail.rollJitterMs()) {
        rollQuietly(nowMs);
      }
      List<LogSegment> toDelete = new ArrayList<>();
      if (!cfg.cleanupPolicy().deletes()) {
        return; // cleanup.policy=compact or empty: retention.ms and retention.bytes do not apply
      }
      LogSegment active = segments.lastEntry().getValue();
      if (cfg.retentionMs() >= 0) {
        for (LogSegment segment : segments.values()) {
          // An empty inactive segment (compacted to nothing) ages by its file's mtime, as in Kafka.
          if (segment.size() == 0 && segment == active || nowMs - segment.largestTimestamp() <= cfg.retentionMs()) {
            break;
          }
          toDelete.add(segment);
        }
      }
      if (cfg.retentionBytes() >= 0) {
        // Kafka's deleteRetentionSizeBreachedSegments: the active segment goes too when the log is that far over
        // (retention.bytes <= 0), unless it is empty.
        long excess = sizeInBytes() - cfg.retentionBytes();
        for (LogSegment segment : toDelete) {
          excess -= segment.size();
        }
        for (LogSegment segment : segments.tailMap(toDelete.isEmpty() ? Long.MIN_VALUE
            : toDelete.get(toDelete.size() - 1).baseOffset(), false).values()) {
          if (segment.size() == 0 && segment == active || excess - segment.size() < 0) {
            break;
          }
          excess -= segment.size();
          toDelete.add(segment);
        }
      }
      if (!toDelete.isEmpty() && toDelete.get(toDelete.size() - 1) == active) {
        rollQuietly(nowMs); // Kafka rolls so that the active segment can go too
        if (active == segments.lastEntry().getValue()) {
          toDelete.remove(toDelete.size() - 1);
        }
      }
      if (!toDelete.isEmpty()) {
        deleteSegments(toDelete, "retention");
        onLogStartOffsetMoved();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Forgets the producers idle for producer.id.expiration.ms (on the store's scheduler, every
   * producer.id.expiration.check.interval.ms, as Kafka's removeExpiredProducers): DescribeProducers stops listing
   * them, and such a producer's next batch is accepted at any sequence.
   */
  public void removeExpiredProducers(long nowMs) {
    lock.lock();
    try {
      if (!closed) {
        producers.removeExpired(nowMs, env.storeConfig().producerIdExpirationMs());
      }
    } finally {
      lock.unlock();
    }
  }

  private void rollQuietly(long nowMs) {
    try {
      roll(nowMs);
    } catch (LogStorageException e) {
      LOG.warn("{}: time-based roll failed", name, e);
    }
  }

  /** Removes whole segments (oldest first, never the active one); their files go after file.delete.delay.ms. */
  private void deleteSegments(List<LogSegment> toDelete, String reason) {
    if (toDelete.isEmpty()) {
      return;
    }
    LogSegment lastDeleted = toDelete.get(toDelete.size() - 1);
    Map.Entry<Long, LogSegment> firstKept = segments.higherEntry(lastDeleted.baseOffset());
    if (firstKept == null) {
      throw new IllegalStateException(name + ": refusing to delete the active segment");
    }
    // Publish the new start before the segments vanish, so readers see an out-of-range offset, not a hole.
    logStartOffset = Math.max(logStartOffset, firstKept.getKey());
    long delayMs = config.fileDeleteDelayMs();
    for (LogSegment segment : toDelete) {
      segments.remove(segment.baseOffset());
      unflushed.remove(segment);
      try {
        segment.renameToDeleted();
      } catch (IOException e) {
        LOG.warn("{}: could not rename segment {} for deletion", name, segment.baseOffset(), e);
      }
      env.deleter().scheduleDelete(segment, delayMs);
    }
    lastDeletionChange = ++directoryChanges;
    LOG.info("{}: deleted {} segment(s) below offset {} ({}); logStartOffset is now {}", name, toDelete.size(),
        firstKept.getKey(), reason, logStartOffset);
  }

  private void onLogStartOffsetMoved() {
    truncateEpochsFromStart();
    env.flusher().requestCheckpoint();
  }

  private void truncateEpochsFromStart() {
    epochCache.truncateFromStart(logStartOffset);
    try {
      epochCache.write(env.io(), false);
    } catch (IOException e) {
      LOG.warn("{}: could not write the leader-epoch checkpoint", name, e);
    }
  }

  /** The cleaner's first dirty offset (persisted in cleaner-offset-checkpoint); below it offsets may have gaps. */
  long cleanerOffset() {
    return cleanerOffset;
  }

  /** What a cleaning pass would cover now; null when the policy does not compact or the log is closed. Any thread. */
  CleanableRange cleanableRange(long nowMs) {
    LogConfig cfg = config;
    if (!cfg.cleanupPolicy().compacts() || closed || offline) {
      return null;
    }
    return CleanableRange.of(segments.values(), cfg, logStartOffset, logEndOffset, cleanerOffset,
        minTombstoneHorizonMs, nowMs);
  }

  /**
   * Runs one cleaning pass now if this log is compacted and due (dirty ratio above min.cleanable.dirty.ratio, a
   * record older than max.compaction.lag.ms, or kept tombstones past their delete horizon); returns whether it
   * cleaned. Called by the store's cleaner thread; public so tests can drive it with their own clock.
   */
  public boolean runCleaner(long nowMs) {
    try {
      return runCleanerOrThrow(nowMs);
    } catch (LogCompactor.FailedException e) {
      LOG.error("{}: cleaning failed; the log keeps its uncleaned segments", name, e.getCause());
      return false;
    }
  }

  /**
   * As {@link #runCleaner}, but a pass that fails (an I/O error, a batch that cannot be read) throws, with the
   * log's segments as they were: the store's cleaner then marks this log uncleanable.
   */
  boolean runCleanerOrThrow(long nowMs) throws LogCompactor.FailedException {
    cleanerLock.lock();
    try {
      CleanableRange range = cleanableRange(nowMs);
      if (range == null || !range.shouldClean(config.minCleanableDirtyRatio())) {
        return false;
      }
      return clean(range, nowMs);
    } finally {
      cleanerLock.unlock();
    }
  }

  /** Makes a running pass stop at its next batch (store shutdown). */
  void abortCleaning() {
    cleaningAborted = true;
  }

  private boolean clean(CleanableRange range, long nowMs) throws LogCompactor.FailedException {
    List<LogSegment> inactive = new ArrayList<>();
    Map<Long, Long> producerLastOffsets;
    lock.lock();
    try {
      if (closed || offline) {
        return false;
      }
      LogSegment active = segments.lastEntry().getValue();
      for (LogSegment segment : segments.headMap(range.firstUncleanableOffset(), false).values()) {
        if (segment != active) {
          inactive.add(segment);
        }
      }
      producerLastOffsets = producers.lastBatchOffsets();
    } finally {
      lock.unlock();
    }
    LogConfig cfg = config;
    LogCompactor compactor = new LogCompactor(name, cfg, env.io(), nowMs, producerLastOffsets,
        () -> closed || cleaningAborted, env.storeConfig().cleanerDedupeBufferSize());
    LogCompactor.SwapProgress swapProgress = new LogCompactor.SwapProgress();
    try {
      OffsetMap map = compactor.buildOffsetMap(inactive, range.firstDirtyOffset(),
          range.firstUncleanableOffset());
      List<LogSegment> toClean = new ArrayList<>();
      for (LogSegment segment : inactive) {
        if (segment.baseOffset() < map.endOffset()) {
          toClean.add(segment);
        }
      }
      List<LogCompactor.CleanedSegment> cleaned = compactor.clean(toClean, map, range.firstUncleanableOffset());
      // The checkpoint goes to disk before any .swap becomes .log: recovery must know these segments have gaps.
      cleanerOffset = Math.max(cleanerOffset, map.endOffset());
      // The journal may still hold ranges of the original segments: the recovery point has to be past them on
      // disk before a cleaned segment replaces them, or a replay after a crash would write them into it.
      flush();
      env.checkpoints().write();
      swapIn(cleaned, cfg, swapProgress);
      minTombstoneHorizonMs = compactor.minTombstoneHorizonMs();
      LOG.info("{}: cleaned {} segment(s) below offset {} into {} rewritten one(s) ({} keys mapped from offset {})",
          name, toClean.size(), map.endOffset(), swapProgress.swappedInCount(), map.size(),
          range.firstDirtyOffset());
      return true;
    } catch (LogCompactor.AbortedException e) {
      LOG.info("{}: cleaning aborted: the log was closed or deleted", name);
      return false;
    } catch (VirtualMachineError e) {
      throw e;
    } catch (IOException | RuntimeException | Error e) {
      // Error too: a codec's AssertionError or LinkageError on one damaged batch is this log's problem alone.
      if (closed || cleaningAborted) {
        LOG.info("{}: cleaning aborted: the log was closed or deleted ({})", name, e.toString());
        return false;
      }
      throw new LogCompactor.FailedException(name + ": cleaning failed: " + e, e);
    } finally {
      // Also after a failed swap: what it already swapped in, or left as the only copy, must survive the discard.
      compactor.discard(swapProgress);
    }
  }

  /**
   * Replaces each group of original segments by its cleaned {@code .swap}: every original to {@code .deleted}
   * (deleted after file.delete.delay.ms), then, for a group of several, a directory fsync (a power loss must not
   * bring a merged-away original back beside the segment that holds its records), then {@code .swap} to {@code .log}
   * under the first original's name. A group one of whose segments retention or DeleteRecords removed during the
   * pass is skipped. Records each step in {@code progress} as it lands, so that the caller's discard keeps what the
   * log depends on even when a later step throws. A failed step takes the log offline: when an original had already
   * been renamed away, the {@code .swap} is left for the next load to complete (LogLoader's completeSwaps). The
   * directory fsync is the one fsync under {@link #lock} outside close, once per merged group.
   */
  private void swapIn(List<LogCompactor.CleanedSegment> cleaned, LogConfig cfg, LogCompactor.SwapProgress progress)
      throws IOException {
    lock.lock();
    try {
      if (closed || offline) {
        return;
      }
      for (LogCompactor.CleanedSegment c : cleaned) {
        List<LogSegment> originals = c.originals();
        if (!allInLog(originals)) {
          continue;
        }
        long base = originals.get(0).baseOffset();
        try {
          for (LogSegment original : originals) {
            original.renameToDeleted();
          }
          if (originals.size() > 1) {
            env.io().syncDirectory(dir);
          }
          c.cleaned().renameFile("");
        } catch (IOException e) {
          offline = true;
          // FileRecords.renameTo takes the new name even when the move fails, so ask the disk: once a plain name is
          // gone the .swap holds the only copy of that segment's records.
          if (anyRenamedAway(originals)) {
            progress.onLeftForLoader(c.cleaned());
          }
          LOG.error("{}: swapping in cleaned segment {} failed; the log is now offline", name, base, e);
          throw e;
        }
        // The cleaned segment goes in first: a reader looking up an offset of a merged-away original in between
        // finds it in that original, still open, or in the cleaned segment, never a hole. A reader walking from
        // segment to segment meanwhile sees mergeSwaps odd or changed, and walks again.
        boolean merge = originals.size() > 1;
        if (merge) {
          mergeSwaps++;
        }
        try {
          segments.put(base, c.cleaned());
          progress.onSwappedIn(c.cleaned());
          for (LogSegment original : originals) {
            if (original.baseOffset() != base) {
              segments.remove(original.baseOffset());
            }
            unflushed.remove(original);
            env.deleter().scheduleDelete(original, cfg.fileDeleteDelayMs());
          }
        } finally {
          if (merge) {
            mergeSwaps++; // even again, whatever happened: readers must not wait for it forever
          }
        }
        try {
          c.cleaned().writeIndexes(env.io(), true); // below the recovery point: trusted at the next start
        } catch (IOException e) {
          LOG.warn("{}: could not write the indexes of cleaned segment {}; recovery will rebuild them", name, base,
              e);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private boolean allInLog(List<LogSegment> originals) {
    for (LogSegment original : originals) {
      if (segments.get(original.baseOffset()) != original) {
        return false;
      }
    }
    return true;
  }

  private boolean anyRenamedAway(List<LogSegment> originals) {
    for (LogSegment original : originals) {
      if (!Files.exists(LogSegment.logFile(dir, original.baseOffset()))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Starts {@code leaderEpoch} at the log end offset when it is newer than the cache's latest epoch, as Kafka does when
   * a replica becomes leader: OffsetForLeaderEpoch then answers the current epoch of a partition nothing was written
   * to in it (a consumer validating its position would otherwise see a truncation).
   *
   * @throws LogStorageException if the leader-epoch checkpoint cannot be written (the cache is left as it was)
   */
  public void assignLeaderEpoch(int leaderEpoch) throws LogStorageException {
    lock.lock();
    try {
      maybeStartEpoch(leaderEpoch, logEndOffset);
    } finally {
      lock.unlock();
    }
  }

  /** OffsetForLeaderEpoch from the leader-epoch cache (Kafka's rule, see {@link LeaderEpochCache#endOffsetFor}). */
  public EpochEndOffset endOffsetForEpoch(int leaderEpoch) {
    return epochCache.endOffsetFor(leaderEpoch, logEndOffset);
  }

  /** The newest leader epoch in the cache, -1 when none. */
  public int latestEpoch() {
    return epochCache.latestEpoch();
  }

  /**
   * Clean close: fsyncs, persists the active segment's indexes, a producer snapshot and the epoch checkpoint.
   * Returns false if anything failed (the store then leaves out the clean-shutdown marker).
   */
  boolean close(long nowMs) {
    lock.lock();
    try {
      if (closed) {
        return true;
      }
      boolean clean = !offline;
      try {
        if (clean) {
          LogSegment active = segments.lastEntry().getValue();
          flush();
          active.onBecomeInactive();
          active.writeIndexes(env.io(), true); // before the clean-shutdown marker makes the next start trust them
          producers.removeExpired(nowMs, env.storeConfig().producerIdExpirationMs());
          producers.writeSnapshot(dir, logEndOffset, env.io(), true);
          epochCache.write(env.io(), true);
        }
      } catch (IOException | RuntimeException e) {
        LOG.error("{}: clean close failed; the next start will run recovery", name, e);
        clean = false;
      }
      closeSegments();
      return clean && !offline;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Refuses every later write, durability wait and cleaning pass of this log, whose topic or partition is being deleted,
   * but keeps its files open: responses already being sent from them (zero-copy) complete, as Kafka keeps a deleted
   * log's files until file.delete.delay.ms. {@link #closeAbruptly} closes them then.
   */
  void markDeleted() {
    lock.lock();
    try {
      closed = true;
    } finally {
      lock.unlock();
    }
  }

  /** Closes file handles without persisting anything (deleteLog, and crash simulation in tests). */
  void closeAbruptly() {
    lock.lock();
    try {
      if (!segmentsClosed) {
        closeSegments();
      }
    } finally {
      lock.unlock();
    }
  }

  private void closeSegments() {
    closed = true;
    segmentsClosed = true;
    for (LogSegment segment : segments.values()) {
      try {
        segment.close();
      } catch (IOException e) {
        LOG.warn("{}: closing segment {} failed", name, segment.baseOffset(), e);
      }
    }
  }

  /** The store renamed the directory for deletion. Holds no lock: the log is already closed. */
  void onDirectoryRenamed(Path newDir) {
    this.dir = newDir;
  }

  /** Sets the topic id of a log recovered without partition.metadata. */
  void setTopicId(Uuid id) {
    this.topicId = id;
  }

  Collection<LogSegment> segments() {
    return segments.values();
  }

  @Override
  public String toString() {
    return "PartitionLog(" + name + ", logStartOffset=" + logStartOffset + ", logEndOffset=" + logEndOffset + ")";
  }
}
