package io.gregor.network;

/** Thrown by a handler when Kafka would close the connection instead of answering (e.g. a failed acks=0 produce). */
public final class CloseConnectionException extends RuntimeException {
    public CloseConnectionException(String message) {
        super(message, null, false, false);
    }
}
