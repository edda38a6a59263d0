package io.gregor.api;

import io.gregor.network.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.AlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AlterConfigsRequest;

/**
 * AlterConfigs v0-2, the legacy non-incremental API: the given configs become the topic's complete
 * set of overrides (a key left out returns to its default). TOPIC, BROKER and GROUP resources, with the same
 * resource checks as {@link IncrementalAlterConfigsHandler}; each resource succeeds or fails alone.
 */
final class AlterConfigsHandler implements ApiHandler {

    private final BrokerServices broker;

    AlterConfigsHandler(BrokerServices broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ALTER_CONFIGS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context) {
        AlterConfigsRequestData request = ((AlterConfigsRequest) context.request()).data();
        AlterConfigsResponseData response = new AlterConfigsResponseData().setThrottleTimeMs(0);
        List<TopicConfigAlteration.Resource> resources = new ArrayList<>();
        for (AlterConfigsResource resource : request.resources()) {
            AlterConfigsResourceResponse result = new AlterConfigsResourceResponse()
                    .setResourceType(resource.resourceType())
                    .setResourceName(resource.resourceName());
            response.responses().add(result);
            resources.add(new TopicConfigAlteration.Resource(resource.resourceType(), resource.resourceName(),
                    published -> {
                        Map<String, String> next = replacement(resource);
                        return current -> next;
                    },
                    outcome -> result.setErrorCode(outcome.error().code()).setErrorMessage(outcome.message())));
        }
        return TopicConfigAlteration.alterEach(broker, context, resources, request.validateOnly()).thenApply(v -> response);
    }

    private static Map<String, String> replacement(AlterConfigsResource resource) {
        Map<String, String> next = new TreeMap<>();
        List<String> nullValues = new ArrayList<>();
        for (AlterableConfig c : resource.configs()) {
            if (c.value() == null) {
                nullValues.add(c.name());
            } else if (next.put(c.name(), c.value().trim()) != null) {
                throw new InvalidRequestException("Error due to duplicate config keys");
            }
        }
        TopicConfigAlteration.throwIfNullValues(nullValues);
        if (resource.resourceType() == ConfigResource.Type.TOPIC.id()) {
            // A broker resource's values are checked by BrokerConfigAlteration, a group's by GroupConfigAlteration.
            TopicConfigAlteration.throwIfInvalid(next);
        }
        return next;
    }
}
