package io.gregor.api;

import io.gregor.network.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * Answers one API key over a declared version range; ApiVersions is generated from these
 * declarations. Handlers are thin: validate, call the owner of the state, map errors to Kafka
 * codes, build the response. They run on a request thread and must not block on I/O waits:
 * anything that waits (fsync, long poll) completes the returned future later. Work that blocks
 * the request thread but must not hold the answer back (an acks=all produce's fsync round, run
 * on this thread to save a hand-off) goes into an {@link AnswerWithWork}, run once the answer is
 * wired to the connection.
 */
public interface ApiHandler {

    ApiKeys apiKey();

    /** Lowest version handled; by default the KIP-896 floor kafka-clients 4.4 knows. */
    default short minVersion() {
        return apiKey().oldestVersion();
    }

    /** Highest version handled; by default the latest stable version of kafka-clients 4.4. */
    default short maxVersion() {
        return apiKey().latestVersion(false);
    }

    /** The response body, or null for no response (acks=0 produce). */
    CompletableFuture<ApiMessage> handle(RequestContext context) throws Exception;

    static CompletableFuture<ApiMessage> done(ApiMessage body) {
        return CompletableFuture.completedFuture(body);
    }
}
