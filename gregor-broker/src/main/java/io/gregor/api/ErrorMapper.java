package io.gregor.api;

import io.gregor.storage.LogAppendException;
import io.gregor.storage.LogClosedException;
import io.gregor.storage.LogStorageException;
import io.gregor.storage.OffsetOutOfRangeException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.protocol.Errors;

/** The one table from Gregor's internal failures to Kafka error codes (STYLE.md, Errors). */
final class ErrorMapper {

    private ErrorMapper() {
    }

    static Errors toErrors(Throwable t) {
        Throwable e = unwrap(t);
        if (e instanceof LogAppendException lae) {
            return switch (lae.reason()) {
                case CORRUPT_MESSAGE -> Errors.CORRUPT_MESSAGE;
                case INVALID_RECORD -> Errors.INVALID_RECORD;
                case MESSAGE_TOO_LARGE -> Errors.MESSAGE_TOO_LARGE;
                case INVALID_TIMESTAMP -> Errors.INVALID_TIMESTAMP;
                case OUT_OF_ORDER_SEQUENCE -> Errors.OUT_OF_ORDER_SEQUENCE_NUMBER;
                case INVALID_PRODUCER_EPOCH -> Errors.INVALID_PRODUCER_EPOCH;
                case UNSUPPORTED_COMPRESSION -> Errors.UNSUPPORTED_COMPRESSION_TYPE;
                case RECORD_LIST_TOO_LARGE -> Errors.RECORD_LIST_TOO_LARGE;
            };
        }
        if (e instanceof LogClosedException) {
            return Errors.NOT_LEADER_OR_FOLLOWER; // deleted meanwhile (or shutting down), as Kafka's Partition answers
        }
        if (e instanceof LogStorageException) {
            return Errors.KAFKA_STORAGE_ERROR;
        }
        if (e instanceof OffsetOutOfRangeException) {
            return Errors.OFFSET_OUT_OF_RANGE;
        }
        return Errors.forException(e);
    }

    static Throwable unwrap(Throwable t) {
        Throwable e = t;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    static String message(Throwable t) {
        Throwable e = unwrap(t);
        return e.getMessage();
    }
}
