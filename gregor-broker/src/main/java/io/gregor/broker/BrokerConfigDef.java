package io.gregor.broker;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.internals.BrokerSecurityConfigs;
import org.apache.kafka.common.errors.InvalidRequestException;

/**
 * The broker configs Gregor knows: Kafka's name, type and default, whether Gregor applies a new
 * value while running (a dynamic config, KIP-226), and one line of documentation. {@link NodeConfig}
 * takes its defaults from here; DescribeConfigs types and documents with it; IncrementalAlterConfigs
 * refuses the keys that are not dynamic. Immutable, any thread.
 *
 * <p>A key is dynamic only when Gregor honours a change without a restart: the log defaults that
 * topics fall back to (they reach every partition log through the metadata image),
 * {@code min.insync.replicas}, and the connection limits ({@code max.connections}, {@code .per.ip},
 * {@code .per.ip.overrides}), which the node's metadata listener hands to its listener. Kafka can also resize thread pools or the cleaner at runtime;
 * Gregor reads those at start-up, so it refuses them as Kafka refuses its read-only keys.
 *
 * <p>It also knows the names of all of Kafka's broker configs ({@link #type}), so that the keys
 * Gregor does not implement are refused as well and only names Kafka does not know are stored.
 */
public final class BrokerConfigDef {

    /** One broker config; {@code defaultValue == null}: no default (Kafka describes the value as null). */
    public record Key(String name, Type type, String defaultValue, boolean dynamic, String documentation) {
    }

    private static final Map<String, Key> KEYS = new LinkedHashMap<>();

    /**
     * Kafka's broker-level quota configs (KIP-73 replication throttles, KIP-113 log dir moves): dynamic
     * in Kafka but outside KafkaConfig's ConfigDef, so Kafka has no type for them when asked to
     * APPEND, and lists them only once set. Accepted and stored as Kafka does (kafka-reassign-partitions
     * --throttle sets them, --verify clears them); one node has no replication or log dir move to throttle.
     */
    private static final Set<String> KAFKA_QUOTA_KEYS = Set.of("leader.replication.throttled.rate",
            "follower.replication.throttled.rate", "replica.alter.log.dirs.io.max.bytes.per.second");

    /**
     * Every key of Kafka 4.4's broker ConfigDef, with its type. A holder, loaded on first use: the
     * security keys come from kafka-clients' BrokerSecurityConfigs, whose class initialisation
     * (Utils: locale data, regexes) cost ~10 ms on the start-up path, where no one asks for them.
     */
    private static final class KafkaTypes {
        static final Map<String, Type> ALL = kafkaTypes();
    }

    static {
        readOnly("node.id", Type.INT, "1", "The id of this node in the cluster.");
        readOnly("listeners", Type.LIST, "PLAINTEXT://localhost:9092", "The listeners the node binds to: NAME://host:port, port 0 picks a free port.");
        readOnly("advertised.listeners", Type.LIST, null, "The listeners clients are told to connect to, when they differ from listeners.");
        readOnly("controller.listener.names", Type.LIST, null, "The names of the controller's listeners; Gregor's controller answers on the broker's listener, so listeners with these names are not bound.");
        readOnly("log.dirs", Type.LIST, null, "The directory that holds the logs; log.dir is used when this is not set.");
        readOnly("log.dir", Type.STRING, "./gregor-data", "The directory that holds the logs, when log.dirs is not set.");
        readOnly("num.partitions", Type.INT, "1", "The number of partitions of a topic created without a partition count.");
        readOnly("default.replication.factor", Type.INT, "1", "The replication factor of a topic created without one.");
        readOnly("auto.create.topics.enable", Type.BOOLEAN, "true", "Whether Metadata and Produce requests create topics that do not exist.");
        dynamic("log.retention.ms", Type.LONG, null, "How long a log keeps a segment before deleting it, in ms; -1 keeps it forever.");
        readOnly("log.retention.minutes", Type.INT, null, "How long a log keeps a segment, in minutes, when log.retention.ms is not set.");
        readOnly("log.retention.hours", Type.INT, "168", "How long a log keeps a segment, in hours, when log.retention.ms and .minutes are not set.");
        dynamic("log.retention.bytes", Type.LONG, "-1", "The largest size a partition's log grows to before old segments are deleted; -1 is unlimited.");
        dynamic("log.segment.bytes", Type.INT, String.valueOf(1 << 30), "The largest size of one segment file.");
        dynamic("log.roll.ms", Type.LONG, null, "The longest time before a new segment is rolled, in ms.");
        readOnly("log.roll.hours", Type.INT, "168", "The longest time before a new segment is rolled, in hours, when log.roll.ms is not set.");
        dynamic("log.roll.jitter.ms", Type.LONG, null, "The largest random jitter subtracted from a segment's roll time, in ms.");
        readOnly("log.roll.jitter.hours", Type.INT, "0", "The largest random jitter subtracted from a segment's roll time, in hours, when log.roll.jitter.ms is not set.");
        dynamic("log.index.interval.bytes", Type.INT, "4096", "How many bytes of records lie between two offset index entries.");
        dynamic("log.index.size.max.bytes", Type.INT, String.valueOf(10 * 1024 * 1024), "The largest size of an offset or time index file.");
        readOnly("log.retention.check.interval.ms", Type.LONG, "300000", "How often the retention check runs.");
        dynamic("log.message.timestamp.type", Type.STRING, "CreateTime", "CreateTime keeps the producer's timestamps, LogAppendTime replaces them with the broker's time.");
        dynamic("log.message.timestamp.after.max.ms", Type.LONG, "3600000", "How far in the future a CreateTime timestamp may be.");
        dynamic("log.message.timestamp.before.max.ms", Type.LONG, String.valueOf(Long.MAX_VALUE), "How far in the past a CreateTime timestamp may be.");
        dynamic("log.cleanup.policy", Type.LIST, "delete", "delete removes old segments, compact keeps the latest record of each key, or both.");
        dynamic("log.segment.delete.delay.ms", Type.LONG, "60000", "How long a removed segment's files stay on disk before they are deleted.");
        dynamic("log.cleaner.delete.retention.ms", Type.LONG, "86400000", "How long a compacted log keeps tombstones.");
        dynamic("log.cleaner.min.compaction.lag.ms", Type.LONG, "0", "The least time a record stays uncompacted.");
        dynamic("log.cleaner.max.compaction.lag.ms", Type.LONG, String.valueOf(Long.MAX_VALUE), "The longest time a record stays ineligible for compaction.");
        dynamic("log.cleaner.min.cleanable.ratio", Type.DOUBLE, "0.5", "The dirty share of a log above which the cleaner compacts it.");
        readOnly("log.cleaner.backoff.ms", Type.LONG, "15000", "How often the cleaner looks for logs to compact.");
        readOnly("log.cleaner.dedupe.buffer.size", Type.LONG, String.valueOf(128L * 1024 * 1024), "The memory the cleaner uses to find the latest record of each key.");
        readOnly("log.flush.interval.messages", Type.LONG, String.valueOf(Long.MAX_VALUE),
                "Kafka's periodic flush by message count; Gregor flushes per acks and log.flush.before.ack instead.");
        readOnly("log.flush.interval.ms", Type.LONG, null, "Kafka's periodic flush by time; Gregor flushes per acks and log.flush.before.ack instead.");
        readOnly("log.preallocate", Type.BOOLEAN, "false", "Kafka's preallocation of new segment files; Gregor preallocates only ahead of fsynced writes.");
        dynamic("compression.type", Type.STRING, "producer", "The codec topics store batches with; producer keeps the producer's codec.");
        dynamic("message.max.bytes", Type.INT, "1048588", "The largest record batch a topic accepts, after compression.");
        dynamic("compression.gzip.level", Type.INT, "-1", "The gzip level batches are recompressed with when topics store gzip.");
        dynamic("compression.lz4.level", Type.INT, "9", "The lz4 level batches are recompressed with when topics store lz4.");
        dynamic("compression.zstd.level", Type.INT, "3", "The zstd level batches are recompressed with when topics store zstd.");
        dynamic("max.decompressed.message.bytes", Type.INT, "2147483639",
                "The largest record a compressed batch may hold once decompressed.");
        dynamic("log.local.retention.ms", Type.LONG, "-2", "Tiered storage's local retention; Gregor has no tiered storage.");
        dynamic("log.local.retention.bytes", Type.LONG, "-2", "Tiered storage's local retention size; Gregor has no tiered storage.");
        dynamic("log.remote.copy.lag.ms", Type.LONG, "0", "Tiered storage's copy lag; Gregor has no tiered storage.");
        dynamic("log.remote.copy.lag.bytes", Type.LONG, "-1", "Tiered storage's copy lag in bytes; Gregor has no tiered storage.");
        dynamic("min.insync.replicas", Type.INT, "1", "The least number of in-sync replicas an acks=all write needs.");
        readOnly("unclean.leader.election.enable", Type.BOOLEAN, "false", "Whether a replica outside the ISR may become leader; a single node always leads.");
        readOnly("socket.request.max.bytes", Type.INT, "104857600", "The largest request frame; larger frames close the connection.");
        readOnly("fetch.max.bytes", Type.INT, "57671680", "The most record bytes one fetch answer holds, whatever the request asks for.");
        readOnly("connections.max.idle.ms", Type.LONG, "600000",
                "A connection that reads and writes nothing for this long, with no request waiting for its answer, is closed; -1 never.");
        dynamic("max.connections", Type.INT, String.valueOf(Integer.MAX_VALUE),
                "The most connections the broker serves at once; past it, new connections wait (unread) until one closes.");
        dynamic("max.connections.per.ip", Type.INT, String.valueOf(Integer.MAX_VALUE),
                "The most connections one client address may hold; a further one is closed at once. May be 0 when max.connections.per.ip.overrides lets the addresses that may connect in.");
        dynamic("max.connections.per.ip.overrides", Type.STRING, "",
                "Addresses or host names with their own max.connections.per.ip, as host:count pairs separated by commas, e.g. 127.0.0.1:200,hostName:100.");
        readOnly("max.connection.creation.rate", Type.INT, String.valueOf(Integer.MAX_VALUE),
                "Kafka's limit on new connections per second; accepted, but not enforced by Gregor.");
        readOnly("num.io.threads", Type.INT, "4", "The number of threads that handle requests.");
        readOnly("num.recovery.threads.per.data.dir", Type.INT, "2",
                "The number of threads that load (and, after a crash, recover) the logs at start-up.");
        readOnly("num.network.threads", Type.INT, String.valueOf(Math.max(1, Runtime.getRuntime().availableProcessors())),
                "The number of network event-loop threads.");
        readOnly("producer.id.expiration.ms", Type.INT, "86400000", "How long an idle producer id's state is kept.");
        readOnly("producer.id.expiration.check.interval.ms", Type.INT, "600000", "How often idle producer ids are looked for and forgotten.");
        readOnly("log.flush.offset.checkpoint.interval.ms", Type.INT, "60000", "How often the recovery point checkpoint is written.");
        readOnly(NodeConfig.FLUSH_BEFORE_ACK, Type.BOOLEAN, "true",
                "Gregor only: acks=all writes are acknowledged once fsynced (true) or once in the page cache, as Kafka does (false).");
        readOnly("cluster.id", Type.STRING, null, "Gregor only: the cluster id a new data directory is formatted with; a random one when not set.");
        readOnly("metadata.log.max.record.bytes.between.snapshots", Type.LONG, String.valueOf(20 * 1024 * 1024),
                "The bytes of metadata log records committed since the latest snapshot after which a new snapshot is written.");
        readOnly("metadata.log.max.snapshot.interval.ms", Type.LONG, "3600000",
                "How long after the latest snapshot a new one is written when records were committed since; 0 disables it.");
        readOnly("metadata.max.retention.bytes", Type.LONG, String.valueOf(100 * 1024 * 1024),
                "The combined size of the metadata log and its snapshots above which old snapshots and the log below them are deleted"
                        + " (the newest two snapshots are always kept); a soft limit, negative for none.");
        readOnly("metadata.max.retention.ms", Type.LONG, "604800000",
                "The age after which a metadata snapshot, other than the newest two, and the log below it are deleted; a soft limit,"
                        + " negative for none.");
        readOnly("offsets.topic.num.partitions", Type.INT, "50", "The number of partitions of __consumer_offsets.");
        readOnly("offsets.topic.replication.factor", Type.SHORT, "3", "The replication factor of __consumer_offsets, capped at the number of brokers.");
        readOnly("offsets.topic.segment.bytes", Type.INT, "104857600", "The segment size of __consumer_offsets.");
        readOnly("offsets.retention.minutes", Type.INT, "10080", "How long committed offsets of a group without active consumers are kept.");
        readOnly("offsets.retention.check.interval.ms", Type.LONG, "600000", "How often expired offsets are removed.");
        readOnly("offset.metadata.max.bytes", Type.INT, "4096", "The largest metadata string of a committed offset.");
        readOnly("group.initial.rebalance.delay.ms", Type.INT, "3000", "How long a new classic group waits for more members before its first rebalance.");
        readOnly("group.min.session.timeout.ms", Type.INT, "6000", "The shortest session timeout a classic group member may ask for.");
        readOnly("group.max.session.timeout.ms", Type.INT, "1800000", "The longest session timeout a classic group member may ask for.");
        readOnly("group.max.size", Type.INT, String.valueOf(Integer.MAX_VALUE), "The most members a classic group may have.");
        readOnly("group.consumer.session.timeout.ms", Type.INT, "45000", "The session timeout of consumer-protocol (KIP-848) group members.");
        readOnly("group.consumer.min.session.timeout.ms", Type.INT, "45000", "The shortest consumer-protocol session timeout a group may configure.");
        readOnly("group.consumer.max.session.timeout.ms", Type.INT, "60000", "The longest consumer-protocol session timeout a group may configure.");
        readOnly("group.consumer.heartbeat.interval.ms", Type.INT, "5000", "The heartbeat interval of consumer-protocol group members.");
        readOnly("group.consumer.min.heartbeat.interval.ms", Type.INT, "5000", "The shortest consumer-protocol heartbeat interval a group may configure.");
        readOnly("group.consumer.max.heartbeat.interval.ms", Type.INT, "15000", "The longest consumer-protocol heartbeat interval a group may configure.");
        readOnly("group.consumer.max.size", Type.INT, String.valueOf(Integer.MAX_VALUE), "The most members a consumer-protocol group may have.");
        readOnly("group.consumer.assignors", Type.LIST, "uniform,range", "The server-side assignors of consumer-protocol groups, the first is the default.");
    }

    private BrokerConfigDef() {
    }

    private static void readOnly(String name, Type type, String defaultValue, String documentation) {
        KEYS.put(name, new Key(name, type, defaultValue, false, documentation));
    }

    private static void dynamic(String name, Type type, String defaultValue, String documentation) {
        KEYS.put(name, new Key(name, type, defaultValue, true, documentation));
    }

    /** Every key, in declaration order. */
    public static Map<String, Key> keys() {
        return Collections.unmodifiableMap(KEYS);
    }

    public static Optional<Key> key(String name) {
        return Optional.ofNullable(KEYS.get(name));
    }

    /**
     * The type of a broker key: Gregor's for the keys it knows, else Kafka 4.4's ConfigDef's; empty
     * for a name neither knows.
     */
    public static Optional<Type> type(String name) {
        Key key = KEYS.get(name);
        return Optional.ofNullable(key != null ? key.type() : KafkaTypes.ALL.get(name));
    }

    /** The security keys from kafka-clients, the rest from the list taken from the Kafka 4.4 server jar. */
    private static Map<String, Type> kafkaTypes() {
        Map<String, Type> types = new HashMap<>();
        for (ConfigDef.ConfigKey key : BrokerSecurityConfigs.CONFIG_DEF.configKeys().values()) {
            types.put(key.name, key.type);
        }
        String resource = "kafka-broker-configs.txt";
        try (InputStream in = BrokerConfigDef.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    String[] nameAndType = line.trim().split(" ");
                    types.put(nameAndType[0], Type.valueOf(nameAndType[1]));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.copyOf(types);
    }

    /** Whether {@code name} is one of Kafka's broker quota configs: a LONG of at least 0, dynamic, outside the ConfigDef. */
    public static boolean isQuotaKey(String name) {
        return KAFKA_QUOTA_KEYS.contains(name);
    }

    /**
     * The keys a value of {@code name} can come from, strongest first: the key itself, then the
     * coarser units that stand in for it when it is not set ({@code log.retention.ms},
     * {@code .minutes}, {@code .hours}), as Kafka's {@code DynamicBrokerConfig.brokerConfigSynonyms}.
     */
    public static List<String> synonyms(String name) {
        return switch (name) {
            case "log.retention.ms" -> List.of("log.retention.ms", "log.retention.minutes", "log.retention.hours");
            case "log.retention.minutes" -> List.of("log.retention.minutes", "log.retention.hours");
            case "log.roll.ms" -> List.of("log.roll.ms", "log.roll.hours");
            case "log.roll.jitter.ms" -> List.of("log.roll.jitter.ms", "log.roll.jitter.hours");
            default -> List.of(name);
        };
    }

    /**
     * Kafka's check of a dynamic broker config resource ({@code DynamicBrokerConfig.validate}): a
     * key that cannot change at runtime fails the whole resource with INVALID_REQUEST. That is every
     * key Kafka knows except Gregor's dynamic ones: Kafka's read-only keys, and its dynamic keys that
     * Gregor reads only at start-up (or does not implement). A name Kafka does not know passes:
     * Kafka stores it as it is.
     */
    public static void throwIfNotDynamic(Set<String> names) {
        Set<String> refused = new TreeSet<>();
        for (String name : names) {
            Key key = KEYS.get(name);
            boolean known = key != null || KafkaTypes.ALL.containsKey(name);
            if (known && (key == null || !key.dynamic())) {
                refused.add(name);
            }
        }
        if (!refused.isEmpty()) {
            throw new InvalidRequestException("Cannot update these configs dynamically: " + refused);
        }
    }
}
