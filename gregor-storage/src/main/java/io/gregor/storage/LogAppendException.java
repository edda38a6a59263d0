package io.gregor.storage;

/**
 * A client batch failed validation; nothing was written. The broker maps {@link #reason()} to a Kafka error code
 * at its edge (CORRUPT_MESSAGE, INVALID_RECORD, MESSAGE_TOO_LARGE, INVALID_TIMESTAMP, OUT_OF_ORDER_SEQUENCE_NUMBER,
 * INVALID_PRODUCER_EPOCH, UNSUPPORTED_COMPRESSION_TYPE).
 */
public final class LogAppendException extends Exception {
  /** Why the batch was rejected. */
  public enum Reason {
    CORRUPT_MESSAGE, INVALID_RECORD, MESSAGE_TOO_LARGE, INVALID_TIMESTAMP, OUT_OF_ORDER_SEQUENCE,
    INVALID_PRODUCER_EPOCH, UNSUPPORTED_COMPRESSION
  }

  private final Reason reason;

  public LogAppendException(Reason reason, String message) {
    super(message, null, false, false); // expected on the hot path: no stack trace
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }

  @Override
  public String toString() {
    return "LogAppendException{" + reason + ": " + getMessage() + "}";
  }
}
