package io.gregor.group;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/**
 * A record of {@code __consumer_offsets}, as the group coordinator writes and replays it. The
 * key identifies what the record is about; a null value is a tombstone (compaction removes the
 * key). Bytes are in {@link GroupRecordCodec}.
 */
public sealed interface GroupRecord {

    String groupId();

    /** A committed offset of one partition, or its removal ({@code value == null}). */
    record OffsetCommit(String groupId, String topic, int partition, CommittedOffset value) implements GroupRecord {
    }

    /** A snapshot of a classic group after a completed rebalance, or its deletion ({@code value == null}). */
    record GroupMetadata(String groupId, GroupSnapshot value) implements GroupRecord {
    }

    /**
     * What OffsetCommit stored: offset, the leader epoch and metadata the client sent, and when.
     * {@code expireTimestampMs} is set when an OffsetCommit v2-v4 gave a RetentionTimeMs: the offset
     * then expires at that time rather than offsets.retention.minutes after its group's base time.
     */
    record CommittedOffset(long offset, int leaderEpoch, String metadata, long commitTimestampMs, OptionalLong expireTimestampMs) {
    }

    record GroupSnapshot(String protocolType, int generationId, String protocolName, String leaderId,
                         long currentStateTimestampMs, List<MemberSnapshot> members) {
    }

    /** A member as stored: {@code metadata} is its subscription for the selected protocol. */
    record MemberSnapshot(String memberId, String groupInstanceId, String clientId, String clientHost,
                          int rebalanceTimeoutMs, int sessionTimeoutMs, byte[] metadata, byte[] assignment) {
    }

    // ---------------------------------------------------------------- KIP-848 consumer groups

    /** A consumer group's epoch and why it last changed, or the group's deletion ({@code value == null}). */
    record ConsumerGroupMetadata(String groupId, ConsumerGroupEpoch value) implements GroupRecord {
    }

    /**
     * @param metadataHash hash of the subscribed topics' ids and partition counts the target was computed from
     * @param reason       a {@link RebalanceEvent.Reason} name
     */
    record ConsumerGroupEpoch(int groupEpoch, long metadataHash, String reason, String detail, long timestampMs) {
    }

    /** A member's subscription and identity, or its removal ({@code value == null}). */
    record ConsumerMemberSubscription(String groupId, String memberId, MemberSubscription value) implements GroupRecord {
    }

    record MemberSubscription(String instanceId, String rackId, String clientId, String clientHost, List<String> subscribedTopicNames,
                              String subscribedTopicRegex, String serverAssignor, int rebalanceTimeoutMs) {
    }

    /** A member's target assignment, or its removal ({@code value == null}). */
    record ConsumerTargetAssignment(String groupId, String memberId, Assignment value) implements GroupRecord {
    }

    /** The group epoch the target assignment was computed for ({@code assignmentEpoch == null}: removed with the group). */
    record ConsumerTargetAssignmentEpoch(String groupId, Integer assignmentEpoch) implements GroupRecord {
    }

    /** A member's current epoch and assignment as reconciled, or its removal ({@code value == null}). */
    record ConsumerMemberAssignment(String groupId, String memberId, CurrentAssignment value) implements GroupRecord {
    }

    /** {@code assignmentEpochs} covers exactly the partitions of {@code assigned} and {@code pendingRevocation}. */
    record CurrentAssignment(int memberEpoch, int previousMemberEpoch, ConsumerGroupMember.State state, Assignment assigned,
                             Assignment pendingRevocation, PartitionEpochs assignmentEpochs) {
    }

    /**
     * The member epoch at which each partition a member holds was assigned to it (KIP-1251
     * "assignment epochs"): a partition the member keeps across rebalances keeps its epoch.
     * Immutable and sorted, like {@link Assignment}.
     */
    record PartitionEpochs(Map<Uuid, Map<Integer, Integer>> epochs) {
        public static final PartitionEpochs EMPTY = new PartitionEpochs(Map.of());

        public PartitionEpochs {
            Map<Uuid, Map<Integer, Integer>> copy = new TreeMap<>();
            for (Map.Entry<Uuid, Map<Integer, Integer>> e : epochs.entrySet()) {
                if (!e.getValue().isEmpty()) {
                    copy.put(e.getKey(), Collections.unmodifiableMap(new TreeMap<>(e.getValue())));
                }
            }
            epochs = Collections.unmodifiableMap(copy);
        }

        /** The epoch {@code partition} was assigned at, or -1 if the member does not hold it. */
        public int epochOf(Uuid topicId, int partition) {
            Map<Integer, Integer> p = epochs.get(topicId);
            Integer epoch = p == null ? null : p.get(partition);
            return epoch == null ? -1 : epoch;
        }

        /** The epochs of the partitions in {@code held}: known ones keep theirs, the others get {@code newEpoch}. */
        public PartitionEpochs forHeld(Assignment held, int newEpoch) {
            Map<Uuid, Map<Integer, Integer>> out = new TreeMap<>();
            held.partitions().forEach((topicId, partitions) -> {
                Map<Integer, Integer> mine = out.computeIfAbsent(topicId, t -> new TreeMap<>());
                for (int p : partitions) {
                    int known = epochOf(topicId, p);
                    mine.put(p, known >= 0 ? known : newEpoch);
                }
            });
            return new PartitionEpochs(out);
        }
    }

    /** Partitions by topic id; immutable, sorted, with no empty topic entries. */
    record Assignment(Map<Uuid, Set<Integer>> partitions) {
        public static final Assignment EMPTY = new Assignment(Map.of());

        public Assignment {
            Map<Uuid, Set<Integer>> copy = new TreeMap<>();
            for (Map.Entry<Uuid, Set<Integer>> e : partitions.entrySet()) {
                if (!e.getValue().isEmpty()) {
                    copy.put(e.getKey(), Collections.unmodifiableSet(new TreeSet<>(e.getValue())));
                }
            }
            partitions = Collections.unmodifiableMap(copy);
        }

        public boolean contains(Uuid topicId, int partition) {
            Set<Integer> p = partitions.get(topicId);
            return p != null && p.contains(partition);
        }

        public boolean isEmpty() {
            return partitions.isEmpty();
        }

        public int size() {
            int n = 0;
            for (Set<Integer> p : partitions.values()) {
                n += p.size();
            }
            return n;
        }

        public Assignment union(Assignment other) {
            Map<Uuid, Set<Integer>> out = mutable();
            other.partitions.forEach((t, ps) -> out.computeIfAbsent(t, k -> new TreeSet<>()).addAll(ps));
            return new Assignment(out);
        }

        public Assignment minus(Assignment other) {
            Map<Uuid, Set<Integer>> out = mutable();
            other.partitions.forEach((t, ps) -> {
                Set<Integer> mine = out.get(t);
                if (mine != null) {
                    mine.removeAll(ps);
                }
            });
            return new Assignment(out);
        }

        public Assignment intersect(Assignment other) {
            return minus(minus(other));
        }

        public boolean intersects(Assignment other) {
            return !intersect(other).isEmpty();
        }

        private Map<Uuid, Set<Integer>> mutable() {
            Map<Uuid, Set<Integer>> out = new TreeMap<>();
            partitions.forEach((t, ps) -> out.put(t, new TreeSet<>(ps)));
            return out;
        }
    }
}
