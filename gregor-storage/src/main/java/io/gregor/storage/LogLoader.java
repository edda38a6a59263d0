package io.gregor.storage;

import io.gregor.storage.ProducerStateTable.BatchMetadata;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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
 * removes leftovers of interrupted deletes and writes, opens the segments, and then either
 * <ul>
 *   <li>after a clean shutdown, trusts the persisted indexes and checks only the tail of the last segment against
 *       the recovery-point checkpoint, or</li>
 *   <li>otherwise loads segments wholly below the recovery point cheaply (index files, header walk fallback) and
 *       scans the rest batch by batch with CRC checks, truncating the first torn or corrupt batch and everything
 *       after it (WARN with partition, offset and position).</li>
 * </ul>
 * Then it trims the leader-epoch cache to the log and rebuilds producer state from the newest usable snapshot plus
 * the batches after it. Runs on the thread opening the store; touches nothing shared.
 */
final class LogLoader {
  private static final Logger LOG = LoggerFactory.getLogger(LogLoader.class);
  private static final String[] LEFTOVER_SUFFIXES = {".deleted", ".tmp", ".cleaned", ".swap"};

  private LogLoader() {
  }

  /** Checkpointed offsets for one partition, absent when the checkpoint files had no entry. */
  record Checkpoints(OptionalLong recoveryPoint, OptionalLong logStartOffset) {
  }

  static PartitionLog load(Path dir, String topic, int partition, Uuid topicId, LogConfig config,
      LogEnvironment env, boolean cleanShutdown, Checkpoints checkpoints, long nowMs) throws IOException {
    String name = topic + "-" + partition;
    List<Long> baseOffsets = cleanDirectory(dir);
    boolean fresh = baseOffsets.isEmpty() && checkpoints.recoveryPoint().isEmpty();
    ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();
    for (long base : baseOffsets) {
      segments.put(base, LogSegment.open(dir, base, config, nowMs));
    }
    if (segments.isEmpty()) {
      long start = Math.max(0L, checkpoints.logStartOffset().orElse(0L));
      segments.put(start, LogSegment.create(dir, start, config, nowMs));
    }

    LeaderEpochCache epochs = LeaderEpochCache.load(dir);
    boolean rebuildEpochs = epochs == null;
    if (rebuildEpochs) {
      epochs = LeaderEpochCache.empty(dir);
    }

    long recoveryPoint;
    boolean trusted = cleanShutdown && checkpoints.recoveryPoint().isPresent() && !rebuildEpochs
        && loadTrusted(name, segments, config, checkpoints.recoveryPoint().getAsLong());
    if (trusted) {
      recoveryPoint = segments.lastEntry().getValue().nextOffset();
    } else {
      long checkpointed = checkpoints.recoveryPoint().orElse(0L);
      if (cleanShutdown && checkpoints.recoveryPoint().isPresent()) {
        // The clean-shutdown state did not match the files: re-verify at least the last segment.
        checkpointed = Math.min(checkpointed, segments.lastKey());
      }
      recoveryPoint = recover(name, segments, config, checkpointed, epochs, rebuildEpochs, env.io());
    }

    long logEndOffset = segments.lastEntry().getValue().nextOffset();
    long firstBase = segments.firstKey();
    long logStartOffset = Math.min(Math.max(firstBase, checkpoints.logStartOffset().orElse(firstBase)),
        logEndOffset);
    epochs.truncateFromEnd(logEndOffset);
    epochs.truncateFromStart(logStartOffset);
    epochs.write(env.io(), false);

    ProducerStateTable producers = loadProducerState(name, dir, segments, logEndOffset);
    PartitionLog log = new PartitionLog(topic, partition, topicId, dir, config, env, segments, epochs, producers,
        logStartOffset, Math.min(recoveryPoint, logEndOffset));
    if (fresh) {
      LOG.info("{}: created at offset {}", name, logEndOffset);
    } else {
      LOG.info("{}: loaded {} segment(s), logStartOffset {}, logEndOffset {}{}", name, segments.size(),
          logStartOffset, logEndOffset, trusted ? " (clean shutdown)" : " (recovered from offset " + recoveryPoint
              + ")");
    }
    return log;
  }

  /** Deletes leftovers and orphan index files; returns the segment base offsets, ascending. */
  private static List<Long> cleanDirectory(Path dir) throws IOException {
    TreeSet<Long> bases = new TreeSet<>();
    List<Path> indexes = new ArrayList<>();
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

  /** Clean-shutdown path: every segment must load from its index files and the log must end at the checkpoint. */
  private static boolean loadTrusted(String name, ConcurrentSkipListMap<Long, LogSegment> segments,
      LogConfig config, long checkpointedEnd) throws IOException {
    LogSegment previous = null;
    for (LogSegment segment : segments.values()) {
      if (!segment.tryLoadIndexes(config.indexIntervalBytes())) {
        LOG.info("{}: indexes of segment {} are missing or inconsistent; rebuilding them", name,
            segment.baseOffset());
        return false;
      }
      if (previous != null && previous.nextOffset() != segment.baseOffset()) {
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
   * Unclean path. Segments wholly below {@code recoveryPoint} were fsynced: trust their indexes when consistent
   * (else walk their headers). The rest are scanned with CRC checks. Returns the recovery point to keep.
   */
  private static long recover(String name, ConcurrentSkipListMap<Long, LogSegment> segments, LogConfig config,
      long recoveryPoint, LeaderEpochCache epochs, boolean rebuildEpochs, StorageIo io) throws IOException {
    List<LogSegment> all = new ArrayList<>(segments.values());
    for (int i = 0; i < all.size(); i++) {
      LogSegment segment = all.get(i);
      if (i > 0 && segment.baseOffset() != all.get(i - 1).nextOffset()) {
        // Segments roll at the log end offset and are never empty unless last: a gap means lost data.
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
        if (!rebuildEpochs && segment.tryLoadIndexes(config.indexIntervalBytes())) {
          continue;
        }
        outcome = segment.recover(Long.MAX_VALUE, config.indexIntervalBytes(), epochs);
      } else {
        outcome = segment.recover(recoveryPoint, config.indexIntervalBytes(), epochs);
      }
      if (outcome.problem() != null) {
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
        segment.writeIndexes(io); // rebuilt indexes of inactive segments are final: persist them now
      }
    }
    return recoveryPoint;
  }

  /** Newest valid snapshot at or below the log end offset, plus the batches after it. */
  private static ProducerStateTable loadProducerState(String name, Path dir,
      ConcurrentSkipListMap<Long, LogSegment> segments, long logEndOffset) throws IOException {
    TreeSet<Long> snapshots = ProducerStateTable.listSnapshots(dir);
    for (long offset : snapshots.tailSet(logEndOffset, false)) {
      Files.deleteIfExists(ProducerStateTable.snapshotFile(dir, offset)); // taken before a truncated tail
    }
    ProducerStateTable table = null;
    long replayFrom = segments.firstKey();
    for (long offset : snapshots.headSet(logEndOffset, true).descendingSet()) {
      Path file = ProducerStateTable.snapshotFile(dir, offset);
      try {
        table = ProducerStateTable.deserialize(ByteBuffer.wrap(Files.readAllBytes(file)), offset);
      } catch (NoSuchFileException e) {
        table = null;
      }
      if (table != null) {
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
