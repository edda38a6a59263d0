package io.gregor.storage;

import java.io.IOException;

/**
 * What a {@link PartitionLog} borrows from its {@link LogStore}: the I/O seam, the store settings, the group-commit
 * flusher, the delayed file deleter and the writer of the store's offset checkpoints.
 * Immutable.
 */
record LogEnvironment(StorageIo io, StoreConfig storeConfig, LogFlusher flusher, SegmentDeleter deleter,
    CheckpointWriter checkpoints) {

  /** Deletes a segment's renamed files after a delay, so in-flight zero-copy sends of it can finish. */
  interface SegmentDeleter {
    void scheduleDelete(LogSegment segment, long delayMs);
  }

  /** Writes (fsynced) the store's offset checkpoints (recovery points, log start and cleaner offsets). */
  interface CheckpointWriter {
    void write() throws IOException;

    /** Writes (fsynced) only the log-start-offset checkpoint (DeleteRecords waits for it). */
    void writeLogStartOffsets() throws IOException;
  }
}
