package io.gregor.api;

import java.util.List;
import org.apache.kafka.common.protocol.ApiKeys;

/** A handler class that answers several related APIs, one instance per API it is registered for. */
abstract class SharedHandler implements ApiHandler {

    private final ApiKeys apiKey;

    SharedHandler(ApiKeys apiKey, String kind, ApiKeys... handled) {
        if (!List.of(handled).contains(apiKey)) {
            throw new IllegalArgumentException(apiKey + " is not " + kind);
        }
        this.apiKey = apiKey;
    }

    @Override
    public final ApiKeys apiKey() {
        return apiKey;
    }
}
