package io.gregor.storage;

import org.apache.kafka.common.record.internal.Records;

/**
 * Outcome of {@link PartitionLog#read}: a zero-copy {@code FileRecords} slice of one segment (or
 * {@code MemoryRecords.EMPTY}) plus the log bounds observed at the time of the read.
 */
public record ReadResult(Records records, long logStartOffset, long logEndOffset) {
}
