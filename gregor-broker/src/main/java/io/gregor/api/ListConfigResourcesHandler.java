package io.gregor.api;

import io.gregor.metadata.MetadataImage;
import io.gregor.network.RequestContext;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.ListConfigResourcesRequestData;
import org.apache.kafka.common.message.ListConfigResourcesResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ListConfigResourcesRequest;

/**
 * ListConfigResources (KIP-1142; v0 was ListClientMetricsResources), what {@code kafka-configs --describe} and
 * {@code kafka-client-metrics --list} ask for: this node as a BROKER and a BROKER_LOGGER resource, every topic, the
 * groups that have configs set, and no client metrics subscriptions (Gregor has no client telemetry). v0 asks for client
 * metrics resources only; from v1 the request names the types, none meaning all, and a type that has no configs is
 * refused with UNSUPPORTED_VERSION, as Kafka answers it.
 */
final class ListConfigResourcesHandler implements ApiHandler {

    private static final Set<ConfigResource.Type> LISTED = EnumSet.of(ConfigResource.Type.TOPIC, ConfigResource.Type.BROKER,
            ConfigResource.Type.BROKER_LOGGER, ConfigResource.Type.CLIENT_METRICS, ConfigResource.Type.GROUP);

    private final BrokerServices broker;

    ListConfigResourcesHandler(BrokerServices broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_CONFIG_RESOURCES;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context) {
        ListConfigResourcesRequestData request = ((ListConfigResourcesRequest) context.request()).data();
        ListConfigResourcesResponseData response = new ListConfigResourcesResponseData().setThrottleTimeMs(0)
                .setErrorCode(Errors.NONE.code());
        Set<ConfigResource.Type> types = EnumSet.noneOf(ConfigResource.Type.class);
        if (context.apiVersion() == 0) {
            types.add(ConfigResource.Type.CLIENT_METRICS);
        } else if (request.resourceTypes().isEmpty()) {
            types.addAll(LISTED);
        } else {
            for (byte id : request.resourceTypes()) {
                ConfigResource.Type type = ConfigResource.Type.forId(id);
                if (!LISTED.contains(type)) {
                    return ApiHandler.done(response.setErrorCode(Errors.UNSUPPORTED_VERSION.code()));
                }
                types.add(type);
            }
        }
        MetadataImage image = broker.image();
        String nodeId = String.valueOf(broker.nodeId());
        if (types.contains(ConfigResource.Type.BROKER)) {
            add(response, List.of(nodeId), ConfigResource.Type.BROKER);
        }
        if (types.contains(ConfigResource.Type.BROKER_LOGGER)) {
            add(response, List.of(nodeId), ConfigResource.Type.BROKER_LOGGER);
        }
        if (types.contains(ConfigResource.Type.TOPIC)) {
            add(response, image.topicsByName().keySet(), ConfigResource.Type.TOPIC);
        }
        if (types.contains(ConfigResource.Type.GROUP)) {
            add(response, image.groupsWithConfigs(), ConfigResource.Type.GROUP);
        }
        return ApiHandler.done(response);
    }

    private static void add(ListConfigResourcesResponseData response, Iterable<String> names, ConfigResource.Type type) {
        for (String name : names) {
            response.configResources().add(new ListConfigResourcesResponseData.ConfigResource()
                    .setResourceName(name).setResourceType(type.id()));
        }
    }
}
