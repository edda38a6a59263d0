package io.gregor.storage;

/**
 * What a {@link PartitionLog} borrows from its {@link LogStore}: the I/O seam, the store settings, the group-commit
 * flusher and the delayed file deleter. Immutable.
 */
record LogEnvironment(StorageIo io, StoreConfig storeConfig, LogFlusher flusher, SegmentDeleter deleter) {

  /** Deletes a segment's renamed files after a delay, so in-flight zero-copy sends of it can finish. */
  interface SegmentDeleter {
    void scheduleDelete(LogSegment segment, long delayMs);
  }
}
