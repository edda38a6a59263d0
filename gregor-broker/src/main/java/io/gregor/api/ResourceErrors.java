package io.gregor.api;

import io.gregor.network.RequestContext;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the failure of one resource or partition into its Kafka error code and message through
 * {@link ErrorMapper}; a failure that maps to UNKNOWN_SERVER_ERROR is a bug and is logged once at
 * ERROR with the request summary (STYLE.md, Errors). Stateless; any thread.
 */
final class ResourceErrors {

    private static final Logger log = LoggerFactory.getLogger(ResourceErrors.class);

    private ResourceErrors() {
    }

    static ApiError from(Throwable failure, RequestContext context, String resource) {
        Errors code = ErrorMapper.toErrors(failure);
        if (code == Errors.UNKNOWN_SERVER_ERROR) {
            log.error("Unexpected error on {} handling {}", resource, context.summary(), ErrorMapper.unwrap(failure));
        }
        return new ApiError(code, ErrorMapper.message(failure));
    }
}
