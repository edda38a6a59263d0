package io.gregor.storage;

/**
 * A write or durability wait on a log that was deleted (its topic or partition went away) or closed at shutdown: not a
 * disk fault. The broker answers NOT_LEADER_OR_FOLLOWER, as Kafka answers for a partition it no longer hosts, so the
 * client refreshes its metadata instead of reporting a storage error.
 */
public final class LogClosedException extends LogStorageException {
  public LogClosedException(String message) {
    super(message);
  }
}
