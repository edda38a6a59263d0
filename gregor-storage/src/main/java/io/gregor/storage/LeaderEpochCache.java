package io.gregor.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The leader-epoch cache of one partition: for each leader epoch, the first offset written in it. Answers
 * OffsetForLeaderEpoch and is persisted to {@code leader-epoch-checkpoint} whenever a new epoch starts.
 *
 * <p>Threads: mutated under the owning {@link PartitionLog}'s lock (or by the loader); readers use the immutable
 * list published through a volatile field.
 *
 * <pre>
 * leader-epoch-checkpoint (text, Kafka's format):
 *   0                  version
 *   2                  entry count
 *   0 0                epoch startOffset
 *   3 1200
 * </pre>
 */
final class LeaderEpochCache {
  static final String FILE_NAME = "leader-epoch-checkpoint";

  record Entry(int epoch, long startOffset) {
  }

  private final Path file;
  private volatile List<Entry> entries;

  private LeaderEpochCache(Path file, List<Entry> entries) {
    this.file = file;
    this.entries = List.copyOf(entries);
  }

  static LeaderEpochCache empty(Path dir) {
    return new LeaderEpochCache(dir.resolve(FILE_NAME), List.of());
  }

  /** Loads the checkpoint; returns null when it is missing or malformed (the loader rebuilds from batch headers). */
  static LeaderEpochCache load(Path dir) throws IOException {
    Path file = dir.resolve(FILE_NAME);
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException | CharacterCodingException e) { // missing, or garbled bytes: rebuilt
      return null;
    }
    try {
      if (lines.size() < 2 || !lines.get(0).trim().equals("0")) {
        return null;
      }
      int count = Integer.parseInt(lines.get(1).trim());
      if (count < 0 || lines.size() < 2 + count) {
        return null;
      }
      List<Entry> result = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        String[] parts = lines.get(2 + i).trim().split("\\s+");
        if (parts.length != 2) {
          return null;
        }
        Entry e = new Entry(Integer.parseInt(parts[0]), Long.parseLong(parts[1]));
        if (!result.isEmpty()) {
          Entry prev = result.get(result.size() - 1);
          if (e.epoch() <= prev.epoch() || e.startOffset() < prev.startOffset()) {
            return null;
          }
        }
        result.add(e);
      }
      return new LeaderEpochCache(file, result);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  List<Entry> entries() {
    return entries;
  }

  int latestEpoch() {
    List<Entry> e = entries;
    return e.isEmpty() ? -1 : e.get(e.size() - 1).epoch();
  }

  /**
   * Records that {@code epoch} starts at {@code startOffset} if it is newer than the latest epoch, dropping entries
   * that would contradict it; returns whether the cache changed (the caller then persists it). Owner: the log lock.
   */
  boolean maybeAssign(int epoch, long startOffset) {
    if (epoch < 0 || epoch <= latestEpoch()) {
      return false;
    }
    List<Entry> next = new ArrayList<>(entries.size() + 1);
    for (Entry e : entries) {
      if (e.startOffset() < startOffset) {
        next.add(e);
      }
    }
    next.add(new Entry(epoch, startOffset));
    entries = List.copyOf(next);
    return true;
  }

  /** Loader: a recovered batch's epoch; assigns it when newer. */
  void assignRecovered(int epoch, long baseOffset) {
    maybeAssign(epoch, baseOffset);
  }

  /** Undo of a {@link #maybeAssign} whose persistence failed. */
  void restore(List<Entry> previous) {
    entries = List.copyOf(previous);
  }

  /**
   * Drops epochs starting at or after {@code endOffset} (the log was truncated there); with {@code keepAtEnd}, one
   * starting exactly there stays: a log loaded as it was cleanly closed keeps the epoch it was given when hosted (as
   * Kafka's makeLeader gives it) with nothing written in it yet, so a start does not rewrite every empty partition's
   * checkpoint only to have it given again.
   */
  void truncateFromEnd(long endOffset, boolean keepAtEnd) {
    List<Entry> next = new ArrayList<>();
    for (Entry e : entries) {
      if (e.startOffset() < endOffset || (keepAtEnd && e.startOffset() == endOffset)) {
        next.add(e);
      }
    }
    entries = List.copyOf(next);
  }

  /**
   * The log now starts at {@code startOffset}: drops epochs that ended before it and moves the start of the epoch
   * covering it up to it (as Kafka's truncateFromStart).
   */
  void truncateFromStart(long startOffset) {
    List<Entry> current = entries;
    List<Entry> next = new ArrayList<>(current.size());
    Entry covering = null;
    for (Entry e : current) {
      if (e.startOffset() <= startOffset) {
        covering = e;
      } else {
        next.add(e);
      }
    }
    if (covering != null) {
      next.add(0, new Entry(covering.epoch(), startOffset));
    }
    entries = List.copyOf(next);
  }

  /**
   * Kafka's OffsetForLeaderEpoch rule: the requested epoch if it is the latest (ends at the log end offset);
   * otherwise (largest epoch <= requested, or the requested one when it predates all entries) ending where the next
   * larger epoch starts; (-1, -1) for an undefined or future epoch or an empty cache.
   */
  EpochEndOffset endOffsetFor(int requestedEpoch, long logEndOffset) {
    List<Entry> e = entries;
    if (requestedEpoch == -1 || e.isEmpty()) { // only UNDEFINED: a lower epoch predates every entry, as in Kafka
      return EpochEndOffset.UNDEFINED;
    }
    Entry latest = e.get(e.size() - 1);
    if (requestedEpoch == latest.epoch()) {
      return new EpochEndOffset(requestedEpoch, logEndOffset);
    }
    Entry floor = null;
    Entry higher = null;
    for (Entry entry : e) {
      if (entry.epoch() <= requestedEpoch) {
        floor = entry;
      } else {
        higher = entry;
        break;
      }
    }
    if (higher == null) {
      return EpochEndOffset.UNDEFINED;
    }
    return new EpochEndOffset(floor == null ? requestedEpoch : floor.epoch(), higher.startOffset());
  }

  void write(StorageIo io, boolean sync) throws IOException {
    List<Entry> e = entries;
    StringBuilder sb = new StringBuilder(32 + 16 * e.size());
    sb.append("0\n").append(e.size()).append('\n');
    for (Entry entry : e) {
      sb.append(entry.epoch()).append(' ').append(entry.startOffset()).append('\n');
    }
    io.writeFile(file, ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8)), sync);
  }
}
