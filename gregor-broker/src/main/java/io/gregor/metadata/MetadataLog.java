package io.gregor.metadata;

import io.gregor.storage.AppendResult;
import io.gregor.storage.LogAppendException;
import io.gregor.storage.LogStorageException;
import io.gregor.storage.OffsetOutOfRangeException;
import io.gregor.storage.PartitionLog;
import io.gregor.storage.ReadResult;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * The metadata log, {@code __cluster_metadata-0}: a partition log like any other, whose
 * records are {@link MetadataRecord}s. A quorum of one for now: the controller appends, and the
 * append is acknowledged once fsynced. Appended by the controller thread; trimmed below a snapshot by the {@link
 * SnapshotGenerator} thread (the partition log orders the two under its lock); replayed once at start-up by
 * {@link MetadataLoader}, after the newest snapshot.
 */
public final class MetadataLog {

    public static final String TOPIC = "__cluster_metadata";
    public static final Uuid TOPIC_ID = Uuid.METADATA_TOPIC_ID;

    private final PartitionLog log;

    public MetadataLog(PartitionLog log) {
        this.log = log;
    }

    /** The records a start-up replayed and how many bytes of batches they took (see {@link #replay}). */
    public record Replayed(MetadataImage image, long sizeInBytes) {
    }

    /** An appended batch: its last offset and its size in the log. */
    public record Appended(long lastOffset, int sizeInBytes) {
    }

    /**
     * {@code base} with every record from {@code fromOffset} to the log end applied, read batch by batch (never the
     * whole log in memory); used once at start-up, after the newest snapshot (whose end offset is {@code fromOffset})
     * or from the log start.
     *
     * @throws OffsetOutOfRangeException when {@code fromOffset} is below the log start or above its end
     */
    public Replayed replay(MetadataImage base, long fromOffset) throws OffsetOutOfRangeException {
        ImageReplay replay = new ImageReplay(base);
        long offset = fromOffset;
        long end = log.logEndOffset();
        long bytes = 0;
        if (offset < log.logStartOffset() || offset > end) {
            throw new OffsetOutOfRangeException(TOPIC + "-0 replay from " + offset + " (expected: within ["
                    + log.logStartOffset() + ", " + end + "])");
        }
        while (offset < end) {
            ReadResult read = log.read(offset, 1 << 20, end, true);
            long next = offset;
            for (RecordBatch batch : read.records().batches()) {
                if (batch.lastOffset() < offset) {
                    continue;
                }
                for (Record record : batch) {
                    if (record.offset() >= offset) {
                        ByteBuffer value = record.value();
                        replay.add(MetadataRecordCodec.decode(value), record.offset());
                    }
                }
                bytes += batch.sizeInBytes();
                next = batch.lastOffset() + 1;
            }
            if (next == offset) {
                break;
            }
            offset = next;
        }
        return new Replayed(replay.finish(end - 1), bytes);
    }

    public long logStartOffset() {
        return log.logStartOffset();
    }

    public long sizeInBytes() {
        return log.sizeInBytes();
    }

    /** The log's directory, which holds the snapshots too. */
    public Path dir() {
        return log.dir();
    }

    /**
     * Moves the log start offset up to {@code offset} (a snapshot's end offset: nothing below it is read any more),
     * deletes the segments wholly below it and checkpoints the new start (fsynced) before returning. Any thread: the
     * partition log takes its own lock; called by the {@link SnapshotGenerator} thread.
     */
    public void trimBefore(long offset) throws OffsetOutOfRangeException, LogStorageException {
        log.deleteRecordsBefore(offset);
    }

    public long endOffset() {
        return log.logEndOffset();
    }

    /** Appends records as one batch; completes once it is fsynced (in every durability mode). */
    public CompletableFuture<Appended> append(List<MetadataRecord> records, long nowMs) throws LogStorageException {
        SimpleRecord[] simple = new SimpleRecord[records.size()];
        for (int i = 0; i < simple.length; i++) {
            simple[i] = new SimpleRecord(nowMs, null, MetadataRecordCodec.encode(records.get(i)));
        }
        MemoryRecords batch = MemoryRecords.withRecords(Compression.NONE, simple);
        AppendResult result;
        try {
            result = log.appendAsLeader(batch, 0, nowMs);
        } catch (LogAppendException e) {
            throw new IllegalStateException("metadata batch rejected by the log: " + e.getMessage(), e);
        }
        Appended appended = new Appended(result.lastOffset(), batch.sizeInBytes());
        return log.awaitFsynced(appended.lastOffset()).thenApply(v -> appended); // with log.flush.before.ack=false too, as KRaft
    }
}
