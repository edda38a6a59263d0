package io.gregor.metadata;

import io.gregor.storage.AppendResult;
import io.gregor.storage.LogAppendException;
import io.gregor.storage.LogStorageException;
import io.gregor.storage.OffsetOutOfRangeException;
import io.gregor.storage.PartitionLog;
import io.gregor.storage.ReadResult;
import java.nio.ByteBuffer;
import java.util.ArrayList;
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
 * append is acknowledged once fsynced. Owned by the controller thread.
 */
public final class MetadataLog {

    public static final String TOPIC = "__cluster_metadata";
    public static final Uuid TOPIC_ID = Uuid.METADATA_TOPIC_ID;

    private final PartitionLog log;

    public MetadataLog(PartitionLog log) {
        this.log = log;
    }

    /** Every record from the start of the log, in order; used once at start-up. */
    public List<MetadataRecord> readAll() throws OffsetOutOfRangeException {
        List<MetadataRecord> out = new ArrayList<>();
        long offset = log.logStartOffset();
        long end = log.logEndOffset();
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
                        out.add(MetadataRecordCodec.decode(value));
                    }
                }
                next = batch.lastOffset() + 1;
            }
            if (next == offset) {
                break;
            }
            offset = next;
        }
        return out;
    }

    public long endOffset() {
        return log.logEndOffset();
    }

    /** Appends records as one batch; completes with the last offset once it is fsynced (in every durability mode). */
    public CompletableFuture<Long> append(List<MetadataRecord> records, long nowMs) throws LogStorageException {
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
        long last = result.lastOffset();
        return log.awaitFsynced(last).thenApply(v -> last); // with log.flush.before.ack=false too, as KRaft
    }
}
