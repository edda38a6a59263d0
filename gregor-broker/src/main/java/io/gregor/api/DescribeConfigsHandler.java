package io.gregor.api;

import io.gregor.broker.BrokerConfigDef;
import io.gregor.broker.EffectiveBrokerConfig;
import io.gregor.broker.NodeConfig;
import io.gregor.metadata.Controller;
import io.gregor.metadata.GroupConfigDef;
import io.gregor.metadata.MetadataImage;
import io.gregor.metadata.TopicConfigDef;
import io.gregor.network.RequestContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
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
 *       The synonyms and the source are Kafka's ({@code ConfigHelper}): the topic override
 *       (DYNAMIC_TOPIC_CONFIG), then the broker key the topic falls back to from each broker
 *       source ({@link EffectiveBrokerConfig#synonyms}); the source is the first synonym's, else
 *       DEFAULT_CONFIG.</li>
 *   <li>BROKER: name = this node id lists every {@link BrokerConfigDef} key with its current value,
 *       type, synonyms, whether it can change at runtime (readOnly) and, when asked, its
 *       documentation. "" is the cluster-wide default: only its dynamic values. Another id is
 *       INVALID_REQUEST.</li>
 *   <li>BROKER_LOGGER: name = this node id lists this process's loggers and their effective
 *       levels ({@link io.gregor.broker.RuntimeLogLevels}).</li>
 *   <li>GROUP: any group id but "" lists the {@link GroupConfigDef} keys, the group's value
 *       (GROUP_CONFIG) or the broker's.</li>
 * </ul>
 * A key Gregor does not know (an operator's typo, or a dynamic key stored for Kafka parity) is
 * listed as Kafka lists it: untyped, read-only and sensitive, without a value.
 * Every resource gets its own error; one bad resource never fails the rest.
 */
final class DescribeConfigsHandler implements ApiHandler {

    private final BrokerServices broker;

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
        EffectiveBrokerConfig brokerConfig = broker.dynamicConfig().at(image);
        DescribeConfigsResponseData response = new DescribeConfigsResponseData().setThrottleTimeMs(0);
        for (DescribeConfigsRequestData.DescribeConfigsResource resource : request.resources()) {
            DescribeConfigsResult result = new DescribeConfigsResult()
                    .setResourceType(resource.resourceType())
                    .setResourceName(resource.resourceName())
                    .setErrorCode(Errors.NONE.code());
            response.results().add(result);
            Set<String> keys = resource.configurationKeys() == null || resource.configurationKeys().isEmpty()
                    ? null : new HashSet<>(resource.configurationKeys());
            Listing listing = new Listing(keys, request.includeSynonyms(), request.includeDocumentation(), result);
            try {
                switch (ConfigResource.Type.forId(resource.resourceType())) {
                    case TOPIC -> describeTopic(image, brokerConfig, resource.resourceName(), listing);
                    case BROKER -> describeBroker(brokerConfig, resource.resourceName(), listing);
                    case BROKER_LOGGER -> describeLoggers(resource.resourceName(), listing);
                    case GROUP -> describeGroup(image, brokerConfig, resource.resourceName(), listing);
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

    /** What the request asked to see of one resource, and where its entries go. */
    private record Listing(Set<String> keys, boolean includeSynonyms, boolean includeDocumentation, DescribeConfigsResult result) {

        boolean wants(String name) {
            return keys == null || keys.contains(name);
        }

        /** Adds one entry; its source is the first synonym's, as in Kafka. */
        void add(String name, String value, boolean readOnly, boolean sensitive, ConfigType type, String documentation,
                 List<EffectiveBrokerConfig.Synonym> synonyms) {
            byte source = synonyms.isEmpty() ? ConfigSource.DEFAULT_CONFIG.id() : synonyms.get(0).source().id();
            DescribeConfigsResourceResult entry = new DescribeConfigsResourceResult()
                    .setName(name)
                    .setValue(sensitive ? null : value)
                    .setReadOnly(readOnly)
                    .setIsSensitive(sensitive)
                    .setConfigSource(source)
                    .setConfigType(type.id())
                    .setDocumentation(includeDocumentation ? documentation : null);
            if (includeSynonyms) {
                for (EffectiveBrokerConfig.Synonym s : synonyms) {
                    entry.synonyms().add(new DescribeConfigsSynonym()
                            .setName(s.name()).setValue(sensitive ? null : s.value()).setSource(s.source().id()));
                }
            }
            result.configs().add(entry);
        }
    }

    private void describeTopic(MetadataImage image, EffectiveBrokerConfig brokerConfig, String name, Listing listing) {
        DescribeConfigsResult result = listing.result();
        try {
            Controller.throwIfInvalidTopicName(name);
        } catch (InvalidTopicException e) {
            result.setErrorCode(Errors.INVALID_TOPIC_EXCEPTION.code()).setErrorMessage(e.getMessage());
            return;
        }
        Optional<MetadataImage.TopicImage> topic = image.topic(name);
        if (topic.isEmpty()) {
            result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code()).setErrorMessage(""); // as Kafka
            return;
        }
        Map<String, String> overrides = topic.get().configs();
        for (TopicConfigDef.Entry e : TopicConfigDef.entries().values()) {
            if (!listing.wants(e.name())) {
                continue;
            }
            List<EffectiveBrokerConfig.Synonym> synonyms = topicSynonyms(e, overrides, brokerConfig);
            listing.add(e.name(), TopicConfigDef.described(e.name(), TopicConfigDef.effective(e.name(), overrides,
                            brokerConfig.effective())), false, false,
                    ConfigType.valueOf(e.type().name()), TopicConfigDef.documentation(e.name()), synonyms);
        }
    }

    /**
     * A group's configs, whether or not the group exists (as Kafka): each {@link GroupConfigDef} key with the group's
     * value (GROUP_CONFIG) or else the broker's {@code group.consumer.*} one.
     */
    private void describeGroup(MetadataImage image, EffectiveBrokerConfig brokerConfig, String groupId, Listing listing) {
        if (groupId == null || groupId.isEmpty()) {
            throw new InvalidRequestException("Group name must not be empty");
        }
        Map<String, String> overrides = image.groupConfigs(groupId);
        for (GroupConfigDef.Key key : GroupConfigDef.keys().values()) {
            if (!listing.wants(key.name())) {
                continue;
            }
            List<EffectiveBrokerConfig.Synonym> synonyms = new ArrayList<>();
            String override = overrides.get(key.name());
            if (override != null) {
                synonyms.add(new EffectiveBrokerConfig.Synonym(key.name(), override, ConfigSource.GROUP_CONFIG));
            }
            synonyms.addAll(brokerConfig.synonyms(key.brokerKey()));
            listing.add(key.name(), String.valueOf(GroupConfigDef.effective(key.name(), overrides, brokerConfig.effective())),
                    false, false, ConfigType.INT, key.documentation(), synonyms);
        }
    }

    /**
     * Where a topic config's value comes from, first match first: the topic's override, then the
     * broker keys it falls back to; the config's source is the first one's, else DEFAULT_CONFIG.
     */
    static List<EffectiveBrokerConfig.Synonym> topicSynonyms(TopicConfigDef.Entry e, Map<String, String> overrides,
                                                           EffectiveBrokerConfig brokerConfig) {
        List<EffectiveBrokerConfig.Synonym> synonyms = new ArrayList<>();
        String override = overrides.get(e.name());
        if (override != null) {
            synonyms.add(new EffectiveBrokerConfig.Synonym(e.name(), TopicConfigDef.described(e.name(), override),
                    ConfigSource.TOPIC_CONFIG));
        }
        if (e.brokerSynonym() != null) {
            synonyms.addAll(brokerConfig.synonyms(e.brokerSynonym()));
        }
        return synonyms;
    }

    private void describeBroker(EffectiveBrokerConfig brokerConfig, String name, Listing listing) {
        if (name == null || name.isEmpty()) {
            // The cluster-wide default resource lists its dynamic values only (Kafka's ConfigHelper).
            brokerConfig.clusterDefault().forEach((key, value) -> {
                if (listing.wants(key)) {
                    addBrokerKey(key, value,
                            List.of(new EffectiveBrokerConfig.Synonym(key, value, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG)), listing);
                }
            });
            return;
        }
        if (brokerId(name) != broker.nodeId()) {
            throw new InvalidRequestException("Unexpected broker id, expected " + broker.nodeId()
                    + " or empty string, but received " + name);
        }
        Set<String> names = new TreeSet<>(BrokerConfigDef.keys().keySet());
        names.addAll(brokerConfig.staticConfig().unknownKeys());
        names.addAll(brokerConfig.clusterDefault().keySet());
        names.addAll(brokerConfig.thisBroker().keySet());
        NodeConfig effective = brokerConfig.effective();
        for (String key : names) {
            if (listing.wants(key)) {
                String value = effective.get(key);
                addBrokerKey(key, value == null || value.isBlank() ? null : value, brokerConfig.synonyms(key), listing);
            }
        }
    }

    private static int brokerId(String name) {
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("Broker id must be an integer, but it is: " + name);
        }
    }

    /**
     * This process's loggers and their effective levels, each as Kafka lists one: source
     * DYNAMIC_BROKER_LOGGER_CONFIG, writable, not sensitive, no synonyms, type and documentation
     * left unset.
     */
    private void describeLoggers(String name, Listing listing) {
        if (name == null || name.isEmpty()) {
            throw new InvalidRequestException("Broker id must not be empty");
        }
        if (brokerId(name) != broker.nodeId()) {
            throw new InvalidRequestException("Unexpected broker id, expected " + broker.nodeId() + " but received " + name);
        }
        broker.logLevels().effectiveLevels().forEach((logger, level) -> {
            if (listing.wants(logger)) {
                listing.result().configs().add(new DescribeConfigsResourceResult()
                        .setName(logger)
                        .setValue(level)
                        .setReadOnly(false)
                        .setIsSensitive(false)
                        .setConfigSource(ConfigSource.DYNAMIC_BROKER_LOGGER_CONFIG.id()));
            }
        });
    }

    /** A broker key as its definition says; an unknown one untyped, read-only and sensitive, as Kafka does. */
    private static void addBrokerKey(String key, String value, List<EffectiveBrokerConfig.Synonym> synonyms, Listing listing) {
        Optional<BrokerConfigDef.Key> def = BrokerConfigDef.key(key);
        if (BrokerConfigDef.isQuotaKey(key)) { // listed once set, as Kafka lists them: a writable LONG
            listing.add(key, value, false, false, ConfigType.LONG, null, synonyms);
            return;
        }
        if (def.isEmpty()) {
            listing.add(key, null, true, true, ConfigType.UNKNOWN, null, synonyms);
            return;
        }
        listing.add(key, value, !def.get().dynamic(), false, ConfigType.valueOf(def.get().type().name()),
                def.get().documentation(), synonyms);
    }
}
