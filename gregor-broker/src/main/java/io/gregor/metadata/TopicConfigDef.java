package io.gregor.metadata;

import io.gregor.broker.NodeConfig;
import io.gregor.storage.LogConfig;
import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.internal.CompressionType;

/**
 * The topic-level configs Gregor knows, with Kafka's names, types and broker-level synonyms
 * ({@code retention.ms} falls back to {@code log.retention.ms}). Validates values for
 * CreateTopics and the AlterConfigs APIs; DescribeConfigs lists them all, in name order as Kafka does.
 * These are the configs Kafka 4.4 accepts for a topic; the tiered-storage and replication-throttle ones
 * are accepted and described as Kafka does with tiered storage off, and have no effect on one node.
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
     * {@code ServerTopicConfigSynonyms}), its fixed default for when there is no broker key or the
     * broker key has no value, Kafka's allowed values or range, and a check of its own where Kafka has one.
     */
    public record Entry(String name, Type type, String brokerSynonym, String fixedDefault, Set<String> allowed, long min,
                        long max, ValueRule rule) {
        Entry(String name, Type type, String brokerSynonym, String fixedDefault, Set<String> allowed, long min) {
            this(name, type, brokerSynonym, fixedDefault, allowed, min, Long.MAX_VALUE, ValueRule.NONE);
        }
    }

    /** A check beyond type and range (Kafka's custom ConfigDef validators); gets the trimmed, well-typed value. */
    @FunctionalInterface
    public interface ValueRule {
        ValueRule NONE = (name, value) -> Optional.empty();

        Optional<String> check(String name, String value);
    }

    private static final Map<String, Entry> ENTRIES = new TreeMap<>();
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

    static {
        // KIP-390: the level recompression to the topic's compression.type uses.
        add(new Entry(LogConfig.COMPRESSION_GZIP_LEVEL, Type.INT, LogConfig.COMPRESSION_GZIP_LEVEL,
                String.valueOf(CompressionType.GZIP.defaultLevel()), null, Integer.MIN_VALUE, Integer.MAX_VALUE,
                TopicConfigDef::checkGzipLevel));
        addRange(LogConfig.COMPRESSION_LZ4_LEVEL, LogConfig.COMPRESSION_LZ4_LEVEL, CompressionType.LZ4.defaultLevel(),
                CompressionType.LZ4.minLevel(), CompressionType.LZ4.maxLevel());
        addRange(LogConfig.COMPRESSION_ZSTD_LEVEL, LogConfig.COMPRESSION_ZSTD_LEVEL, CompressionType.ZSTD.defaultLevel(),
                CompressionType.ZSTD.minLevel(), CompressionType.ZSTD.maxLevel());
        addRange(LogConfig.MAX_DECOMPRESSED_MESSAGE_BYTES, LogConfig.MAX_DECOMPRESSED_MESSAGE_BYTES,
                LogConfig.DEFAULT_MAX_DECOMPRESSED_RECORD_BYTES, 1, LogConfig.DEFAULT_MAX_DECOMPRESSED_RECORD_BYTES);
        // Share-group dead-letter queues (KIP-1191): Gregor has no share groups, so the flag only describes.
        add("errors.deadletterqueue.group.enable", Type.BOOLEAN, null, "false", null, 0);
        // Replication throttles (KIP-73): nothing to throttle on one node, as in a Kafka without followers.
        add(new Entry("leader.replication.throttled.replicas", Type.LIST, null, "", null, 0, Long.MAX_VALUE,
                TopicConfigDef::checkThrottledReplicas));
        add(new Entry("follower.replication.throttled.replicas", Type.LIST, null, "", null, 0, Long.MAX_VALUE,
                TopicConfigDef::checkThrottledReplicas));
        // Tiered storage (KIP-405), which Gregor does not have: Kafka with remote.log.storage.system.enable=false
        // accepts these and checks local.retention.* against retention.* only for topics with remote storage.
        add("local.retention.bytes", Type.LONG, "log.local.retention.bytes", "-2", null, -2);
        add("local.retention.ms", Type.LONG, "log.local.retention.ms", "-2", null, -2);
        add("remote.copy.lag.bytes", Type.LONG, "log.remote.copy.lag.bytes", "-1", null, -1);
        add("remote.copy.lag.ms", Type.LONG, "log.remote.copy.lag.ms", "0", null, -1);
        add("remote.log.copy.disable", Type.BOOLEAN, null, "false", null, 0);
        add("remote.log.delete.on.disable", Type.BOOLEAN, null, "false", null, 0);
        add(new Entry("remote.storage.enable", Type.BOOLEAN, null, "false", null, 0, Long.MAX_VALUE,
                TopicConfigDef::checkRemoteStorageDisabled));
    }

    private TopicConfigDef() {
    }

    /** Allowed values in the order Kafka declares them, so error messages list them as Kafka does. */
    private static Set<String> ordered(String... values) {
        return Collections.unmodifiableSet(new LinkedHashSet<>(Arrays.asList(values)));
    }

    private static void add(String name, Type type, String synonym, String fixedDefault, Set<String> allowed, long min) {
        add(new Entry(name, type, synonym, fixedDefault, allowed, min));
    }

    private static void add(Entry e) {
        ENTRIES.put(e.name(), e);
    }

    private static void addRange(String name, String synonym, int fixedDefault, int min, int max) {
        add(new Entry(name, Type.INT, synonym, String.valueOf(fixedDefault), null, min, max, ValueRule.NONE));
    }

    /** Kafka's gzip level validator: zlib's 1..9, or -1 for zlib's default. */
    private static Optional<String> checkGzipLevel(String name, String value) {
        int level = Integer.parseInt(value);
        CompressionType gzip = CompressionType.GZIP;
        if ((level < gzip.minLevel() || level > gzip.maxLevel()) && level != gzip.defaultLevel()) {
            return Optional.of("Invalid value " + level + " for configuration " + name + ": Value must be between "
                    + gzip.minLevel() + " and " + gzip.maxLevel() + " or equal to " + gzip.defaultLevel());
        }
        return Optional.empty();
    }

    /** Kafka's ThrottledReplicaListValidator: "*" alone, or partitionId:brokerId items (empty items pass). */
    private static Optional<String> checkThrottledReplicas(String name, String value) {
        List<String> items = listItems(value);
        boolean pairs = true;
        for (String item : items) {
            pairs &= item.trim().matches("([0-9]+:[0-9]+)?");
        }
        if (pairs || String.join("", items).trim().equals("*")) {
            return Optional.empty();
        }
        return Optional.of("Invalid value " + items + " for configuration " + name + ": " + name
                + " must be the literal '*' or a list of replicas in the following format:"
                + " [partitionId]:[brokerId],[partitionId]:[brokerId],...");
    }

    /** Kafka's answer with remote.log.storage.system.enable=false, which is what Gregor has. */
    private static Optional<String> checkRemoteStorageDisabled(String name, String value) {
        if (value.equalsIgnoreCase("true")) {
            return Optional.of("Tiered Storage functionality is disabled in the broker. "
                    + "Topic cannot be configured with remote log storage.");
        }
        return Optional.empty();
    }

    /** Kafka's ConfigDef LIST parsing: blank is the empty list, else items split at commas with surrounding blanks. */
    private static List<String> listItems(String value) {
        String trimmed = value.trim();
        return trimmed.isEmpty() ? List.of() : Arrays.asList(trimmed.split("\\s*,\\s*", -1));
    }

    /**
     * A topic config's documentation as Kafka describes it (DescribeConfigs with includeDocumentation): kafka-clients'
     * TopicConfig holds each {@code X_CONFIG} name beside its {@code X_DOC} text (the two throttled-replica keys, which
     * Kafka documents elsewhere, have ours); null for a key without one.
     */
    public static String documentation(String name) {
        return Docs.BY_NAME.get(name);
    }

    /** Read from TopicConfig on first use (never on the start-up path). */
    private static final class Docs {
        static final Map<String, String> BY_NAME = read();

        private static Map<String, String> read() {
            Map<String, String> docs = new HashMap<>();
            for (Field f : TopicConfig.class.getFields()) {
                if (!f.getName().endsWith("_CONFIG") || f.getType() != String.class) {
                    continue;
                }
                try {
                    Field doc = TopicConfig.class.getField(f.getName().substring(0, f.getName().length() - "_CONFIG".length()) + "_DOC");
                    docs.put((String) f.get(null), (String) doc.get(null));
                } catch (NoSuchFieldException e) {
                    // a key without documentation of its own
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
            // Kafka documents these two in its broker code, not in kafka-clients: our own words.
            docs.put("leader.replication.throttled.replicas", "Replicas whose replication is throttled on the leader's"
                    + " side: partitionId:brokerId pairs separated by commas, or * for every replica of the topic. Kept and"
                    + " described; a single Gregor node has no replication to throttle.");
            docs.put("follower.replication.throttled.replicas", "Replicas whose replication is throttled on the"
                    + " follower's side: partitionId:brokerId pairs separated by commas, or * for every replica of the"
                    + " topic. Kept and described; a single Gregor node has no replication to throttle.");
            return Map.copyOf(docs);
        }
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
            case "log.roll.jitter.ms" -> String.valueOf(broker.rollJitterMs());
            default -> {
                String v = broker.get(e.brokerSynonym());
                yield v != null ? v : e.fixedDefault();
            }
        };
        return value == null || value.isBlank() ? e.fixedDefault() : value;
    }

    /**
     * The checks Kafka's LogConfig.validateValues makes across keys, on a topic's overrides over the broker's defaults:
     * min.compaction.lag.ms must not exceed max.compaction.lag.ms. Empty when they agree; the values must each be valid.
     */
    public static Optional<String> validateTogether(Map<String, String> overrides, NodeConfig config) {
        long min = Long.parseLong(effective("min.compaction.lag.ms", overrides, config).trim());
        long max = Long.parseLong(effective("max.compaction.lag.ms", overrides, config).trim());
        if (min > max) {
            return Optional.of("conflict topic config setting min.compaction.lag.ms (" + min + ") > max.compaction.lag.ms ("
                    + max + ")");
        }
        return Optional.empty();
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
                    Optional<String> outOfRange = checkRange(e, Integer.parseInt(v));
                    if (outOfRange.isPresent()) {
                        return outOfRange;
                    }
                }
                case LONG -> {
                    Optional<String> outOfRange = checkRange(e, Long.parseLong(v));
                    if (outOfRange.isPresent()) {
                        return outOfRange;
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
                        // ConfigDef trims a STRING before its validator sees it, and quotes what it saw.
                        return Optional.of("Invalid value " + v + " for configuration " + name + ": String must be one of: "
                                + String.join(", ", e.allowed()));
                    }
                }
                case LIST -> {
                    // An empty list is valid (KAFKA-19112: cleanup.policy= keeps every segment); an empty item is not.
                    for (String item : e.allowed() == null ? List.<String>of() : listItems(v)) {
                        if (item.isEmpty()) {
                            return Optional.of("Configuration '" + name + "' values must not be empty.");
                        }
                        if (!e.allowed().contains(item)) {
                            return Optional.of("Invalid value " + item + " for configuration " + name + ": String must be one of: "
                                    + String.join(", ", e.allowed()));
                        }
                    }
                }
            }
        } catch (NumberFormatException ex) {
            return Optional.of("Invalid value " + value + " for configuration " + name + ": Not a number of type " + e.type());
        }
        return e.rule().check(name, v);
    }

    /** Kafka's ConfigDef.Range messages, which quote the parsed number (so "+1000 " reads 1000). */
    private static Optional<String> checkRange(Entry e, long n) {
        if (n < e.min()) {
            return Optional.of("Invalid value " + n + " for configuration " + e.name() + ": Value must be at least " + e.min());
        }
        if (n > e.max()) {
            return Optional.of("Invalid value " + n + " for configuration " + e.name() + ": Value must be no more than " + e.max());
        }
        return Optional.empty();
    }

    /**
     * Validates at start-up the broker keys that only serve as topic defaults (an entry with both a broker synonym and
     * a fixed default: compression.gzip.level, log.local.retention.ms, ...) with the topic key's rules, as Kafka's
     * broker config does; a bad value would otherwise fail every topic's log later.
     *
     * @throws IllegalArgumentException naming the broker key, its value and the rule
     */
    public static void throwIfInvalidBrokerDefaults(NodeConfig broker) {
        for (Entry e : ENTRIES.values()) {
            String value = e.brokerSynonym() == null || e.fixedDefault() == null ? null : broker.get(e.brokerSynonym());
            // Blank means unset (a key whose Kafka default is null, such as log.flush.interval.ms): the fixed default holds.
            Optional<String> error = value == null || value.isBlank() ? Optional.empty() : validate(e.name(), value);
            if (error.isPresent()) {
                throw new IllegalArgumentException(e.brokerSynonym() + ": '" + value + "' (" + error.get() + ")");
            }
        }
    }

    /** The segment size a topic's log uses: internal.segment.bytes when set, else segment.bytes. */
    public static int segmentBytes(Map<String, String> overrides, NodeConfig broker) {
        String internal = overrides.get(INTERNAL_SEGMENT_BYTES);
        return Integer.parseInt(internal != null ? internal.trim() : effective("segment.bytes", overrides, broker));
    }

    /**
     * A value as Kafka describes it: parsed with its type and written back (ConfigDef.convertToString), so an override
     * stored as {@code TRUE}, {@code +100}, {@code 0.50} or {@code compact, delete} is described as {@code true},
     * {@code 100}, {@code 0.5} and {@code compact,delete}. A value that does not parse is shown as it is.
     */
    public static String described(String name, String value) {
        Entry e = entries().get(name);
        if (value == null || e == null) {
            return value;
        }
        String v = value.trim();
        try {
            return switch (e.type()) {
                case BOOLEAN -> v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false") ? v.toLowerCase(Locale.ROOT) : value;
                case INT, LONG -> String.valueOf(Long.parseLong(v));
                case DOUBLE -> String.valueOf(Double.parseDouble(v));
                case LIST -> v.isEmpty() ? "" : String.join(",", v.split("\\s*,\\s*", -1));
                case STRING -> v;
            };
        } catch (NumberFormatException ex) {
            return value;
        }
    }

    /** Effective value: the topic's override, else the default. */
    public static String effective(String name, Map<String, String> overrides, NodeConfig broker) {
        String v = overrides.get(name);
        return v != null ? v : defaultValue(ENTRIES.get(name), broker);
    }
}
