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
 * no API keys when they differ). From v3 the one feature Gregor has is advertised, as Kafka 4.4 advertises it
 * ({@code kafka-features describe}): {@code group.version} 1, the KIP-848 consumer group protocol. The others Kafka
 * finalizes are not: {@code transaction.version} (no transactions: clients keep the classic flow), share and
 * streams groups, eligible leader replicas, and {@code metadata.version}/{@code kraft.version}, which name Kafka's
 * own metadata formats.
 */
final class ApiVersionsHandler implements ApiHandler {

    private static final String GROUP_VERSION = "group.version";

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
            // As Kafka's KafkaApis: checked only when the client names a cluster, and then the node id must be ours.
            if (clusterId != null && (!clusterId.equals(broker.clusterId()) || nodeId != broker.nodeId())) {
                return ApiHandler.done(response.setErrorCode(Errors.REBOOTSTRAP_REQUIRED.code()));
            }
        }
        if (context.apiVersion() >= 3) {
            if (context.apiVersion() >= 4) {
                // As Kafka's ApiVersionsResponse (KIP-1022): a supported feature starting at 0 is left out below v4,
                // where clients before 3.9 throw on it and cannot use the connection.
                response.supportedFeatures().add(new ApiVersionsResponseData.SupportedFeatureKey()
                        .setName(GROUP_VERSION).setMinVersion((short) 0).setMaxVersion((short) 1));
            }
            response.finalizedFeatures().add(new ApiVersionsResponseData.FinalizedFeatureKey()
                    .setName(GROUP_VERSION).setMinVersionLevel((short) 1).setMaxVersionLevel((short) 1));
            response.setFinalizedFeaturesEpoch(0); // never changed since the node was formatted
        }
        return ApiHandler.done(response.setErrorCode(Errors.NONE.code()).setApiKeys(versions.get()));
    }
}
