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
    INVALID_PRODUCER_EPOCH, UNSUPPORTED_COMPRESSION, RECORD_LIST_TOO_LARGE
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
  private final boolean requestShape;

  public LogAppendException(Reason reason, String message) {
    this(reason, message, List.of(), false);
  }

  public LogAppendException(Reason reason, String message, List<RecordError> recordErrors) {
    this(reason, message, recordErrors, false);
  }

  private LogAppendException(Reason reason, String message, List<RecordError> recordErrors, boolean requestShape) {
    super(message, null, false, false); // expected on the hot path: no stack trace
    this.reason = reason;
    this.recordErrors = List.copyOf(recordErrors);
    this.requestShape = requestShape;
  }

  /**
   * A refusal of what Kafka checks while parsing the produce request, before the log sees it (not exactly one batch,
   * a length that does not match, magic other than 2).
   */
  static LogAppendException requestShape(String message) {
    return new LogAppendException(Reason.INVALID_RECORD, message, List.of(), true);
  }

  /**
   * Whether Kafka's answer to this refusal carries the partition's log start offset (ReplicaManager: a refusal by the
   * log's validation does, a corrupt or too large batch and one refused before the log answer -1).
   */
  public boolean answeredWithLogStartOffset() {
    return !requestShape && reason != Reason.CORRUPT_MESSAGE && reason != Reason.MESSAGE_TOO_LARGE
        && reason != Reason.RECORD_LIST_TOO_LARGE;
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
