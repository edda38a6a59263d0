package io.gregor.metadata;

import io.gregor.broker.NodeConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller of a quorum of one: decides topic, partition and config changes, writes them
 * to the {@link MetadataLog} as records, and publishes the replayed {@link MetadataImage} to its
 * listeners once the records are durable. Deciding and applying are separate: every change goes
 * through {@code MetadataImage.apply}, the same path start-up replay takes. Each published image goes to the
 * {@link SnapshotGenerator}, which snapshots it and trims the log on its own thread.
 *
 * <p>Owner: the single "gregor-controller" thread; public methods enqueue onto it and return futures.
 * Failures are Kafka's typed {@link ApiException}s, mapped to error codes by the api layer.
 */
public final class Controller implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Controller.class);

    /**
     * Kafka's controller refuses a CreateTopics request whose topics ask for more partitions than this in all
     * (POLICY_VIOLATION, "Excessively large number of partitions per request.", before any other check).
     */
    public static final int MAX_PARTITIONS_PER_REQUEST = 10_000;

    /**
     * The most metadata records one request may write, as Kafka's controller bounds a user operation (a topic's record,
     * one per partition and one per config set); past it Kafka answers POLICY_VIOLATION, "Unable to perform excessively
     * large batch operation.".
     */
    public static final int MAX_RECORDS_PER_REQUEST = 10_000;

    /** Kafka's message for a request that would write more than {@link #MAX_RECORDS_PER_REQUEST} records. */
    public static final String EXCESSIVE_BATCH_MESSAGE = "Unable to perform excessively large batch operation.";

    /** What CreateTopics asks for; -1 partitions or replication factor means the broker default. */
    public record TopicSpec(String name, int numPartitions, short replicationFactor,
                            List<ManualAssignment> assignments, Map<String, String> configs) {
    }

    /** One manual assignment of CreateTopics, in request order (a partition may be named twice: Kafka refuses it). */
    public record ManualAssignment(int partition, List<Integer> replicas) {
    }

    /** A topic that was (or would be) created. */
    public record CreatedTopic(Uuid topicId, int numPartitions, short replicationFactor, Map<String, String> configs,
                               List<List<Integer>> replicas) {

        /** The metadata records creating it writes: the topic's, one per partition, one per config. */
        public int recordCount() {
            return 1 + numPartitions + configs.size();
        }
    }

    private final NodeConfig config;
    private final MetadataLog metadataLog;
    private final SnapshotGenerator snapshotGenerator;
    private final ExecutorService thread;
    private final List<Consumer<MetadataImage>> listeners = new ArrayList<>();
    /** The image including not-yet-durable changes: what decisions are made against. Controller thread only. */
    private MetadataImage image;
    /** The image of durable changes: what everybody else reads. */
    private volatile MetadataImage published;
    /**
     * The first failed metadata log write, after which no change is decided any more: the deciding image may then hold
     * records that were never published (and that the next start replays or not), so deciding against it would answer
     * clients from a state they cannot see. Kafka's controller stops the process on such a fault; this node keeps
     * serving reads and refuses every metadata change with KAFKA_STORAGE_ERROR until a restart.
     */
    private volatile Throwable writeFailure;

    /** {@code snapshotGenerator} is handed every published image; the controller closes it. */
    public Controller(NodeConfig config, MetadataLog metadataLog, MetadataImage replayed, SnapshotGenerator snapshotGenerator) {
        this.config = config;
        this.metadataLog = metadataLog;
        this.snapshotGenerator = snapshotGenerator;
        this.image = replayed;
        this.published = replayed;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "gregor-controller-" + config.nodeId());
            t.setDaemon(true);
            return t;
        });
    }

    /** Called before any change; the listener runs on the controller thread after each committed change. */
    public void addListener(Consumer<MetadataImage> listener) {
        listeners.add(listener);
    }

    /** Where the metadata log ends: every record appended, durable or not yet; any thread. */
    public long metadataLogEndOffset() {
        return metadataLog.endOffset();
    }

    /** The latest durable image; any thread. */
    public MetadataImage image() {
        return published;
    }

    /** Registers (or re-registers with a new endpoint) this broker. */
    public CompletableFuture<Void> registerBroker(int nodeId, String host, int port, String rack) {
        return submit(() -> {
            MetadataImage.BrokerImage current = image.brokers().get(nodeId);
            MetadataImage.BrokerImage wanted = new MetadataImage.BrokerImage(nodeId, host, port, rack);
            if (wanted.equals(current)) {
                return CompletableFuture.completedFuture(null);
            }
            return commit(List.of(new MetadataRecord.RegisterBroker(nodeId, host, port, rack))).thenApply(x -> null);
        });
    }

    /** Validates one topic; with {@code validateOnly} nothing is written. */
    public CompletableFuture<CreatedTopic> createTopic(TopicSpec spec, boolean validateOnly) {
        return createTopic(spec, validateOnly, null);
    }

    /**
     * As {@link #createTopic(TopicSpec, boolean)}, with the name collisions ('.' against '_') checked against the
     * topics of {@code requestStart} (null: the current ones), the image a CreateTopics request began with: as in
     * Kafka's controller, two topics of one request that differ only so are both created.
     */
    public CompletableFuture<CreatedTopic> createTopic(TopicSpec spec, boolean validateOnly, MetadataImage requestStart) {
        return submit(() -> {
            CreatedTopic created = validateNewTopic(spec, requestStart == null ? image : requestStart);
            if (validateOnly) {
                return CompletableFuture.completedFuture(created);
            }
            List<MetadataRecord> records = new ArrayList<>();
            records.add(new MetadataRecord.CreateTopic(spec.name(), created.topicId()));
            for (int p = 0; p < created.numPartitions(); p++) {
                List<Integer> replicas = created.replicas().get(p);
                records.add(new MetadataRecord.PartitionState(created.topicId(), p, replicas, replicas, replicas.get(0), 0));
            }
            created.configs().forEach((k, v) -> records.add(new MetadataRecord.TopicConfig(created.topicId(), k, v)));
            return commit(records).thenApply(x -> {
                log.info("Created topic {} (id {}) with {} partition(s), replication factor {}, configs {}",
                        spec.name(), created.topicId(), created.numPartitions(), created.replicationFactor(), created.configs());
                return created;
            });
        });
    }

    public CompletableFuture<Uuid> deleteTopic(String name, Uuid id) {
        return submit(() -> {
            MetadataImage.TopicImage topic = name != null
                    ? image.topic(name).orElseThrow(() -> new UnknownTopicOrPartitionException("This server does not host this topic-partition."))
                    : image.topic(id).orElseThrow(() -> new UnknownTopicIdException("This server does not host this topic ID."));
            if (topic.name().equals(MetadataLog.TOPIC)) {
                throw new InvalidTopicException("The internal topic " + topic.name() + " cannot be deleted.");
            }
            return commit(List.of(new MetadataRecord.RemoveTopic(topic.id()))).thenApply(x -> {
                log.info("Deleted topic {} (id {})", topic.name(), topic.id());
                return topic.id();
            });
        });
    }

    /**
     * The partitions CreateTopics asks for with {@code spec}, counted as Kafka's controller counts them against
     * {@link #MAX_PARTITIONS_PER_REQUEST}: the manual assignments, else the count (the broker default for -1), else none.
     */
    public int requestedPartitions(TopicSpec spec) {
        if (!spec.assignments().isEmpty()) {
            return spec.assignments().size();
        }
        return spec.numPartitions() == -1 ? config.numPartitions() : Math.max(0, spec.numPartitions());
    }

    /**
     * Kafka's controller refuses a CreatePartitions request adding more partitions than this to its existing topics in
     * all (POLICY_VIOLATION, every topic of the request).
     */
    public static final int MAX_ADDED_PARTITIONS_PER_REQUEST = 10_000;

    /** Kafka's message for a CreatePartitions request over {@link #MAX_ADDED_PARTITIONS_PER_REQUEST}. */
    public static final String TOO_MANY_ADDED_PARTITIONS_MESSAGE = "Excessively large number of additional partitions per request.";

    /** Adds partitions to {@code name}; more than {@link #MAX_ADDED_PARTITIONS_PER_REQUEST} at once is refused. */
    public CompletableFuture<Void> createPartitions(String name, int totalCount, List<List<Integer>> assignments, boolean validateOnly) {
        return submit(() -> {
            MetadataImage.TopicImage topic = image.topic(name)
                    .orElseThrow(() -> new UnknownTopicOrPartitionException("The topic '" + name + "' does not exist."));
            int current = topic.partitionCount();
            if (totalCount < current) {
                throw new InvalidPartitionsException("The topic " + name + " currently has " + current
                        + " partition(s); " + totalCount + " would not be an increase.");
            }
            if (totalCount == current) {
                throw new InvalidPartitionsException("Topic already has " + current + " partition(s).");
            }
            List<List<Integer>> manual = assignments; // as Kafka: an empty list asks for no partitions, and is refused
            if (manual != null && manual.size() != totalCount - current) {
                throw new InvalidReplicaAssignment("Attempted to add " + (totalCount - current) + " additional partition(s), but only "
                        + manual.size() + " assignment(s) were specified.");
            }
            if (totalCount - current > MAX_ADDED_PARTITIONS_PER_REQUEST) {
                // The request's handler checked this against an earlier image; the topic may have been recreated since.
                throw new PolicyViolationException(TOO_MANY_ADDED_PARTITIONS_MESSAGE);
            }
            int rf = topic.partitions().get(0).replicas().size();
            List<MetadataRecord> records = new ArrayList<>();
            for (int p = current; p < totalCount; p++) {
                List<Integer> replicas = manual != null ? manual.get(p - current) : defaultReplicas(p, rf);
                if (manual != null) {
                    throwIfInvalidReplicas(image, replicas, OptionalInt.of(rf));
                }
                records.add(new MetadataRecord.PartitionState(topic.id(), p, replicas, replicas, replicas.get(0), 0));
            }
            if (validateOnly) {
                return CompletableFuture.completedFuture(null);
            }
            return commit(records).thenApply(x -> {
                log.info("Topic {} now has {} partitions", name, totalCount);
                return null;
            });
        });
    }

    /** Kafka's checks across a topic's keys (see {@link TopicConfigDef#validateTogether}), on this node's defaults. */
    private void throwIfConflicting(Map<String, String> overrides) {
        Optional<String> err = TopicConfigDef.validateTogether(overrides, config);
        if (err.isPresent()) {
            throw new InvalidConfigurationException(err.get());
        }
    }

    /**
     * Replaces a topic's overrides with {@code update(current overrides)}. The update runs on the
     * controller thread against the latest overrides, so concurrent alters never lose a change.
     */
    public CompletableFuture<Void> setTopicConfigs(String name, UnaryOperator<Map<String, String>> update, boolean validateOnly) {
        return submit(() -> {
            MetadataImage.TopicImage topic = image.topic(name)
                    .orElseThrow(() -> new UnknownTopicOrPartitionException("The topic '" + name + "' does not exist."));
            Map<String, String> newConfigs = update.apply(topic.configs());
            for (Map.Entry<String, String> e : newConfigs.entrySet()) {
                Optional<String> err = TopicConfigDef.validate(e.getKey(), e.getValue());
                if (err.isPresent()) {
                    throw new InvalidConfigurationException(err.get());
                }
            }
            throwIfConflicting(newConfigs);
            List<MetadataRecord> records = configChanges(topic.configs(), newConfigs,
                    (k, v) -> new MetadataRecord.TopicConfig(topic.id(), k, v));
            if (validateOnly || records.isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            return commit(records).thenApply(x -> {
                log.info("Topic {} configs are now {}", name, newConfigs);
                return null;
            });
        });
    }

    /**
     * Replaces the dynamic configs of a BROKER resource ({@link MetadataImage#CLUSTER_DEFAULT} or a
     * node id) with {@code update(current configs)}, run on the controller thread like
     * {@link #setTopicConfigs}; the update validates the result and throws the resource's error.
     */
    public CompletableFuture<Void> setBrokerConfigs(String resourceName, UnaryOperator<Map<String, String>> update,
                                                    boolean validateOnly) {
        return submit(() -> {
            Map<String, String> current = image.brokerConfigs(resourceName);
            Map<String, String> next = update.apply(current);
            List<MetadataRecord> records = configChanges(current, next,
                    (k, v) -> new MetadataRecord.BrokerConfig(resourceName, k, v));
            if (validateOnly || records.isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            return commit(records).thenApply(x -> {
                log.info("Dynamic broker configs of {} are now {}",
                        resourceName.isEmpty() ? "the cluster default" : "broker " + resourceName, next);
                return null;
            });
        });
    }

    /**
     * Replaces the configs of group {@code groupId} (which need not exist, as in Kafka) with {@code update(current
     * configs)}, run on the controller thread like {@link #setTopicConfigs}; the update validates the result.
     */
    public CompletableFuture<Void> setGroupConfigs(String groupId, UnaryOperator<Map<String, String>> update, boolean validateOnly) {
        return submit(() -> {
            Map<String, String> current = image.groupConfigs(groupId);
            Map<String, String> next = update.apply(current);
            List<MetadataRecord> records = configChanges(current, next, (k, v) -> new MetadataRecord.GroupConfig(groupId, k, v));
            if (validateOnly || records.isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            return commit(records).thenApply(x -> {
                log.info("Configs of group {} are now {}", groupId, next);
                return null;
            });
        });
    }

    /**
     * Writes the cluster-wide {@code min.insync.replicas} default with the static value, as Kafka
     * does when it formats a cluster with eligible leader replicas (KIP-966): the node calls this
     * once, on a metadata log that is still empty.
     */
    public CompletableFuture<Void> bootstrapClusterDefaults() {
        return submit(() -> commit(List.of(new MetadataRecord.BrokerConfig(MetadataImage.CLUSTER_DEFAULT,
                "min.insync.replicas", config.get("min.insync.replicas")))).thenApply(x -> null));
    }

    /** The records that turn {@code current} into {@code next}: a removal (null value) or a new value per changed key. */
    private static List<MetadataRecord> configChanges(Map<String, String> current, Map<String, String> next,
                                                      BiFunction<String, String, MetadataRecord> record) {
        List<MetadataRecord> records = new ArrayList<>();
        for (String key : current.keySet()) {
            if (!next.containsKey(key)) {
                records.add(record.apply(key, null));
            }
        }
        next.forEach((k, v) -> {
            if (!v.equals(current.get(k))) {
                records.add(record.apply(k, v));
            }
        });
        return records;
    }

    /**
     * Kafka's topic name rules (InvalidTopicException with Kafka's messages: kafka-clients' own check), shared with
     * auto-creation and produce checks.
     */
    public static void throwIfInvalidTopicName(String name) {
        if (name == null) {
            throw new InvalidTopicException("Topic name is invalid: the empty string is not allowed");
        }
        org.apache.kafka.common.internals.Topic.validate(name);
    }

    private CreatedTopic validateNewTopic(TopicSpec spec, MetadataImage collisionBase) {
        if (MetadataLog.TOPIC.equals(spec.name())) {
            // As Kafka's ControllerApis: the metadata log is no topic a client may create (here creating it would
            // replace the node's own metadata log).
            throw new TopicAuthorizationException("Authorization failed.");
        }
        throwIfInvalidTopicName(spec.name());
        if (image.topic(spec.name()).isPresent()) {
            throw new TopicExistsException("Topic '" + spec.name() + "' already exists.");
        }
        String collisionKey = spec.name().replace('.', '_');
        for (String existing : collisionBase.topicsByName().keySet()) {
            if (existing.replace('.', '_').equals(collisionKey)) {
                throw new InvalidTopicException("Topic '" + spec.name() + "' collides with existing topic: " + existing);
            }
        }
        // Kafka's controller checks the configs before the counts and assignments.
        List<String> nullValued = spec.configs().entrySet().stream().filter(e -> e.getValue() == null).map(Map.Entry::getKey).toList();
        if (!nullValued.isEmpty()) {
            throw new InvalidConfigurationException("Null value not supported for topic configs: " + String.join(",", nullValued));
        }
        Map<String, String> configs = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : spec.configs().entrySet()) {
            Optional<String> err = TopicConfigDef.validate(e.getKey(), e.getValue());
            if (err.isPresent()) {
                throw new InvalidConfigurationException(err.get());
            }
            configs.put(e.getKey(), e.getValue().trim());
        }
        throwIfConflicting(configs);
        Map<Integer, List<Integer>> manual = manualAssignments(spec);
        short rf = manual != null ? (short) manual.get(0).size()
                : spec.replicationFactor() == -1 ? config.defaultReplicationFactor() : spec.replicationFactor();
        if (rf <= 0) {
            throw new InvalidReplicationFactorException("Replication factor must be larger than 0, or -1 to use the default value.");
        }
        // The replication factor first, as Kafka's controller.
        int partitions = manual != null ? manual.size() : spec.numPartitions() == -1 ? config.numPartitions() : spec.numPartitions();
        if (partitions <= 0) {
            throw new InvalidPartitionsException("Number of partitions was set to an invalid non-positive value.");
        }
        int brokers = Math.max(1, image.brokers().size());
        if (manual == null && rf > brokers) {
            throw new InvalidReplicationFactorException("Unable to replicate the partition " + rf + " time(s): The target replication factor of "
                    + rf + " cannot be reached because only " + brokers + " broker(s) are registered.");
        }
        List<List<Integer>> replicas = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            replicas.add(manual != null ? manual.get(p) : defaultReplicas(p, rf));
        }
        return new CreatedTopic(Uuid.randomUuid(), partitions, rf, configs, List.copyOf(replicas));
    }

    /**
     * A CreateTopics request's manual assignments by partition, checked as Kafka's controller checks them and in its
     * order: the replication factor and partition count left at -1, no partition named twice, each replica list valid
     * and as long as the first, then the partitions 0..n-1. Null when the request has none.
     */
    private Map<Integer, List<Integer>> manualAssignments(TopicSpec spec) {
        if (spec.assignments() == null || spec.assignments().isEmpty()) {
            return null;
        }
        if (spec.replicationFactor() != -1) {
            throw new org.apache.kafka.common.errors.InvalidRequestException(
                    "A manual partition assignment was specified, but replication factor was not set to -1.");
        }
        if (spec.numPartitions() != -1) {
            throw new org.apache.kafka.common.errors.InvalidRequestException(
                    "A manual partition assignment was specified, but numPartitions was not set to -1.");
        }
        Map<Integer, List<Integer>> byPartition = new TreeMap<>();
        OptionalInt replicationFactor = OptionalInt.empty();
        for (ManualAssignment a : spec.assignments()) {
            if (byPartition.containsKey(a.partition())) {
                throw new InvalidReplicaAssignment("Found multiple manual partition assignments for partition " + a.partition());
            }
            throwIfInvalidReplicas(image, a.replicas(), replicationFactor);
            replicationFactor = OptionalInt.of(a.replicas().size());
            byPartition.put(a.partition(), List.copyOf(a.replicas()));
        }
        int expected = 0;
        for (int partition : byPartition.keySet()) {
            if (partition != expected++) {
                throw new InvalidReplicaAssignment("partitions should be a consecutive 0-based integer sequence");
            }
        }
        return byPartition;
    }

    /**
     * A manual replica list (CreateTopics, CreatePartitions, AlterPartitionReassignments) as Kafka's controller checks
     * it against {@code image}'s registered brokers: not empty; in ascending broker id order, every broker registered
     * and none twice; as many replicas as {@code replicationFactor} where that is known. Throws
     * INVALID_REPLICA_ASSIGNMENT with Kafka's words.
     */
    public static void throwIfInvalidReplicas(MetadataImage image, List<Integer> replicas, OptionalInt replicationFactor) {
        if (replicas.isEmpty()) {
            throw new InvalidReplicaAssignment("The manual partition assignment includes an empty replica list.");
        }
        List<Integer> sorted = new ArrayList<>(replicas);
        sorted.sort(Integer::compare);
        Integer previous = null;
        for (Integer r : sorted) {
            if (!image.brokers().containsKey(r)) {
                throw new InvalidReplicaAssignment("The manual partition assignment includes broker " + r + ", but no such broker is registered.");
            }
            if (r.equals(previous)) {
                throw new InvalidReplicaAssignment("The manual partition assignment includes the broker " + r + " more than once.");
            }
            previous = r;
        }
        if (replicationFactor.isPresent() && replicas.size() != replicationFactor.getAsInt()) {
            throw new InvalidReplicaAssignment("The manual partition assignment includes a partition with " + replicas.size()
                    + " replica(s), but this is not consistent with previous partitions, which have "
                    + replicationFactor.getAsInt() + " replica(s).");
        }
    }

    /** Round-robin over registered brokers, starting at a different broker per partition. */
    private List<Integer> defaultReplicas(int partition, int rf) {
        List<Integer> ids = new ArrayList<>(image.brokers().keySet());
        if (ids.isEmpty()) {
            ids.add(config.nodeId());
        }
        List<Integer> out = new ArrayList<>(rf);
        for (int i = 0; i < rf; i++) {
            out.add(ids.get((partition + i) % ids.size()));
        }
        return List.copyOf(out);
    }

    private static final class InvalidReplicaAssignment extends org.apache.kafka.common.errors.InvalidReplicaAssignmentException {
        InvalidReplicaAssignment(String message) {
            super(message);
        }
    }

    /** Runs on the controller thread: append, wait for durability, replay, publish. */
    private CompletableFuture<Long> commit(List<MetadataRecord> records) {
        CompletableFuture<MetadataLog.Appended> durable;
        try {
            durable = metadataLog.append(records, System.currentTimeMillis());
        } catch (Exception e) {
            onWriteFailure(e);
            return CompletableFuture.failedFuture(new org.apache.kafka.common.errors.KafkaStorageException("metadata log write failed: " + e.getMessage(), e));
        }
        durable.whenComplete((offset, e) -> {
            if (e != null) {
                onWriteFailure(e);
            }
        });
        // Replay before waiting so that later commands on this thread see the change; publish
        // only once durable, so nobody acts on metadata that a crash could take back.
        MetadataImage next = image.apply(records, metadataLog.endOffset() - 1);
        image = next;
        return durable.thenApplyAsync(appended -> {
            long offset = appended.lastOffset();
            published = next;
            for (Consumer<MetadataImage> l : listeners) {
                try {
                    l.accept(next);
                } catch (RuntimeException e) {
                    log.error("Metadata listener failed on offset {}", offset, e);
                }
            }
            snapshotGenerator.onPublished(next, appended.sizeInBytes());
            return offset;
        }, thread);
    }

    private void onWriteFailure(Throwable e) {
        if (writeFailure == null) {
            writeFailure = e;
            log.error("Writing the metadata log failed: no metadata change is accepted until the node is restarted "
                    + "(the restart replays what the log holds)", e);
        }
    }

    private <T> CompletableFuture<T> submit(ThrowingSupplier<CompletableFuture<T>> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        thread.execute(() -> {
            Throwable failed = writeFailure;
            if (failed != null) {
                result.completeExceptionally(new org.apache.kafka.common.errors.KafkaStorageException(
                        "the metadata log failed earlier (" + failed.getMessage() + "); restart the node"));
                return;
            }
            try {
                task.get().whenComplete((v, e) -> {
                    if (e != null) {
                        result.completeExceptionally(e);
                    } else {
                        result.complete(v);
                    }
                });
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    @FunctionalInterface
    private interface ThrowingSupplier<T> {
        T get() throws Exception;
    }

    @Override
    public void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        snapshotGenerator.close(); // after the controller: no image is handed to it any more
    }
}
