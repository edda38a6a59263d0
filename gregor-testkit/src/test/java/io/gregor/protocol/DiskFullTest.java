package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.gregor.storage.StorageIo;
import io.gregor.testkit.RawClient;
import io.gregor.testkit.TestNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A full disk, through the broker: writes are answered KAFKA_STORAGE_ERROR, reads keep working,
 * the broker stays up, and once there is room again nothing acknowledged is missing and nothing
 * refused was kept (also after a restart).
 */
@Timeout(60)
class DiskFullTest {

    /** The real file system, except that while {@link #full} a write stores a few bytes, then fails as ENOSPC does. */
    static final class FullDisk implements StorageIo {
        final AtomicBoolean full = new AtomicBoolean();

        @Override
        public int append(FileRecords segment, MemoryRecords records) throws IOException {
            if (full.get()) {
                ByteBuffer torn = records.buffer().duplicate();
                torn.limit(torn.position() + Math.min(7, torn.remaining()));
                segment.channel().write(torn);
                throw new IOException("No space left on device");
            }
            return StorageIo.standard().append(segment, records);
        }

        @Override
        public void write(FileChannel channel, ByteBuffer src, long position) throws IOException {
            if (full.get()) {
                throw new IOException("No space left on device");
            }
            StorageIo.standard().write(channel, src, position);
        }

        @Override
        public void writeFile(Path target, ByteBuffer content, boolean sync) throws IOException {
            if (full.get()) {
                throw new IOException("No space left on device");
            }
            StorageIo.standard().writeFile(target, content, sync);
        }
    }

    @Test
    void shouldRefuseWritesWithStorageErrorKeepServingReadsAndLoseNothingAcknowledged() throws Exception {
        FullDisk disk = new FullDisk();
        try (TestNode node = TestNode.builder().storageIo(disk).start()) {
            Clients.createTopic(node, "full", 1, Map.of());
            try (RawClient client = RawClient.connect(node)) {
                assertThat(produce(client, -1, "a", "b").baseOffset()).isZero();

                disk.full.set(true);
                assertThat(Errors.forCode(produce(client, -1, "lost-1").errorCode())).isEqualTo(Errors.KAFKA_STORAGE_ERROR);
                assertThat(Errors.forCode(produce(client, 1, "lost-2").errorCode())).isEqualTo(Errors.KAFKA_STORAGE_ERROR);
                assertThat(readValues(node, 2)).containsExactly("a", "b");

                disk.full.set(false);
                ProduceResponseData.PartitionProduceResponse afterRoom = produce(client, -1, "c");
                assertThat(Errors.forCode(afterRoom.errorCode())).isEqualTo(Errors.NONE);
                assertThat(afterRoom.baseOffset()).isEqualTo(2);
            }
            assertThat(readValues(node, 3)).containsExactly("a", "b", "c");

            node.restart();

            assertThat(readValues(node, 3)).containsExactly("a", "b", "c");
        }
    }

    private static ProduceResponseData.PartitionProduceResponse produce(RawClient client, int acks, String... values) {
        ProduceRequestData data = BadInputTest.produceData("full", 0, BadInputTest.records(values)).setAcks((short) acks);
        ProduceResponse response = client.send(new ProduceRequest(data, (short) 9));
        return response.data().responses().iterator().next().partitionResponses().get(0);
    }

    private static List<String> readValues(TestNode node, int expected) {
        return readValues(node, "full", expected);
    }

    /** The values of the first {@code expected} records of partition 0 of {@code topic}. */
    static List<String> readValues(TestNode node, String topic, int expected) {
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<String, String> consumer = Clients.consumer(node, Map.of())) {
            consumer.assign(Set.of(tp));
            consumer.seekToBeginning(Set.of(tp));
            return Clients.readAll(consumer, Set.of(tp), expected).stream().map(ConsumerRecord::value).toList();
        }
    }
}
