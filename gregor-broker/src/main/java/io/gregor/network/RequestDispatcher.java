package io.gregor.network;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/** What the network layer needs from the api layer: which versions exist, and who answers. */
public interface RequestDispatcher {

    /** True when this broker implements {@code key} at {@code version} on its client listener. */
    boolean isSupported(ApiKeys key, short version);

    /** The advertised range of ApiVersions itself, for the KIP-511 fallback answer. */
    ApiVersionsResponseData.ApiVersion apiVersionsRange();

    /**
     * Handles one request. Completes with the response body, or with {@code null} when no
     * response is sent (acks=0 produce). Completing exceptionally with {@link CloseConnectionException}
     * closes the connection.
     */
    CompletableFuture<ApiMessage> dispatch(RequestContext context);
}
