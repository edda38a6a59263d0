package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.gregor.testkit.RawClient;
import io.gregor.testkit.TestNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A disk whose fsyncs stall: an acks=all produce is answered REQUEST_TIMED_OUT once its {@code timeout.ms} passes
 * (the batch stays in the log, as in Kafka), requests that do not wait for the disk are answered meanwhile, and the
 * broker carries on once the disk does.
 */
@Timeout(60)
class SlowDiskTest {

    /**
     * One request thread: rounds run on the flusher's thread; more: on the request thread that can start one, which
     * the stall then holds, and the others keep answering.
     */
    @ParameterizedTest(name = "num.io.threads={0}")
    @ValueSource(strings = {"1", "2", "4"})
    void shouldAnswerRequestTimedOutWhenTheFsyncOutlastsTheProduceTimeout(String ioThreads) throws Exception {
        ControlledDisk disk = new ControlledDisk();
        try (TestNode node = TestNode.builder().storageIo(disk).override("num.io.threads", ioThreads).start()) {
            Clients.createTopic(node, "slow", 1, Map.of());
            try (RawClient client = RawClient.connect(node)) {
                assertThat(produce(client, -1, 10_000, "a").baseOffset()).isZero();

                CountDownLatch gate = new CountDownLatch(1);
                disk.stall = gate;
                try {
                    long start = System.nanoTime();
                    ProduceResponseData.PartitionProduceResponse stalled = produce(client, -1, 300, "b");
                    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                    assertThat(Errors.forCode(stalled.errorCode())).isEqualTo(Errors.REQUEST_TIMED_OUT);
                    assertThat(stalled.errorMessage()).isNull(); // as Kafka answers it
                    assertThat(tookMs).isBetween(300L, 5_000L);

                    // Meanwhile the broker answers everything that does not wait for the disk, and a second
                    // acks=all write that queued behind the stalled round times out too.
                    assertThat(Errors.forCode(produce(client, -1, 300, "c").errorCode())).isEqualTo(Errors.REQUEST_TIMED_OUT);
                    ProduceResponseData.PartitionProduceResponse acks1 = produce(client, 1, 10_000, "d");
                    assertThat(Errors.forCode(acks1.errorCode())).isEqualTo(Errors.NONE);
                    assertThat(acks1.baseOffset()).isEqualTo(3);
                    try (RawClient other = RawClient.connect(node)) {
                        MetadataResponse metadata = other.send(
                                new MetadataRequest.Builder(List.of("slow"), false).build((short) 12));
                        assertThat(metadata.topicMetadata()).singleElement()
                                .satisfies(t -> assertThat(t.error()).isEqualTo(Errors.NONE));
                    }
                } finally {
                    disk.stall = null;
                    gate.countDown();
                }
                ProduceResponseData.PartitionProduceResponse after = produce(client, -1, 10_000, "e");
                assertThat(Errors.forCode(after.errorCode())).isEqualTo(Errors.NONE);
                assertThat(after.baseOffset()).isEqualTo(4);
            }
            // Timed out is not refused: those batches are in the log, as with Kafka.
            assertThat(DiskFullTest.readValues(node, "slow", 5)).containsExactly("a", "b", "c", "d", "e");
        }
    }

    /**
     * One acks=all request to two partitions, of which only one's fsync fails (the journal failed, so each log syncs
     * its own segments): as Kafka answers each partition of a produce on its own, the durable one is acknowledged
     * with its offset and only the failed one gets KAFKA_STORAGE_ERROR.
     */
    @Test
    void shouldAnswerOnlyThePartitionWhoseFsyncFailedWithAStorageError() throws Exception {
        ControlledDisk disk = new ControlledDisk();
        try (TestNode node = TestNode.builder().storageIo(disk).start()) {
            Clients.createTopic(node, "healthy", 1, Map.of());
            Clients.createTopic(node, "broken", 1, Map.of());
            disk.failingTopic = "broken-0";
            try (RawClient client = RawClient.connect(node)) {
                ProduceRequestData data = BadInputTest.produceData("healthy", 0, BadInputTest.records("h0"));
                data.topicData().add(new ProduceRequestData.TopicProduceData().setName("broken").setPartitionData(List.of(
                        new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(BadInputTest.records("b0")))));
                data.setAcks((short) -1).setTimeoutMs(10_000);
                disk.failJournal = true;
                disk.failForces = true;
                ProduceResponse response = client.send(new ProduceRequest(data, (short) 9));

                Map<String, ProduceResponseData.PartitionProduceResponse> byTopic = new HashMap<>();
                response.data().responses().forEach(t -> byTopic.put(t.name(), t.partitionResponses().get(0)));
                assertThat(Errors.forCode(byTopic.get("healthy").errorCode())).isEqualTo(Errors.NONE);
                assertThat(byTopic.get("healthy").baseOffset()).isZero();
                assertThat(Errors.forCode(byTopic.get("broken").errorCode())).isEqualTo(Errors.KAFKA_STORAGE_ERROR);
                assertThat(byTopic.get("broken").baseOffset()).isEqualTo(-1);
            }
            assertThat(DiskFullTest.readValues(node, "healthy", 1)).containsExactly("h0");
        }
    }

    private static ProduceResponseData.PartitionProduceResponse produce(RawClient client, int acks, int timeoutMs,
                                                                       String... values) {
        ProduceRequestData data = BadInputTest.produceData("slow", 0, BadInputTest.records(values))
                .setAcks((short) acks).setTimeoutMs(timeoutMs);
        ProduceResponse response = client.send(new ProduceRequest(data, (short) 9));
        return response.data().responses().iterator().next().partitionResponses().get(0);
    }
}
