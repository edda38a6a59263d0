package io.gregor.broker;

import io.gregor.network.ConnectionLimits;
import io.gregor.storage.LogConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The node's immutable configuration, validated once at start-up. Keys are Apache Kafka's
 * broker keys wherever the meaning is the same, so what operators know carries over.
 * Unknown keys are kept (and reported by {@link #unknownKeys()}) rather than rejected, as Kafka does.
 */
public final class NodeConfig {

    /** Gregor's own key: acks=all is acknowledged only once fsynced (group commit). false = Kafka's page-cache behaviour. */
    public static final String FLUSH_BEFORE_ACK = "log.flush.before.ack";

    private static final Map<String, String> DEFAULTS = defaults();
    private static final Set<String> KNOWN = Set.copyOf(DEFAULTS.keySet());
    /** Kafka keys accepted, validated and described, whose limit Gregor does not apply (the README says so). */
    private static final List<String> NOT_ENFORCED = List.of("max.connection.creation.rate");

    private final Map<String, String> values;
    private final int nodeId;
    private final List<Endpoint> listeners;
    private final List<Endpoint> advertisedListeners;
    private final List<Endpoint> controllerListeners;
    private final Path logDir;

    /** A listener endpoint: {@code PLAINTEXT://host:port}; an empty host binds every interface. */
    public record Endpoint(String name, String host, int port) {
        @Override
        public String toString() {
            return name + "://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /**
     * @param base a config with the same listener keys whose resolved listeners are reused (dynamic
     *             configs cannot change them), so that the local host name is looked up once; or null
     */
    private NodeConfig(Map<String, String> values, NodeConfig base) {
        this.values = Collections.unmodifiableMap(values);
        this.nodeId = intValue("node.id", 0, Integer.MAX_VALUE);
        if (base != null && sameListenerKeys(base)) {
            this.listeners = base.listeners;
            this.controllerListeners = base.controllerListeners;
            this.advertisedListeners = base.advertisedListeners;
        } else {
            Set<String> controllerNames = Set.copyOf(ListenerParser.names(get("controller.listener.names")));
            List<Endpoint> all = ListenerParser.parse("listeners", get("listeners"));
            this.controllerListeners = all.stream().filter(e -> controllerNames.contains(e.name())).toList();
            this.listeners = ListenerParser.brokerListeners("listeners", get("listeners"), all, controllerNames);
            this.advertisedListeners = advertisedListeners(controllerNames);
        }
        String dirs = get("log.dirs");
        if (dirs == null || dirs.isBlank()) {
            dirs = get("log.dir");
        }
        if (dirs.contains(",")) {
            throw new IllegalArgumentException("log.dirs: '" + dirs + "' (expected: one directory; several log dirs are not supported yet)");
        }
        this.logDir = Path.of(dirs.trim());
        // Validate everything eagerly so a typo fails at start-up, not on first use.
        intValue("num.partitions", 1, Integer.MAX_VALUE);
        intValue("default.replication.factor", 1, Short.MAX_VALUE);
        boolValue("auto.create.topics.enable");
        boolValue(FLUSH_BEFORE_ACK);
        retentionMs();
        longValue("log.retention.bytes", Long.MIN_VALUE, Long.MAX_VALUE); // any negative value: unlimited
        intValue("log.segment.bytes", 1024 * 1024, Integer.MAX_VALUE); // Kafka 4's floor (KIP-1030)
        rollMs();
        rollJitterMs();
        intValue("message.max.bytes", 0, Integer.MAX_VALUE);
        intValue("socket.request.max.bytes", 1, Integer.MAX_VALUE);
        intValue("fetch.max.bytes", 1024, Integer.MAX_VALUE);
        longValue("connections.max.idle.ms", -1, Long.MAX_VALUE);
        connectionLimits();
        intValue("max.connection.creation.rate", 0, Integer.MAX_VALUE);
        intValue("num.io.threads", 1, 256);
        intValue("num.network.threads", 1, 256);
        longValue("log.retention.check.interval.ms", 1, Long.MAX_VALUE);
        longValue("log.cleaner.backoff.ms", 1, Long.MAX_VALUE);
        longValue("log.cleaner.dedupe.buffer.size", 1 << 20, Long.MAX_VALUE);
        timestampType();
        intValue("log.index.interval.bytes", 0, Integer.MAX_VALUE);
        intValue("log.index.size.max.bytes", 4, Integer.MAX_VALUE);
        longValue("log.message.timestamp.after.max.ms", 0, Long.MAX_VALUE);
        longValue("log.message.timestamp.before.max.ms", 0, Long.MAX_VALUE);
        longValue("log.segment.delete.delay.ms", 0, Long.MAX_VALUE);
        longValue("log.cleaner.delete.retention.ms", 0, Long.MAX_VALUE);
        longValue("log.cleaner.min.compaction.lag.ms", 0, Long.MAX_VALUE);
        longValue("log.cleaner.max.compaction.lag.ms", 1, Long.MAX_VALUE);
        doubleValue("log.cleaner.min.cleanable.ratio", 0, 1);
        intValue("min.insync.replicas", 1, Integer.MAX_VALUE);
        oneOf("log.cleanup.policy", List.of("compact", "delete"), true);
        oneOf("compression.type", LogConfig.COMPRESSION_TYPES, false);
        longValue("metadata.log.max.record.bytes.between.snapshots", 1, Long.MAX_VALUE); // Kafka's ranges
        longValue("metadata.log.max.snapshot.interval.ms", 0, Long.MAX_VALUE);
        longValue("metadata.max.retention.bytes", Long.MIN_VALUE, Long.MAX_VALUE);
        longValue("metadata.max.retention.ms", Long.MIN_VALUE, Long.MAX_VALUE);
        intValue("offsets.topic.num.partitions", 1, Integer.MAX_VALUE);
        intValue("offsets.topic.replication.factor", 1, Short.MAX_VALUE);
        intValue("offsets.topic.segment.bytes", 1, Integer.MAX_VALUE);
        longValue("offsets.retention.minutes", 1, Long.MAX_VALUE / 60_000);
        longValue("offsets.retention.check.interval.ms", 1, Long.MAX_VALUE);
        intValue("offset.metadata.max.bytes", 0, Integer.MAX_VALUE);
        intValue("group.initial.rebalance.delay.ms", 0, Integer.MAX_VALUE);
        intValue("group.min.session.timeout.ms", 0, Integer.MAX_VALUE);
        intValue("group.max.session.timeout.ms", 0, Integer.MAX_VALUE);
        intValue("group.max.size", 1, Integer.MAX_VALUE);
        io.gregor.group.GroupConfig.from(this);
        io.gregor.metadata.TopicConfigDef.throwIfInvalidBrokerDefaults(this);
    }

    private boolean sameListenerKeys(NodeConfig other) {
        for (String key : List.of("listeners", "advertised.listeners", "controller.listener.names")) {
            if (!Objects.equals(get(key), other.get(key))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Kafka's effectiveAdvertisedBrokerListeners: advertised.listeners, else listeners, without the
     * controller's; then, as Kafka's ListenerInfo.withWildcardHostnamesResolved, an empty host (bind
     * every interface) is advertised as this machine's canonical host name. 0.0.0.0 is refused as
     * Kafka's KafkaConfig.validateValues refuses it: clients cannot connect to it.
     */
    private List<Endpoint> advertisedListeners(Set<String> controllerNames) {
        String advertised = get("advertised.listeners");
        boolean fromListeners = advertised == null || advertised.isBlank();
        String key = fromListeners ? "listeners" : "advertised.listeners";
        String raw = fromListeners ? get("listeners") : advertised;
        List<Endpoint> endpoints = fromListeners ? listeners
                : ListenerParser.brokerListeners(key, raw, ListenerParser.parse(key, raw), controllerNames);
        List<Endpoint> out = new ArrayList<>();
        for (Endpoint e : endpoints) {
            if (e.host().equals("0.0.0.0")) {
                throw new IllegalArgumentException(fromListeners
                        ? "listeners: '" + e + "' would be advertised to clients as it is (advertised.listeners is not set),"
                                + " and they cannot connect to 0.0.0.0 (expected: advertised.listeners set to a host they can"
                                + " reach, e.g. advertised.listeners="
                                + e.name() + "://" + canonicalHostNameOr("my-host") + ":" + e.port() + ")"
                        : "advertised.listeners: '" + e + "' (expected: a host clients can reach, not 0.0.0.0)");
            }
            out.add(e.host().isEmpty() ? new Endpoint(e.name(), localCanonicalHostName(key, e), e.port()) : e);
        }
        return List.copyOf(out);
    }

    private static String localCanonicalHostName(String key, Endpoint e) {
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (UnknownHostException ex) {
            throw new IllegalArgumentException(key + ": '" + e + "' has no host, and this machine's name does not resolve ("
                    + ex.getMessage() + ") (expected: advertised.listeners set to a host clients can reach)");
        }
    }

    private static String canonicalHostNameOr(String fallback) {
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (UnknownHostException ex) {
            return fallback;
        }
    }

    /** Parses and validates; throws {@link IllegalArgumentException} with one clear line on a bad value. */
    public static NodeConfig parse(Map<String, String> overrides) {
        Map<String, String> merged = new LinkedHashMap<>(DEFAULTS);
        overrides.forEach((k, v) -> merged.put(k.trim(), v == null ? null : v.trim()));
        return new NodeConfig(merged, null);
    }

    public static NodeConfig defaultConfig() {
        return parse(Map.of());
    }

    /** Every known key with its default from {@link BrokerConfigDef}; "" stands for no default. */
    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        for (BrokerConfigDef.Key key : BrokerConfigDef.keys().values()) {
            d.put(key.name(), key.defaultValue() == null ? "" : key.defaultValue());
        }
        return d;
    }

    /** Whether the operator set {@code key} to something other than its default. */
    public boolean isSetByOperator(String key) {
        String value = values.get(key);
        return value != null && !value.isBlank() && !value.equals(DEFAULTS.get(key));
    }

    /**
     * This config with dynamic values (KIP-226) laid over it: the cluster-wide default, then this
     * broker's own value, which wins; the result is validated like a start-up config.
     *
     * @throws IllegalArgumentException when a dynamic value is invalid
     */
    public NodeConfig withDynamic(Map<String, String> clusterDefault, Map<String, String> thisBroker) {
        if (clusterDefault.isEmpty() && thisBroker.isEmpty()) {
            return this;
        }
        Map<String, String> merged = new LinkedHashMap<>(values);
        clusterDefault.forEach((k, v) -> merged.put(k, v.trim()));
        thisBroker.forEach((k, v) -> merged.put(k, v.trim()));
        return new NodeConfig(merged, this);
    }

    public Map<String, String> values() {
        return values;
    }

    public List<String> unknownKeys() {
        List<String> unknown = new ArrayList<>();
        for (String k : values.keySet()) {
            if (!KNOWN.contains(k)) {
                unknown.add(k);
            }
        }
        return unknown;
    }

    /** The keys the operator set that Gregor accepts but does not enforce, so that start-up can say so. */
    public List<String> notEnforcedKeys() {
        return NOT_ENFORCED.stream().filter(this::isSetByOperator).toList();
    }

    public String get(String key) {
        return values.get(key);
    }

    public int nodeId() {
        return nodeId;
    }

    /** The broker's listeners, without the controller's; the first is bound. An empty host binds every interface. */
    public List<Endpoint> listeners() {
        return listeners;
    }

    /** What clients are told to connect to: never an empty host or 0.0.0.0. */
    public List<Endpoint> advertisedListeners() {
        return advertisedListeners;
    }

    /**
     * The listeners named in {@code controller.listener.names} (Kafka's {@code CONTROLLER://:9093}):
     * not bound, since Gregor's controller runs inside the node and answers on the broker's listener.
     */
    public List<Endpoint> controllerListeners() {
        return controllerListeners;
    }

    public Path logDir() {
        return logDir;
    }

    public int numPartitions() {
        return intValue("num.partitions", 1, Integer.MAX_VALUE);
    }

    public short defaultReplicationFactor() {
        return (short) intValue("default.replication.factor", 1, Short.MAX_VALUE);
    }

    public boolean autoCreateTopics() {
        return boolValue("auto.create.topics.enable");
    }

    public boolean flushBeforeAck() {
        return boolValue(FLUSH_BEFORE_ACK);
    }

    /** Kafka's {@code fetch.max.bytes}: a fetch answer holds at most this many record bytes (at least one batch). */
    public int fetchMaxBytes() {
        return intValue("fetch.max.bytes", 1024, Integer.MAX_VALUE);
    }

    public int socketRequestMaxBytes() {
        return intValue("socket.request.max.bytes", 1, Integer.MAX_VALUE);
    }

    public long connectionsMaxIdleMs() {
        return longValue("connections.max.idle.ms", -1, Long.MAX_VALUE);
    }

    /** {@code max.connections}, {@code max.connections.per.ip} (each at least 0) and {@code max.connections.per.ip.overrides}. */
    public ConnectionLimits connectionLimits() {
        return new ConnectionLimits(intValue("max.connections", 0, Integer.MAX_VALUE),
                intValue("max.connections.per.ip", 0, Integer.MAX_VALUE),
                ConnectionLimits.parseOverrides(get("max.connections.per.ip.overrides")));
    }

    public int numIoThreads() {
        return intValue("num.io.threads", 1, 256);
    }

    public int numNetworkThreads() {
        return intValue("num.network.threads", 1, 256);
    }

    public String clusterIdOverride() {
        return get("cluster.id");
    }

    /**
     * log.retention.ms wins over .minutes (an int), which wins over .hours (an int), and any negative result means
     * unlimited (-1), as Kafka's logRetentionTimeMillis: none of the three has a range, so log.retention.hours=-1 is
     * the usual way to keep everything.
     */
    public long retentionMs() {
        long ms;
        if (!isBlank("log.retention.ms")) {
            ms = longValue("log.retention.ms", Long.MIN_VALUE, Long.MAX_VALUE);
        } else if (!isBlank("log.retention.minutes")) {
            ms = 60_000L * intValue("log.retention.minutes", Integer.MIN_VALUE, Integer.MAX_VALUE);
        } else {
            ms = 3_600_000L * intValue("log.retention.hours", Integer.MIN_VALUE, Integer.MAX_VALUE);
        }
        return ms < 0 ? -1 : ms;
    }

    /** log.roll.jitter.ms, else log.roll.jitter.hours, as Kafka's logRollTimeJitterMillis. */
    public long rollJitterMs() {
        if (!isBlank("log.roll.jitter.ms")) {
            return longValue("log.roll.jitter.ms", 0, Long.MAX_VALUE);
        }
        return 3_600_000L * intValue("log.roll.jitter.hours", 0, Integer.MAX_VALUE);
    }

    public long rollMs() {
        if (!isBlank("log.roll.ms")) {
            return longValue("log.roll.ms", 1, Long.MAX_VALUE);
        }
        return longValue("log.roll.hours", 1, Long.MAX_VALUE / 3_600_000) * 3_600_000;
    }

    public String timestampType() {
        String v = get("log.message.timestamp.type");
        if (!v.equals("CreateTime") && !v.equals("LogAppendTime")) {
            throw new IllegalArgumentException("log.message.timestamp.type: '" + v + "' (expected: CreateTime or LogAppendTime)");
        }
        return v;
    }

    /** Checks that a key holds one of {@code allowed} (with {@code list}, each comma-separated item). */
    private void oneOf(String key, List<String> allowed, boolean list) {
        String raw = get(key);
        for (String item : list ? raw.split(",") : new String[] {raw}) {
            if (!allowed.contains(item.trim())) {
                throw new IllegalArgumentException(key + ": '" + raw + "' (expected: " + (list ? "a list of " : "one of ")
                        + String.join(", ", allowed) + ")");
            }
        }
    }

    private double doubleValue(String key, double min, double max) {
        String raw = values.get(key);
        double v;
        try {
            v = Double.parseDouble(raw.trim());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(key + ": '" + raw + "' (expected: a number)");
        }
        if (!(v >= min && v <= max)) {
            throw new IllegalArgumentException(key + ": " + v + " (expected: " + min + ".." + max + ")");
        }
        return v;
    }

    private boolean isBlank(String key) {
        String v = values.get(key);
        return v == null || v.isBlank();
    }

    public int intValue(String key, int min, int max) {
        long v = longValue(key, min, max);
        return (int) v;
    }

    public long longValue(String key, long min, long max) {
        String raw = values.get(key);
        long v;
        try {
            v = Long.parseLong(raw.trim());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(key + ": '" + raw + "' (expected: an integer)");
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException(key + ": " + v + " (expected: " + min + ".." + max + ")");
        }
        return v;
    }

    public boolean boolValue(String key) {
        String raw = values.get(key);
        String v = raw == null ? "" : raw.trim().toLowerCase(Locale.ROOT);
        if (v.equals("true")) {
            return true;
        }
        if (v.equals("false")) {
            return false;
        }
        throw new IllegalArgumentException(key + ": '" + raw + "' (expected: true or false)");
    }
}
