package io.gregor.api;

import io.gregor.metadata.Controller;
import io.gregor.metadata.MetadataImage;
import io.gregor.metadata.TopicConfigDef;
import io.gregor.network.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.requests.ApiError;

/**
 * What IncrementalAlterConfigs and the legacy AlterConfigs share: which resources may be altered
 * (topics only; dynamic broker configs do not exist yet), the checks Kafka's
 * {@code ConfigAdminManager.preprocess} makes before any change, and writing a topic's complete
 * new set of overrides through the controller. Stateless; request threads.
 */
final class TopicConfigAlteration {

    private TopicConfigAlteration() {
    }

    /**
     * The topic a resource names, or throws the resource's error: an unsupported type, a
     * resource given twice, a BROKER resource, an invalid or unknown topic name.
     */
    static MetadataImage.TopicImage throwIfNotAlterable(byte resourceType, String name, boolean duplicate, MetadataImage image) {
        if (duplicate) {
            throw new InvalidRequestException("Each resource must appear at most once.");
        }
        ConfigResource.Type type = ConfigResource.Type.forId(resourceType);
        if (type == ConfigResource.Type.BROKER) {
            throw new InvalidRequestException("dynamic broker configs are not supported yet");
        }
        if (type != ConfigResource.Type.TOPIC) {
            throw new InvalidRequestException("Unsupported resource type: " + (type == ConfigResource.Type.UNKNOWN ? resourceType : type));
        }
        if (name == null || name.isEmpty()) {
            throw new InvalidRequestException("Default topic resources are not allowed.");
        }
        Controller.throwIfInvalidTopicName(name);
        Optional<MetadataImage.TopicImage> topic = image.topic(name);
        if (topic.isEmpty()) {
            throw new UnknownTopicOrPartitionException("The topic '" + name + "' does not exist.");
        }
        return topic.get();
    }

    /** Kafka's check for SET/APPEND/SUBTRACT (and legacy AlterConfigs) entries without a value. */
    static void throwIfNullValues(List<String> namesWithNullValue) {
        if (!namesWithNullValue.isEmpty()) {
            throw new InvalidRequestException("Null value not supported for : " + String.join(", ", namesWithNullValue));
        }
    }

    /** Validates every override with {@link TopicConfigDef}, failing with Kafka's INVALID_CONFIG message. */
    static void throwIfInvalid(Map<String, String> overrides) {
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            Optional<String> error = TopicConfigDef.validate(e.getKey(), e.getValue());
            if (error.isPresent()) {
                throw new InvalidConfigurationException(error.get());
            }
        }
    }

    /**
     * Replaces the topic's overrides with {@code update(current)}, computed on the controller
     * thread; completes with the resource's outcome, never exceptionally.
     */
    static CompletableFuture<ApiError> write(BrokerServices broker, String topic, UnaryOperator<Map<String, String>> update,
                                             boolean validateOnly, RequestContext context) {
        return broker.controller().setTopicConfigs(topic, update, validateOnly)
                .handle((v, error) -> error == null ? ApiError.NONE : ResourceErrors.from(error, context, "topic " + topic));
    }

    /** Parts of a LIST value, trimmed, empty parts dropped. */
    static List<String> listParts(String value) {
        List<String> parts = new ArrayList<>();
        if (value == null) {
            return parts;
        }
        for (String p : value.split(",")) {
            String s = p.trim();
            if (!s.isEmpty()) {
                parts.add(s);
            }
        }
        return parts;
    }
}
