package io.gregor.network;

import java.net.SocketAddress;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * One parsed request as the handlers see it. The request body may share bytes with the
 * network frame (records fields): the frame is released once the handler's future completes,
 * or earlier through {@link #releaseRecords()}, so handlers must not keep references to request
 * records beyond that.
 */
public record RequestContext(RequestHeader header, AbstractRequest request, SocketAddress clientAddress,
                             String listenerName, long receivedAtMs, Runnable releaser, Runnable recordsReleaser) {

    /**
     * Lets the connection start its next request before this one's response is ready: call it
     * once everything that must happen in request order is done (an acks=all produce after its
     * appends). The response still goes out after the earlier ones. Optional; any thread; idempotent.
     */
    public void release() {
        releaser.run();
    }

    /**
     * Gives the request's network frame back now instead of when the response is ready: for a handler that is done
     * reading the request's records while it still waits (an acks=all produce waiting for its fsync holds no records,
     * as Kafka's clearPartitionRecords). Nothing may read the request's records afterwards. Any thread; idempotent.
     */
    public void releaseRecords() {
        recordsReleaser.run();
    }

    public short apiVersion() {
        return header.apiVersion();
    }

    /** "Produce v9 corr=12 client=producer-1 from /127.0.0.1:4242": for log lines. */
    public String summary() {
        return header.apiKey().name + " v" + header.apiVersion() + " corr=" + header.correlationId()
                + " client=" + header.clientId() + " from " + clientAddress;
    }
}
