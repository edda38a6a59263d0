package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gregor.testkit.RawClient;
import io.gregor.testkit.TestNode;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The topic config {@code flush.messages} (broker default {@code log.flush.interval.messages}), as Kafka 4.4 applies it. */
@Timeout(60)
class FlushMessagesTopicConfigTest {

    /**
     * Kafka 4.4 fsyncs a partition in the append path once {@code flush.messages} records are unflushed
     * ({@code org.apache.kafka.storage.internals.log.UnifiedLog#append}:
     * {@code if (localLog.unflushedMessages() >= config().flushInterval) flush(false);}), before the produce
     * is answered: with {@code flush.messages=1} an {@code acks=1} write is on disk when it is acknowledged and
     * survives a power loss, whatever the acks and {@code log.flush.before.ack}. Here every fsync stalls, so the answer
     * cannot come before the stalled fsync completes.
     */
    @Test
    void shouldNotAnswerAnAcks1ProduceBeforeItsFsyncWhenFlushMessagesIsOne() throws Exception {
        ControlledDisk disk = new ControlledDisk();
        try (TestNode node = TestNode.builder().storageIo(disk).start()) {
            Clients.createTopic(node, "flushed", 1, Map.of("flush.messages", "1"));
            try (RawClient client = RawClient.connect(node)) {
                CountDownLatch gate = new CountDownLatch(1);
                disk.stall = gate;
                CompletableFuture<ProduceResponseData.PartitionProduceResponse> answer;
                try {
                    answer = CompletableFuture.supplyAsync(() -> produce(client, 1, "a"));
                    await().atMost(Duration.ofSeconds(10))
                            .until(() -> answer.isDone() || disk.stalled.get() > 0);

                    assertThat(answer.isDone())
                            .as("acks=1 on a flush.messages=1 topic answered while no fsync of it could complete")
                            .isFalse();
                } finally {
                    disk.stall = null;
                    gate.countDown();
                }
                ProduceResponseData.PartitionProduceResponse done = answer.get(10, TimeUnit.SECONDS);
                assertThat(Errors.forCode(done.errorCode())).isEqualTo(Errors.NONE);
            }
        }
    }

    private static ProduceResponseData.PartitionProduceResponse produce(RawClient client, int acks, String... values) {
        ProduceRequestData data = BadInputTest.produceData("flushed", 0, BadInputTest.records(values))
                .setAcks((short) acks).setTimeoutMs(30_000);
        ProduceResponse response = client.send(new ProduceRequest(data, (short) 9));
        return response.data().responses().iterator().next().partitionResponses().get(0);
    }
}
