package io.gregor.storage;

/** The requested offset is outside [logStartOffset, logEndOffset]; the broker answers OFFSET_OUT_OF_RANGE. */
public final class OffsetOutOfRangeException extends Exception {
  public OffsetOutOfRangeException(String message) {
    super(message, null, false, false);
  }
}
