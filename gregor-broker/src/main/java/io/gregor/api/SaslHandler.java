package io.gregor.api;

import io.gregor.network.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SaslHandshake and SaslAuthenticate as Kafka answers them on a PLAINTEXT listener, which is the only kind this broker
 * has: ILLEGAL_SASL_STATE (the handshake with no enabled mechanisms). A client configured for SASL then fails at once
 * with "Unexpected handshake request with client mechanism PLAIN, enabled mechanisms are []", an authentication error,
 * instead of retrying a connection that closes until its timeout. Kafka advertises both APIs on every listener.
 */
final class SaslHandler extends SharedHandler {

    private static final Logger LOG = LoggerFactory.getLogger(SaslHandler.class);

    SaslHandler(ApiKeys apiKey) {
        super(apiKey, "a SASL API", ApiKeys.SASL_HANDSHAKE, ApiKeys.SASL_AUTHENTICATE);
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context) {
        LOG.info("Refused {} from {} ({}): this listener is PLAINTEXT, it has no SASL mechanisms", apiKey().name,
                context.clientAddress(), context.header().clientId());
        if (apiKey() == ApiKeys.SASL_HANDSHAKE) {
            return ApiHandler.done(new SaslHandshakeResponseData().setErrorCode(Errors.ILLEGAL_SASL_STATE.code()));
        }
        return ApiHandler.done(new SaslAuthenticateResponseData().setErrorCode(Errors.ILLEGAL_SASL_STATE.code())
                .setErrorMessage("SaslAuthenticate request received after successful authentication"));
    }
}
