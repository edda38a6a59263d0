package io.gregor.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;
import com.sun.nio.file.ExtendedOpenOption;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write-ahead journal of one {@link LogStore}: what makes an acks=all append durable. A group-commit round
 * copies every byte its logs appended since their last round into one sequential file and fdatasyncs that file
 * once, instead of fsyncing each partition's segment: one small sequential sync instead of one per partition
 * (measured on this kind of disk: 0.25 ms and a third of the CPU, against 0.5 ms for six segments in parallel).
 * The segments themselves are fsynced later, by the store's periodic flush, when most of their pages are long
 * written; after that flush and its recovery-point checkpoint the journal files it covers are recycled.
 *
 * <p>A record is positional: "these bytes belong at {@code position} of segment {@code segmentBase} of
 * {@code topic-partition}", with the partition's topic id and the log end offset the bytes reach. After a crash
 * {@link #replay} writes every record whose bytes reach past the partition's checkpointed recovery point back
 * into its segment file (creating a newest segment whose file was lost), fsyncs what it touched, and only then
 * does the log loader run its usual recovery over the tail. Records for a deleted topic (no directory, or a
 * directory with another topic id) are skipped. The cleaner never rewrites a segment the journal may still
 * replay into: before it swaps cleaned segments in it fsyncs the log and checkpoints its recovery point (see
 * {@link PartitionLog#runCleaner}).
 *
 * <pre>
 * &lt;logDir&gt;/&lt;seq, 20 digits&gt;.journal    live files, replayed in seq order after a crash
 * &lt;logDir&gt;/&lt;seq&gt;.journal-spare            recycled or zero-filled files, reused (already allocated) by the next roll
 *
 * record: crc32c u32 | length u32 (the crc covers these bytes after the length) | file seq u64 |
 *         topic id 16 | partition u32 | segment base offset u64 | position u64 | end offset u64 |
 *         topic name length u16 | topic name UTF-8 | the segment's bytes
 * </pre>
 * A record whose crc, length or file seq does not match ends its file (a torn write, or the old content of a
 * recycled file). A file is fsynced before the next one is started, so what survives is always a prefix.
 *
 * <p>A failed write or sync (a full disk, an I/O error) is logged once and makes the journal refuse work: rounds
 * then fsync the segments themselves. The next full flush that starts after the failure fsyncs every byte the
 * journal ever held into the segments, so its {@link #release} deletes the failed files and the next round starts
 * a new one.
 *
 * <p>The partial last block of the active file is written again, with more records after it, by the next write
 * (direct I/O writes whole blocks). Its old bytes are rewritten unchanged, so a write torn by a power loss leaves
 * every record that was synced before it intact, whichever sectors of the block made it to the disk.
 *
 * <p>Threads: group-commit rounds call {@link #write} and {@link #sync} (several rounds may sync at once); the
 * periodic flush calls {@link #mark} and {@link #release}. Everything is guarded by {@link #lock}, which is held
 * while records are written but not during fsyncs.
 */
final class DurabilityJournal implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DurabilityJournal.class);
  static final String SUFFIX = ".journal";
  static final String SPARE_SUFFIX = ".journal-spare";
  /** Size of one journal file: records never straddle two files. */
  static final long FILE_BYTES = 64L * 1024 * 1024;
  /** Files' worth journaled since the last release after which the store is asked for an early full flush. */
  // One file: the background flushes keep the segments nearly clean, so a full flush is cheap, and recycling after
  // each file leaves fresh brokers few spares to zero-fill (+0-8% 1 KiB acks=all throughput, -0-9% CPU, measured).
  static final int FLUSH_AFTER_FILES = 1;
  private static final int MAX_SPARES = 6;
  /**
   * Bytes journaled over the journal's life after which a zero-filled spare file is kept ready: stores that only
   * ever journal a little (most tests, idle brokers) never write a file's worth of zeros.
   */
  static final long PREPARE_SPARE_AFTER_BYTES = 1024 * 1024;
  private static final int CHUNK_BYTES = 1024 * 1024;
  private static final int FIXED_HEADER_BYTES = 4 + 4 + 8 + 16 + 4 + 8 + 8 + 8 + 2;
  private static final int MAX_TOPIC_BYTES = 1024;

  /** One journal record's target, for {@link #write}. */
  record Range(LogSegment segment, long from, long to, long endOffset) {
  }

  /** What a {@link #write} covered: each log's journaled end offset, and the journal position to sync to. */
  record Written(Map<PartitionLog, Long> endOffsets, long end) {
  }

  private final Path dir;
  private final StorageIo io;
  private final long fileBytes;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition syncEnded = lock.newCondition();
  private final Deque<LiveFile> live = new ArrayDeque<>(); // oldest first; the last one is written
  private final Deque<Path> spares = new ArrayDeque<>();
  private static final int BLOCK = 4096;
  /** Bytes of the active file from {@link #stageFileOffset} (block-aligned) to its end, written with direct I/O. */
  private final ByteBuffer stage = ByteBuffer.allocateDirect(2 * CHUNK_BYTES + 2 * BLOCK + 2 * MAX_TOPIC_BYTES)
      .alignedSlice(BLOCK);
  private long stageFileOffset;
  private final CRC32C crc = new CRC32C();
  private long nextSeq;
  private long writtenEnd;  // logical bytes written over the journal's life (files are windows onto it)
  private long syncedEnd;
  private long releasedUpTo;
  private final TreeSet<Long> runningSyncs = new TreeSet<>();
  private long nextSyncTicket;
  private Executor preparer;      // null: spares are not prepared ahead
  private boolean preparing;      // a spare is being zero-filled
  private boolean preparingFailed; // once: logged, and the journal grows its files from then on
  private IOException failure;
  private long failedAt;     // writtenEnd when failure was recorded
  private boolean closed;

  private static final class LiveFile {
    final long seq;
    final Path path;
    final FileChannel channel;
    final long logicalStart;
    /** Was a spare: its blocks are allocated and written, so an fdatasync writes only the data. */
    final boolean preallocated;
    long size;
    boolean rolled; // fsynced whole when the next file was started

    LiveFile(long seq, Path path, FileChannel channel, long logicalStart, boolean preallocated) {
      this.seq = seq;
      this.path = path;
      this.channel = channel;
      this.logicalStart = logicalStart;
      this.preallocated = preallocated;
    }
  }

  private DurabilityJournal(Path dir, StorageIo io, long fileBytes) {
    this.dir = dir;
    this.io = io;
    this.fileBytes = fileBytes;
  }

  /**
   * Opens the journal of {@code dir} for writing, in files of {@code fileBytes}. Call after {@link #replay} (or a
   * clean shutdown): every file already there becomes a spare. Files are created when something is first journaled.
   */
  static DurabilityJournal open(Path dir, StorageIo io, long fileBytes) throws IOException {
    DurabilityJournal journal = new DurabilityJournal(dir, io, fileBytes);
    TreeMap<Long, Path> files = listFiles(dir);
    long maxSeq = 0;
    boolean renamed = false;
    for (Map.Entry<Long, Path> e : files.entrySet()) {
      maxSeq = Math.max(maxSeq, e.getKey());
      Path file = e.getValue();
      if (journal.spares.size() >= MAX_SPARES) {
        Files.deleteIfExists(file);
        continue;
      }
      if (file.getFileName().toString().endsWith(SUFFIX)) {
        Path spare = dir.resolve(LogSegment.filenamePrefix(e.getKey()) + SPARE_SUFFIX);
        Files.move(file, spare, StandardCopyOption.ATOMIC_MOVE);
        file = spare;
        renamed = true;
      }
      journal.spares.add(file);
    }
    if (renamed) {
      FileStorageIo.forceDirectory(dir);
    }
    journal.nextSeq = maxSeq + 1;
    return journal;
  }

  /** Every journal file of {@code dir} (live and spare) by seq. */
  private static TreeMap<Long, Path> listFiles(Path dir) throws IOException {
    TreeMap<Long, Path> files = new TreeMap<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + SUFFIX + "*")) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        int dot = name.indexOf('.');
        String suffix = name.substring(dot);
        if (dot != 20 || !(suffix.equals(SUFFIX) || suffix.equals(SPARE_SUFFIX))) {
          continue;
        }
        try {
          files.put(Long.parseLong(name.substring(0, dot)), p);
        } catch (NumberFormatException e) {
          // not ours
        }
      }
    }
    return files;
  }

  /**
   * Copies into the journal everything {@code logs} appended since their last round (see
   * {@link PartitionLog#unjournaledRanges}) and returns what that covers. Does not sync.
   *
   * @throws IOException if the journal cannot be written; it then refuses every write and sync until a full flush
   *     that started after the failure {@link #release}s it
   */
  Written write(Collection<PartitionLog> logs) throws IOException {
    Map<PartitionLog, Long> ends = new IdentityHashMap<>();
    lock.lock();
    try {
      throwIfUnusable();
      for (PartitionLog log : logs) {
        PartitionLog.JournalWork work = log.unjournaledRanges();
        for (Range range : work.ranges()) {
          copy(log, range);
        }
        ends.put(log, work.endOffset());
      }
      LiveFile active = live.peekLast();
      if (active != null) {
        flushStage(active);
      }
      maybePrepareSpare();
      return new Written(ends, writtenEnd);
    } catch (IOException | RuntimeException e) {
      IOException failed = e instanceof IOException io ? io : new IOException(e);
      fail(failed);
      throw failed;
    } finally {
      lock.unlock();
    }
  }

  private void copy(PartitionLog log, Range range) throws IOException {
    byte[] topic = log.topic().getBytes(StandardCharsets.UTF_8);
    if (topic.length > MAX_TOPIC_BYTES) {
      throw new IOException(log.name() + ": topic name too long for the journal");
    }
    FileChannel source = range.segment().channel();
    int headerBytes = FIXED_HEADER_BYTES + topic.length;
    for (long from = range.from(); from < range.to(); ) {
      int length = (int) Math.min(CHUNK_BYTES, range.to() - from);
      LiveFile file = fileFor(headerBytes + length);
      if (file.size - stageFileOffset + headerBytes + length > stage.capacity()) {
        flushStage(file);
      }
      int at = (int) (file.size - stageFileOffset);
      ByteBuffer payload = stage.duplicate();
      payload.limit(at + headerBytes + length).position(at + headerBytes);
      try {
        while (payload.hasRemaining()) {
          if (source.read(payload, from + payload.position() - at - headerBytes) < 0) {
            throw new IOException("segment ends early");
          }
        }
      } catch (IOException e) {
        if (range.segment().isDeleted() || log.isClosed()) {
          return; // removed by retention, compaction or topic deletion meanwhile: nothing left to protect
        }
        throw e;
      }
      ByteBuffer header = stage.duplicate();
      header.position(at);
      header.putInt(0).putInt(headerBytes - 8 + length).putLong(file.seq);
      Uuid id = log.topicId();
      header.putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits());
      header.putInt(log.partition()).putLong(range.segment().baseOffset()).putLong(from).putLong(range.endOffset());
      header.putShort((short) topic.length).put(topic);
      ByteBuffer covered = stage.duplicate();
      covered.limit(at + headerBytes + length).position(at + 8);
      crc.reset();
      crc.update(covered);
      stage.putInt(at, (int) crc.getValue());
      file.size += headerBytes + length;
      writtenEnd += headerBytes + length;
      from += length;
    }
  }

  /**
   * Writes the staged bytes of {@code file} (whole blocks, the last one padded with zeros; direct I/O needs them
   * aligned) and keeps the partial last block staged: the next write rewrites it with more records after it.
   */
  private void flushStage(LiveFile file) throws IOException {
    int used = (int) (file.size - stageFileOffset);
    if (used == 0) {
      return;
    }
    int padded = (used + BLOCK - 1) / BLOCK * BLOCK;
    for (int i = used; i < padded; i++) {
      stage.put(i, (byte) 0);
    }
    ByteBuffer out = stage.duplicate();
    out.limit(padded).position(0);
    io.write(file.channel, out, stageFileOffset);
    int whole = used / BLOCK * BLOCK;
    if (whole > 0 && used > whole) {
      ByteBuffer tail = stage.duplicate();
      tail.limit(used).position(whole);
      ByteBuffer head = stage.duplicate();
      head.position(0);
      head.put(tail);
    }
    stageFileOffset += whole;
  }

  /**
   * Direct I/O where the file system offers it (the journal is written once and read only on recovery, so it need
   * not pass through the page cache), else buffered: tmpfs and some others refuse O_DIRECT. The staged writes are
   * block-aligned either way.
   */
  private static FileChannel openForJournal(Path path) throws IOException {
    try {
      return FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
          ExtendedOpenOption.DIRECT);
    } catch (IOException | UnsupportedOperationException e) {
      return FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }
  }

  /**
   * The file the next record of {@code bytes} goes to, rolling to a new one when it would not fit, or as soon as a
   * spare is ready while the active file is a new one that grows with every write (see {@link #prepareSpare}).
   */
  private LiveFile fileFor(int bytes) throws IOException {
    LiveFile active = live.peekLast();
    if (active != null && active.size + bytes <= Math.max(fileBytes, bytes)
        && (active.preallocated || spares.isEmpty())) {
      return active;
    }
    if (active != null) {
      flushStage(active);
      // What survives a crash must stay a prefix of the journal. This fsync does not raise syncedEnd: an
      // overlapping sync of this file may take a write-back error instead of it, and only sync() waits for those.
      io.force(active.channel);
      active.rolled = true;
    }
    long seq = nextSeq++;
    Path path = dir.resolve(LogSegment.filenamePrefix(seq) + SUFFIX);
    Path spare = spares.pollFirst();
    if (spare != null) {
      Files.move(spare, path, StandardCopyOption.ATOMIC_MOVE);
    }
    FileChannel channel = openForJournal(path);
    stageFileOffset = 0;
    FileStorageIo.forceDirectory(dir); // the file's name must be durable before a record in it is acknowledged
    LiveFile file = new LiveFile(seq, path, channel, writtenEnd, spare != null);
    live.addLast(file);
    return file;
  }

  /**
   * From now on keeps a zero-filled spare file ready, prepared on {@code executor}, once the journal has been used
   * for {@link #PREPARE_SPARE_AFTER_BYTES}.
   */
  void prepareSparesOn(Executor executor) {
    lock.lock();
    try {
      preparer = executor;
    } finally {
      lock.unlock();
    }
  }

  /** Asks for a spare when none is left (recycling refills them once full flushes run). Holds the lock. */
  private void maybePrepareSpare() {
    if (preparer == null || preparing || preparingFailed || closed || !spares.isEmpty()
        || writtenEnd < PREPARE_SPARE_AFTER_BYTES) {
      return;
    }
    Path spare = dir.resolve(LogSegment.filenamePrefix(nextSeq++) + SPARE_SUFFIX);
    preparing = true;
    try {
      preparer.execute(() -> prepareSpare(spare));
    } catch (RejectedExecutionException e) {
      preparing = false; // the store is closing
    }
  }

  /**
   * Preparer thread: writes a file's worth of zeros to {@code spare} and fsyncs it. A new file that grows with each
   * write makes every round's fdatasync commit the file system's journal for the new size (measured here: 131 µs
   * instead of 64 µs per sync on an idle VM, and a wake-up of the file system's commit thread on a busy one); in a
   * file whose blocks are already written it writes only the data. Direct I/O keeps the zeros out of the page cache.
   */
  private void prepareSpare(Path spare) {
    IOException failed = null;
    try (FileChannel channel = openForJournal(spare)) {
      ByteBuffer zeros = ByteBuffer.allocateDirect(CHUNK_BYTES + BLOCK).alignedSlice(BLOCK);
      zeros.limit(CHUNK_BYTES);
      for (long at = 0; at < fileBytes; at += CHUNK_BYTES) {
        ByteBuffer piece = zeros.duplicate();
        piece.limit((int) Math.min(CHUNK_BYTES, fileBytes - at));
        io.write(channel, piece, at);
      }
      io.force(channel);
      FileStorageIo.forceDirectory(dir);
    } catch (IOException e) {
      failed = e;
    }
    lock.lock();
    try {
      preparing = false;
      if (failed == null && !closed) {
        spares.addLast(spare);
        return;
      }
      if (failed != null && !closed && !(failed instanceof java.nio.channels.ClosedByInterruptException)) {
        preparingFailed = true; // (an interrupt: the thread was stopped)
        LOG.warn("Preparing journal file {} failed; new journal files grow as they are written", spare, failed);
      }
    } finally {
      lock.unlock();
    }
    try {
      Files.deleteIfExists(spare);
    } catch (IOException e) {
      LOG.debug("Deleting {} failed", spare, e);
    }
  }

  /**
   * Returns once the journal is fsynced up to at least {@code end} (a {@link Written#end}). Several threads may
   * sync at once; a sync counts only when every sync that started before it ended too, since Linux reports a
   * failed page write to one fsync of the file only.
   *
   * @throws IOException if the fsync (or an overlapping one) failed; the journal then refuses work as after a
   *     failed {@link #write}
   */
  void sync(long end) throws IOException {
    LiveFile file;
    long target;
    long ticket;
    lock.lock();
    try {
      throwIfUnusable();
      if (syncedEnd >= end) {
        return;
      }
      file = live.peekLast(); // not null: bytes past syncedEnd were written to it
      target = writtenEnd;
      ticket = nextSyncTicket++;
      runningSyncs.add(ticket);
    } finally {
      lock.unlock();
    }
    IOException failed = null;
    try {
      io.force(file.channel);
    } catch (IOException e) {
      failed = e;
    } catch (RuntimeException e) {
      failed = new IOException(e);
    }
    lock.lock();
    try {
      runningSyncs.remove(ticket);
      syncEnded.signalAll();
      if (failed instanceof java.nio.channels.ClosedChannelException && file.rolled && !closed) {
        failed = null; // the file rolled (and was fsynced by the roll) and was then recycled under us
      }
      if (failed != null) {
        fail(failed);
      }
      long startedBeforeUs = nextSyncTicket;
      while (!runningSyncs.isEmpty() && runningSyncs.first() < startedBeforeUs) {
        syncEnded.awaitUninterruptibly();
      }
      throwIfUnusable();
      syncedEnd = Math.max(syncedEnd, target);
    } finally {
      lock.unlock();
    }
  }

  /** The journal position the periodic flush starts from: what is below it is in the segments' page cache. */
  long mark() {
    lock.lock();
    try {
      return writtenEnd;
    } finally {
      lock.unlock();
    }
  }

  /**
   * After a flush that started at {@code mark} fsynced every log and checkpointed their recovery points: recycles
   * the journal files wholly below it, if {@code recycle}; else keeps every file (only counts the flush for
   * {@link #wantsFlush}).
   */
  void release(long mark, boolean recycle) {
    lock.lock();
    try {
      releasedUpTo = Math.max(releasedUpTo, mark);
      if (!recycle) {
        return;
      }
      while (live.size() > 1 && live.peekFirst().logicalStart + live.peekFirst().size <= releasedUpTo) {
        LiveFile old = live.pollFirst();
        try {
          old.channel.close();
          if (spares.size() < MAX_SPARES && !closed) {
            Path spare = dir.resolve(LogSegment.filenamePrefix(old.seq) + SPARE_SUFFIX);
            Files.move(old.path, spare, StandardCopyOption.ATOMIC_MOVE);
            spares.addLast(spare);
          } else {
            Files.deleteIfExists(old.path);
          }
        } catch (IOException e) {
          LOG.warn("Recycling journal file {} failed", old.path, e);
        }
      }
      if (failure != null && mark >= failedAt && runningSyncs.isEmpty() && !closed) {
        restartAfterFailure();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * A flush that started after the failure fsynced every byte the journal ever held into the segments: drop the
   * failed files and start afresh with the next round. Holds the lock; no sync is running.
   */
  private void restartAfterFailure() {
    for (LiveFile old : live) {
      try {
        old.channel.close();
        Files.deleteIfExists(old.path);
      } catch (IOException e) {
        LOG.warn("Deleting failed journal file {} failed", old.path, e);
      }
    }
    live.clear();
    stageFileOffset = 0;
    syncedEnd = writtenEnd;
    failure = null;
    LOG.info("The journal in {} is used again", dir);
  }

  /** Records the first failure (logged once); until a later full flush, rounds fsync the segments instead. */
  private void fail(IOException e) {
    if (failure == null) {
      failure = e;
      failedAt = writtenEnd;
      LOG.error("Writing or syncing the journal in {} failed; acks=all rounds fsync the segments themselves until"
          + " the next full flush", dir, e);
    }
  }

  /** False from a failure until the full flush after it: rounds must fsync the segments. */
  boolean usable() {
    lock.lock();
    try {
      return failure == null && !closed;
    } finally {
      lock.unlock();
    }
  }

  /** True when so much was journaled since the last release that the store should flush its segments now. */
  boolean wantsFlush() {
    lock.lock();
    try {
      return writtenEnd - releasedUpTo >= FLUSH_AFTER_FILES * fileBytes;
    } finally {
      lock.unlock();
    }
  }

  private void throwIfUnusable() throws IOException {
    if (failure != null) {
      throw new IOException("the journal in " + dir + " failed earlier: " + failure.getMessage(), failure);
    }
    if (closed) {
      throw new IOException("the journal in " + dir + " is closed");
    }
  }

  /** Closes the files; what they hold stays for {@link #replay} (after a crash) or reuse (after a clean stop). */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      for (LiveFile f : live) {
        try {
          f.channel.close();
        } catch (IOException e) {
          LOG.debug("Closing {} failed", f.path, e);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** What {@link #replay} found. */
  record ReplayResult(int files, long records, long applied) {
  }

  /**
   * After an unclean shutdown, before the logs are loaded: writes back into the segment files every journaled
   * range that reaches past its partition's checkpointed recovery point, then fsyncs each file it touched and the
   * directory of each: a segment rolled since its directory's last fsync survives a crash of the process but not a
   * power loss, and the journal that held its records is retired as soon as the store opens.
   *
   * @param recoveryPoints the recovery-point checkpoint of the store
   */
  static ReplayResult replay(Path dir, Map<TopicPartition, Long> recoveryPoints, StorageIo io) throws IOException {
    TreeMap<Long, Path> files = listFiles(dir);
    Map<Path, FileChannel> touched = new HashMap<>();
    Map<TopicPartition, Target> targets = new HashMap<>();
    Set<Path> touchedDirs = new LinkedHashSet<>();
    int liveFiles = 0;
    long records = 0;
    long applied = 0;
    try {
      for (Map.Entry<Long, Path> e : files.entrySet()) {
        if (!e.getValue().getFileName().toString().endsWith(SUFFIX)) {
          continue;
        }
        liveFiles++;
        try (FileChannel in = FileChannel.open(e.getValue(), StandardOpenOption.READ)) {
          long position = 0;
          Record record;
          while ((record = Record.read(in, position, e.getKey())) != null) {
            records++;
            position += record.totalBytes;
            TopicPartition tp = new TopicPartition(record.topic, record.partition);
            Target target = targets.computeIfAbsent(tp, t -> Target.of(dir, t));
            if (!target.accepts(record.topicId) || record.endOffset <= recoveryPoints.getOrDefault(tp, 0L)) {
              continue;
            }
            Path segment = target.dir.resolve(LogSegment.filenamePrefix(record.segmentBase) + ".log");
            FileChannel out = touched.get(segment);
            if (out == null) {
              if (!Files.exists(segment)) {
                if (target.hasSegmentAfter(record.segmentBase)) {
                  continue; // deleted by retention or DeleteRecords after it was journaled
                }
              }
              touchedDirs.add(target.dir);
              out = FileChannel.open(segment, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
              touched.put(segment, out);
            }
            ByteBuffer bytes = record.payload.duplicate();
            long at = record.position;
            while (bytes.hasRemaining()) {
              at += out.write(bytes, at);
            }
            applied++;
          }
        }
      }
      for (FileChannel out : touched.values()) {
        io.force(out);
      }
      for (Path partitionDir : touchedDirs) {
        io.syncDirectory(partitionDir);
      }
    } finally {
      for (FileChannel out : touched.values()) {
        out.close();
      }
    }
    if (liveFiles > 0) {
      LOG.info("Replayed the journal of {}: {} file(s), {} record(s), {} written back into {} segment file(s)", dir,
          liveFiles, records, applied, touched.size());
    }
    return new ReplayResult(liveFiles, records, applied);
  }

  /** A partition directory as replay finds it. */
  private record Target(Path dir, boolean exists, Uuid topicId, TreeSet<Long> segmentBases) {
    static Target of(Path logDir, TopicPartition tp) {
      Path dir = logDir.resolve(tp.topic() + "-" + tp.partition());
      if (!Files.isDirectory(dir)) {
        return new Target(dir, false, Uuid.ZERO_UUID, new TreeSet<>());
      }
      TreeSet<Long> bases = new TreeSet<>();
      Uuid topicId;
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.log")) {
        topicId = LogStore.readPartitionMetadata(dir);
        for (Path p : ds) {
          String name = p.getFileName().toString();
          try {
            bases.add(Long.parseLong(name.substring(0, name.length() - 4)));
          } catch (NumberFormatException e) {
            // not a segment
          }
        }
      } catch (IOException e) {
        return new Target(dir, false, Uuid.ZERO_UUID, bases);
      }
      return new Target(dir, true, topicId, bases);
    }

    boolean accepts(Uuid recordTopicId) {
      return exists && topicId.equals(recordTopicId);
    }

    boolean hasSegmentAfter(long base) {
      return segmentBases.higher(base) != null;
    }
  }

  /** One record read back; null from {@link #read} at the end of the valid part of a file. */
  private record Record(int totalBytes, String topic, Uuid topicId, int partition, long segmentBase, long position,
      long endOffset, ByteBuffer payload) {

    static Record read(FileChannel in, long position, long seq) throws IOException {
      ByteBuffer head = ByteBuffer.allocate(8);
      if (readFully(in, head, position) < 8) {
        return null;
      }
      int checksum = head.getInt(0);
      int length = head.getInt(4);
      if (length < FIXED_HEADER_BYTES - 8 || length > CHUNK_BYTES + FIXED_HEADER_BYTES + MAX_TOPIC_BYTES) {
        return null;
      }
      ByteBuffer body = ByteBuffer.allocate(length);
      if (readFully(in, body, position + 8) < length) {
        return null;
      }
      CRC32C c = new CRC32C();
      c.update(body.array(), 0, length);
      if ((int) c.getValue() != checksum || body.getLong(0) != seq) {
        return null;
      }
      body.position(8);
      Uuid topicId = new Uuid(body.getLong(), body.getLong());
      int partition = body.getInt();
      long segmentBase = body.getLong();
      long at = body.getLong();
      long endOffset = body.getLong();
      int topicLength = body.getShort() & 0xffff;
      if (topicLength > body.remaining()) {
        return null;
      }
      byte[] topic = new byte[topicLength];
      body.get(topic);
      ByteBuffer payload = body.slice();
      return new Record(8 + length, new String(topic, StandardCharsets.UTF_8), topicId, partition, segmentBase, at,
          endOffset, payload);
    }

    private static int readFully(FileChannel in, ByteBuffer buffer, long position) throws IOException {
      while (buffer.hasRemaining()) {
        int n = in.read(buffer, position + buffer.position());
        if (n < 0) {
          break;
        }
      }
      return buffer.position();
    }
  }

  /** A live or spare journal file (tests look for them). */
  static boolean isJournalFile(Path p) {
    String name = p.getFileName().toString();
    return name.endsWith(SUFFIX) || name.endsWith(SPARE_SUFFIX);
  }
}
