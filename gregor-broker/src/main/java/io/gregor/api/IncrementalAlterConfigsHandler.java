package io.gregor.api;

import io.gregor.broker.NodeConfig;
import io.gregor.metadata.TopicConfigDef;
import io.gregor.network.RequestContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;

/**
 * IncrementalAlterConfigs v0-1 ({@code kafka-configs --alter}, Admin.incrementalAlterConfigs) for
 * TOPIC resources: applies SET / DELETE / APPEND / SUBTRACT to the topic's current overrides, as
 * Kafka's {@code ConfigurationControlManager} does (APPEND and SUBTRACT only on LIST configs,
 * starting from the effective value), validates the result and hands the whole new set of
 * overrides to the controller. BROKER resources are refused until dynamic broker configs exist.
 *
 * <p>The read-modify-write is not atomic against a concurrent alter of the same topic: the last
 * writer wins, as with Kafka's legacy AlterConfigs.
 */
final class IncrementalAlterConfigsHandler implements ApiHandler {

    private final BrokerServices broker;

    IncrementalAlterConfigsHandler(BrokerServices broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.INCREMENTAL_ALTER_CONFIGS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context) {
        IncrementalAlterConfigsRequestData request = ((IncrementalAlterConfigsRequest) context.request()).data();
        IncrementalAlterConfigsResponseData response = new IncrementalAlterConfigsResponseData().setThrottleTimeMs(0);
        List<TopicConfigAlteration.Resource> resources = new ArrayList<>();
        for (AlterConfigsResource resource : request.resources()) {
            AlterConfigsResourceResponse result = new AlterConfigsResourceResponse()
                    .setResourceType(resource.resourceType())
                    .setResourceName(resource.resourceName());
            response.responses().add(result);
            resources.add(new TopicConfigAlteration.Resource(resource.resourceType(), resource.resourceName(),
                    topic -> {
                        // Validate now against the image for a prompt error; apply again on the controller
                        // thread against the latest overrides so concurrent alters compose.
                        apply(topic.configs(), resource.configs(), broker.config());
                        return current -> apply(current, resource.configs(), broker.config());
                    },
                    outcome -> result.setErrorCode(outcome.error().code()).setErrorMessage(outcome.message())));
        }
        return TopicConfigAlteration.alterEach(broker, context, resources, request.validateOnly()).thenApply(v -> response);
    }

    /** The topic's overrides after the operations, validated; throws the resource's error. */
    static Map<String, String> apply(Map<String, String> current, Iterable<AlterableConfig> ops, NodeConfig config) {
        Set<String> seen = new HashSet<>();
        List<String> nullValues = new ArrayList<>();
        for (AlterableConfig op : ops) {
            if (!seen.add(op.name())) {
                throw new InvalidRequestException("Error due to duplicate config keys");
            }
            if (op.configOperation() != AlterConfigOp.OpType.DELETE.id() && op.value() == null) {
                nullValues.add(op.name());
            }
        }
        TopicConfigAlteration.throwIfNullValues(nullValues);
        Map<String, String> next = new TreeMap<>(current);
        for (AlterableConfig op : ops) {
            AlterConfigOp.OpType type = AlterConfigOp.OpType.forId(op.configOperation());
            if (type == null) {
                throw new InvalidRequestException("Unknown config operation: " + op.configOperation() + " (expected: 0..3) for key " + op.name());
            }
            switch (type) {
                case SET -> next.put(op.name(), op.value().trim());
                // Kafka accepts deleting an override that is not there, even of an unknown key.
                case DELETE -> next.remove(op.name());
                case APPEND, SUBTRACT -> {
                    TopicConfigDef.Entry entry = TopicConfigDef.entry(op.name())
                            .orElseThrow(() -> new InvalidConfigurationException("Unknown topic config name: " + op.name()));
                    if (entry.type() != TopicConfigDef.Type.LIST) {
                        throw new InvalidConfigurationException("Can't " + type + " to key " + op.name() + " because its type is not LIST.");
                    }
                    String base = next.containsKey(op.name()) ? next.get(op.name()) : TopicConfigDef.defaultValue(entry, config);
                    List<String> parts = TopicConfigAlteration.listParts(base);
                    for (String item : TopicConfigAlteration.listParts(op.value())) {
                        if (type == AlterConfigOp.OpType.SUBTRACT) {
                            parts.remove(item);
                        } else if (!parts.contains(item)) {
                            parts.add(item);
                        }
                    }
                    next.put(op.name(), String.join(",", parts));
                }
                default -> throw new IllegalStateException("unhandled config operation " + type);
            }
        }
        TopicConfigAlteration.throwIfInvalid(next);
        return next;
    }
}
