package io.gregor.api;

import io.gregor.network.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.InitProducerIdRequest;

/**
 * InitProducerId v0-5 for idempotent producers: a fresh producer id with epoch 0. Transactional ids need the
 * transaction coordinator, which does not exist yet: they get COORDINATOR_NOT_AVAILABLE.
 */
final class InitProducerIdHandler implements ApiHandler {

    private final BrokerServices broker;

    InitProducerIdHandler(BrokerServices broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.INIT_PRODUCER_ID;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context) {
        InitProducerIdRequestData request = ((InitProducerIdRequest) context.request()).data();
        InitProducerIdResponseData response = new InitProducerIdResponseData().setThrottleTimeMs(0)
                .setProducerId(-1).setProducerEpoch((short) -1);
        if ((request.producerId() == RecordBatch.NO_PRODUCER_ID) != (request.producerEpoch() == RecordBatch.NO_PRODUCER_EPOCH)) {
            // Kafka's KafkaApis: an id without an epoch (or the reverse) is no producer to bump.
            return ApiHandler.done(response.setErrorCode(Errors.INVALID_REQUEST.code()));
        }
        if (request.transactionalId() != null) {
            // No transaction coordinator (see FindCoordinatorHandler): refused for good, not "try again later".
            return ApiHandler.done(response.setErrorCode(Errors.INVALID_REQUEST.code()));
        }
        // Like Kafka, an idempotent producer always gets a fresh id, also when it asks to bump
        // its epoch (v3+): a new id starts a new sequence space just as a bumped epoch would.
        long id = broker.producerIds().nextProducerId();
        return ApiHandler.done(response.setErrorCode(Errors.NONE.code()).setProducerId(id).setProducerEpoch((short) 0));
    }

}
