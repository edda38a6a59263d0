package io.gregor.group;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

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
 *       | type 2, version 0: version:int16 | protocolType:string | generationId:int32 | protocolName:string
 *                            | leaderId:string | currentStateTimestampMs:int64 | memberCount:int32 | member*
 *         member = memberId:string | groupInstanceId:string | clientId:string | clientHost:string
 *                | rebalanceTimeoutMs:int32 | sessionTimeoutMs:int32 | metadata:bytes | assignment:bytes
 * string = length:int32 (-1 = null) | UTF-8 bytes        bytes = length:int32 (-1 = null) | bytes
 * </pre>
 * All integers are big-endian.
 */
public final class GroupRecordCodec {

    static final short OFFSET_COMMIT_TYPE = 1;
    static final short GROUP_METADATA_TYPE = 2;
    private static final short VALUE_VERSION = 0;

    private GroupRecordCodec() {
    }

    public static byte[] encodeKey(GroupRecord record) {
        Writer w = new Writer();
        if (record instanceof GroupRecord.OffsetCommit oc) {
            w.int16(OFFSET_COMMIT_TYPE).string(oc.groupId()).string(oc.topic()).int32(oc.partition());
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
            w.int16(VALUE_VERSION).int64(v.offset()).int32(v.leaderEpoch()).string(v.metadata()).int64(v.commitTimestampMs());
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
                checkVersion(v.getShort());
                return new GroupRecord.OffsetCommit(groupId, topic, partition,
                        new GroupRecord.CommittedOffset(v.getLong(), v.getInt(), string(v), v.getLong()));
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
            throw new IllegalStateException("group record type: " + type + " (expected: 1 or 2)");
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
