package io.gregor.metadata;

import java.util.List;
import org.apache.kafka.common.Uuid;

/**
 * The records of the metadata log ({@code __cluster_metadata-0}). Every change to topics,
 * partitions, configs and brokers is one of these, appended by the controller and replayed
 * by every node into its {@link MetadataImage}. Serialized by {@link MetadataRecordCodec}.
 */
public sealed interface MetadataRecord {

    /** A broker announced itself with the endpoint clients should use. */
    record RegisterBroker(int nodeId, String host, int port, String rack) implements MetadataRecord {
    }

    record CreateTopic(String name, Uuid topicId) implements MetadataRecord {
    }

    /** A partition's placement; a later record for the same partition replaces the earlier one. */
    record PartitionState(Uuid topicId, int partition, List<Integer> replicas, List<Integer> isr,
                          int leader, int leaderEpoch) implements MetadataRecord {
    }

    /** A topic config override; {@code value == null} removes it. */
    record TopicConfig(Uuid topicId, String key, String value) implements MetadataRecord {
    }

    record RemoveTopic(Uuid topicId) implements MetadataRecord {
    }

    /**
     * A dynamic broker config (KIP-226, Kafka's ConfigRecord of resource type BROKER):
     * {@code resourceName} is "" for the cluster-wide default or a node id; {@code value == null}
     * removes it.
     */
    record BrokerConfig(String resourceName, String key, String value) implements MetadataRecord {
    }

    /**
     * A group config (KIP-848, Kafka's ConfigRecord of resource type GROUP) of the group named {@code groupId}, which
     * need not exist; {@code value == null} removes it.
     */
    record GroupConfig(String groupId, String key, String value) implements MetadataRecord {
    }
}
