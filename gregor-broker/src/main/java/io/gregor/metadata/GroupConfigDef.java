package io.gregor.metadata;

import io.gregor.broker.NodeConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.errors.InvalidConfigurationException;

/**
 * The group configs (KIP-848, resource type GROUP) Gregor applies: a consumer group's session timeout and heartbeat
 * interval, each falling back to the broker's {@code group.consumer.*} value and bounded by its min/max keys, with
 * Kafka's names and messages. Kafka 4.4 also has share-group and streams-group keys; Gregor has neither kind of group,
 * so it refuses them as unknown rather than store what nothing reads. Immutable, any thread.
 */
public final class GroupConfigDef {

    /** One group config: an INT whose default is the broker key {@code brokerKey}, within {@code minKey}..{@code maxKey}. */
    public record Key(String name, String brokerKey, String minKey, String maxKey, String documentation) {
    }

    public static final String SESSION_TIMEOUT_MS = "consumer.session.timeout.ms";
    public static final String HEARTBEAT_INTERVAL_MS = "consumer.heartbeat.interval.ms";

    private static final Map<String, Key> KEYS = new LinkedHashMap<>();

    static {
        add(new Key(SESSION_TIMEOUT_MS, "group.consumer.session.timeout.ms", "group.consumer.min.session.timeout.ms",
                "group.consumer.max.session.timeout.ms",
                "How long the coordinator waits for a heartbeat from a member of this consumer group before it removes the member."));
        add(new Key(HEARTBEAT_INTERVAL_MS, "group.consumer.heartbeat.interval.ms", "group.consumer.min.heartbeat.interval.ms",
                "group.consumer.max.heartbeat.interval.ms", "How often the members of this consumer group are told to heartbeat."));
    }

    private GroupConfigDef() {
    }

    private static void add(Key key) {
        KEYS.put(key.name(), key);
    }

    public static Map<String, Key> keys() {
        return KEYS;
    }

    public static Optional<Key> key(String name) {
        return Optional.ofNullable(KEYS.get(name));
    }

    /** The value group configs {@code overrides} give {@code name}, else the broker's. */
    public static int effective(String name, Map<String, String> overrides, NodeConfig broker) {
        String value = overrides.get(name);
        return value != null ? Integer.parseInt(value.trim()) : broker.intValue(KEYS.get(name).brokerKey(), 1, Integer.MAX_VALUE);
    }

    /** Throws INVALID_CONFIG, in Kafka's words, unless {@code configs} is a valid set of a group's configs. */
    public static void throwIfInvalid(Map<String, String> configs, NodeConfig broker) {
        for (Map.Entry<String, String> e : configs.entrySet()) {
            Key key = KEYS.get(e.getKey());
            if (key == null) {
                throw new InvalidConfigurationException("Unknown group config name: " + e.getKey());
            }
            int value;
            try {
                value = Integer.parseInt(e.getValue().trim());
            } catch (NumberFormatException notInt) {
                throw new InvalidConfigurationException("Invalid value " + e.getValue() + " for configuration " + e.getKey()
                        + ": Not a number of type INT");
            }
            int min = broker.intValue(key.minKey(), 1, Integer.MAX_VALUE);
            int max = broker.intValue(key.maxKey(), 1, Integer.MAX_VALUE);
            if (value < min || value > max) {
                throw new InvalidConfigurationException(e.getKey() + " must be in the range " + min + " to " + max + " inclusive.");
            }
        }
        // Members must be told to heartbeat more often than they are timed out, checked as Kafka checks it: when the
        // group sets either (Kafka's default bounds make it impossible to get wrong).
        if ((configs.containsKey(SESSION_TIMEOUT_MS) || configs.containsKey(HEARTBEAT_INTERVAL_MS))
                && effective(SESSION_TIMEOUT_MS, configs, broker) <= effective(HEARTBEAT_INTERVAL_MS, configs, broker)) {
            throw new InvalidConfigurationException(SESSION_TIMEOUT_MS + " must be greater than " + HEARTBEAT_INTERVAL_MS);
        }
    }
}
