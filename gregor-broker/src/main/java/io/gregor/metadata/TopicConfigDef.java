package io.gregor.metadata;

import io.gregor.broker.NodeConfig;
import io.gregor.storage.LogConfig;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The topic-level configs Gregor knows, with Kafka's names, types and broker-level synonyms
 * ({@code retention.ms} falls back to {@code log.retention.ms}). Validates values for
 * CreateTopics and the AlterConfigs APIs; DescribeConfigs lists them all.
 */
public final class TopicConfigDef {

    /** Kafka's {@code DescribeConfigsResponse.ConfigType} ids. */
    public enum Type {
        BOOLEAN(1), STRING(2), INT(3), LONG(5), DOUBLE(6), LIST(7);

        public final byte id;

        Type(int id) {
            this.id = (byte) id;
        }
    }

    /**
     * One topic config: its type, the broker key it defaults to (Kafka's
     * {@code ServerTopicConfigSynonyms}), and its fixed default for when there is no broker key or
     * the broker key has no value.
     */
    public record Entry(String name, Type type, String brokerSynonym, String fixedDefault, Set<String> allowed, long min) {
    }

    private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();
    /** Kafka 4's floor for segment.bytes and log.segment.bytes (KIP-1030). */
    public static final int MIN_SEGMENT_BYTES = 1024 * 1024;
    /**
     * Kafka's internal topic config for segments below {@link #MIN_SEGMENT_BYTES} (tests): accepted
     * by CreateTopics and the alter APIs, wins over segment.bytes, never described.
     */
    public static final String INTERNAL_SEGMENT_BYTES = "internal.segment.bytes";
    private static final Entry INTERNAL_SEGMENT_BYTES_ENTRY =
            new Entry(INTERNAL_SEGMENT_BYTES, Type.INT, null, null, null, 14);

    static {
        add("cleanup.policy", Type.LIST, "log.cleanup.policy", null, ordered("compact", "delete"), 0);
        add("compression.type", Type.STRING, "compression.type", "producer", ordered(LogConfig.COMPRESSION_TYPES.toArray(String[]::new)), 0);
        add("delete.retention.ms", Type.LONG, "log.cleaner.delete.retention.ms", "86400000", null, 0);
        add("file.delete.delay.ms", Type.LONG, "log.segment.delete.delay.ms", null, null, 0);
        add("flush.messages", Type.LONG, "log.flush.interval.messages", String.valueOf(Long.MAX_VALUE), null, 1);
        add("flush.ms", Type.LONG, "log.flush.interval.ms", String.valueOf(Long.MAX_VALUE), null, 0);
        add("index.interval.bytes", Type.INT, "log.index.interval.bytes", null, null, 0);
        add("max.compaction.lag.ms", Type.LONG, "log.cleaner.max.compaction.lag.ms", String.valueOf(Long.MAX_VALUE), null, 1);
        add("max.message.bytes", Type.INT, "message.max.bytes", null, null, 0);
        add("message.timestamp.after.max.ms", Type.LONG, "log.message.timestamp.after.max.ms", null, null, 0);
        add("message.timestamp.before.max.ms", Type.LONG, "log.message.timestamp.before.max.ms", null, null, 0);
        add("message.timestamp.type", Type.STRING, "log.message.timestamp.type", null, ordered("CreateTime", "LogAppendTime"), 0);
        add("min.cleanable.dirty.ratio", Type.DOUBLE, "log.cleaner.min.cleanable.ratio", "0.5", null, 0);
        add("min.compaction.lag.ms", Type.LONG, "log.cleaner.min.compaction.lag.ms", "0", null, 0);
        add("min.insync.replicas", Type.INT, "min.insync.replicas", null, null, 1);
        add("preallocate", Type.BOOLEAN, "log.preallocate", "false", null, 0);
        add("retention.bytes", Type.LONG, "log.retention.bytes", null, null, Long.MIN_VALUE);
        add("retention.ms", Type.LONG, "log.retention.ms", null, null, -1);
        add("segment.bytes", Type.INT, "log.segment.bytes", null, null, MIN_SEGMENT_BYTES);
        add("segment.index.bytes", Type.INT, "log.index.size.max.bytes", null, null, 4);
        add("segment.jitter.ms", Type.LONG, "log.roll.jitter.ms", "0", null, 0);
        add("segment.ms", Type.LONG, "log.roll.ms", null, null, 1);
        add("unclean.leader.election.enable", Type.BOOLEAN, "unclean.leader.election.enable", "false", null, 0);
    }

    private TopicConfigDef() {
    }

    /** Allowed values in the order Kafka declares them, so error messages list them as Kafka does. */
    private static Set<String> ordered(String... values) {
        return Collections.unmodifiableSet(new LinkedHashSet<>(Arrays.asList(values)));
    }

    private static void add(String name, Type type, String synonym, String fixedDefault, Set<String> allowed, long min) {
        ENTRIES.put(name, new Entry(name, type, synonym, fixedDefault, allowed, min));
    }

    public static Map<String, Entry> entries() {
        return ENTRIES;
    }

    public static Optional<Entry> entry(String name) {
        return Optional.ofNullable(ENTRIES.get(name));
    }

    /** The value a topic gets when it has no override: the broker's setting, else the fixed default. */
    public static String defaultValue(Entry e, NodeConfig broker) {
        if (e.brokerSynonym() == null) {
            return e.fixedDefault();
        }
        String value = switch (e.brokerSynonym()) {
            case "log.retention.ms" -> String.valueOf(broker.retentionMs());
            case "log.roll.ms" -> String.valueOf(broker.rollMs());
            default -> broker.get(e.brokerSynonym());
        };
        return value == null || value.isBlank() ? e.fixedDefault() : value;
    }

    /**
     * Checks one override; returns an error message in Kafka's style, or empty when valid.
     * A null value (delete) is always valid for a known key.
     */
    public static Optional<String> validate(String name, String value) {
        Entry e = name.equals(INTERNAL_SEGMENT_BYTES) ? INTERNAL_SEGMENT_BYTES_ENTRY : ENTRIES.get(name);
        if (e == null) {
            return Optional.of("Unknown topic config name: " + name);
        }
        if (value == null) {
            return Optional.empty();
        }
        String v = value.trim();
        try {
            switch (e.type()) {
                case INT -> {
                    long n = Integer.parseInt(v);
                    if (n < e.min()) {
                        return Optional.of("Invalid value " + value + " for configuration " + name + ": Value must be at least " + e.min());
                    }
                }
                case LONG -> {
                    long n = Long.parseLong(v);
                    if (n < e.min()) {
                        return Optional.of("Invalid value " + value + " for configuration " + name + ": Value must be at least " + e.min());
                    }
                }
                case DOUBLE -> {
                    double d = Double.parseDouble(v);
                    if (d < 0) {
                        return Optional.of("Invalid value " + d + " for configuration " + name + ": Value must be at least 0");
                    }
                    if (d > 1) {
                        return Optional.of("Invalid value " + d + " for configuration " + name + ": Value must be no more than 1");
                    }
                }
                case BOOLEAN -> {
                    String b = v.toLowerCase(Locale.ROOT);
                    if (!b.equals("true") && !b.equals("false")) {
                        return Optional.of("Invalid value " + value + " for configuration " + name + ": Expected value to be either true or false");
                    }
                }
                case STRING -> {
                    if (e.allowed() != null && !e.allowed().contains(v)) {
                        return Optional.of("Invalid value " + value + " for configuration " + name + ": String must be one of: "
                                + String.join(", ", e.allowed()));
                    }
                }
                case LIST -> {
                    for (String item : v.split(",")) {
                        if (e.allowed() != null && !e.allowed().contains(item.trim())) {
                            return Optional.of("Invalid value " + item.trim() + " for configuration " + name + ": String must be one of: "
                                    + String.join(", ", e.allowed()));
                        }
                    }
                }
            }
        } catch (NumberFormatException ex) {
            return Optional.of("Invalid value " + value + " for configuration " + name + ": Not a number of type " + e.type());
        }
        return Optional.empty();
    }

    /** The segment size a topic's log uses: internal.segment.bytes when set, else segment.bytes. */
    public static int segmentBytes(Map<String, String> overrides, NodeConfig broker) {
        String internal = overrides.get(INTERNAL_SEGMENT_BYTES);
        return Integer.parseInt(internal != null ? internal.trim() : effective("segment.bytes", overrides, broker));
    }

    /** Effective value: the topic's override, else the default. */
    public static String effective(String name, Map<String, String> overrides, NodeConfig broker) {
        String v = overrides.get(name);
        return v != null ? v : defaultValue(ENTRIES.get(name), broker);
    }
}
