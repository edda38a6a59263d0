package io.gregor.storage;

/**
 * An I/O failure while writing a partition's log (disk full, I/O error) or a log that is offline or closed.
 * The broker answers KAFKA_STORAGE_ERROR. Reads of what was written before keep working; a failed batch write is
 * truncated away, so nothing already acknowledged is damaged.
 */
public class LogStorageException extends Exception {
  public LogStorageException(String message) {
    super(message);
  }

  public LogStorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
