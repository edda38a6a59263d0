package io.gregor.api;

import io.gregor.metadata.Controller;
import io.gregor.metadata.MetadataImage;
import io.gregor.metadata.TopicConfigDef;
import io.gregor.network.RequestContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.requests.ApiError;

/**
 * What IncrementalAlterConfigs and the legacy AlterConfigs share: which resources may be altered
 * (topics, BROKER resources through {@link BrokerConfigAlteration} and GROUP ones through {@link GroupConfigAlteration}), the checks Kafka's
 * {@code ConfigAdminManager.preprocess} makes before any change, and writing a resource's complete
 * new set of configs through the controller. Stateless; request threads.
 */
final class TopicConfigAlteration {

    private TopicConfigAlteration() {
    }

    /**
     * The topic a resource names, or throws the resource's error: an unsupported type, an invalid topic name, and for
     * an unknown topic its new configs' error if they are invalid (Kafka's controller validates the values before it
     * looks for the topic), else UNKNOWN_TOPIC_OR_PARTITION.
     */
    static MetadataImage.TopicImage throwIfNotAlterable(byte resourceType, String name, MetadataImage image,
                                                        Function<Map<String, String>, UnaryOperator<Map<String, String>>> update) {
        ConfigResource.Type type = ConfigResource.Type.forId(resourceType);
        // Kafka's words for a type its alter path does not know; that includes BROKER_LOGGER in the
        // legacy AlterConfigs (KIP-412 log levels are IncrementalAlterConfigs only).
        if (type == ConfigResource.Type.UNKNOWN || type == ConfigResource.Type.BROKER_LOGGER) {
            throw new InvalidRequestException("Unknown resource type " + resourceType);
        }
        if (type != ConfigResource.Type.TOPIC) {
            throw new InvalidRequestException("Unsupported resource type: " + type);
        }
        if (name == null || name.isEmpty()) {
            throw new InvalidRequestException("Default topic resources are not allowed.");
        }
        Controller.throwIfInvalidTopicName(name);
        Optional<MetadataImage.TopicImage> topic = image.topic(name);
        if (topic.isEmpty()) {
            throwIfInvalid(update.apply(Map.of()).apply(Map.of()));
            throw new UnknownTopicOrPartitionException("The topic '" + name + "' does not exist.");
        }
        return topic.get();
    }

    /**
     * One resource of an alter request, whatever generated message type carries it.
     *
     * @param update the resource's new configs as a function of its current ones; throws the
     *               resource's error when the request is invalid for it (called on the request
     *               thread with the published configs for a prompt error; the function it returns
     *               runs on the controller thread against the latest ones)
     * @param answer records the resource's outcome in the response
     */
    record Resource(byte type, String name, Function<Map<String, String>, UnaryOperator<Map<String, String>>> update,
                    Consumer<ApiError> answer) {

        boolean isBroker() {
            return type == ConfigResource.Type.BROKER.id();
        }

        boolean isGroup() {
            return type == ConfigResource.Type.GROUP.id();
        }
    }

    /**
     * Alters each resource independently (each succeeds or fails alone, as in Kafka) and
     * completes once every outcome is answered.
     */
    static CompletableFuture<Void> alterEach(BrokerServices broker, RequestContext context, List<Resource> resources,
                                             boolean validateOnly) {
        MetadataImage image = broker.image();
        Map<String, Integer> occurrences = new HashMap<>();
        for (Resource r : resources) {
            occurrences.merge(r.type() + ":" + r.name(), 1, Integer::sum);
        }
        List<CompletableFuture<?>> pending = new ArrayList<>();
        for (Resource resource : resources) {
            try {
                if (occurrences.get(resource.type() + ":" + resource.name()) > 1) {
                    throw new InvalidRequestException("Each resource must appear at most once.");
                }
                CompletableFuture<ApiError> outcome;
                if (resource.isBroker()) {
                    outcome = BrokerConfigAlteration.write(broker, context, resource, image, validateOnly);
                } else if (resource.isGroup()) {
                    outcome = GroupConfigAlteration.write(broker, context, resource, image, validateOnly);
                } else {
                    MetadataImage.TopicImage topic = throwIfNotAlterable(resource.type(), resource.name(), image, resource.update());
                    UnaryOperator<Map<String, String>> update = resource.update().apply(topic.configs());
                    outcome = write(broker, topic.name(), update, validateOnly, context);
                }
                pending.add(outcome.thenAccept(resource.answer()));
            } catch (RuntimeException e) {
                resource.answer().accept(ResourceErrors.from(e, context, "config resource " + resource.name()));
            }
        }
        return CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0]));
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
