package io.gregor.group;

import io.gregor.broker.NodeConfig;

/**
 * The group coordinator's settings, read once from the node config with Kafka's key names and
 * defaults (offsets.topic.*, group.*, offset.metadata.max.bytes, offsets.retention.minutes).
 */
public record GroupConfig(int offsetsTopicNumPartitions, short offsetsTopicReplicationFactor, int offsetsTopicSegmentBytes,
                          int initialRebalanceDelayMs, int minSessionTimeoutMs, int maxSessionTimeoutMs, int maxSize,
                          int offsetMetadataMaxBytes, long offsetsRetentionMs, long offsetsRetentionCheckIntervalMs) {

    public static GroupConfig from(NodeConfig config) {
        return new GroupConfig(
                config.intValue("offsets.topic.num.partitions", 1, Integer.MAX_VALUE),
                (short) config.intValue("offsets.topic.replication.factor", 1, Short.MAX_VALUE),
                config.intValue("offsets.topic.segment.bytes", 1, Integer.MAX_VALUE),
                config.intValue("group.initial.rebalance.delay.ms", 0, Integer.MAX_VALUE),
                config.intValue("group.min.session.timeout.ms", 0, Integer.MAX_VALUE),
                config.intValue("group.max.session.timeout.ms", 0, Integer.MAX_VALUE),
                config.intValue("group.max.size", 1, Integer.MAX_VALUE),
                config.intValue("offset.metadata.max.bytes", 0, Integer.MAX_VALUE),
                config.longValue("offsets.retention.minutes", 1, Long.MAX_VALUE / 60_000) * 60_000,
                config.longValue("offsets.retention.check.interval.ms", 1, Long.MAX_VALUE));
    }

    /** Defaults for unit tests, with the initial rebalance delay given. */
    public static GroupConfig defaults(int initialRebalanceDelayMs) {
        return new GroupConfig(50, (short) 3, 104857600, initialRebalanceDelayMs, 6000, 1800000, Integer.MAX_VALUE,
                4096, 10080L * 60_000, 600_000);
    }

    public GroupConfig withMaxSize(int newMaxSize) {
        return new GroupConfig(offsetsTopicNumPartitions, offsetsTopicReplicationFactor, offsetsTopicSegmentBytes,
                initialRebalanceDelayMs, minSessionTimeoutMs, maxSessionTimeoutMs, newMaxSize, offsetMetadataMaxBytes,
                offsetsRetentionMs, offsetsRetentionCheckIntervalMs);
    }
}
