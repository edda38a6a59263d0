package io.gregor.replica;

import io.gregor.broker.DynamicBrokerConfig;
import io.gregor.broker.NodeConfig;
import io.gregor.metadata.MetadataImage;
import io.gregor.metadata.MetadataLog;
import io.gregor.metadata.TopicConfigDef;
import io.gregor.storage.CleanupPolicy;
import io.gregor.storage.LogConfig;
import io.gregor.storage.LogStorageException;
import io.gregor.storage.LogStore;
import io.gregor.storage.PartitionLog;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partitions this node hosts: keeps the log store in step with the metadata image
 * (creates logs for new partitions, applies config changes, deletes logs of deleted topics)
 * and hands the api layer the {@link PartitionLog} and leader epoch of a partition.
 * With one node every partition is led here; replication will add follower state.
 *
 * <p>Owner: {@link #onMetadataUpdate} runs on the controller thread; the partition map is a
 * concurrent map read by request threads.
 */
public final class ReplicaManager {

    private static final Logger log = LoggerFactory.getLogger(ReplicaManager.class);

    /** A partition led by this node. */
    public record HostedPartition(TopicPartition topicPartition, PartitionLog log, int leaderEpoch) {
    }

    /** For a topic whose stored configs cannot be applied: nothing is deleted by time or size (nor compacted). */
    private static final LogConfig KEEP_EVERYTHING = LogConfig.defaults().withRetentionMs(-1).withRetentionBytes(-1);

    private final NodeConfig config;
    private final DynamicBrokerConfig dynamicConfig;
    private final LogStore store;
    private final FetchWaiters fetchWaiters;
    private final Map<TopicPartition, HostedPartition> partitions = new ConcurrentHashMap<>();

    public ReplicaManager(DynamicBrokerConfig dynamicConfig, LogStore store, FetchWaiters fetchWaiters) {
        this.config = dynamicConfig.staticConfig();
        this.dynamicConfig = dynamicConfig;
        this.store = store;
        this.fetchWaiters = fetchWaiters;
    }

    public Optional<HostedPartition> partition(String topic, int partition) {
        return Optional.ofNullable(partitions.get(new TopicPartition(topic, partition)));
    }

    /**
     * The partition when its log is the one of the topic with id {@code topicId}: a request that resolved a topic
     * before it was deleted and re-created under its name finds the new log under the same name, and must not
     * write to it or read from it (Kafka's getPartitionOrException compares the topic ids, UNKNOWN_TOPIC_ID).
     */
    public Optional<HostedPartition> partition(String topic, Uuid topicId, int partition) {
        return partition(topic, partition).filter(p -> p.log().topicId() == null
                || Uuid.ZERO_UUID.equals(p.log().topicId()) || p.log().topicId().equals(topicId));
    }

    /**
     * The answer for partition {@code partition} of topic {@code topicId} ({@code name}) that {@link #partition(String,
     * Uuid, int)} did not find, as Kafka's getPartitionOrError: UNKNOWN_TOPIC_ID (by id) or UNKNOWN_TOPIC_OR_PARTITION
     * when the name now holds another topic or the current image lacks it; NOT_LEADER_OR_FOLLOWER while the current
     * image has it and its log is not created yet (a large topic's creation), so clients retry after a metadata refresh.
     */
    public Errors notHostedError(MetadataImage current, String name, Uuid topicId, int partition, boolean byId) {
        if (partition(name, partition).isPresent()) {
            return byId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION;
        }
        Optional<MetadataImage.TopicImage> topic = current.topic(topicId);
        if (topic.isPresent() && partition >= 0 && partition < topic.get().partitionCount()) {
            return Errors.NOT_LEADER_OR_FOLLOWER;
        }
        return Errors.UNKNOWN_TOPIC_OR_PARTITION;
    }

    public FetchWaiters fetchWaiters() {
        return fetchWaiters;
    }

    public LogStore store() {
        return store;
    }

    /** A partition of the image hosted here, with the storage settings of its topic (null: they cannot be applied). */
    private record Wanted(TopicPartition tp, Uuid topicId, int leaderEpoch, LogConfig logConfig) {
    }

    /**
     * Makes the hosted logs match the image. Idempotent; called at start-up and after each change. The logs missing
     * are created in one {@link LogStore#createLogs} call: a new topic of thousands of partitions costs a few fsyncs
     * per partition done together, not one partition after the other on the controller thread.
     */
    public synchronized void onMetadataUpdate(MetadataImage image) {
        Set<TopicPartition> wanted = new HashSet<>();
        List<TopicPartition> replaced = new ArrayList<>();
        List<Wanted> hosted = wantedPartitions(image);
        List<TopicPartition> stale = new ArrayList<>();
        for (Wanted w : hosted) {
            wanted.add(w.tp());
            Optional<PartitionLog> existing = store.log(w.tp().topic(), w.tp().partition());
            if (existing.isPresent() && !existing.get().topicId().equals(w.topicId())) {
                log.info("Deleting log of {} with stale topic id {} (now {})", w.tp(), existing.get().topicId(), w.topicId());
                stale.add(w.tp());
            }
        }
        if (!stale.isEmpty()) {
            try {
                store.deleteLogs(stale); // one checkpoint write for all of them
            } catch (IOException e) {
                // They are out of the store all the same (and their directories out of the way, or createLogs moves
                // them aside): the new topics' logs are still created.
                log.error("Deleting the logs of {} partition(s) with stale topic ids failed", stale.size(), e);
            }
        }
        List<LogStore.NewLog> missing = new ArrayList<>();
        for (Wanted w : hosted) {
            if (w.logConfig() != null && store.log(w.tp().topic(), w.tp().partition()).isEmpty()) {
                missing.add(new LogStore.NewLog(w.tp().topic(), w.tp().partition(), w.topicId(), w.logConfig(),
                        w.leaderEpoch()));
            }
        }
        Map<TopicPartition, IOException> unopened = missing.isEmpty() ? Map.of() : store.createLogs(missing).failures();
        int failures = 0;
        for (Map.Entry<TopicPartition, IOException> e : unopened.entrySet()) {
            // With the open-file limit reached every new partition fails alike: one stack trace per update.
            if (failures++ == 0) {
                log.error("Cannot open the log of {} (tried again at the next metadata change)", e.getKey(), e.getValue());
            } else {
                log.error("Cannot open the log of {}: {}", e.getKey(), e.getValue().toString());
            }
        }
        for (Wanted w : hosted) {
            Optional<PartitionLog> partitionLog = store.log(w.tp().topic(), w.tp().partition());
            if (partitionLog.isEmpty()) {
                continue; // its configs cannot be applied, or its creation failed
            }
            host(w, partitionLog.get(), replaced);
        }
        List<TopicPartition> toDelete = new ArrayList<>();
        for (PartitionLog l : store.logs()) {
            TopicPartition tp = new TopicPartition(l.topic(), l.partition());
            if (!l.topic().equals(MetadataLog.TOPIC) && !wanted.contains(tp)) {
                toDelete.add(tp);
            }
        }
        for (TopicPartition tp : partitions.keySet()) {
            if (!wanted.contains(tp)) {
                replaced.add(tp);
            }
        }
        partitions.keySet().retainAll(wanted);
        if (!toDelete.isEmpty()) {
            try {
                store.deleteLogs(toDelete); // one checkpoint write for a whole deleted topic
                Map<String, Long> perTopic = toDelete.stream()
                        .collect(Collectors.groupingBy(TopicPartition::topic, TreeMap::new, Collectors.counting()));
                perTopic.forEach((topic, count) -> log.info("Deleted the logs of {} partition(s) of {}", count, topic));
            } catch (IOException e) {
                log.error("Deleting the logs of {} partition(s) {} failed", toDelete.size(), toDelete, e);
            }
        }
        if (fetchWaiters != null && !replaced.isEmpty()) {
            fetchWaiters.wakeAll(replaced); // long polls on them answer now, not at their max.wait.ms
        }
    }

    /** The partitions of {@code image} with a replica on this node, in topic order. */
    private List<Wanted> wantedPartitions(MetadataImage image) {
        List<Wanted> result = new ArrayList<>();
        // Topics without their own value take the dynamic broker defaults of this image.
        NodeConfig brokerConfig = dynamicConfig.at(image).effective();
        for (MetadataImage.TopicImage topic : image.topicsByName().values()) {
            if (topic.name().equals(MetadataLog.TOPIC)) {
                continue; // created by an older Gregor that let clients do so: never let it replace the metadata log
            }
            LogConfig logConfig;
            try {
                logConfig = logConfig(topic.configs(), brokerConfig);
            } catch (RuntimeException e) {
                // A stored config this node cannot apply must not stop every other topic, or the start: the topic's
                // logs are served with settings that delete nothing (its retention or compaction is unknown), and no
                // log is created for it.
                log.error("Cannot apply the configs {} of topic {}; its logs are kept whole until they can be", topic.configs(),
                        topic.name(), e);
                logConfig = null;
            }
            for (MetadataImage.PartitionImage p : topic.partitions()) {
                if (p.replicas().contains(config.nodeId())) {
                    result.add(new Wanted(new TopicPartition(topic.name(), p.partition()), topic.id(), p.leaderEpoch(),
                            logConfig));
                }
            }
        }
        return result;
    }

    /** Applies the image's settings and leader epoch to a partition's log and publishes it to the request threads. */
    private void host(Wanted w, PartitionLog partitionLog, List<TopicPartition> replaced) {
        if (w.logConfig() == null) {
            partitionLog.updateConfig(KEEP_EVERYTHING);
        } else if (!partitionLog.config().equals(w.logConfig())) {
            partitionLog.updateConfig(w.logConfig());
        }
        if (partitionLog.latestEpoch() < w.leaderEpoch()) {
            try {
                partitionLog.assignLeaderEpoch(w.leaderEpoch());
            } catch (LogStorageException e) {
                // Served all the same: its first append starts the epoch (and fails the same way).
                log.warn("Cannot record leader epoch {} of {}: {}", w.leaderEpoch(), w.tp(), e.getMessage());
            }
        }
        HostedPartition before = partitions.put(w.tp(), new HostedPartition(w.tp(), partitionLog, w.leaderEpoch()));
        if (before != null && before.log() != partitionLog) {
            replaced.add(w.tp());
        }
    }

    /** The storage settings a topic gets: its overrides over the broker's current (static and dynamic) defaults. */
    private static LogConfig logConfig(Map<String, String> overrides, NodeConfig config) {
        String compressionType = TopicConfigDef.effective("compression.type", overrides, config);
        return new LogConfig(
                TopicConfigDef.segmentBytes(overrides, config),
                Long.parseLong(TopicConfigDef.effective("segment.ms", overrides, config)),
                Long.parseLong(TopicConfigDef.effective("retention.ms", overrides, config)),
                Long.parseLong(TopicConfigDef.effective("retention.bytes", overrides, config)),
                Integer.parseInt(TopicConfigDef.effective("max.message.bytes", overrides, config)),
                TopicConfigDef.effective("message.timestamp.type", overrides, config).equals("LogAppendTime"),
                Integer.parseInt(TopicConfigDef.effective("index.interval.bytes", overrides, config)),
                // Kafka accepts 4 and then rolls at every entry; one time-index entry (12 bytes) is our floor.
                Math.max(12, Integer.parseInt(TopicConfigDef.effective("segment.index.bytes", overrides, config))),
                Long.parseLong(TopicConfigDef.effective("file.delete.delay.ms", overrides, config)),
                Long.parseLong(TopicConfigDef.effective("message.timestamp.after.max.ms", overrides, config)),
                Long.parseLong(TopicConfigDef.effective("message.timestamp.before.max.ms", overrides, config)))
                .withCleanupPolicy(CleanupPolicy.parse(TopicConfigDef.effective("cleanup.policy", overrides, config)))
                .withDeleteRetentionMs(Long.parseLong(TopicConfigDef.effective("delete.retention.ms", overrides, config)))
                .withCompression(compressionType, compressionLevel(compressionType, overrides, config))
                .withMaxDecompressedRecordBytes(Integer.parseInt(
                        TopicConfigDef.effective(LogConfig.MAX_DECOMPRESSED_MESSAGE_BYTES, overrides, config)))
                .withMinCleanableDirtyRatio(
                        Double.parseDouble(TopicConfigDef.effective("min.cleanable.dirty.ratio", overrides, config)))
                .withMinCompactionLagMs(Long.parseLong(TopicConfigDef.effective("min.compaction.lag.ms", overrides, config)))
                .withMaxCompactionLagMs(Long.parseLong(TopicConfigDef.effective("max.compaction.lag.ms", overrides, config)))
                .withSegmentJitterMs(Long.parseLong(TopicConfigDef.effective(LogConfig.SEGMENT_JITTER_MS, overrides, config)))
                .withFlushMessages(Long.parseLong(TopicConfigDef.effective(LogConfig.FLUSH_MESSAGES, overrides, config)));
    }

    /** compression.gzip.level, compression.lz4.level or compression.zstd.level, whichever matches the codec (KIP-390). */
    private static int compressionLevel(String compressionType, Map<String, String> overrides, NodeConfig config) {
        String key = "compression." + compressionType + ".level";
        return TopicConfigDef.entry(key).isPresent()
                ? Integer.parseInt(TopicConfigDef.effective(key, overrides, config).trim())
                : LogConfig.defaultCompressionLevel(compressionType);
    }
}
