package io.gregor.storage;

import io.gregor.storage.ProducerStateTable.BatchMetadata;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens one partition directory and brings it to a consistent state before the {@link PartitionLog} is published:
 * removes leftovers of interrupted deletes and writes, completes an interrupted cleaner swap ({@code NNN.log.swap}
 * replaces {@code NNN.log} and the segments the cleaner merged into it; a {@code .cleaned} file is an unfinished pass
 * and is dropped), opens the segments, and
 * then either
 * <ul>
 *   <li>after a clean shutdown, trusts the persisted indexes and checks only the tail of the last segment against
 *       the recovery-point checkpoint, or</li>
 *   <li>otherwise loads segments wholly below the recovery point cheaply (index files, header walk fallback) and
 *       scans the rest batch by batch with CRC checks, truncating the first torn or corrupt batch and everything
 *       after it (WARN with partition, offset and position); damage below the recovery point drops what comes
 *       before it instead (see {@link #recover}).</li>
 * </ul>
 * Segments wholly below the checkpointed logStartOffset are deleted before either.
 * Then it trims the leader-epoch cache to the log and rebuilds producer state from the newest usable snapshot plus
 * the batches after it. Runs on the thread opening the store; touches nothing shared.
 */
final class LogLoader {
  private static final Logger LOG = LoggerFactory.getLogger(LogLoader.class);
  private static final String[] LEFTOVER_SUFFIXES = {".deleted", ".tmp", ".cleaned"};

  private LogLoader() {
  }

  /**
   * Checkpointed offsets for one partition, absent when the checkpoint files had no entry. {@code cleanerOffset} is
   * the cleaner's first dirty offset: segments below it may have offset gaps.
   */
  /**
   * What the store's checkpoints say of a log; {@code cleanerOffsetLost} when the cleaner-offset checkpoint itself is
   * missing or malformed while the others are there (whether, and how far, the log was compacted is unknown).
   */
  record Checkpoints(OptionalLong recoveryPoint, OptionalLong logStartOffset, OptionalLong cleanerOffset,
      boolean cleanerOffsetLost) {
    Checkpoints(OptionalLong recoveryPoint, OptionalLong logStartOffset) {
      this(recoveryPoint, logStartOffset, OptionalLong.empty(), false);
    }
  }

  static PartitionLog load(Path dir, String topic, int partition, Uuid topicId, LogConfig config,
      LogEnvironment env, boolean cleanShutdown, Checkpoints checkpoints, long nowMs) throws IOException {
    String name = topic + "-" + partition;
    TreeSet<Long> swapped = new TreeSet<>();
    List<Long> baseOffsets = cleanDirectory(name, dir, swapped);
    boolean fresh = baseOffsets.isEmpty() && checkpoints.recoveryPoint().isEmpty();
    ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();
    try {
      for (long base : baseOffsets) {
        segments.put(base, LogSegment.open(dir, base, config, nowMs));
      }
      if (checkpoints.logStartOffset().isPresent()) {
        dropSegmentsBelowLogStart(name, segments, checkpoints.logStartOffset().getAsLong());
      }
      boolean createdSegment = segments.isEmpty();
      if (createdSegment) {
        long start = Math.max(0L, checkpoints.logStartOffset().orElse(0L));
        segments.put(start, LogSegment.create(dir, start, config, nowMs));
      }

      LeaderEpochCache epochs = LeaderEpochCache.load(dir);
      boolean rebuildEpochs = epochs == null;
      if (rebuildEpochs) {
        epochs = LeaderEpochCache.empty(dir);
      }
      List<LeaderEpochCache.Entry> epochsOnDisk = rebuildEpochs ? null : epochs.entries();

      // Segments below the cleaner checkpoint were rewritten by the cleaner; so were swapped ones whose pass did not
      // get to write the checkpoint (it is written between .swap and .log).
      long cleanerOffset = checkpoints.cleanerOffset().orElse(0L);
      if (!swapped.isEmpty()) {
        Long after = segments.higherKey(swapped.last());
        cleanerOffset = Math.max(cleanerOffset, after == null ? swapped.last() + 1 : after);
      }
      // Offsets may jump where the cleaner removed records. When the cleaner checkpoint is lost or garbled, anywhere
      // below the recovery point (fsynced batches with increasing offsets and good CRCs): a lost checkpoint must
      // cost a re-clean, never truncate a compacted log at its first gap, as Kafka's recovery never requires dense
      // offsets. Otherwise dense offsets above the cleaned part are what tells a segment that lost data (say, came
      // back empty after a power loss) from one the cleaner emptied.
      long gapsBelow = checkpoints.cleanerOffsetLost()
          ? Math.max(cleanerOffset, checkpoints.recoveryPoint().orElse(0L)) : cleanerOffset;
      long recoveryPoint;
      boolean trusted = cleanShutdown && checkpoints.recoveryPoint().isPresent() && !rebuildEpochs && swapped.isEmpty()
          && loadTrusted(name, segments, config, checkpoints.recoveryPoint().getAsLong(), gapsBelow);
      if (trusted) {
        recoveryPoint = segments.lastEntry().getValue().nextOffset();
      } else {
        long checkpointed = checkpoints.recoveryPoint().orElse(0L);
        if (cleanShutdown && checkpoints.recoveryPoint().isPresent()) {
          // The clean-shutdown state did not match the files: re-verify at least the last segment.
          checkpointed = Math.min(checkpointed, segments.lastKey());
        }
        recoveryPoint = recover(name, segments, config, checkpointed, epochs, rebuildEpochs, env.io(), gapsBelow);
      }

      long logEndOffset = segments.lastEntry().getValue().nextOffset();
      if (logEndOffset < recoveryPoint) {
        // Zeros or a truncation where fsynced batches should be: the disk lost acknowledged data.
        LOG.warn("{}: the log ends at offset {}, below its recovery point {}: batches that were fsynced are missing",
            name, logEndOffset, recoveryPoint);
      }
      long firstBase = segments.firstKey();
      long logStartOffset = Math.min(Math.max(firstBase, checkpoints.logStartOffset().orElse(firstBase)),
          logEndOffset);
      epochs.truncateFromEnd(logEndOffset, trusted); // after a recovery an epoch at the end lost its records
      epochs.truncateFromStart(logStartOffset);
      // A new log without the file loads as with an empty one (a missing file is rebuilt from the batches, none):
      // creating a topic of thousands of partitions need not create it, a file creation each.
      boolean newWithoutFile = fresh && rebuildEpochs && epochs.entries().isEmpty()
          && !Files.exists(dir.resolve(LeaderEpochCache.FILE_NAME));
      if (!epochs.entries().equals(epochsOnDisk) && !newWithoutFile) {
        // Rebuilt, or changed by recovery or the truncations: otherwise the file already says this, and rewriting it
        // (a temporary file and a rename) for every partition at every start only slows a restart down.
        epochs.write(env.io(), false);
      }

      ProducerStateTable producers = loadProducerState(name, dir, segments, logStartOffset, logEndOffset, nowMs,
          env.storeConfig().producerIdExpirationMs());
      PartitionLog log = new PartitionLog(topic, partition, topicId, dir, config, env, segments, epochs, producers,
          logStartOffset, Math.min(recoveryPoint, logEndOffset), Math.min(cleanerOffset, logEndOffset));
      if (createdSegment) {
        log.onSegmentFileCreated(); // its first flush fsyncs the directory
      }
      // What the checkpoint on disk already holds for this log: a checkpoint written before the next one that moves it
      // (say while its directory cannot be fsynced) keeps this entry instead of leaving the log out.
      checkpoints.logStartOffset().ifPresent(log::onLogStartOffsetCheckpointed);
      if (fresh) {
        LOG.info("{}: created at offset {}", name, logEndOffset);
      } else {
        LOG.info("{}: loaded {} segment(s), logStartOffset {}, logEndOffset {}{}", name, segments.size(),
            logStartOffset, logEndOffset, trusted ? " (clean shutdown)" : " (recovered from offset " + recoveryPoint
                + ")");
      }
      return log;
    } catch (Throwable t) {
      // The store fails the whole start or retries at the next metadata change: every retry would otherwise leak a
      // descriptor per segment until the broker hits its open-file limit.
      closeSegments(segments, t);
      throw t;
    }
  }

  /** Closes the segments of a load that failed; a close failure is added to {@code failure}, not thrown. */
  private static void closeSegments(ConcurrentSkipListMap<Long, LogSegment> segments, Throwable failure) {
    for (LogSegment segment : segments.values()) {
      try {
        segment.close();
      } catch (IOException | RuntimeException e) {
        failure.addSuppressed(e);
      }
    }
  }

  /**
   * Deletes leftovers and orphan index files and completes cleaner swaps (their base offsets go to {@code swapped});
   * returns the segment base offsets, ascending.
   */
  private static List<Long> cleanDirectory(String name, Path dir, TreeSet<Long> swapped) throws IOException {
    TreeSet<Long> bases = new TreeSet<>();
    List<Path> indexes = new ArrayList<>();
    completeSwaps(name, dir, swapped);
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String file = p.getFileName().toString();
        boolean leftover = false;
        for (String suffix : LEFTOVER_SUFFIXES) {
          leftover |= file.endsWith(suffix);
        }
        if (leftover) {
          Files.deleteIfExists(p);
        } else if (file.endsWith(".log") && isOffsetName(file, ".log")) {
          bases.add(Long.parseLong(file.substring(0, 20)));
        } else if ((file.endsWith(".index") && isOffsetName(file, ".index"))
            || (file.endsWith(".timeindex") && isOffsetName(file, ".timeindex"))) {
          indexes.add(p);
        }
      }
    }
    for (Path p : indexes) {
      if (!bases.contains(Long.parseLong(p.getFileName().toString().substring(0, 20)))) {
        Files.deleteIfExists(p);
      }
    }
    return new ArrayList<>(bases);
  }

  /**
   * A {@code NNN.log.swap} exists only once the cleaner has written and fsynced the whole cleaned segment, so it
   * always wins: it replaces {@code NNN.log} (whose indexes are stale and are rebuilt) and every segment with a base
   * offset in (NNN, the swap's end), the rest of the group the cleaner merged into it (its last batch is the group's,
   * kept even when emptied, see {@link LogCompactor.CleanedSegment}). Those go first, durably: a crash in between
   * finds the {@code .swap} again and does the same. Any other {@code .swap} file is dropped.
   */
  private static void completeSwaps(String name, Path dir, TreeSet<Long> swapped) throws IOException {
    List<Path> swaps = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + LogSegment.SWAP_SUFFIX)) {
      for (Path p : ds) {
        swaps.add(p);
      }
    }
    if (swaps.isEmpty()) {
      return;
    }
    TreeSet<Long> bases = new TreeSet<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.log")) {
      for (Path p : ds) {
        String file = p.getFileName().toString();
        if (isOffsetName(file, ".log")) {
          bases.add(Long.parseLong(file.substring(0, 20)));
        }
      }
    }
    for (Path p : swaps) {
      String file = p.getFileName().toString();
      String plain = file.substring(0, file.length() - LogSegment.SWAP_SUFFIX.length());
      if (!plain.endsWith(".log") || !isOffsetName(plain, ".log")) {
        Files.deleteIfExists(p);
        continue;
      }
      long base = Long.parseLong(plain.substring(0, 20));
      List<Long> merged = new ArrayList<>(bases.subSet(base, false, endOffset(p, base), false));
      for (long member : merged) {
        Files.deleteIfExists(LogSegment.logFile(dir, member));
        Files.deleteIfExists(LogSegment.offsetIndexFile(dir, member));
        Files.deleteIfExists(LogSegment.timeIndexFile(dir, member));
        bases.remove(member);
      }
      if (!merged.isEmpty()) {
        FileStorageIo.forceDirectory(dir);
      }
      Files.deleteIfExists(LogSegment.offsetIndexFile(dir, base));
      Files.deleteIfExists(LogSegment.timeIndexFile(dir, base));
      Files.move(p, LogSegment.logFile(dir, base), StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
      bases.add(base);
      swapped.add(base);
      LOG.info("{}: completed the interrupted swap of cleaned segment {}{}", name, base,
          merged.isEmpty() ? "" : " (replacing the merged segment(s) " + merged + " too)");
    }
    FileStorageIo.forceDirectory(dir);
  }

  /** One past the last offset of the batches in {@code file}, a segment at {@code base}: {@code base} when empty. */
  private static long endOffset(Path file, long base) throws IOException {
    long end = base;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      int limit = (int) Math.min(Integer.MAX_VALUE, ch.size());
      BatchHeader h = new BatchHeader();
      int pos = 0;
      while (h.read(ch, pos, limit) == BatchHeader.Status.OK) {
        end = h.lastOffset() + 1;
        pos = h.nextPosition();
      }
    }
    return end;
  }

  private static boolean isOffsetName(String file, String suffix) {
    return file.length() == 20 + suffix.length() && parseOffset(file.substring(0, 20)) >= 0;
  }

  /** The offset a 20-digit file name prefix encodes, or -1 when it is not one. */
  static long parseOffset(String prefix) {
    if (prefix.length() != 20) {
      return -1L;
    }
    for (int i = 0; i < 20; i++) {
      char c = prefix.charAt(i);
      if (c < '0' || c > '9') {
        return -1L;
      }
    }
    try {
      return Long.parseLong(prefix);
    } catch (NumberFormatException e) {
      return -1L; // larger than Long.MAX_VALUE
    }
  }

  /**
   * Deletes the segments wholly below the checkpointed logStartOffset (never the last one): retention or
   * DeleteRecords removed them, and a power loss that undid their renames to {@code .deleted} brought them back,
   * with whatever of their data had not been fsynced lost. Recovery must not read them as part of the log.
   */
  private static void dropSegmentsBelowLogStart(String name, ConcurrentSkipListMap<Long, LogSegment> segments,
      long logStartOffset) throws IOException {
    int dropped = 0;
    for (Map.Entry<Long, LogSegment> e = segments.firstEntry(); e != null; e = segments.firstEntry()) {
      Long next = segments.higherKey(e.getKey());
      if (next == null || next > logStartOffset) {
        break;
      }
      segments.remove(e.getKey());
      e.getValue().closeAndDeleteFiles();
      dropped++;
    }
    if (dropped > 0) {
      LOG.info("{}: deleted {} segment(s) wholly below the checkpointed logStartOffset {}", name, dropped,
          logStartOffset);
    }
  }

  /** Clean-shutdown path: every segment must load from its index files and the log must end at the checkpoint. */
  private static boolean loadTrusted(String name, ConcurrentSkipListMap<Long, LogSegment> segments,
      LogConfig config, long checkpointedEnd, long gapsBelow) throws IOException {
    LogSegment previous = null;
    for (LogSegment segment : segments.values()) {
      if (!segment.tryLoadIndexes(config.indexIntervalBytes(), segment.baseOffset() < gapsBelow)) {
        LOG.info("{}: indexes of segment {} are missing or inconsistent; rebuilding them", name,
            segment.baseOffset());
        return false;
      }
      if (previous != null && !continues(previous, segment, gapsBelow)) {
        return false;
      }
      previous = segment;
    }
    long end = segments.lastEntry().getValue().nextOffset();
    if (end != checkpointedEnd) {
      LOG.warn("{}: log ends at {} but the clean-shutdown checkpoint says {}; running recovery", name, end,
          checkpointedEnd);
      return false;
    }
    return true;
  }

  /**
   * Whether {@code next} may follow {@code previous}: appends roll at the log end offset, so the next segment starts
   * where the previous one ends; after the cleaner rewrote {@code previous} it may end earlier (its last batches
   * compacted away), never later.
   */
  private static boolean continues(LogSegment previous, LogSegment next, long gapsBelow) {
    return previous.baseOffset() < gapsBelow ? previous.nextOffset() <= next.baseOffset()
        : previous.nextOffset() == next.baseOffset();
  }

  /**
   * Unclean path. Segments wholly below {@code recoveryPoint} were fsynced: trust their indexes when consistent
   * (else walk their headers). The rest are scanned with CRC checks. Segments below {@code gapsBelow} (cleaned) may
   * have offset gaps. Returns the recovery point to keep.
   *
   * <p>A torn or missing part after the recovery point ends the log there. One below it cannot be a crash's torn
   * tail: the checkpoint says everything below was fsynced, and the segments after it hold records acknowledged
   * since. So it never costs them: such a segment is cut at its bad batch, and a segment starting at or below the
   * recovery point that does not continue the one before becomes the log's first (Kafka's recovery does not even
   * look below the recovery point).
   */
  private static long recover(String name, ConcurrentSkipListMap<Long, LogSegment> segments, LogConfig config,
      long recoveryPoint, LeaderEpochCache epochs, boolean rebuildEpochs, StorageIo io, long gapsBelow)
      throws IOException {
    List<LogSegment> all = new ArrayList<>(segments.values());
    int first = 0;
    for (int i = 0; i < all.size(); i++) {
      LogSegment segment = all.get(i);
      boolean gaps = segment.baseOffset() < gapsBelow;
      if (i > first && !continues(all.get(i - 1), segment, gapsBelow) && segment.baseOffset() <= recoveryPoint) {
        LOG.warn("{}: segment {} does not continue the previous one (ends at {}) below the recovery point {}: a "
                + "segment there was damaged or lost after it was fsynced; dropping the {} segment(s) before it, the "
                + "log now starts at offset {}", name, segment.baseOffset(), all.get(i - 1).nextOffset(),
            recoveryPoint, i - first, segment.baseOffset());
        for (int j = first; j < i; j++) {
          segments.remove(all.get(j).baseOffset());
          all.get(j).closeAndDeleteFiles();
        }
        first = i;
      }
      if (i > first && !continues(all.get(i - 1), segment, gapsBelow)) {
        // Segments roll at the log end offset and are never empty unless last or cleaned: a gap means lost data.
        LogSegment previous = all.get(i - 1);
        LOG.warn("{}: segment {} does not continue the previous one (ends at {}); truncating the log at offset {} "
            + "and dropping {} segment(s)", name, segment.baseOffset(), previous.nextOffset(),
            previous.nextOffset(), all.size() - i);
        for (int j = i; j < all.size(); j++) {
          segments.remove(all.get(j).baseOffset());
          all.get(j).closeAndDeleteFiles();
        }
        return Math.min(recoveryPoint, previous.nextOffset());
      }
      long nextBase = i + 1 < all.size() ? all.get(i + 1).baseOffset() : Long.MAX_VALUE;
      LogSegment.RecoveryOutcome outcome;
      if (nextBase <= recoveryPoint) {
        if (!rebuildEpochs && segment.tryLoadIndexes(config.indexIntervalBytes(), gaps)) {
          continue;
        }
        outcome = segment.recover(Long.MAX_VALUE, config.indexIntervalBytes(), epochs, gaps);
      } else {
        outcome = segment.recover(recoveryPoint, config.indexIntervalBytes(), epochs, gaps);
      }
      if (outcome.problem() != null && nextBase <= recoveryPoint) {
        LOG.warn("{}: segment {} below the recovery point {} is damaged at offset {} (position {}): {}; dropping "
                + "{} byte(s) of it, and the segments before it if the next one does not continue it", name,
            segment.baseOffset(), recoveryPoint, outcome.problemOffset(), outcome.validBytes(), outcome.problem(),
            outcome.fileBytes() - outcome.validBytes());
      } else if (outcome.problem() != null) {
        int dropped = all.size() - i - 1;
        LOG.warn("{}: truncating the log at offset {} (segment {}, position {}): {}; dropping {} byte(s) of this "
                + "segment and {} later segment(s)", name, outcome.problemOffset(), segment.baseOffset(),
            outcome.validBytes(), outcome.problem(), outcome.fileBytes() - outcome.validBytes(), dropped);
        for (int j = i + 1; j < all.size(); j++) {
          LogSegment later = all.get(j);
          segments.remove(later.baseOffset());
          later.closeAndDeleteFiles();
        }
        return Math.min(recoveryPoint, segment.nextOffset());
      }
      if (i + 1 < all.size()) {
        segment.onBecomeInactive();
        segment.writeIndexes(io, true); // rebuilt indexes of inactive segments are final: persist them now
      }
    }
    return recoveryPoint;
  }

  /** Newest valid snapshot at or below the log end offset, plus the batches after it. */
  private static ProducerStateTable loadProducerState(String name, Path dir,
      ConcurrentSkipListMap<Long, LogSegment> segments, long logStartOffset, long logEndOffset, long nowMs,
      long expirationMs) throws IOException {
    TreeSet<Long> snapshots = ProducerStateTable.listSnapshots(dir);
    // As Kafka's truncateAndReload: a snapshot past the log end was taken before a truncated tail, and one at or
    // below the log start describes producers whose batches are all deleted (DeleteRecords or retention): a
    // producer known only from those is forgotten at a restart.
    for (long offset : List.copyOf(snapshots)) {
      if (offset > logEndOffset || offset <= logStartOffset) {
        Files.deleteIfExists(ProducerStateTable.snapshotFile(dir, offset));
        snapshots.remove(offset);
      }
    }
    ProducerStateTable table = null;
    long replayFrom = Math.max(segments.firstKey(), logStartOffset);
    for (long offset : snapshots.headSet(logEndOffset, true).descendingSet()) {
      Path file = ProducerStateTable.snapshotFile(dir, offset);
      try {
        table = ProducerStateTable.deserialize(ByteBuffer.wrap(Files.readAllBytes(file)), offset);
      } catch (NoSuchFileException e) {
        table = null;
      }
      if (table != null) {
        // As Kafka's loadFromSnapshot: producers that expired while the log was closed are not loaded.
        table.removeExpired(nowMs, expirationMs);
        replayFrom = Math.max(offset, replayFrom);
        break;
      }
      LOG.warn("{}: producer snapshot {} is corrupt; deleting it", name, file.getFileName());
      Files.deleteIfExists(file);
    }
    if (table == null) {
      table = new ProducerStateTable();
    }
    ProducerStateTable target = table;
    long from = replayFrom;
    Map.Entry<Long, LogSegment> start = segments.floorEntry(from);
    for (LogSegment segment : segments.tailMap(start == null ? segments.firstKey() : start.getKey(), true)
        .values()) {
      segment.forEachBatchFrom(from, h -> {
        if (h.producerId() >= 0 && h.baseSequence() >= 0 && !h.isControl()) {
          target.onBatchAppended(h.producerId(), h.producerEpoch(), new BatchMetadata(h.baseSequence(),
              h.lastSequence(), h.baseOffset(), h.lastOffset(), h.maxTimestamp()));
        }
      });
    }
    return table;
  }
}
