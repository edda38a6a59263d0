package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.gregor.storage.StorageIo;
import io.gregor.testkit.RawClient;
import io.gregor.testkit.TestNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A disk whose fsyncs stall: an acks=all produce is answered REQUEST_TIMED_OUT once its {@code timeout.ms} passes
 * (the batch stays in the log, as in Kafka), and the broker carries on once the disk does.
 */
@Timeout(60)
class SlowDiskTest {

    /** The real file system, except that fsyncs wait while {@link #stall} is set. */
    static final class StallingDisk implements StorageIo {
        volatile CountDownLatch stall;

        @Override
        public int append(FileRecords segment, MemoryRecords records) throws IOException {
            return StorageIo.standard().append(segment, records);
        }

        @Override
        public void force(FileChannel channel) throws IOException {
            CountDownLatch gate = stall;
            if (gate != null) {
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
            StorageIo.standard().force(channel);
        }

        @Override
        public void write(FileChannel channel, ByteBuffer src, long position) throws IOException {
            StorageIo.standard().write(channel, src, position);
        }

        @Override
        public void writeFile(Path target, ByteBuffer content, boolean sync) throws IOException {
            StorageIo.standard().writeFile(target, content, sync);
        }
    }

    /** One request thread: rounds run on the flusher's thread; more: on the request thread that can start one. */
    @ParameterizedTest(name = "num.io.threads={0}")
    @ValueSource(strings = {"1", "4"})
    void shouldAnswerRequestTimedOutWhenTheFsyncOutlastsTheProduceTimeout(String ioThreads) throws Exception {
        StallingDisk disk = new StallingDisk();
        try (TestNode node = TestNode.builder().storageIo(disk).override("num.io.threads", ioThreads).start()) {
            Clients.createTopic(node, "slow", 1, Map.of());
            try (RawClient client = RawClient.connect(node)) {
                assertThat(produce(client, 10_000, "a").baseOffset()).isZero();

                CountDownLatch gate = new CountDownLatch(1);
                disk.stall = gate;
                long start = System.nanoTime();
                ProduceResponseData.PartitionProduceResponse stalled = produce(client, 300, "b");
                long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertThat(Errors.forCode(stalled.errorCode())).isEqualTo(Errors.REQUEST_TIMED_OUT);
                assertThat(tookMs).isBetween(300L, 5_000L);

                disk.stall = null;
                gate.countDown();
                ProduceResponseData.PartitionProduceResponse after = produce(client, 10_000, "c");
                assertThat(Errors.forCode(after.errorCode())).isEqualTo(Errors.NONE);
                assertThat(after.baseOffset()).isEqualTo(2);
            }
            assertThat(DiskFullTest.readValues(node, "slow", 3)).containsExactly("a", "b", "c");
        }
    }

    private static ProduceResponseData.PartitionProduceResponse produce(RawClient client, int timeoutMs, String... values) {
        ProduceRequestData data = BadInputTest.produceData("slow", 0, BadInputTest.records(values))
                .setAcks((short) -1).setTimeoutMs(timeoutMs);
        ProduceResponse response = client.send(new ProduceRequest(data, (short) 9));
        return response.data().responses().iterator().next().partitionResponses().get(0);
    }
}
