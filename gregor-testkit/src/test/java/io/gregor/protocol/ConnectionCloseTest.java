package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gregor.testkit.RawClient;
import io.gregor.testkit.TestNode;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Connections that must close, and the answers owed before they do: as Kafka, which reads no request while one is
 * answered, a bad frame or a failed acks=0 produce closes the connection only after the earlier requests are answered,
 * and an acks=0 produce that fails unexpectedly closes it instead of hanging it.
 */
@Timeout(90)
class ConnectionCloseTest {

    private static ByteBuffer frame(RequestHeader header, ByteBuffer body) {
        return ByteBuffer.allocate(4 + body.remaining()).putInt(body.remaining()).put(body).flip();
    }

    private static byte[] concat(ByteBuffer... frames) {
        int n = 0;
        for (ByteBuffer f : frames) {
            n += f.remaining();
        }
        ByteBuffer all = ByteBuffer.allocate(n);
        for (ByteBuffer f : frames) {
            all.put(f.duplicate());
        }
        return all.array();
    }

    /**
     * BUG: an acks=0 produce whose handler fails with an unexpected Throwable gets no answer (right) but neither is its
     * connection closed: ProduceRequest.getErrorResponse returns null for acks=0, KafkaConnection.onResponse throws an
     * NPE on the event loop, and the request keeps holding the connection, so every later request hangs. Kafka
     * (RequestHandlerHelper.sendErrorOrCloseConnection) closes the connection when getErrorResponse is null.
     */
    @Test
    void shouldCloseTheConnectionWhenAnAcksZeroProduceFailsUnexpectedly() throws Exception {
        ControlledDisk disk = new ControlledDisk();
        try (TestNode node = TestNode.builder().storageIo(disk).start()) {
            Clients.createTopic(node, "victim", 1, Map.of());
            try (RawClient client = RawClient.connect(node)) {
                disk.failingTopic = "victim";
                disk.appendFailure = new OutOfMemoryError("Direct buffer memory");
                ProduceRequestData data = BadInputTest.produceData("victim", 0, BadInputTest.records("x")).setAcks((short) 0);
                RequestHeader produce = client.nextHeader(ApiKeys.PRODUCE, (short) 9);
                RequestHeader versions = client.nextHeader(ApiKeys.API_VERSIONS, (short) 3);
                client.writeBytes(concat(
                        frame(produce, new ProduceRequest(data, (short) 9).serializeWithHeader(produce)),
                        frame(versions, new ApiVersionsRequest(new ApiVersionsRequestData(), (short) 3).serializeWithHeader(versions))));
                // Kafka closes the connection; Gregor neither answers the ApiVersions nor closes (15 s socket timeout).
                assertThat(client.isClosedByBroker()).as("connection closed after the failed acks=0 produce").isTrue();
            } finally {
                disk.appendFailure = null;
            }
        }
    }

    /**
     * BUG: a request that makes the broker close the connection (here an unknown API key) closes it at once, dropping
     * the answer still owed to an earlier pipelined request (an acks=all produce released early while it waits for
     * its fsync). Kafka mutes a connection while a request is being answered, so the bad frame is only looked at
     * after the earlier response has been sent.
     */
    @Test
    void shouldAnswerAnEarlierAcksAllProduceBeforeClosingForAnUnknownApiKey() throws Exception {
        ControlledDisk disk = new ControlledDisk();
        try (TestNode node = TestNode.builder().storageIo(disk).start()) {
            Clients.createTopic(node, "stalled", 1, Map.of());
            CountDownLatch gate = new CountDownLatch(1);
            disk.stall = gate;
            try (RawClient client = RawClient.connect(node)) {
                ProduceRequestData data = BadInputTest.produceData("stalled", 0, BadInputTest.records("a"))
                        .setAcks((short) -1).setTimeoutMs(500);
                RequestHeader produce = client.nextHeader(ApiKeys.PRODUCE, (short) 9);
                ByteBuffer unknownKey = ByteBuffer.allocate(4 + 10).putInt(10)
                        .putShort((short) 999).putShort((short) 0).putInt(77).putShort((short) -1).flip();
                client.writeBytes(concat(frame(produce, new ProduceRequest(data, (short) 9).serializeWithHeader(produce)), unknownKey));
                await().atMost(Duration.ofSeconds(10)).until(() -> disk.stalled.get() > 0);
                // The produce is owed an answer: REQUEST_TIMED_OUT after 500 ms, as SlowDiskTest pins.
                ProduceResponse response = (ProduceResponse) AbstractResponse.parseResponse(client.readFrame(), produce);
                assertThat(Errors.forCode(response.data().responses().iterator().next().partitionResponses().get(0).errorCode()))
                        .isEqualTo(Errors.REQUEST_TIMED_OUT);
                assertThat(client.isClosedByBroker()).isTrue();
            } finally {
                disk.stall = null;
                gate.countDown();
            }
        }
    }

    /**
     * BUG: writeCompleted() writes the ready responses ahead of a CloseConnectionException and then closes without
     * flushing them, so Netty discards them. Here an acks=all produce (released, waiting for its fsync, answered at its
     * timeout) is followed by an acks=0 produce to an unknown topic, which closes the connection: the first produce's
     * answer is lost. Kafka answers it (the second request is not even read before), then closes.
     */
    @Test
    void shouldFlushEarlierAnswersBeforeClosingForAFailedAcksZeroProduce() throws Exception {
        ControlledDisk disk = new ControlledDisk();
        try (TestNode node = TestNode.builder().storageIo(disk).start()) {
            Clients.createTopic(node, "stalled", 1, Map.of());
            CountDownLatch gate = new CountDownLatch(1);
            disk.stall = gate;
            try (RawClient client = RawClient.connect(node)) {
                ProduceRequestData first = BadInputTest.produceData("stalled", 0, BadInputTest.records("a"))
                        .setAcks((short) -1).setTimeoutMs(500);
                ProduceRequestData second = BadInputTest.produceData("no-such-topic", 0, BadInputTest.records("b"))
                        .setAcks((short) 0);
                RequestHeader h1 = client.nextHeader(ApiKeys.PRODUCE, (short) 9);
                RequestHeader h2 = client.nextHeader(ApiKeys.PRODUCE, (short) 9);
                client.writeBytes(concat(
                        frame(h1, new ProduceRequest(first, (short) 9).serializeWithHeader(h1)),
                        frame(h2, new ProduceRequest(second, (short) 9).serializeWithHeader(h2))));
                await().atMost(Duration.ofSeconds(10)).until(() -> disk.stalled.get() > 0);
                ProduceResponse response = (ProduceResponse) AbstractResponse.parseResponse(client.readFrame(), h1);
                assertThat(Errors.forCode(response.data().responses().iterator().next().partitionResponses().get(0).errorCode()))
                        .isEqualTo(Errors.REQUEST_TIMED_OUT);
                assertThat(client.isClosedByBroker()).isTrue();
            } finally {
                disk.stall = null;
                gate.countDown();
            }
        }
    }

    /**
     * BUG (same family): a frame size over socket.request.max.bytes closes the connection from FrameDecoder at once,
     * dropping the answer owed to an earlier pipelined acks=all produce. Kafka reads nothing more from a connection
     * while a request is being answered, so it sees the bad size only after that answer went out.
     */
    @Test
    void shouldAnswerAnEarlierAcksAllProduceBeforeClosingForAnOversizedFrame() throws Exception {
        ControlledDisk disk = new ControlledDisk();
        try (TestNode node = TestNode.builder().storageIo(disk).start()) {
            Clients.createTopic(node, "stalled", 1, Map.of());
            CountDownLatch gate = new CountDownLatch(1);
            disk.stall = gate;
            try (RawClient client = RawClient.connect(node)) {
                ProduceRequestData data = BadInputTest.produceData("stalled", 0, BadInputTest.records("a"))
                        .setAcks((short) -1).setTimeoutMs(500);
                RequestHeader produce = client.nextHeader(ApiKeys.PRODUCE, (short) 9);
                ByteBuffer oversized = ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).flip();
                client.writeBytes(concat(frame(produce, new ProduceRequest(data, (short) 9).serializeWithHeader(produce)), oversized));
                // (Gregor does not even start the produce: the decoder closes before it hands the frame on.)
                ProduceResponse response = (ProduceResponse) AbstractResponse.parseResponse(client.readFrame(), produce);
                assertThat(Errors.forCode(response.data().responses().iterator().next().partitionResponses().get(0).errorCode()))
                        .isEqualTo(Errors.REQUEST_TIMED_OUT);
                assertThat(client.isClosedByBroker()).isTrue();
            } finally {
                disk.stall = null;
                gate.countDown();
            }
        }
    }
}
