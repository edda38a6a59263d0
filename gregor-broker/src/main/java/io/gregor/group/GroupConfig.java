package io.gregor.group;

import io.gregor.broker.NodeConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The group coordinator's settings, read once from the node config with Kafka's key names and
 * defaults (offsets.topic.*, group.*, group.consumer.*, offset.metadata.max.bytes,
 * offsets.retention.minutes).
 */
public record GroupConfig(int offsetsTopicNumPartitions, short offsetsTopicReplicationFactor, int offsetsTopicSegmentBytes,
                          int initialRebalanceDelayMs, int minSessionTimeoutMs, int maxSessionTimeoutMs, int maxSize,
                          int offsetMetadataMaxBytes, long offsetsRetentionMs, long offsetsRetentionCheckIntervalMs,
                          ConsumerGroupConfig consumer) {

    /**
     * KIP-848 consumer groups: {@code group.consumer.session.timeout.ms} and {@code .heartbeat.interval.ms} with their
     * min/max bounds (which also bound a group's own values), {@code group.consumer.max.size}, and the server-side
     * assignors in {@code group.consumer.assignors}, the first being the default.
     */
    public record ConsumerGroupConfig(int sessionTimeoutMs, int heartbeatIntervalMs, int maxSize, List<String> assignors,
                                      int minSessionTimeoutMs, int maxSessionTimeoutMs,
                                      int minHeartbeatIntervalMs, int maxHeartbeatIntervalMs) {

        public ConsumerGroupConfig {
            assignors = List.copyOf(assignors);
            if (assignors.isEmpty()) {
                throw new IllegalArgumentException("group.consumer.assignors: '' (expected: at least one of uniform, range)");
            }
            for (String a : assignors) {
                if (!ServerAssignor.NAMES.contains(a)) {
                    throw new IllegalArgumentException("group.consumer.assignors: '" + a + "' (expected: uniform or range)");
                }
            }
            if (heartbeatIntervalMs >= sessionTimeoutMs) {
                throw new IllegalArgumentException("group.consumer.heartbeat.interval.ms: " + heartbeatIntervalMs
                        + " (expected: < group.consumer.session.timeout.ms " + sessionTimeoutMs + ")");
            }
        }

        public static ConsumerGroupConfig defaults() {
            return new ConsumerGroupConfig(45_000, 5_000, Integer.MAX_VALUE, List.of("uniform", "range"), 45_000, 60_000, 5_000, 15_000);
        }

        static ConsumerGroupConfig from(NodeConfig config) {
            int session = config.intValue("group.consumer.session.timeout.ms", 1, Integer.MAX_VALUE);
            int minSession = config.intValue("group.consumer.min.session.timeout.ms", 1, Integer.MAX_VALUE);
            int maxSession = config.intValue("group.consumer.max.session.timeout.ms", 1, Integer.MAX_VALUE);
            if (session < minSession || session > maxSession) {
                throw new IllegalArgumentException("group.consumer.session.timeout.ms: " + session + " (expected: between "
                        + minSession + " and " + maxSession + ")");
            }
            int heartbeat = config.intValue("group.consumer.heartbeat.interval.ms", 1, Integer.MAX_VALUE);
            int minHeartbeat = config.intValue("group.consumer.min.heartbeat.interval.ms", 1, Integer.MAX_VALUE);
            int maxHeartbeat = config.intValue("group.consumer.max.heartbeat.interval.ms", 1, Integer.MAX_VALUE);
            if (heartbeat < minHeartbeat || heartbeat > maxHeartbeat) {
                throw new IllegalArgumentException("group.consumer.heartbeat.interval.ms: " + heartbeat + " (expected: between "
                        + minHeartbeat + " and " + maxHeartbeat + ")");
            }
            List<String> assignors = new ArrayList<>();
            for (String a : config.get("group.consumer.assignors").split(",")) {
                if (!a.isBlank()) {
                    assignors.add(a.trim());
                }
            }
            return new ConsumerGroupConfig(session, heartbeat, config.intValue("group.consumer.max.size", 1, Integer.MAX_VALUE), assignors,
                    minSession, maxSession, minHeartbeat, maxHeartbeat);
        }
    }

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
                config.longValue("offsets.retention.check.interval.ms", 1, Long.MAX_VALUE),
                ConsumerGroupConfig.from(config));
    }

    /** Defaults for unit tests, with the initial rebalance delay given. */
    public static GroupConfig defaults(int initialRebalanceDelayMs) {
        return new GroupConfig(50, (short) 3, 104857600, initialRebalanceDelayMs, 6000, 1800000, Integer.MAX_VALUE,
                4096, 10080L * 60_000, 600_000, ConsumerGroupConfig.defaults());
    }

    public GroupConfig withMaxSize(int newMaxSize) {
        return new GroupConfig(offsetsTopicNumPartitions, offsetsTopicReplicationFactor, offsetsTopicSegmentBytes,
                initialRebalanceDelayMs, minSessionTimeoutMs, maxSessionTimeoutMs, newMaxSize, offsetMetadataMaxBytes,
                offsetsRetentionMs, offsetsRetentionCheckIntervalMs, consumer);
    }

    public GroupConfig withConsumer(ConsumerGroupConfig newConsumer) {
        return new GroupConfig(offsetsTopicNumPartitions, offsetsTopicReplicationFactor, offsetsTopicSegmentBytes,
                initialRebalanceDelayMs, minSessionTimeoutMs, maxSessionTimeoutMs, maxSize, offsetMetadataMaxBytes,
                offsetsRetentionMs, offsetsRetentionCheckIntervalMs, newConsumer);
    }
}
