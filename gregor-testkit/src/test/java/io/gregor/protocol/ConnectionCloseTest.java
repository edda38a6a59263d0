package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.gregor.testkit.RawClient;
import io.gregor.testkit.TestNode;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
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
     * An acks=0 produce whose handler fails with an unexpected Throwable gets no answer, and its connection is closed,
     * as Kafka's RequestHandlerHelper.sendErrorOrCloseConnection does when getErrorResponse is null (it used to keep
     * holding the connection, so every later request on it hung).
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
                // As Kafka: the connection is closed (the ApiVersions behind it is never answered).
                assertThat(client.isClosedByBroker()).as("connection closed after the failed acks=0 produce").isTrue();
            } finally {
                disk.appendFailure = null;
            }
        }
    }

    /**
     * A stalled acks=all produce (released early, waiting for its fsync, answered REQUEST_TIMED_OUT at its 500 ms
     * timeout, as SlowDiskTest pins) followed on the same connection by {@code closer}'s bytes, which make the broker
     * close the connection: the produce is answered first, then the connection is closed, as Kafka (which reads nothing
     * more from a connection while a request is being answered) does.
     */
    private static void assertAnsweredBeforeTheClose(Function<RawClient, ByteBuffer> closer) throws Exception {
        ControlledDisk disk = new ControlledDisk();
        try (TestNode node = TestNode.builder().storageIo(disk).start()) {
            Clients.createTopic(node, "stalled", 1, Map.of());
            CountDownLatch gate = new CountDownLatch(1);
            disk.stall = gate;
            try (RawClient client = RawClient.connect(node)) {
                ProduceRequestData data = BadInputTest.produceData("stalled", 0, BadInputTest.records("a"))
                        .setAcks((short) -1).setTimeoutMs(500);
                RequestHeader produce = client.nextHeader(ApiKeys.PRODUCE, (short) 9);
                ByteBuffer first = frame(produce, new ProduceRequest(data, (short) 9).serializeWithHeader(produce));
                client.writeBytes(concat(first, closer.apply(client)));
                ProduceResponse response = (ProduceResponse) AbstractResponse.parseResponse(client.readFrame(), produce);
                assertThat(disk.stalled.get()).as("the produce waited for its fsync").isPositive();
                assertThat(Errors.forCode(response.data().responses().iterator().next().partitionResponses().get(0).errorCode()))
                        .isEqualTo(Errors.REQUEST_TIMED_OUT);
                assertThat(client.isClosedByBroker()).isTrue();
            } finally {
                disk.stall = null;
                gate.countDown();
            }
        }
    }

    /** An unknown API key closes the connection (as Kafka), after the answer owed to the produce before it. */
    @Test
    void shouldAnswerAnEarlierAcksAllProduceBeforeClosingForAnUnknownApiKey() throws Exception {
        assertAnsweredBeforeTheClose(client -> ByteBuffer.allocate(4 + 10).putInt(10)
                .putShort((short) 999).putShort((short) 0).putInt(77).putShort((short) -1).flip());
    }

    /** A failed acks=0 produce (an unknown topic) closes the connection, after the earlier answer was flushed. */
    @Test
    void shouldFlushEarlierAnswersBeforeClosingForAFailedAcksZeroProduce() throws Exception {
        assertAnsweredBeforeTheClose(client -> {
            ProduceRequestData second = BadInputTest.produceData("no-such-topic", 0, BadInputTest.records("b")).setAcks((short) 0);
            RequestHeader h2 = client.nextHeader(ApiKeys.PRODUCE, (short) 9);
            return frame(h2, new ProduceRequest(second, (short) 9).serializeWithHeader(h2));
        });
    }

    /** A frame size over socket.request.max.bytes closes the connection, after the answer owed to the frame before it. */
    @Test
    void shouldAnswerAnEarlierAcksAllProduceBeforeClosingForAnOversizedFrame() throws Exception {
        assertAnsweredBeforeTheClose(client -> ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).flip());
    }
}
