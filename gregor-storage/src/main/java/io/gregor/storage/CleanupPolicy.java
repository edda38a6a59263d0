package io.gregor.storage;

import java.util.Locale;

/**
 * {@code cleanup.policy}: whether old segments are deleted by retention, compacted by the cleaner, both
 * ({@code "compact,delete"}, in either order, as Kafka accepts), or neither: since Kafka 4.2 (KAFKA-19112) an empty
 * list keeps every segment regardless of retention.ms and retention.bytes.
 */
public enum CleanupPolicy {
  DELETE(true, false), COMPACT(false, true), COMPACT_DELETE(true, true), NONE(false, false);

  private final boolean deletes;
  private final boolean compacts;

  CleanupPolicy(boolean deletes, boolean compacts) {
    this.deletes = deletes;
    this.compacts = compacts;
  }

  /** Retention by retention.ms / retention.bytes applies. */
  public boolean deletes() {
    return deletes;
  }

  /** The cleaner compacts this log, and produce rejects records without a key. */
  public boolean compacts() {
    return compacts;
  }

  /**
   * Parses Kafka's list value ({@code delete}, {@code compact}, {@code compact,delete}, {@code delete,compact}, or
   * blank for none).
   *
   * @throws IllegalArgumentException on an unknown or empty item
   */
  public static CleanupPolicy parse(String value) {
    if (value.isBlank()) {
      return NONE;
    }
    boolean delete = false;
    boolean compact = false;
    for (String item : value.split(",", -1)) {
      switch (item.trim().toLowerCase(Locale.ROOT)) {
        case "delete" -> delete = true;
        case "compact" -> compact = true;
        default -> throw new IllegalArgumentException(
            LogConfig.CLEANUP_POLICY + ": " + value + " (expected: delete, compact, compact,delete or empty)");
      }
    }
    if (delete && compact) {
      return COMPACT_DELETE;
    }
    if (compact) {
      return COMPACT;
    }
    return DELETE;
  }

  /** Kafka's spelling of the value. */
  public String configValue() {
    return switch (this) {
      case DELETE -> "delete";
      case COMPACT -> "compact";
      case COMPACT_DELETE -> "compact,delete";
      case NONE -> "";
    };
  }
}
