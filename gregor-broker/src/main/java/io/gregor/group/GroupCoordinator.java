package io.gregor.group;

import io.gregor.broker.NodeConfig;
import io.gregor.metadata.Controller;
import io.gregor.metadata.MetadataImage;
import io.gregor.replica.ReplicaManager;
import io.gregor.storage.AppendResult;
import io.gregor.storage.DurableWaits;
import io.gregor.storage.LogAppendException;
import io.gregor.storage.LogStorageException;
import io.gregor.storage.PartitionLog;
import io.gregor.storage.ReadResult;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group coordinator runtime: runs the {@link GroupStateMachine} on its own thread
 * ("gregor-group-coordinator-N"), which owns all group state. Api handlers call the public
 * methods from request threads; each enqueues a command and returns a future. After each
 * command or timer task, the records it produced are appended to their partition of
 * {@code __consumer_offsets}, replayed, and the responses are sent once the records are fsynced.
 *
 * <p>Creates {@code __consumer_offsets} through the controller on the first FindCoordinator (as
 * Kafka does) and loads (replays) every partition this node leads when the metadata says so,
 * at start-up and after creation. The coordinator of a group is the leader of partition
 * {@code abs(groupId.hashCode()) % partitions}.
 */
public final class GroupCoordinator implements AutoCloseable {

    public static final String TOPIC = "__consumer_offsets";
    private static final Logger log = LoggerFactory.getLogger(GroupCoordinator.class);
    private static final String EXPIRE_OFFSETS_KEY = "expire-offsets";

    /** Fault injection for tests: throws to fail the append of group records to a partition of {@code __consumer_offsets}. */
    @FunctionalInterface
    public interface AppendFault {
        void maybeFail(int partition) throws Exception;
    }

    /** FindCoordinator's answer for one key. */
    public record Coordinator(Errors error, int nodeId, String host, int port) {
    }

    private final GroupConfig config;
    private final int nodeId;
    private final Controller controller;
    private final ReplicaManager replicas;
    private final LongSupplier clock;
    private final ScheduledThreadPoolExecutor thread;
    private final RuntimeTimer timer = new RuntimeTimer();
    private final GroupStateMachine state;
    /** Partitions of __consumer_offsets this node leads and has replayed; read by request threads. */
    private final Set<Integer> loaded = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean creatingTopic = new AtomicBoolean();
    private final RebalanceHistoryTopic history;
    /** The image of the last metadata update, to see which topics the next one deletes; coordinator thread. */
    private MetadataImage lastImage = MetadataImage.EMPTY;
    private volatile AppendFault appendFault = partition -> {
    };

    public GroupCoordinator(NodeConfig nodeConfig, Controller controller, ReplicaManager replicas) {
        this.config = GroupConfig.from(nodeConfig);
        this.nodeId = nodeConfig.nodeId();
        this.controller = controller;
        this.replicas = replicas;
        this.clock = System::currentTimeMillis;
        this.thread = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "gregor-group-coordinator-" + nodeId);
            t.setDaemon(true);
            return t;
        });
        this.thread.setRemoveOnCancelPolicy(true);
        this.thread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.state = new GroupStateMachine(config, timer, this::partitionFor, controller::image);
        this.history = new RebalanceHistoryTopic(nodeId, controller, replicas, clock);
    }

    /** Kafka's {@code Utils.abs(groupId.hashCode()) % numPartitions}, over the topic's actual partition count once it exists. */
    public int partitionFor(String groupId) {
        int partitions = controller.image().topic(TOPIC).map(MetadataImage.TopicImage::partitionCount)
                .orElse(config.offsetsTopicNumPartitions());
        return partitionFor(groupId, partitions);
    }

    static int partitionFor(String groupId, int partitions) {
        int h = groupId.hashCode();
        return (h == Integer.MIN_VALUE ? 0 : Math.abs(h)) % partitions;
    }

    // ---------------------------------------------------------------- coordinator lookup and loading

    /** FindCoordinator for a group id; any thread. Creates the offsets topic on first use. */
    public Coordinator findCoordinator(String groupId) {
        MetadataImage image = controller.image();
        Optional<MetadataImage.TopicImage> topic = image.topic(TOPIC);
        if (topic.isEmpty()) {
            maybeCreateOffsetsTopic(image);
            return new Coordinator(Errors.COORDINATOR_NOT_AVAILABLE, -1, "", -1);
        }
        int p = partitionFor(groupId, topic.get().partitionCount());
        int leader = topic.get().partitions().get(p).leader();
        MetadataImage.BrokerImage broker = image.brokers().get(leader);
        if (broker == null || (leader == nodeId && !loaded.contains(p))) {
            return new Coordinator(Errors.COORDINATOR_NOT_AVAILABLE, -1, "", -1);
        }
        return new Coordinator(Errors.NONE, broker.nodeId(), broker.host(), broker.port());
    }

    /** NONE when this node coordinates the group and has loaded its partition; any thread. */
    public Errors coordinatorError(String groupId) {
        Optional<MetadataImage.TopicImage> topic = controller.image().topic(TOPIC);
        if (topic.isEmpty()) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        int p = partitionFor(groupId == null ? "" : groupId, topic.get().partitionCount());
        if (topic.get().partitions().get(p).leader() != nodeId) {
            return Errors.NOT_COORDINATOR;
        }
        return loaded.contains(p) ? Errors.NONE : Errors.COORDINATOR_LOAD_IN_PROGRESS;
    }

    /**
     * How {@code __consumer_offsets} is created, whether by the first FindCoordinator or by a Metadata request that
     * auto-creates it (as Kafka's AutoTopicCreationManager does for it): offsets.topic.num.partitions partitions,
     * compacted, the producer's codec, offsets.topic.segment.bytes (Kafka's groupMetadataTopicConfigs).
     */
    public Controller.TopicSpec offsetsTopicSpec(MetadataImage image) {
        short rf = (short) Math.min(config.offsetsTopicReplicationFactor(), Math.max(1, image.brokers().size()));
        Map<String, String> configs = Map.of("cleanup.policy", "compact", "compression.type", "producer",
                "segment.bytes", String.valueOf(config.offsetsTopicSegmentBytes()));
        return new Controller.TopicSpec(TOPIC, config.offsetsTopicNumPartitions(), rf, List.of(), configs);
    }

    private void maybeCreateOffsetsTopic(MetadataImage image) {
        if (!creatingTopic.compareAndSet(false, true)) {
            return;
        }
        controller.createTopic(offsetsTopicSpec(image), false)
                .whenComplete((created, e) -> {
                    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    if (cause != null && !(cause instanceof TopicExistsException)) {
                        log.warn("Cannot create {}: {}", TOPIC, cause.toString());
                    }
                    creatingTopic.set(false);
                });
    }

    /**
     * Metadata listener (controller thread): drops the offsets of deleted topics, lets consumer
     * groups react to topic changes, and loads the partitions this node newly leads.
     */
    public void onMetadataUpdate(MetadataImage image) {
        submit((fx, f) -> onNewImage(fx, image));
        try {
            thread.execute(() -> {
                loadLedPartitions(image);
                history.maybeFlush();
            });
        } catch (RejectedExecutionException e) {
            log.debug("Group coordinator closed; ignoring metadata update");
        }
    }

    /** Coordinator thread. A topic is deleted when its id leaves the image (a topic re-created under its name has a new id). */
    private void onNewImage(Effects fx, MetadataImage image) {
        MetadataImage previous = lastImage;
        lastImage = image;
        if (loaded.isEmpty()) {
            return;
        }
        Set<String> deleted = new HashSet<>();
        for (MetadataImage.TopicImage t : previous.topicsByName().values()) {
            if (image.topic(t.id()).isEmpty()) {
                deleted.add(t.name());
            }
        }
        if (!deleted.isEmpty()) {
            log.info("Deleting the committed offsets of deleted topic(s) {}", deleted);
            // One write per __consumer_offsets partition, as Kafka's coordinator shards each do theirs: a partition
            // that cannot be written must not keep the others from forgetting the deleted topics' offsets (a topic
            // re-created under the name would resume from them).
            Effects tombstones = new Effects();
            state.onTopicsDeleted(tombstones, deleted);
            Map<Integer, Effects> byPartition = new TreeMap<>();
            for (Effects.Write w : tombstones.writes()) {
                byPartition.computeIfAbsent(w.partition(), p -> new Effects()).write(w.partition(), w.record());
            }
            byPartition.values().forEach(this::flush);
        }
        state.onMetadataUpdate(fx, clock.getAsLong());
    }

    private void loadLedPartitions(MetadataImage image) {
        Optional<MetadataImage.TopicImage> topic = image.topic(TOPIC);
        if (topic.isEmpty()) {
            return;
        }
        long startMs = clock.getAsLong();
        Set<Integer> newlyLoaded = new HashSet<>();
        int records = 0;
        for (MetadataImage.PartitionImage p : topic.get().partitions()) {
            if (p.leader() != nodeId || loaded.contains(p.partition())) {
                continue;
            }
            Optional<ReplicaManager.HostedPartition> hosted = replicas.partition(TOPIC, p.partition());
            if (hosted.isEmpty()) {
                continue;
            }
            try {
                records += replayPartition(hosted.get().log());
                newlyLoaded.add(p.partition());
            } catch (Exception e) {
                log.error("Cannot load {}-{}; its groups stay unavailable", TOPIC, p.partition(), e);
            }
        }
        if (newlyLoaded.isEmpty()) {
            return;
        }
        state.onLoaded(clock.getAsLong());
        loaded.addAll(newlyLoaded);
        log.info("Loaded {} partition(s) of {} ({} records) in {} ms", newlyLoaded.size(), TOPIC, records,
                clock.getAsLong() - startMs);
        timer.schedule(EXPIRE_OFFSETS_KEY, clock.getAsLong() + config.offsetsRetentionCheckIntervalMs(), this::expireOffsets);
    }

    private void expireOffsets(long nowMs, Effects fx) {
        state.expireOffsets(fx, nowMs);
        timer.schedule(EXPIRE_OFFSETS_KEY, nowMs + config.offsetsRetentionCheckIntervalMs(), this::expireOffsets);
    }

    private int replayPartition(PartitionLog partitionLog) throws Exception {
        long offset = partitionLog.logStartOffset();
        long end = partitionLog.logEndOffset();
        long nowMs = clock.getAsLong();
        int count = 0;
        while (offset < end) {
            ReadResult read = partitionLog.read(offset, 1 << 20, end, true);
            long next = offset;
            for (RecordBatch batch : read.records().batches()) {
                if (batch.lastOffset() < offset) {
                    continue;
                }
                if (!batch.isControlBatch()) {
                    for (Record record : batch) {
                        if (record.offset() >= offset && record.hasKey()) {
                            ByteBuffer value = record.hasValue() ? record.value() : null;
                            state.replay(GroupRecordCodec.decode(record.key(), value), nowMs, true);
                            count++;
                        }
                    }
                }
                next = batch.lastOffset() + 1;
            }
            if (next == offset) {
                break;
            }
            offset = next;
        }
        // Rebalances completed in the past are already in the history topic.
        state.drainCompletedRebalances();
        return count;
    }

    // ---------------------------------------------------------------- group operations

    public CompletableFuture<JoinGroupResponseData> joinGroup(RequestMeta meta, JoinGroupRequestData request) {
        return submit((fx, f) -> state.joinGroup(fx, clock.getAsLong(), meta, request, f));
    }

    public CompletableFuture<SyncGroupResponseData> syncGroup(RequestMeta meta, SyncGroupRequestData request) {
        return submit((fx, f) -> state.syncGroup(fx, clock.getAsLong(), meta, request, f));
    }

    public CompletableFuture<HeartbeatResponseData> heartbeat(HeartbeatRequestData request) {
        return submit((fx, f) -> fx.respond(f, state.heartbeat(clock.getAsLong(), request)));
    }

    public CompletableFuture<LeaveGroupResponseData> leaveGroup(LeaveGroupRequestData request, List<LeaveGroupRequestData.MemberIdentity> members) {
        return submit((fx, f) -> fx.respond(f, state.leaveGroup(fx, clock.getAsLong(), request, members)));
    }

    public CompletableFuture<ConsumerGroupHeartbeatResponseData> consumerGroupHeartbeat(RequestMeta meta,
                                                                                    ConsumerGroupHeartbeatRequestData request) {
        return submit((fx, f) -> fx.respond(f, state.consumerGroupHeartbeat(fx, clock.getAsLong(), meta, request)));
    }

    public CompletableFuture<List<ConsumerGroupDescribeResponseData.DescribedGroup>> describeConsumerGroups(List<String> groupIds) {
        return read(s -> {
            List<ConsumerGroupDescribeResponseData.DescribedGroup> out = new ArrayList<>();
            for (String g : groupIds) {
                out.add(s.describeConsumerGroup(g));
            }
            return out;
        });
    }

    /** OffsetFetch v9+ member check for KIP-848 groups (STALE_MEMBER_EPOCH, UNKNOWN_MEMBER_ID), then the offsets. */
    public CompletableFuture<List<GroupStateMachine.FetchedOffset>> fetchOffsets(String groupId, String memberId, int memberEpoch,
                                                                                 Map<String, List<Integer>> topics) {
        return read(s -> s.validateOffsetFetch(groupId, memberId, memberEpoch)).thenCompose(error -> error == Errors.NONE
                ? read(s -> s.fetchOffsets(groupId, topics)) : CompletableFuture.failedFuture(error.exception()));
    }

    public CompletableFuture<OffsetCommitResponseData> commitOffsets(short version, OffsetCommitRequestData request) {
        return submit((fx, f) -> state.commitOffsets(fx, clock.getAsLong(), version, request, this::partitionExists, f));
    }

    /** Committed offsets of one group ({@code topics == null}: all). */
    public CompletableFuture<List<GroupStateMachine.FetchedOffset>> fetchOffsets(String groupId, Map<String, List<Integer>> topics) {
        return read(s -> s.fetchOffsets(groupId, topics));
    }

    public CompletableFuture<OffsetDeleteResponseData> deleteOffsets(OffsetDeleteRequestData request) {
        return submit((fx, f) -> state.deleteOffsets(fx, request, this::partitionExists, f));
    }

    public CompletableFuture<List<ListGroupsResponseData.ListedGroup>> listGroups(List<String> states, List<String> types) {
        return read(s -> s.listGroups(states, types));
    }

    /** Null entries for groups that do not exist. */
    public CompletableFuture<List<DescribeGroupsResponseData.DescribedGroup>> describeGroups(List<String> groupIds) {
        return read(s -> {
            List<DescribeGroupsResponseData.DescribedGroup> out = new ArrayList<>();
            for (String g : groupIds) {
                out.add(s.describeGroup(g));
            }
            return out;
        });
    }

    /**
     * Deletes groups, one coordinator step per {@code __consumer_offsets} partition as Kafka's GroupCoordinatorService
     * does: each group is answered from its own partition's write, so a partition that cannot be written fails only
     * its own groups (answered with the write's error), never one deleted on another partition.
     */
    public CompletableFuture<Map<String, Errors>> deleteGroups(List<String> groupIds) {
        Map<Integer, List<String>> byPartition = new LinkedHashMap<>();
        for (String g : new LinkedHashSet<>(groupIds)) {
            byPartition.computeIfAbsent(partitionFor(g), p -> new ArrayList<>()).add(g);
        }
        Map<String, CompletableFuture<Errors>> outcomes = new LinkedHashMap<>();
        for (List<String> groups : byPartition.values()) {
            CompletableFuture<Map<String, Errors>> step = submit((fx, f) -> {
                Map<String, Errors> results = new LinkedHashMap<>();
                for (String g : groups) {
                    results.put(g, state.deleteGroup(fx, g));
                }
                fx.respond(f, results);
            });
            for (String g : groups) {
                outcomes.put(g, step.handle((results, e) -> e == null ? results.get(g) : appendErrorToResponseError(e)));
            }
        }
        return CompletableFuture.allOf(outcomes.values().toArray(new CompletableFuture<?>[0])).thenApply(v -> {
            Map<String, Errors> results = new LinkedHashMap<>();
            for (String g : groupIds) {
                results.putIfAbsent(g, outcomes.get(g).join());
            }
            return results;
        });
    }

    /** The recent rebalances of a group, oldest first (for {@code groups describe --history}). */
    public CompletableFuture<List<RebalanceEvent>> rebalanceHistory(String groupId) {
        return read(s -> s.rebalanceHistory(groupId));
    }

    private boolean partitionExists(String topic, int partition) {
        return controller.image().topic(topic).flatMap(t -> t.partition(partition)).isPresent();
    }

    private <T> CompletableFuture<T> read(Function<GroupStateMachine, T> query) {
        return submit((fx, f) -> fx.respond(f, query.apply(state)));
    }

    private <T> CompletableFuture<T> submit(BiConsumer<Effects, CompletableFuture<T>> command) {
        CompletableFuture<T> future = new CompletableFuture<>();
        try {
            thread.execute(() -> {
                Effects fx = new Effects();
                try {
                    command.accept(fx, future);
                } catch (RuntimeException e) {
                    log.error("Group coordinator command failed", e);
                    future.completeExceptionally(e);
                }
                flush(fx);
            });
        } catch (RejectedExecutionException e) {
            future.completeExceptionally(new CoordinatorNotAvailableException("The group coordinator is shutting down."));
        }
        return future;
    }

    /** Test seam: every later append of group records first calls {@code fault}. */
    public void injectAppendFault(AppendFault fault) {
        this.appendFault = fault;
    }

    /**
     * Coordinator thread: append the records per partition, replay them, and send the responses
     * once durable. Records are replayed only once their append succeeded, so a failed append
     * leaves offsets and consumer groups as the log has them; the step's write-failure handlers
     * undo its in-memory classic-group changes (as Kafka's runtime reverts to its last snapshot).
     */
    private void flush(Effects fx) {
        if (fx.writes().isEmpty()) {
            appendHistory(fx.rebalances());
            fx.completeAll();
            return;
        }
        long nowMs = clock.getAsLong();
        Map<Integer, List<GroupRecord>> byPartition = new LinkedHashMap<>();
        for (Effects.Write w : fx.writes()) {
            byPartition.computeIfAbsent(w.partition(), p -> new ArrayList<>()).add(w.record());
        }
        DurableWaits durable = new DurableWaits(); // registered together: one fsync round for all partitions
        // Rebalances become history only once their records are written.
        List<Effects.CompletedRebalance> replayed = new ArrayList<>();
        for (Map.Entry<Integer, List<GroupRecord>> e : byPartition.entrySet()) {
            List<GroupRecord> records = e.getValue();
            PartitionLog partitionLog;
            AppendResult result;
            MemoryRecords batch = batch(records, nowMs);
            try {
                ReplicaManager.HostedPartition hosted = replicas.partition(TOPIC, e.getKey()).orElseThrow(
                        () -> new UnknownTopicOrPartitionException(TOPIC + "-" + e.getKey() + " is not hosted here"));
                appendFault.maybeFail(e.getKey());
                partitionLog = hosted.log();
                result = partitionLog.appendAsLeader(batch, hosted.leaderEpoch(), nowMs);
            } catch (Exception ex) {
                Errors error = appendErrorToResponseError(ex);
                log.error("Cannot write {} group record(s) to {}-{}; answering {}", records.size(), TOPIC, e.getKey(), error, ex);
                appendHistory(replayed);
                Effects next = new Effects();
                fx.writeFailed(error, "Cannot write to " + TOPIC + "-" + e.getKey() + ": " + ex.getMessage(), nowMs, next);
                flush(next);
                return;
            }
            for (GroupRecord r : records) {
                state.replay(r, nowMs, false);
            }
            replayed.addAll(state.drainCompletedRebalances());
            replicas.fetchWaiters().onAppend(new TopicPartition(TOPIC, e.getKey()), batch.sizeInBytes());
            durable.add(partitionLog, result.lastOffset());
        }
        appendHistory(fx.rebalances());
        appendHistory(replayed);
        durable.register().whenComplete((v, e) -> {
            if (e == null) {
                fx.completeAll();
            } else {
                Errors error = appendErrorToResponseError(e);
                fx.failAll(error.exception("fsync of " + TOPIC + " failed: " + e.getMessage()));
            }
        });
    }

    private static MemoryRecords batch(List<GroupRecord> records, long nowMs) {
        SimpleRecord[] simple = new SimpleRecord[records.size()];
        for (int i = 0; i < simple.length; i++) {
            simple[i] = new SimpleRecord(nowMs, GroupRecordCodec.encodeKey(records.get(i)), GroupRecordCodec.encodeValue(records.get(i)));
        }
        return MemoryRecords.withRecords(Compression.NONE, simple);
    }

    private void appendHistory(List<Effects.CompletedRebalance> rebalances) {
        if (!rebalances.isEmpty()) {
            history.append(rebalances);
        }
    }

    /**
     * The error a request gets when the coordinator could not write its records: Kafka's mapping
     * (GroupCoordinatorService.handleOperationException, GroupMetadataManager
     * .appendGroupMetadataErrorToResponseError), so a storage error sends the client to find the
     * coordinator again.
     */
    static Errors appendErrorToResponseError(Throwable failure) {
        Throwable t = failure;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        Errors appendError;
        if (t instanceof LogStorageException) {
            appendError = Errors.KAFKA_STORAGE_ERROR;
        } else if (t instanceof LogAppendException lae && lae.reason() == LogAppendException.Reason.MESSAGE_TOO_LARGE) {
            appendError = Errors.MESSAGE_TOO_LARGE;
        } else {
            appendError = Errors.forException(t);
        }
        return switch (appendError) {
            case UNKNOWN_TOPIC_OR_PARTITION, NOT_ENOUGH_REPLICAS, REQUEST_TIMED_OUT -> Errors.COORDINATOR_NOT_AVAILABLE;
            case NOT_LEADER_OR_FOLLOWER, KAFKA_STORAGE_ERROR -> Errors.NOT_COORDINATOR;
            case MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE, INVALID_FETCH_SIZE -> Errors.UNKNOWN_SERVER_ERROR;
            default -> appendError;
        };
    }

    /** Timers on the coordinator thread; schedule and cancel are called only from it. */
    private final class RuntimeTimer implements GroupTimer {
        private final Map<String, ScheduledFuture<?>> tasks = new HashMap<>();

        @Override
        public void schedule(String key, long deadlineMs, Task task) {
            cancel(key);
            long delayMs = Math.max(0, deadlineMs - clock.getAsLong());
            ScheduledFuture<?>[] self = new ScheduledFuture<?>[1];
            Runnable run = () -> {
                if (tasks.get(key) != self[0]) {
                    return;
                }
                tasks.remove(key);
                Effects fx = new Effects();
                try {
                    task.run(clock.getAsLong(), fx);
                } catch (RuntimeException e) {
                    log.error("Group coordinator timer {} failed", key, e);
                }
                flush(fx);
            };
            try {
                self[0] = thread.schedule(run, delayMs, TimeUnit.MILLISECONDS);
                tasks.put(key, self[0]);
            } catch (RejectedExecutionException e) {
                log.debug("Group coordinator closed; timer {} dropped", key);
            }
        }

        @Override
        public void cancel(String key) {
            ScheduledFuture<?> f = tasks.remove(key);
            if (f != null) {
                f.cancel(false);
            }
        }
    }

    @Override
    public void close() {
        // Not shutdownNow: an interrupt landing in a FileChannel read or write (replaying or appending to a group
        // log) closes that segment's channel, taking the log offline. A running task ends; timers are dropped.
        thread.shutdown();
        try {
            if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("The group coordinator's thread did not stop within 10 s; closing the logs under it");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
