package io.gregor.cli;

import org.apache.kafka.common.internals.Topic;

/**
 * The topics the broker itself owns: Kafka's internal topics ({@link Topic#isInternal}) and
 * Gregor's {@value RebalanceHistory#TOPIC}. {@code topics delete} and {@code topics alter} check
 * here before they send anything, with the lines Kafka's kafka-topics.sh prints, because the
 * broker takes both requests and loses state on the next restart (a group's committed offsets
 * live in partition hash(group) % partition count of {@value Topic#GROUP_METADATA_TOPIC_NAME}).
 */
final class InternalTopics {

    private InternalTopics() {
    }

    static boolean isInternal(String name) {
        return Topic.isInternal(name) || RebalanceHistory.TOPIC.equals(name);
    }

    static void throwIfDeleting(String name) {
        if (isInternal(name)) {
            throw new UserException("Topic " + name + " is a kafka internal topic and is not allowed to be marked for deletion.");
        }
    }

    static void throwIfChangingPartitions(String name) {
        if (Topic.GROUP_METADATA_TOPIC_NAME.equals(name)) {
            throw new UserException("The number of partitions for the offsets topic cannot be changed.");
        }
        if (isInternal(name)) {
            throw new UserException("The number of partitions for the internal topic " + name + " cannot be changed.");
        }
    }
}
