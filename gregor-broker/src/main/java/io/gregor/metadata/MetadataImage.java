package io.gregor.metadata;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.internals.Topic;

/**
 * The cluster as the metadata log describes it up to {@link #lastOffset()}: brokers, topics,
 * partitions, topic config overrides, dynamic broker configs and group configs. Immutable: {@link #apply} returns a new image, which
 * the owner publishes through a volatile reference; readers on any thread use what they got.
 */
public final class MetadataImage {

    public static final MetadataImage EMPTY = new MetadataImage(Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), -1);
    /** The resource name of the cluster-wide dynamic broker config defaults. */
    public static final String CLUSTER_DEFAULT = "";

    public record BrokerImage(int nodeId, String host, int port, String rack) {
    }

    public record PartitionImage(int partition, List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch) {
    }

    /** A topic; {@code partitions} is ordered by partition index, 0..n-1. */
    public record TopicImage(String name, Uuid id, List<PartitionImage> partitions, Map<String, String> configs) {
        public int partitionCount() {
            return partitions.size();
        }

        public Optional<PartitionImage> partition(int index) {
            return index >= 0 && index < partitions.size() ? Optional.of(partitions.get(index)) : Optional.empty();
        }

        /**
         * Kafka's internal topics ({@code Topic.isInternal}: the group, transaction and share-group
         * state logs) and Gregor's rebalance history: Metadata flags them, clients cannot write them.
         */
        public boolean isInternal() {
            return Topic.isInternal(name) || name.equals("__gregor_rebalances");
        }
    }

    private final Map<String, TopicImage> topicsByName;
    private final Map<Uuid, TopicImage> topicsById;
    private final Map<Integer, BrokerImage> brokers;
    /** Dynamic broker configs by resource name ("" or a node id); no empty maps. */
    private final Map<String, Map<String, String>> brokerConfigs;
    /** Group configs by group id, sorted; no empty maps. */
    private final Map<String, Map<String, String>> groupConfigs;
    private final long lastOffset;

    private MetadataImage(Map<String, TopicImage> topicsByName, Map<Uuid, TopicImage> topicsById,
                          Map<Integer, BrokerImage> brokers, Map<String, Map<String, String>> brokerConfigs,
                          Map<String, Map<String, String>> groupConfigs, long lastOffset) {
        this.topicsByName = topicsByName;
        this.topicsById = topicsById;
        this.brokers = brokers;
        this.brokerConfigs = brokerConfigs;
        this.groupConfigs = groupConfigs;
        this.lastOffset = lastOffset;
    }

    public Map<String, TopicImage> topicsByName() {
        return topicsByName;
    }

    public Optional<TopicImage> topic(String name) {
        return Optional.ofNullable(topicsByName.get(name));
    }

    public Optional<TopicImage> topic(Uuid id) {
        return Optional.ofNullable(topicsById.get(id));
    }

    public Map<Integer, BrokerImage> brokers() {
        return brokers;
    }

    /** The dynamic configs of a BROKER resource ({@link #CLUSTER_DEFAULT} or a node id), sorted by key; empty when none. */
    public Map<String, String> brokerConfigs(String resourceName) {
        return brokerConfigs.getOrDefault(resourceName, Map.of());
    }

    /** The configs set on group {@code groupId} (which need not exist), sorted by key; empty when none. */
    public Map<String, String> groupConfigs(String groupId) {
        return groupConfigs.getOrDefault(groupId, Map.of());
    }

    /** The ids of the groups that have configs set, sorted. */
    public Set<String> groupsWithConfigs() {
        return groupConfigs.keySet();
    }

    public long lastOffset() {
        return lastOffset;
    }

    /**
     * The records that rebuild this image when applied to {@link #EMPTY}, in an order {@link #apply} accepts in any
     * split: brokers, broker configs, group configs, then per topic its CreateTopic, its partitions in ascending order
     * and its configs. What a metadata snapshot holds.
     */
    public void forEachRecord(Consumer<MetadataRecord> out) {
        for (BrokerImage b : brokers.values()) {
            out.accept(new MetadataRecord.RegisterBroker(b.nodeId(), b.host(), b.port(), b.rack()));
        }
        brokerConfigs.forEach((resource, configs) ->
                configs.forEach((k, v) -> out.accept(new MetadataRecord.BrokerConfig(resource, k, v))));
        groupConfigs.forEach((group, configs) ->
                configs.forEach((k, v) -> out.accept(new MetadataRecord.GroupConfig(group, k, v))));
        for (TopicImage t : topicsById.values()) {
            out.accept(new MetadataRecord.CreateTopic(t.name(), t.id()));
            for (PartitionImage p : t.partitions()) {
                out.accept(new MetadataRecord.PartitionState(t.id(), p.partition(), p.replicas(), p.isr(), p.leader(),
                        p.leaderEpoch()));
            }
            t.configs().forEach((k, v) -> out.accept(new MetadataRecord.TopicConfig(t.id(), k, v)));
        }
    }

    /** Replays records (in log order) on top of this image. */
    public MetadataImage apply(List<MetadataRecord> records, long newLastOffset) {
        Map<Uuid, MutableTopic> changed = new HashMap<>();
        Map<Uuid, TopicImage> byId = new LinkedHashMap<>(topicsById);
        Map<Integer, BrokerImage> newBrokers = new TreeMap<>(brokers);
        Map<String, Map<String, String>> newBrokerConfigs = null;
        Map<String, Map<String, String>> newGroupConfigs = null;
        for (MetadataRecord record : records) {
            if (record instanceof MetadataRecord.RegisterBroker r) {
                newBrokers.put(r.nodeId(), new BrokerImage(r.nodeId(), r.host(), r.port(), r.rack()));
            } else if (record instanceof MetadataRecord.CreateTopic r) {
                changed.put(r.topicId(), new MutableTopic(r.name(), r.topicId()));
                byId.remove(r.topicId());
            } else if (record instanceof MetadataRecord.PartitionState r) {
                topicFor(r.topicId(), changed, byId).partitions.put(r.partition(),
                        new PartitionImage(r.partition(), r.replicas(), r.isr(), r.leader(), r.leaderEpoch()));
            } else if (record instanceof MetadataRecord.TopicConfig r) {
                MutableTopic t = topicFor(r.topicId(), changed, byId);
                if (r.value() == null) {
                    t.configs.remove(r.key());
                } else {
                    t.configs.put(r.key(), r.value());
                }
            } else if (record instanceof MetadataRecord.RemoveTopic r) {
                changed.remove(r.topicId());
                byId.remove(r.topicId());
            } else if (record instanceof MetadataRecord.BrokerConfig r) {
                if (newBrokerConfigs == null) {
                    newBrokerConfigs = new TreeMap<>(brokerConfigs);
                }
                setConfig(newBrokerConfigs, r.resourceName(), r.key(), r.value());
            } else if (record instanceof MetadataRecord.GroupConfig r) {
                if (newGroupConfigs == null) {
                    newGroupConfigs = new TreeMap<>(groupConfigs);
                }
                setConfig(newGroupConfigs, r.groupId(), r.key(), r.value());
            }
        }
        for (MutableTopic t : changed.values()) {
            byId.put(t.id, t.freeze());
        }
        Map<String, TopicImage> byName = new TreeMap<>();
        for (TopicImage t : byId.values()) {
            byName.put(t.name(), t);
        }
        return new MetadataImage(Collections.unmodifiableMap(byName), Collections.unmodifiableMap(byId),
                Collections.unmodifiableMap(newBrokers),
                newBrokerConfigs == null ? brokerConfigs : Collections.unmodifiableMap(newBrokerConfigs),
                newGroupConfigs == null ? groupConfigs : Collections.unmodifiableMap(newGroupConfigs), newLastOffset);
    }

    /** Sets ({@code value != null}) or removes one config of {@code resource}, dropping a resource left with none. */
    private static void setConfig(Map<String, Map<String, String>> byResource, String resource, String key, String value) {
        Map<String, String> configs = new TreeMap<>(byResource.getOrDefault(resource, Map.of()));
        if (value == null) {
            configs.remove(key);
        } else {
            configs.put(key, value);
        }
        if (configs.isEmpty()) {
            byResource.remove(resource);
        } else {
            byResource.put(resource, Collections.unmodifiableMap(configs));
        }
    }

    private static MutableTopic topicFor(Uuid id, Map<Uuid, MutableTopic> changed, Map<Uuid, TopicImage> byId) {
        MutableTopic t = changed.get(id);
        if (t != null) {
            return t;
        }
        TopicImage existing = byId.remove(id);
        if (existing == null) {
            throw new IllegalStateException("metadata record for unknown topic id " + id);
        }
        t = new MutableTopic(existing.name(), id);
        for (PartitionImage p : existing.partitions()) {
            t.partitions.put(p.partition(), p);
        }
        t.configs.putAll(existing.configs());
        changed.put(id, t);
        return t;
    }

    private static final class MutableTopic {
        final String name;
        final Uuid id;
        final TreeMap<Integer, PartitionImage> partitions = new TreeMap<>();
        final Map<String, String> configs = new TreeMap<>();

        MutableTopic(String name, Uuid id) {
            this.name = name;
            this.id = id;
        }

        TopicImage freeze() {
            List<PartitionImage> list = new ArrayList<>(partitions.values());
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i).partition() != i) {
                    throw new IllegalStateException("topic " + name + " has no partition " + i);
                }
            }
            return new TopicImage(name, id, List.copyOf(list), Collections.unmodifiableMap(new TreeMap<>(configs)));
        }
    }
}
