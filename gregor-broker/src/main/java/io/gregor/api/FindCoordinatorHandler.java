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
 * Groups (key type 0) go to the group coordinator; transactions (1) get COORDINATOR_NOT_AVAILABLE
 * until the transaction coordinator exists; other key types are INVALID_REQUEST.
 */
final class FindCoordinatorHandler implements ApiHandler {

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
                        .setHost(c.host()).setPort(c.port()).setErrorCode(c.error().code()).setErrorMessage(message(c.error())));
            }
            return ApiHandler.done(response);
        }
        GroupCoordinator.Coordinator c = lookup(version == 0 ? 0 : request.keyType(), request.key());
        response.setErrorCode(c.error().code()).setNodeId(c.nodeId()).setHost(c.host()).setPort(c.port());
        if (version >= 1) {
            response.setErrorMessage(message(c.error()));
        }
        return ApiHandler.done(response);
    }

    private GroupCoordinator.Coordinator lookup(byte keyType, String key) {
        return switch (keyType) {
            case 0 -> broker.groups().findCoordinator(key == null ? "" : key);
            case 1 -> new GroupCoordinator.Coordinator(Errors.COORDINATOR_NOT_AVAILABLE, -1, "", -1);
            default -> new GroupCoordinator.Coordinator(Errors.INVALID_REQUEST, -1, "", -1);
        };
    }

    private static String message(Errors error) {
        return error == Errors.NONE ? null : error.message();
    }
}
