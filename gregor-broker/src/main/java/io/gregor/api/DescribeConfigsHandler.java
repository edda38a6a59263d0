package io.gregor.api;

import io.gregor.broker.NodeConfig;
import io.gregor.metadata.Controller;
import io.gregor.metadata.MetadataImage;
import io.gregor.metadata.TopicConfigDef;
import io.gregor.network.RequestContext;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;

/**
 * DescribeConfigs v1-4, what {@code kafka-topics --describe} and {@code kafka-configs} read.
 *
 * <ul>
 *   <li>TOPIC: every {@link TopicConfigDef} entry (or the requested keys) with its effective value.
 *       The source is the first synonym, as in Kafka's {@code ConfigHelper}: the topic override
 *       (DYNAMIC_TOPIC_CONFIG), else the broker key when the operator set it (STATIC_BROKER_CONFIG),
 *       else DEFAULT_CONFIG.</li>
 *   <li>BROKER: name = this node id lists the node's static config (all read-only); "" is the
 *       cluster-wide dynamic default, of which there is none yet; another id is INVALID_REQUEST.</li>
 * </ul>
 * Every resource gets its own error; one bad resource never fails the rest.
 */
final class DescribeConfigsHandler implements ApiHandler {

    private final BrokerServices broker;
    /** What the node would run with if the operator set nothing: tells set keys from defaults. */
    private final NodeConfig defaults = NodeConfig.defaultConfig();

    DescribeConfigsHandler(BrokerServices broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_CONFIGS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context) {
        DescribeConfigsRequestData request = ((DescribeConfigsRequest) context.request()).data();
        MetadataImage image = broker.image();
        DescribeConfigsResponseData response = new DescribeConfigsResponseData().setThrottleTimeMs(0);
        for (DescribeConfigsRequestData.DescribeConfigsResource resource : request.resources()) {
            DescribeConfigsResult result = new DescribeConfigsResult()
                    .setResourceType(resource.resourceType())
                    .setResourceName(resource.resourceName())
                    .setErrorCode(Errors.NONE.code());
            response.results().add(result);
            Set<String> keys = resource.configurationKeys() == null || resource.configurationKeys().isEmpty()
                    ? null : new HashSet<>(resource.configurationKeys());
            try {
                switch (ConfigResource.Type.forId(resource.resourceType())) {
                    case TOPIC -> describeTopic(image, resource.resourceName(), keys, request.includeSynonyms(), result);
                    case BROKER -> describeBroker(resource.resourceName(), keys, request.includeSynonyms(), result);
                    default -> throw new InvalidRequestException("Unsupported resource type: "
                            + ConfigResource.Type.forId(resource.resourceType()));
                }
            } catch (RuntimeException e) {
                ApiError error = ResourceErrors.from(e, context, "config resource " + resource.resourceName());
                result.configs().clear();
                result.setErrorCode(error.error().code()).setErrorMessage(error.message());
            }
        }
        return ApiHandler.done(response);
    }

    private void describeTopic(MetadataImage image, String name, Set<String> keys, boolean includeSynonyms, DescribeConfigsResult result) {
        try {
            Controller.throwIfInvalidTopicName(name);
        } catch (InvalidTopicException e) {
            result.setErrorCode(Errors.INVALID_TOPIC_EXCEPTION.code()).setErrorMessage(e.getMessage());
            return;
        }
        Optional<MetadataImage.TopicImage> topic = image.topic(name);
        if (topic.isEmpty()) {
            result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code()).setErrorMessage(null);
            return;
        }
        Map<String, String> overrides = topic.get().configs();
        NodeConfig config = broker.config();
        for (TopicConfigDef.Entry e : TopicConfigDef.entries().values()) {
            if (keys != null && !keys.contains(e.name())) {
                continue;
            }
            String override = overrides.get(e.name());
            boolean brokerKeySet = e.brokerSynonym() != null && isSetByOperator(e.brokerSynonym());
            byte source = override != null ? ConfigSource.TOPIC_CONFIG.id()
                    : brokerKeySet ? ConfigSource.STATIC_BROKER_CONFIG.id() : ConfigSource.DEFAULT_CONFIG.id();
            DescribeConfigsResourceResult entry = new DescribeConfigsResourceResult()
                    .setName(e.name())
                    .setValue(TopicConfigDef.effective(e.name(), overrides, config))
                    .setReadOnly(false)
                    .setIsSensitive(false)
                    .setConfigSource(source)
                    .setConfigType(e.type().id)
                    .setDocumentation(null);
            if (includeSynonyms) {
                if (override != null) {
                    entry.synonyms().add(new DescribeConfigsSynonym()
                            .setName(e.name()).setValue(override).setSource(ConfigSource.TOPIC_CONFIG.id()));
                }
                if (e.brokerSynonym() != null) {
                    entry.synonyms().add(new DescribeConfigsSynonym()
                            .setName(e.brokerSynonym())
                            .setValue(TopicConfigDef.defaultValue(e, config))
                            .setSource(brokerKeySet ? ConfigSource.STATIC_BROKER_CONFIG.id() : ConfigSource.DEFAULT_CONFIG.id()));
                }
            }
            result.configs().add(entry);
        }
    }

    private void describeBroker(String name, Set<String> keys, boolean includeSynonyms, DescribeConfigsResult result) {
        if (name == null || name.isEmpty()) {
            // The cluster-wide default resource lists dynamic defaults only (Kafka's ConfigHelper); we have none.
            return;
        }
        int nodeId;
        try {
            nodeId = Integer.parseInt(name);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("Broker id must be an integer, but it is: " + name);
        }
        NodeConfig config = broker.config();
        if (nodeId != config.nodeId()) {
            throw new InvalidRequestException("Unexpected broker id, expected " + config.nodeId()
                    + " or empty string, but received " + name);
        }
        List<String> unknown = config.unknownKeys();
        for (Map.Entry<String, String> kv : new TreeMap<>(config.values()).entrySet()) {
            String key = kv.getKey();
            if (keys != null && !keys.contains(key)) {
                continue;
            }
            // Kafka cannot type a key it does not know, so it treats it as sensitive and hides the value.
            boolean sensitive = unknown.contains(key);
            String value = sensitive || kv.getValue() == null || kv.getValue().isBlank() ? null : kv.getValue();
            byte source = isKeySetByOperator(key) ? ConfigSource.STATIC_BROKER_CONFIG.id() : ConfigSource.DEFAULT_CONFIG.id();
            DescribeConfigsResourceResult entry = new DescribeConfigsResourceResult()
                    .setName(key)
                    .setValue(value)
                    .setReadOnly(true)
                    .setIsSensitive(sensitive)
                    .setConfigSource(source)
                    .setConfigType(ConfigType.UNKNOWN.id())
                    .setDocumentation(null);
            if (includeSynonyms && (value != null || sensitive)) {
                entry.synonyms().add(new DescribeConfigsSynonym().setName(key).setValue(value).setSource(source));
            }
            result.configs().add(entry);
        }
    }

    /**
     * Whether the operator set the broker key a topic config falls back to; the time-based keys
     * count as set when any of their unit variants is ({@code log.retention.hours} for
     * {@code log.retention.ms}), since {@link NodeConfig} derives them from those.
     */
    private boolean isSetByOperator(String brokerKey) {
        return switch (brokerKey) {
            case "log.retention.ms" -> isKeySetByOperator("log.retention.ms") || isKeySetByOperator("log.retention.minutes")
                    || isKeySetByOperator("log.retention.hours");
            case "log.roll.ms" -> isKeySetByOperator("log.roll.ms") || isKeySetByOperator("log.roll.hours");
            default -> isKeySetByOperator(brokerKey);
        };
    }

    /** A key counts as set when its value differs from the default; a value set to the default reads as DEFAULT_CONFIG. */
    private boolean isKeySetByOperator(String key) {
        String value = broker.config().get(key);
        String def = defaults.get(key);
        return value != null && !value.equals(def);
    }
}
