package io.gregor.api;

import io.gregor.group.GroupCoordinator;
import io.gregor.network.RequestContext;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest;

/**
 * FindCoordinator v0-6: one key (v0-3) or a batch of keys (v4+), each answered on its own.
 * Groups (key type 0) go to the group coordinator. There is no transaction coordinator yet: transactions (1) get
 * INVALID_REQUEST with {@link #NO_TRANSACTIONS}, which a transactional producer's {@code initTransactions()} reports
 * at once (a retriable COORDINATOR_NOT_AVAILABLE had it retry until max.block.ms, then time out with nothing said);
 * other key types are INVALID_REQUEST.
 */
final class FindCoordinatorHandler implements ApiHandler {

    static final String NO_TRANSACTIONS = "this broker has no transaction coordinator: transactions (transactional.id)"
            + " are not supported";
    private static final byte GROUP = 0;
    private static final byte TRANSACTION = 1;

    private final BrokerServices broker;

    FindCoordinatorHandler(BrokerServices broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.FIND_COORDINATOR;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context) {
        FindCoordinatorRequestData request = ((FindCoordinatorRequest) context.request()).data();
        short version = context.apiVersion();
        FindCoordinatorResponseData response = new FindCoordinatorResponseData().setThrottleTimeMs(0);
        if (version >= 4) {
            List<String> keys = request.coordinatorKeys();
            for (String key : keys) {
                GroupCoordinator.Coordinator c = lookup(request.keyType(), key);
                response.coordinators().add(new FindCoordinatorResponseData.Coordinator().setKey(key).setNodeId(c.nodeId())
                        .setHost(c.host()).setPort(c.port()).setErrorCode(c.error().code())
                        .setErrorMessage(c.error() == Errors.NONE ? "" : message(request.keyType(), c.error())));
            }
            return ApiHandler.done(response);
        }
        byte keyType = version == 0 ? GROUP : request.keyType();
        GroupCoordinator.Coordinator c = lookup(keyType, request.key());
        response.setErrorCode(c.error().code()).setNodeId(c.nodeId()).setHost(c.host()).setPort(c.port());
        if (version >= 1) {
            // Kafka answers a found coordinator with the error's name, "NONE", before v4 and "" from v4.
            response.setErrorMessage(c.error() == Errors.NONE ? Errors.NONE.message() : message(keyType, c.error()));
        }
        return ApiHandler.done(response);
    }

    private GroupCoordinator.Coordinator lookup(byte keyType, String key) {
        return switch (keyType) {
            case GROUP -> broker.groups().findCoordinator(key == null ? "" : key);
            case TRANSACTION -> new GroupCoordinator.Coordinator(Errors.INVALID_REQUEST, -1, "", -1);
            default -> new GroupCoordinator.Coordinator(Errors.INVALID_REQUEST, -1, "", -1);
        };
    }

    private static String message(byte keyType, Errors error) {
        return keyType == TRANSACTION ? NO_TRANSACTIONS : error.message();
    }
}
