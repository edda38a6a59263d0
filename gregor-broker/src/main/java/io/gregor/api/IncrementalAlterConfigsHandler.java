package io.gregor.api;

import io.gregor.broker.BrokerConfigDef;
import io.gregor.broker.NodeConfig;
import io.gregor.metadata.TopicConfigDef;
import io.gregor.network.RequestContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;

/**
 * IncrementalAlterConfigs v0-1 ({@code kafka-configs --alter}, Admin.incrementalAlterConfigs) for
 * TOPIC and BROKER resources: applies SET / DELETE / APPEND / SUBTRACT to the resource's current
 * configs, as Kafka's {@code ConfigurationControlManager} does (APPEND and SUBTRACT only on LIST
 * configs, starting from a topic's effective value or a broker config's default), validates the
 * result and hands the whole new set to the controller. BROKER_LOGGER resources change this
 * process's log levels through {@link BrokerLoggerAlteration} instead.
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
        Map<String, Integer> loggerResources = new HashMap<>();
        for (AlterConfigsResource resource : request.resources()) {
            if (resource.resourceType() == ConfigResource.Type.BROKER_LOGGER.id()) {
                loggerResources.merge(resource.resourceName(), 1, Integer::sum);
            }
        }
        for (AlterConfigsResource resource : request.resources()) {
            AlterConfigsResourceResponse result = new AlterConfigsResourceResponse()
                    .setResourceType(resource.resourceType())
                    .setResourceName(resource.resourceName());
            response.responses().add(result);
            if (resource.resourceType() == ConfigResource.Type.BROKER_LOGGER.id()) {
                ApiError outcome = alterLoggers(context, resource, loggerResources.get(resource.resourceName()) > 1,
                        request.validateOnly());
                result.setErrorCode(outcome.error().code()).setErrorMessage(outcome.message());
                continue;
            }
            ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
            resources.add(new TopicConfigAlteration.Resource(resource.resourceType(), resource.resourceName(),
                    published -> {
                        // Validate now against the image for a prompt error; apply again on the controller
                        // thread against the latest configs so concurrent alters compose.
                        NodeConfig config = broker.brokerConfig().effective();
                        if (type == ConfigResource.Type.BROKER) {
                            BrokerConfigAlteration.throwIfElrForbids(resource.resourceName(), resource.configs());
                        }
                        apply(published, resource.configs(), type, config);
                        return current -> apply(current, resource.configs(), type, config);
                    },
                    outcome -> result.setErrorCode(outcome.error().code()).setErrorMessage(outcome.message())));
        }
        return TopicConfigAlteration.alterEach(broker, context, resources, request.validateOnly()).thenApply(v -> response);
    }

    /**
     * A BROKER_LOGGER resource: applied here and now, as Kafka's broker does before it forwards the
     * rest to the controller (levels are not configs the metadata log keeps).
     */
    private ApiError alterLoggers(RequestContext context, AlterConfigsResource resource, boolean repeated, boolean validateOnly) {
        try {
            if (repeated) {
                throw new InvalidRequestException("Each resource must appear at most once.");
            }
            throwIfDuplicateOrNullValues(resource.configs());
            BrokerLoggerAlteration.alter(broker, context, resource.resourceName(), resource.configs(), validateOnly);
            return ApiError.NONE;
        } catch (RuntimeException e) {
            return ResourceErrors.from(e, context, "broker logger resource '" + resource.resourceName() + "'");
        }
    }

    /** Kafka's first checks of any resource's operations: each key once, a value unless DELETE. */
    private static void throwIfDuplicateOrNullValues(Iterable<AlterableConfig> ops) {
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
    }

    /**
     * The resource's configs after the operations; throws the resource's error. A topic's result is
     * validated here, a broker resource's by {@link BrokerConfigAlteration}, a group's by {@link GroupConfigAlteration}.
     */
    static Map<String, String> apply(Map<String, String> current, Iterable<AlterableConfig> ops, ConfigResource.Type resourceType,
                                     NodeConfig config) {
        throwIfDuplicateOrNullValues(ops);
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
                    // The key's type is checked first, as Kafka checks it, whether or not the resource has a value.
                    String listDefault = switch (resourceType) {
                        case BROKER -> brokerListDefault(op.name(), type);
                        case GROUP -> throw notList(op.name(), type); // none of Gregor's group configs is a LIST
                        default -> topicListDefault(op.name(), type);
                    };
                    String base = next.containsKey(op.name()) ? next.get(op.name()) : listDefault;
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
        if (resourceType == ConfigResource.Type.TOPIC) {
            TopicConfigAlteration.throwIfInvalid(next);
        }
        return next;
    }

    /**
     * What APPEND and SUBTRACT start from on a topic without an override: the topic config's static default, whatever
     * the broker's value (Kafka's ConfigurationControlManager.getParts, KafkaConfigSchema.getDefault); LIST configs only.
     */
    private static String topicListDefault(String name, AlterConfigOp.OpType type) {
        TopicConfigDef.Entry entry = TopicConfigDef.entry(name)
                .orElseThrow(() -> new InvalidConfigurationException("Unknown topic config name: " + name));
        throwIfNotList(name, type, entry.type() == TopicConfigDef.Type.LIST);
        if (entry.fixedDefault() != null || entry.brokerSynonym() == null) {
            return entry.fixedDefault() == null ? "" : entry.fixedDefault();
        }
        // A topic config that falls back to a broker key has that key's static default ("delete" for cleanup.policy).
        return BrokerConfigDef.key(entry.brokerSynonym()).map(BrokerConfigDef.Key::defaultValue).orElse("");
    }

    /**
     * What APPEND and SUBTRACT start from on a broker resource without the key: the config's default,
     * not this node's value, as Kafka's {@code ConfigAdminManager.prepareIncrementalConfigs}; LIST
     * configs only, with Kafka's messages.
     */
    private static String brokerListDefault(String name, AlterConfigOp.OpType type) {
        ConfigDef.Type configType = BrokerConfigDef.type(name)
                .orElseThrow(() -> new InvalidConfigurationException("Unknown config name: " + name));
        if (configType != ConfigDef.Type.LIST) {
            throw new InvalidConfigurationException("Config value " + type.name().toLowerCase(Locale.ROOT)
                    + " is not allowed for config key: " + name);
        }
        String defaultValue = BrokerConfigDef.key(name).map(BrokerConfigDef.Key::defaultValue).orElse(null);
        return defaultValue == null ? "" : defaultValue;
    }

    private static void throwIfNotList(String name, AlterConfigOp.OpType type, boolean isList) {
        if (!isList) {
            throw notList(name, type);
        }
    }

    /** Kafka's refusal of APPEND or SUBTRACT on a key that is not a LIST (or that it does not know). */
    private static InvalidConfigurationException notList(String name, AlterConfigOp.OpType type) {
        return new InvalidConfigurationException("Can't " + type + " to key " + name + " because its type is not LIST.");
    }
}
