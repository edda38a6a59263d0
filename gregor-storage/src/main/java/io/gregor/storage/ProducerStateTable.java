package io.gregor.storage;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.zip.CRC32C;

/**
 * Idempotent-producer state of one partition: per producerId the epoch and the last
 * {@value #NUM_BATCHES_TO_RETAIN} batches' sequence ranges and offsets, enough to reject gaps and stale epochs and
 * to answer retried duplicates with their original offsets (Kafka's ProducerStateEntry rules, PROTOCOL.md 2.5).
 *
 * <p>Decide vs apply: {@link #checkAppend} only decides; {@link #onBatchAppended} is the only mutation and is shared by
 * live appends and by replay of the log on load. Threads: guarded by the owning {@link PartitionLog}'s lock.
 *
 * <pre>
 * NNN.snapshot (NNN = log end offset when taken), big-endian:
 *  0 version int16 (1) | 2 crc32c uint32 of bytes 6..end | 6 snapshotOffset int64 | 14 producerCount int32
 *  18 producers: producerId int64 | epoch int16 | lastTimestamp int64 | batchCount int8 (0..5)
 *                batchCount x { firstSeq int32 | lastSeq int32 | firstOffset int64 | lastOffset int64 | timestamp int64 }
 * </pre>
 */
final class ProducerStateTable {
  static final int NUM_BATCHES_TO_RETAIN = 5;
  static final String SNAPSHOT_SUFFIX = ".snapshot";
  private static final short SNAPSHOT_VERSION = 1;
  private static final int SNAPSHOTS_TO_KEEP = 2;

  /** One appended batch of a producer. */
  record BatchMetadata(int firstSeq, int lastSeq, long firstOffset, long lastOffset, long timestamp) {
  }

  private static final class ProducerEntry {
    short epoch;
    long lastTimestamp;
    final ArrayDeque<BatchMetadata> batches = new ArrayDeque<>(NUM_BATCHES_TO_RETAIN);

    ProducerEntry(short epoch) {
      this.epoch = epoch;
    }
  }

  private final Map<Long, ProducerEntry> producers = new HashMap<>();

  int producerCount() {
    return producers.size();
  }

  /**
   * Decides whether a batch from an idempotent producer may be appended: null = append it; a metadata = it duplicates
   * that retained batch (answer with its offsets, write nothing).
   */
  BatchMetadata checkAppend(long producerId, short epoch, int firstSeq, int lastSeq) throws LogAppendException {
    ProducerEntry entry = producers.get(producerId);
    if (entry == null) {
      return null; // unknown or expired producer: any sequence is accepted (Kafka 4.x, PROTOCOL.md 2.5)
    }
    if (epoch < entry.epoch) {
      throw new LogAppendException(LogAppendException.Reason.INVALID_PRODUCER_EPOCH,
          "producerId " + producerId + " epoch: " + epoch + " (expected: >= " + entry.epoch + ")");
    }
    if (epoch > entry.epoch) {
      if (firstSeq != 0) {
        throw new LogAppendException(LogAppendException.Reason.OUT_OF_ORDER_SEQUENCE,
            "producerId " + producerId + " new epoch " + epoch + " baseSequence: " + firstSeq + " (expected: 0)");
      }
      return null;
    }
    for (BatchMetadata b : entry.batches) {
      if (b.firstSeq() == firstSeq && b.lastSeq() == lastSeq) {
        return b;
      }
    }
    if (entry.batches.isEmpty()) {
      return null;
    }
    int last = entry.batches.peekLast().lastSeq();
    boolean inSequence = (long) firstSeq == (long) last + 1 || (firstSeq == 0 && last == Integer.MAX_VALUE);
    if (!inSequence) {
      throw new LogAppendException(LogAppendException.Reason.OUT_OF_ORDER_SEQUENCE,
          "producerId " + producerId + " epoch " + epoch + " baseSequence: " + firstSeq + " (expected: "
              + (last == Integer.MAX_VALUE ? 0 : last + 1) + ")");
    }
    return null;
  }

  /** Applies an appended (or replayed) batch of an idempotent producer. */
  void onBatchAppended(long producerId, short epoch, BatchMetadata batch) {
    ProducerEntry entry = producers.get(producerId);
    if (entry == null) {
      entry = new ProducerEntry(epoch);
      producers.put(producerId, entry);
    } else if (epoch != entry.epoch) {
      entry.epoch = epoch;
      entry.batches.clear();
    }
    if (entry.batches.size() == NUM_BATCHES_TO_RETAIN) {
      entry.batches.removeFirst();
    }
    entry.batches.addLast(batch);
    // The newest batch's, as Kafka's ProducerStateEntry: an earlier event time after a later one moves it back, so one
    // far-future timestamp does not keep the producer from expiring (and DescribeProducers shows what Kafka shows).
    entry.lastTimestamp = batch.timestamp();
  }

  /**
   * Per producerId, the lastOffset of its newest batch: the batches the cleaner must never remove (Kafka keeps them,
   * emptied if need be, so the producer's last sequence survives a rebuild of this table from the log).
   */
  Map<Long, Long> lastBatchOffsets() {
    Map<Long, Long> out = new HashMap<>(producers.size() * 2);
    for (Map.Entry<Long, ProducerEntry> e : producers.entrySet()) {
      BatchMetadata last = e.getValue().batches.peekLast();
      if (last != null) {
        out.put(e.getKey(), last.lastOffset());
      }
    }
    return out;
  }

  /** The producers this table tracks, by producer id. */
  List<ActiveProducer> activeProducers() {
    List<ActiveProducer> out = new ArrayList<>(producers.size());
    for (Map.Entry<Long, ProducerEntry> e : producers.entrySet()) {
      BatchMetadata last = e.getValue().batches.peekLast();
      out.add(new ActiveProducer(e.getKey(), e.getValue().epoch, last == null ? -1 : last.lastSeq(),
          e.getValue().lastTimestamp));
    }
    out.sort(Comparator.comparingLong(ActiveProducer::producerId));
    return out;
  }

  /** Forgets producers idle (by batch timestamp, as Kafka) for at least {@code expirationMs}; returns how many. */
  int removeExpired(long nowMs, long expirationMs) {
    int removed = 0;
    Iterator<ProducerEntry> it = producers.values().iterator();
    while (it.hasNext()) {
      if (nowMs - it.next().lastTimestamp >= expirationMs) {
        it.remove();
        removed++;
      }
    }
    return removed;
  }

  ByteBuffer serialize(long snapshotOffset) {
    int size = 18;
    for (ProducerEntry e : producers.values()) {
      size += 19 + e.batches.size() * 32;
    }
    ByteBuffer buf = ByteBuffer.allocate(size);
    buf.putShort(SNAPSHOT_VERSION).putInt(0).putLong(snapshotOffset).putInt(producers.size());
    for (Map.Entry<Long, ProducerEntry> me : producers.entrySet()) {
      ProducerEntry e = me.getValue();
      buf.putLong(me.getKey()).putShort(e.epoch).putLong(e.lastTimestamp).put((byte) e.batches.size());
      for (BatchMetadata b : e.batches) {
        buf.putInt(b.firstSeq()).putInt(b.lastSeq()).putLong(b.firstOffset()).putLong(b.lastOffset())
            .putLong(b.timestamp());
      }
    }
    CRC32C crc = new CRC32C();
    crc.update(buf.array(), 6, size - 6);
    buf.putInt(2, (int) crc.getValue());
    return buf.flip();
  }

  /** Parses a snapshot; null when the version, CRC, or structure is wrong or it was taken at another offset. */
  static ProducerStateTable deserialize(ByteBuffer buf, long expectedOffset) {
    try {
      if (buf.remaining() < 18 || buf.getShort(0) != SNAPSHOT_VERSION) {
        return null;
      }
      CRC32C crc = new CRC32C();
      ByteBuffer body = buf.duplicate().position(6);
      crc.update(body);
      if ((int) crc.getValue() != buf.getInt(2) || buf.getLong(6) != expectedOffset) {
        return null;
      }
      ByteBuffer in = buf.duplicate().position(14);
      int count = in.getInt();
      if (count < 0) {
        return null;
      }
      ProducerStateTable table = new ProducerStateTable();
      for (int i = 0; i < count; i++) {
        long producerId = in.getLong();
        ProducerEntry e = new ProducerEntry(in.getShort());
        e.lastTimestamp = in.getLong();
        int batches = in.get();
        if (batches < 0 || batches > NUM_BATCHES_TO_RETAIN) {
          return null;
        }
        for (int j = 0; j < batches; j++) {
          e.batches.addLast(new BatchMetadata(in.getInt(), in.getInt(), in.getLong(), in.getLong(), in.getLong()));
        }
        table.producers.put(producerId, e);
      }
      return in.hasRemaining() ? null : table;
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      return null;
    }
  }

  static Path snapshotFile(Path dir, long offset) {
    return dir.resolve(LogSegment.filenamePrefix(offset) + SNAPSHOT_SUFFIX);
  }

  /** Offsets of the snapshot files in {@code dir}, ascending. */
  static TreeSet<Long> listSnapshots(Path dir) throws IOException {
    TreeSet<Long> result = new TreeSet<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + SNAPSHOT_SUFFIX)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        String prefix = name.substring(0, name.length() - SNAPSHOT_SUFFIX.length());
        long offset = LogLoader.parseOffset(prefix);
        if (offset >= 0) {
          result.add(offset);
        }
      }
    }
    return result;
  }

  /** Writes {@code NNN.snapshot} for state at log end offset {@code offset}; keeps the newest few snapshots. */
  void writeSnapshot(Path dir, long offset, StorageIo io, boolean sync) throws IOException {
    io.writeFile(snapshotFile(dir, offset), serialize(offset), sync);
    TreeSet<Long> all = listSnapshots(dir);
    List<Long> old = new ArrayList<>(all.headSet(offset, false).descendingSet());
    for (int i = SNAPSHOTS_TO_KEEP - 1; i < old.size(); i++) {
      Files.deleteIfExists(snapshotFile(dir, old.get(i)));
    }
  }
}
