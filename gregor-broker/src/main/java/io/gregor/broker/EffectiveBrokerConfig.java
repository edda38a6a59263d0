package io.gregor.broker;

import io.gregor.metadata.MetadataImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;

/**
 * This node's broker configs at one metadata image: the static {@link NodeConfig} with the dynamic
 * values of the metadata log laid over it (KIP-226: this broker's own values win over the
 * cluster-wide defaults, which win over the static config), and where each value comes from.
 * Built once per change of the dynamic configs by {@link DynamicBrokerConfig}; immutable, any thread.
 */
public final class EffectiveBrokerConfig {

    /** One place a config value comes from, as DescribeConfigs lists it. */
    public record Synonym(String name, String value, ConfigSource source) {
    }

    private final NodeConfig staticConfig;
    private final Map<String, String> clusterDefault;
    private final Map<String, String> thisBroker;
    private final NodeConfig effective;
    private final List<String> ignored;

    private EffectiveBrokerConfig(NodeConfig staticConfig, Map<String, String> clusterDefault, Map<String, String> thisBroker,
                                  NodeConfig effective, List<String> ignored) {
        this.staticConfig = staticConfig;
        this.clusterDefault = clusterDefault;
        this.thisBroker = thisBroker;
        this.effective = effective;
        this.ignored = ignored;
    }

    public static EffectiveBrokerConfig of(NodeConfig staticConfig, MetadataImage image) {
        Map<String, String> clusterDefault = image.brokerConfigs(MetadataImage.CLUSTER_DEFAULT);
        Map<String, String> thisBroker = image.brokerConfigs(String.valueOf(staticConfig.nodeId()));
        try {
            return new EffectiveBrokerConfig(staticConfig, clusterDefault, thisBroker,
                    staticConfig.withDynamic(clusterDefault, thisBroker), List.of());
        } catch (IllegalArgumentException e) {
            List<String> ignored = new ArrayList<>();
            NodeConfig effective = skippingInvalid(staticConfig, clusterDefault, thisBroker, ignored);
            return new EffectiveBrokerConfig(staticConfig, clusterDefault, thisBroker, effective, List.copyOf(ignored));
        }
    }

    /**
     * Values are validated before they are written, so this runs only for a log written by a
     * version that accepted a value this one refuses: keep every value that still holds, and say
     * in {@code ignored} why each other one is left out.
     */
    private static NodeConfig skippingInvalid(NodeConfig staticConfig, Map<String, String> clusterDefault,
                                              Map<String, String> thisBroker, List<String> ignored) {
        Map<String, String> merged = new LinkedHashMap<>(clusterDefault);
        merged.putAll(thisBroker);
        NodeConfig config = staticConfig;
        for (Map.Entry<String, String> e : merged.entrySet()) {
            try {
                config = config.withDynamic(Map.of(), Map.of(e.getKey(), e.getValue()));
            } catch (IllegalArgumentException skipped) {
                ignored.add(skipped.getMessage());
            }
        }
        return config;
    }

    /** Whether {@code image} holds the same dynamic values for this node as the ones this was built from. */
    boolean isBuiltFrom(MetadataImage image) {
        return clusterDefault.equals(image.brokerConfigs(MetadataImage.CLUSTER_DEFAULT))
                && thisBroker.equals(image.brokerConfigs(String.valueOf(staticConfig.nodeId())));
    }

    /** Why each stored dynamic value left out of {@link #effective()} is invalid; empty when all hold. */
    public List<String> ignored() {
        return ignored;
    }

    /** What the node runs with now. */
    public NodeConfig effective() {
        return effective;
    }

    public NodeConfig staticConfig() {
        return staticConfig;
    }

    /** The dynamic values of the cluster-wide default resource (BROKER ""). */
    public Map<String, String> clusterDefault() {
        return clusterDefault;
    }

    /** The dynamic values of this broker's own resource (BROKER "id"). */
    public Map<String, String> thisBroker() {
        return thisBroker;
    }

    /**
     * Where a broker key's value comes from, strongest first, as Kafka's {@code ConfigHelper}
     * lists it: each source in turn (this broker, cluster default, static config, built-in
     * default), and within it each of {@link BrokerConfigDef#synonyms}. Like Kafka, the list starts
     * at the first entry for {@code name} itself: when only {@code log.retention.hours} has a
     * value, {@code log.retention.ms} has no synonyms.
     */
    public List<Synonym> synonyms(String name) {
        List<String> names = BrokerConfigDef.synonyms(name);
        List<Synonym> out = new ArrayList<>();
        addFrom(thisBroker, names, ConfigSource.DYNAMIC_BROKER_CONFIG, out);
        addFrom(clusterDefault, names, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, out);
        for (String n : names) {
            if (staticConfig.isSetByOperator(n)) {
                out.add(new Synonym(n, staticConfig.get(n), ConfigSource.STATIC_BROKER_CONFIG));
            }
        }
        for (String n : names) {
            String def = BrokerConfigDef.key(n).map(BrokerConfigDef.Key::defaultValue).orElse(null);
            if (def != null) {
                out.add(new Synonym(n, def, ConfigSource.DEFAULT_CONFIG));
            }
        }
        int first = 0;
        while (first < out.size() && !out.get(first).name().equals(name)) {
            first++;
        }
        return out.subList(first, out.size());
    }

    private static void addFrom(Map<String, String> values, List<String> names, ConfigSource source, List<Synonym> out) {
        for (String n : names) {
            String v = values.get(n);
            if (v != null) {
                out.add(new Synonym(n, v, source));
            }
        }
    }
}
