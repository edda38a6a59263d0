package io.gregor.storage;

import java.util.List;

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

  /** One refused record of the batch (Kafka's KIP-467 record error): its index in the batch and why. */
  public record RecordError(int batchIndex, String message) {
    @Override
    public String toString() {
      return "RecordError(batchIndex=" + batchIndex + ", message='" + message + "')"; // as kafka-clients prints it
    }
  }

  private final Reason reason;
  private final List<RecordError> recordErrors;

  public LogAppendException(Reason reason, String message) {
    this(reason, message, List.of());
  }

  public LogAppendException(Reason reason, String message, List<RecordError> recordErrors) {
    super(message, null, false, false); // expected on the hot path: no stack trace
    this.reason = reason;
    this.recordErrors = List.copyOf(recordErrors);
  }

  public Reason reason() {
    return reason;
  }

  /** The records that made the batch fail, where the rule is about single records (timestamps, keys); else empty. */
  public List<RecordError> recordErrors() {
    return recordErrors;
  }

  @Override
  public String toString() {
    return "LogAppendException{" + reason + ": " + getMessage() + "}";
  }
}
