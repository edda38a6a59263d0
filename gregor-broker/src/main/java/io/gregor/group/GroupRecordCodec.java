package io.gregor.group;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.kafka.common.Uuid;

/**
 * Gregor's own key/value format for {@code __consumer_offsets} (not Kafka's). Every value starts
 * with a version so the format can grow; a reader refuses versions it does not know.
 *
 * <pre>
 * key   = type:int16 | groupId:string | [type 1 only: topic:string | partition:int32]
 *         type 1 = offset commit, type 2 = group metadata
 * value = null (tombstone)
 *       | type 1, version 0: version:int16 | offset:int64 | leaderEpoch:int32 | metadata:string
 *                            | commitTimestampMs:int64
 *         type 1, version 1: version 0's fields | expireTimestampMs:int64
 *                            (written only for an offset with an expire timestamp, as Kafka writes its
 *                            OffsetCommitValue v1 only then: records without one stay readable by older nodes)
 *       | type 2, version 0: version:int16 | protocolType:string | generationId:int32 | protocolName:string
 *                            | leaderId:string | currentStateTimestampMs:int64 | memberCount:int32 | member*
 *         member = memberId:string | groupInstanceId:string | clientId:string | clientHost:string
 *                | rebalanceTimeoutMs:int32 | sessionTimeoutMs:int32 | metadata:bytes | assignment:bytes
 *
 * KIP-848 consumer groups (keys: type | groupId | [types 4, 5, 7: memberId:string]):
 *         type 3 = group epoch, version 0: version:int16 | groupEpoch:int32 | metadataHash:int64 | reason:string
 *                                          | detail:string | timestampMs:int64
 *         type 4 = member subscription, version 0: version:int16 | instanceId:string | rackId:string | clientId:string
 *                  | clientHost:string | topicCount:int32 | topicName:string* | regex:string | serverAssignor:string
 *                  | rebalanceTimeoutMs:int32
 *         type 5 = member target assignment, version 0: version:int16 | assignment
 *         type 6 = target assignment epoch, version 0: version:int16 | assignmentEpoch:int32
 *         type 7 = member current assignment, version 1: version:int16 | memberEpoch:int32 | previousMemberEpoch:int32
 *                  | state:int8 | assigned:assignment | pendingRevocation:assignment | assignmentEpochs:epochs
 *                  (version 0 has no assignmentEpochs: every partition then counts as assigned at memberEpoch)
 *         assignment = topicCount:int32 | (topicId:uuid | partitionCount:int32 | partition:int32*)*
 *         epochs = topicCount:int32 | (topicId:uuid | partitionCount:int32 | (partition:int32 | epoch:int32)*)*
 *         uuid = mostSignificantBits:int64 | leastSignificantBits:int64
 * string = length:int32 (-1 = null) | UTF-8 bytes        bytes = length:int32 (-1 = null) | bytes
 * </pre>
 * All integers are big-endian.
 */
public final class GroupRecordCodec {

    static final short OFFSET_COMMIT_TYPE = 1;
    static final short GROUP_METADATA_TYPE = 2;
    static final short CONSUMER_GROUP_EPOCH_TYPE = 3;
    static final short CONSUMER_MEMBER_SUBSCRIPTION_TYPE = 4;
    static final short CONSUMER_TARGET_ASSIGNMENT_TYPE = 5;
    static final short CONSUMER_TARGET_EPOCH_TYPE = 6;
    static final short CONSUMER_MEMBER_ASSIGNMENT_TYPE = 7;
    private static final short VALUE_VERSION = 0;
    /** Version 1 of type 1 adds the expire timestamp of an OffsetCommit v2-v4 RetentionTimeMs. */
    private static final short OFFSET_COMMIT_EXPIRE_VERSION = 1;
    /** Version 1 of type 7 adds the KIP-1251 assignment epochs. */
    private static final short MEMBER_ASSIGNMENT_VERSION = 1;

    private GroupRecordCodec() {
    }

    public static byte[] encodeKey(GroupRecord record) {
        Writer w = new Writer();
        if (record instanceof GroupRecord.OffsetCommit oc) {
            w.int16(OFFSET_COMMIT_TYPE).string(oc.groupId()).string(oc.topic()).int32(oc.partition());
        } else if (record instanceof GroupRecord.ConsumerGroupMetadata) {
            w.int16(CONSUMER_GROUP_EPOCH_TYPE).string(record.groupId());
        } else if (record instanceof GroupRecord.ConsumerMemberSubscription r) {
            w.int16(CONSUMER_MEMBER_SUBSCRIPTION_TYPE).string(r.groupId()).string(r.memberId());
        } else if (record instanceof GroupRecord.ConsumerTargetAssignment r) {
            w.int16(CONSUMER_TARGET_ASSIGNMENT_TYPE).string(r.groupId()).string(r.memberId());
        } else if (record instanceof GroupRecord.ConsumerTargetAssignmentEpoch) {
            w.int16(CONSUMER_TARGET_EPOCH_TYPE).string(record.groupId());
        } else if (record instanceof GroupRecord.ConsumerMemberAssignment r) {
            w.int16(CONSUMER_MEMBER_ASSIGNMENT_TYPE).string(r.groupId()).string(r.memberId());
        } else {
            w.int16(GROUP_METADATA_TYPE).string(record.groupId());
        }
        return w.toBytes();
    }

    /** The value bytes, or null for a tombstone. */
    public static byte[] encodeValue(GroupRecord record) {
        Writer w = new Writer();
        if (record instanceof GroupRecord.OffsetCommit oc) {
            if (oc.value() == null) {
                return null;
            }
            GroupRecord.CommittedOffset v = oc.value();
            w.int16(v.expireTimestampMs().isPresent() ? OFFSET_COMMIT_EXPIRE_VERSION : VALUE_VERSION).int64(v.offset())
                    .int32(v.leaderEpoch()).string(v.metadata()).int64(v.commitTimestampMs());
            if (v.expireTimestampMs().isPresent()) {
                w.int64(v.expireTimestampMs().getAsLong());
            }
        } else if (!(record instanceof GroupRecord.GroupMetadata)) {
            return encodeConsumerValue(record, w);
        } else {
            GroupRecord.GroupMetadata gm = (GroupRecord.GroupMetadata) record;
            if (gm.value() == null) {
                return null;
            }
            GroupRecord.GroupSnapshot g = gm.value();
            w.int16(VALUE_VERSION).string(g.protocolType()).int32(g.generationId()).string(g.protocolName())
                    .string(g.leaderId()).int64(g.currentStateTimestampMs()).int32(g.members().size());
            for (GroupRecord.MemberSnapshot m : g.members()) {
                w.string(m.memberId()).string(m.groupInstanceId()).string(m.clientId()).string(m.clientHost())
                        .int32(m.rebalanceTimeoutMs()).int32(m.sessionTimeoutMs()).bytes(m.metadata()).bytes(m.assignment());
            }
        }
        return w.toBytes();
    }

    private static byte[] encodeConsumerValue(GroupRecord record, Writer w) {
        if (record instanceof GroupRecord.ConsumerGroupMetadata r) {
            if (r.value() == null) {
                return null;
            }
            GroupRecord.ConsumerGroupEpoch v = r.value();
            w.int16(VALUE_VERSION).int32(v.groupEpoch()).int64(v.metadataHash()).string(v.reason()).string(v.detail()).int64(v.timestampMs());
        } else if (record instanceof GroupRecord.ConsumerMemberSubscription r) {
            if (r.value() == null) {
                return null;
            }
            GroupRecord.MemberSubscription v = r.value();
            w.int16(VALUE_VERSION).string(v.instanceId()).string(v.rackId()).string(v.clientId()).string(v.clientHost())
                    .int32(v.subscribedTopicNames().size());
            for (String t : v.subscribedTopicNames()) {
                w.string(t);
            }
            w.string(v.subscribedTopicRegex()).string(v.serverAssignor()).int32(v.rebalanceTimeoutMs());
        } else if (record instanceof GroupRecord.ConsumerTargetAssignment r) {
            if (r.value() == null) {
                return null;
            }
            w.int16(VALUE_VERSION);
            assignment(w, r.value());
        } else if (record instanceof GroupRecord.ConsumerTargetAssignmentEpoch r) {
            if (r.assignmentEpoch() == null) {
                return null;
            }
            w.int16(VALUE_VERSION).int32(r.assignmentEpoch());
        } else if (record instanceof GroupRecord.ConsumerMemberAssignment r) {
            if (r.value() == null) {
                return null;
            }
            GroupRecord.CurrentAssignment v = r.value();
            w.int16(MEMBER_ASSIGNMENT_VERSION).int32(v.memberEpoch()).int32(v.previousMemberEpoch()).int8((byte) v.state().ordinal());
            assignment(w, v.assigned());
            assignment(w, v.pendingRevocation());
            epochs(w, v.assignmentEpochs());
        }
        return w.toBytes();
    }

    private static void assignment(Writer w, GroupRecord.Assignment a) {
        w.int32(a.partitions().size());
        a.partitions().forEach((topicId, partitions) -> {
            w.int64(topicId.getMostSignificantBits()).int64(topicId.getLeastSignificantBits()).int32(partitions.size());
            for (int p : partitions) {
                w.int32(p);
            }
        });
    }

    private static void epochs(Writer w, GroupRecord.PartitionEpochs e) {
        w.int32(e.epochs().size());
        e.epochs().forEach((topicId, partitions) -> {
            w.int64(topicId.getMostSignificantBits()).int64(topicId.getLeastSignificantBits()).int32(partitions.size());
            partitions.forEach((p, epoch) -> w.int32(p).int32(epoch));
        });
    }

    private static GroupRecord.PartitionEpochs epochs(ByteBuffer b) {
        int topics = b.getInt();
        Map<Uuid, Map<Integer, Integer>> out = new HashMap<>();
        for (int i = 0; i < topics; i++) {
            Uuid id = new Uuid(b.getLong(), b.getLong());
            int n = b.getInt();
            Map<Integer, Integer> ps = new HashMap<>();
            for (int j = 0; j < n; j++) {
                ps.put(b.getInt(), b.getInt());
            }
            out.put(id, ps);
        }
        return new GroupRecord.PartitionEpochs(out);
    }

    private static GroupRecord.Assignment assignment(ByteBuffer b) {
        int topics = b.getInt();
        Map<Uuid, Set<Integer>> out = new HashMap<>();
        for (int i = 0; i < topics; i++) {
            Uuid id = new Uuid(b.getLong(), b.getLong());
            int n = b.getInt();
            Set<Integer> ps = new HashSet<>();
            for (int j = 0; j < n; j++) {
                ps.add(b.getInt());
            }
            out.put(id, ps);
        }
        return new GroupRecord.Assignment(out);
    }

    private static GroupRecord decodeConsumer(short type, String groupId, ByteBuffer k, ByteBuffer value) {
        ByteBuffer v = value == null ? null : value.duplicate();
        short version = VALUE_VERSION;
        if (v != null) {
            version = v.getShort();
            if (type != CONSUMER_MEMBER_ASSIGNMENT_TYPE || version != MEMBER_ASSIGNMENT_VERSION) {
                checkVersion(version);
            }
        }
        switch (type) {
            case CONSUMER_GROUP_EPOCH_TYPE -> {
                return new GroupRecord.ConsumerGroupMetadata(groupId, v == null ? null
                        : new GroupRecord.ConsumerGroupEpoch(v.getInt(), v.getLong(), string(v), string(v), v.getLong()));
            }
            case CONSUMER_MEMBER_SUBSCRIPTION_TYPE -> {
                String memberId = string(k);
                if (v == null) {
                    return new GroupRecord.ConsumerMemberSubscription(groupId, memberId, null);
                }
                String instanceId = string(v);
                String rackId = string(v);
                String clientId = string(v);
                String clientHost = string(v);
                int n = v.getInt();
                List<String> topics = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    topics.add(string(v));
                }
                return new GroupRecord.ConsumerMemberSubscription(groupId, memberId, new GroupRecord.MemberSubscription(instanceId, rackId,
                        clientId, clientHost, List.copyOf(topics), string(v), string(v), v.getInt()));
            }
            case CONSUMER_TARGET_ASSIGNMENT_TYPE -> {
                return new GroupRecord.ConsumerTargetAssignment(groupId, string(k), v == null ? null : assignment(v));
            }
            case CONSUMER_TARGET_EPOCH_TYPE -> {
                return new GroupRecord.ConsumerTargetAssignmentEpoch(groupId, v == null ? null : v.getInt());
            }
            case CONSUMER_MEMBER_ASSIGNMENT_TYPE -> {
                String memberId = string(k);
                if (v == null) {
                    return new GroupRecord.ConsumerMemberAssignment(groupId, memberId, null);
                }
                int epoch = v.getInt();
                int previous = v.getInt();
                byte state = v.get();
                if (state < 0 || state >= ConsumerGroupMember.State.values().length) {
                    throw new IllegalStateException("consumer member state: " + state);
                }
                GroupRecord.Assignment assigned = assignment(v);
                GroupRecord.Assignment pending = assignment(v);
                GroupRecord.PartitionEpochs epochs = version == VALUE_VERSION
                        ? GroupRecord.PartitionEpochs.EMPTY.forHeld(assigned.union(pending), epoch >= 0 ? epoch : previous) : epochs(v);
                return new GroupRecord.ConsumerMemberAssignment(groupId, memberId, new GroupRecord.CurrentAssignment(epoch, previous,
                        ConsumerGroupMember.State.values()[state], assigned, pending, epochs));
            }
            default -> throw new IllegalStateException("group record type: " + type + " (expected: 1 to 7)");
        }
    }

    /** Decodes one record; {@code value} null means tombstone. Throws IllegalStateException on bytes it cannot read. */
    public static GroupRecord decode(ByteBuffer key, ByteBuffer value) {
        try {
            ByteBuffer k = key.duplicate();
            short type = k.getShort();
            String groupId = string(k);
            if (type == OFFSET_COMMIT_TYPE) {
                String topic = string(k);
                int partition = k.getInt();
                if (value == null) {
                    return new GroupRecord.OffsetCommit(groupId, topic, partition, null);
                }
                ByteBuffer v = value.duplicate();
                short version = v.getShort();
                if (version != OFFSET_COMMIT_EXPIRE_VERSION) {
                    checkVersion(version);
                }
                long offset = v.getLong();
                int leaderEpoch = v.getInt();
                String metadata = string(v);
                long commitTimestampMs = v.getLong();
                OptionalLong expireTimestampMs = version == OFFSET_COMMIT_EXPIRE_VERSION ? OptionalLong.of(v.getLong()) : OptionalLong.empty();
                return new GroupRecord.OffsetCommit(groupId, topic, partition,
                        new GroupRecord.CommittedOffset(offset, leaderEpoch, metadata, commitTimestampMs, expireTimestampMs));
            }
            if (type == GROUP_METADATA_TYPE) {
                if (value == null) {
                    return new GroupRecord.GroupMetadata(groupId, null);
                }
                ByteBuffer v = value.duplicate();
                checkVersion(v.getShort());
                String protocolType = string(v);
                int generation = v.getInt();
                String protocolName = string(v);
                String leader = string(v);
                long stateTs = v.getLong();
                int n = v.getInt();
                List<GroupRecord.MemberSnapshot> members = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    members.add(new GroupRecord.MemberSnapshot(string(v), string(v), string(v), string(v), v.getInt(), v.getInt(),
                            bytes(v), bytes(v)));
                }
                return new GroupRecord.GroupMetadata(groupId,
                        new GroupRecord.GroupSnapshot(protocolType, generation, protocolName, leader, stateTs, List.copyOf(members)));
            }
            return decodeConsumer(type, groupId, k, value);
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalStateException("truncated group record", e);
        }
    }

    private static void checkVersion(short version) {
        if (version != VALUE_VERSION) {
            throw new IllegalStateException("group record value version: " + version + " (expected: " + VALUE_VERSION + ")");
        }
    }

    private static String string(ByteBuffer b) {
        int len = b.getInt();
        if (len < 0) {
            return null;
        }
        byte[] bytes = new byte[len];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static byte[] bytes(ByteBuffer b) {
        int len = b.getInt();
        if (len < 0) {
            return null;
        }
        byte[] bytes = new byte[len];
        b.get(bytes);
        return bytes;
    }

    private static final class Writer {
        private ByteBuffer buf = ByteBuffer.allocate(128);

        private void ensure(int n) {
            if (buf.remaining() < n) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n));
                buf.flip();
                bigger.put(buf);
                buf = bigger;
            }
        }

        Writer int8(byte v) {
            ensure(1);
            buf.put(v);
            return this;
        }

        Writer int16(short v) {
            ensure(2);
            buf.putShort(v);
            return this;
        }

        Writer int32(int v) {
            ensure(4);
            buf.putInt(v);
            return this;
        }

        Writer int64(long v) {
            ensure(8);
            buf.putLong(v);
            return this;
        }

        Writer string(String s) {
            return bytes(s == null ? null : s.getBytes(StandardCharsets.UTF_8));
        }

        Writer bytes(byte[] b) {
            if (b == null) {
                return int32(-1);
            }
            int32(b.length);
            ensure(b.length);
            buf.put(b);
            return this;
        }

        byte[] toBytes() {
            byte[] out = new byte[buf.position()];
            buf.flip();
            buf.get(out);
            return out;
        }
    }
}
