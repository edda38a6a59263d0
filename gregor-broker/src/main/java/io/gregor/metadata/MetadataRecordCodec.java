package io.gregor.metadata;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;

/**
 * Our own versioned format for metadata records, stored as the value of a Kafka record
 * (the enclosing v2 batch carries the CRC).
 *
 * <pre>
 * +-------------+------------+--------------------------------------+
 * | type: int8  | version: 8 | fields, in declaration order         |
 * +-------------+------------+--------------------------------------+
 * strings: int16 length (-1 = null) + UTF-8; uuids: 2 x int64; int lists: int32 count + int32s
 * </pre>
 *
 * Unknown types or versions throw: a node must not silently skip metadata it cannot apply.
 */
public final class MetadataRecordCodec {

    private static final byte REGISTER_BROKER = 1;
    private static final byte CREATE_TOPIC = 2;
    private static final byte PARTITION_STATE = 3;
    private static final byte TOPIC_CONFIG = 4;
    private static final byte REMOVE_TOPIC = 5;
    private static final byte BROKER_CONFIG = 6;
    private static final byte GROUP_CONFIG = 7;
    private static final byte VERSION = 0;

    private MetadataRecordCodec() {
    }

    public static byte[] encode(MetadataRecord record) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            if (record instanceof MetadataRecord.RegisterBroker r) {
                header(out, REGISTER_BROKER);
                out.writeInt(r.nodeId());
                writeString(out, r.host());
                out.writeInt(r.port());
                writeString(out, r.rack());
            } else if (record instanceof MetadataRecord.CreateTopic r) {
                header(out, CREATE_TOPIC);
                writeString(out, r.name());
                writeUuid(out, r.topicId());
            } else if (record instanceof MetadataRecord.PartitionState r) {
                header(out, PARTITION_STATE);
                writeUuid(out, r.topicId());
                out.writeInt(r.partition());
                writeInts(out, r.replicas());
                writeInts(out, r.isr());
                out.writeInt(r.leader());
                out.writeInt(r.leaderEpoch());
            } else if (record instanceof MetadataRecord.TopicConfig r) {
                header(out, TOPIC_CONFIG);
                writeUuid(out, r.topicId());
                writeString(out, r.key());
                writeString(out, r.value());
            } else if (record instanceof MetadataRecord.RemoveTopic r) {
                header(out, REMOVE_TOPIC);
                writeUuid(out, r.topicId());
            } else if (record instanceof MetadataRecord.BrokerConfig r) {
                header(out, BROKER_CONFIG);
                writeString(out, r.resourceName());
                writeString(out, r.key());
                writeString(out, r.value());
            } else if (record instanceof MetadataRecord.GroupConfig r) {
                header(out, GROUP_CONFIG);
                writeString(out, r.groupId());
                writeString(out, r.key());
                writeString(out, r.value());
            } else {
                throw new IllegalArgumentException("unknown metadata record " + record);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static MetadataRecord decode(ByteBuffer buf) {
        byte type = buf.get();
        byte version = buf.get();
        if (version != VERSION) {
            throw new IllegalStateException("metadata record type " + type + " version " + version + " (expected: " + VERSION + ")");
        }
        return switch (type) {
            case REGISTER_BROKER -> new MetadataRecord.RegisterBroker(buf.getInt(), readString(buf), buf.getInt(), readString(buf));
            case CREATE_TOPIC -> new MetadataRecord.CreateTopic(readString(buf), readUuid(buf));
            case PARTITION_STATE -> new MetadataRecord.PartitionState(readUuid(buf), buf.getInt(), readInts(buf), readInts(buf),
                    buf.getInt(), buf.getInt());
            case TOPIC_CONFIG -> new MetadataRecord.TopicConfig(readUuid(buf), readString(buf), readString(buf));
            case REMOVE_TOPIC -> new MetadataRecord.RemoveTopic(readUuid(buf));
            case BROKER_CONFIG -> new MetadataRecord.BrokerConfig(readString(buf), readString(buf), readString(buf));
            case GROUP_CONFIG -> new MetadataRecord.GroupConfig(readString(buf), readString(buf), readString(buf));
            default -> throw new IllegalStateException("metadata record type " + type + " (expected: 1..7)");
        };
    }

    private static void header(DataOutputStream out, byte type) throws IOException {
        out.writeByte(type);
        out.writeByte(VERSION);
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeShort(-1);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > Short.MAX_VALUE) {
            // The length is a signed short: a longer string would read back as another one (or as null).
            throw new IllegalArgumentException("metadata string of " + b.length + " bytes (at most " + Short.MAX_VALUE + ")");
        }
        out.writeShort(b.length);
        out.write(b);
    }

    private static String readString(ByteBuffer buf) {
        short len = buf.getShort();
        if (len < 0) {
            return null;
        }
        byte[] b = new byte[len];
        buf.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static void writeUuid(DataOutputStream out, Uuid id) throws IOException {
        out.writeLong(id.getMostSignificantBits());
        out.writeLong(id.getLeastSignificantBits());
    }

    private static Uuid readUuid(ByteBuffer buf) {
        return new Uuid(buf.getLong(), buf.getLong());
    }

    private static void writeInts(DataOutputStream out, List<Integer> ints) throws IOException {
        out.writeInt(ints.size());
        for (int i : ints) {
            out.writeInt(i);
        }
    }

    private static List<Integer> readInts(ByteBuffer buf) {
        int n = buf.getInt();
        if (n < 0 || n > buf.remaining() / 4) {
            throw new IllegalStateException("int list of " + n + " (expected: 0.." + buf.remaining() / 4 + ")");
        }
        List<Integer> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(buf.getInt());
        }
        return List.copyOf(out);
    }
}
