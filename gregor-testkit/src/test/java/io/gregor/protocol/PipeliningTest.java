package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.gregor.testkit.RawClient;
import io.gregor.testkit.TestNode;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
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
 * Pipelined requests on one connection: acks=all produces release the connection while they
 * wait for their fsync, yet every response still comes back in request order, and the appends
 * happen in request order too.
 */
@Timeout(60)
class PipeliningTest {

    @Test
    void shouldAnswerPipelinedRequestsInOrderWhileAcksAllWaitForFsync() throws Exception {
        try (TestNode node = TestNode.start()) {
            Clients.createTopic(node, "pipelined", 1, Map.of());
            for (int round = 0; round < 20; round++) {
                try (RawClient client = RawClient.connect(node)) {
                    List<RequestHeader> headers = new ArrayList<>();
                    ByteBuffer frames = ByteBuffer.allocate(1 << 16);
                    for (int i = 0; i < 6; i++) {
                        RequestHeader header;
                        ByteBuffer bytes;
                        if (i == 3) {
                            ApiVersionsRequest av = new ApiVersionsRequest(new ApiVersionsRequestData()
                                    .setClientSoftwareName("pipe").setClientSoftwareVersion("1"), (short) 3);
                            header = client.nextHeader(ApiKeys.API_VERSIONS, (short) 3);
                            bytes = av.serializeWithHeader(header);
                        } else {
                            ProduceRequestData data = BadInputTest.produceData("pipelined", 0, BadInputTest.records("r" + round + "-" + i));
                            data.setAcks((short) -1);
                            header = client.nextHeader(ApiKeys.PRODUCE, (short) 9);
                            bytes = new ProduceRequest(data, (short) 9).serializeWithHeader(header);
                        }
                        headers.add(header);
                        frames.putInt(bytes.remaining()).put(bytes);
                    }
                    frames.flip();
                    byte[] all = new byte[frames.remaining()];
                    frames.get(all);
                    client.writeBytes(all); // all six before reading anything
                    long lastOffset = -1;
                    for (RequestHeader header : headers) {
                        // parseResponse checks the correlation id: a response out of order fails here.
                        ByteBuffer frame;
                        try {
                            frame = client.readFrame();
                        } catch (RuntimeException e) {
                            throw new AssertionError("round " + round + ": no response to " + header, e);
                        }
                        AbstractResponse response = AbstractResponse.parseResponse(frame, header);
                        if (response instanceof ProduceResponse produce) {
                            ProduceResponseData.PartitionProduceResponse p =
                                    produce.data().responses().iterator().next().partitionResponses().get(0);
                            assertThat(Errors.forCode(p.errorCode())).isEqualTo(Errors.NONE);
                            assertThat(p.baseOffset()).isGreaterThan(lastOffset);
                            lastOffset = p.baseOffset();
                        } else {
                            assertThat(response.apiKey()).isEqualTo(ApiKeys.API_VERSIONS);
                        }
                    }
                }
            }
        }
    }
}
