package io.gregor.api;

import io.gregor.network.RequestContext;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsRequest;

/**
 * ApiVersions v0-5. v3+ checks the client software name and version (INVALID_REQUEST);
 * v5 checks the cluster id and node id the client expects (KIP-1242: REBOOTSTRAP_REQUIRED with
 * no API keys when they differ). No features are advertised, so clients use the classic
 * transaction flow.
 */
final class ApiVersionsHandler implements ApiHandler {

    private final BrokerServices broker;
    private final Supplier<ApiVersionsResponseData.ApiVersionCollection> versions;

    ApiVersionsHandler(BrokerServices broker, Supplier<ApiVersionsResponseData.ApiVersionCollection> versions) {
        this.broker = broker;
        this.versions = versions;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.API_VERSIONS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context) {
        ApiVersionsRequest request = (ApiVersionsRequest) context.request();
        ApiVersionsResponseData response = new ApiVersionsResponseData().setThrottleTimeMs(0);
        if (context.apiVersion() >= 3 && !request.isValid()) {
            return ApiHandler.done(response.setErrorCode(Errors.INVALID_REQUEST.code()));
        }
        if (context.apiVersion() >= 5) {
            String clusterId = request.data().clusterId();
            int nodeId = request.data().nodeId();
            if ((clusterId != null && !clusterId.equals(broker.clusterId())) || (nodeId >= 0 && nodeId != broker.nodeId())) {
                return ApiHandler.done(response.setErrorCode(Errors.REBOOTSTRAP_REQUIRED.code()));
            }
        }
        return ApiHandler.done(response.setErrorCode(Errors.NONE.code()).setApiKeys(versions.get()));
    }
}
