package io.gregor.api;

import io.gregor.network.RequestContext;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * InitProducerId v0-5 for idempotent producers: a fresh producer id with epoch 0. Transactional ids need the
 * transaction coordinator, which does not exist yet: they get INVALID_REQUEST. When no id block can be reserved (a
 * full disk), COORDINATOR_LOAD_IN_PROGRESS, which clients retry, as Kafka's RPCProducerIdManager answers while it waits
 * for a block: any other error is fatal to a Java producer.
 */
final class InitProducerIdHandler implements ApiHandler {

    private static final Logger LOG = LoggerFactory.getLogger(InitProducerIdHandler.class);
    /** Set while reservations fail, so an outage is logged once and not at every client retry. */
    private static final AtomicBoolean RESERVATION_FAILING = new AtomicBoolean();

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
        long id;
        try {
            id = broker.producerIds().nextProducerId();
        } catch (UncheckedIOException e) {
            if (!RESERVATION_FAILING.getAndSet(true)) {
                LOG.warn("Cannot reserve producer ids (asked by {}); InitProducerId answers COORDINATOR_LOAD_IN_PROGRESS "
                        + "until a reservation succeeds", context.clientAddress(), e);
            }
            return ApiHandler.done(response.setErrorCode(Errors.COORDINATOR_LOAD_IN_PROGRESS.code()));
        }
        if (RESERVATION_FAILING.getAndSet(false)) {
            LOG.info("Producer ids can be reserved again");
        }
        return ApiHandler.done(response.setErrorCode(Errors.NONE.code()).setProducerId(id).setProducerEpoch((short) 0));
    }

}
