package io.gregor.testkit;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;

/**
 * A blocking socket speaking raw Kafka frames, for tests that need exact versions, malformed
 * input or hand-built record batches the official clients would never send. One test thread.
 */
public final class RawClient implements AutoCloseable {

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private int correlationId = 1;

    public RawClient(String host, int port) {
        try {
            socket = new Socket(host, port);
            socket.setSoTimeout(15_000);
            socket.setTcpNoDelay(true);
            in = new DataInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static RawClient connect(TestNode node) {
        return new RawClient("127.0.0.1", node.port());
    }

    /** Sends a request at its own version and parses the response (checking the correlation id). */
    @SuppressWarnings("unchecked")
    public <T extends AbstractResponse> T send(AbstractRequest request) {
        RequestHeader header = new RequestHeader(request.apiKey(), request.version(), "raw-client", correlationId++);
        ByteBuffer body = request.serializeWithHeader(header);
        writeFrame(body);
        ByteBuffer response = readFrame();
        return (T) AbstractResponse.parseResponse(response, header);
    }

    /**
     * Sends a request body at exactly {@code version} (any version the codec knows, including
     * ones a builder would refuse) and parses the response.
     */
    @SuppressWarnings("unchecked")
    public <T extends AbstractResponse> T send(ApiKeys key, short version, ApiMessage body) {
        RequestHeader header = new RequestHeader(key, version, "raw-client", correlationId++);
        writeFrame(RequestUtils.serialize(header.data(), header.headerVersion(), body, version));
        return (T) AbstractResponse.parseResponse(readFrame(), header);
    }

    /** Sends a request and expects no response (acks=0). */
    public void sendNoResponse(AbstractRequest request) {
        RequestHeader header = new RequestHeader(request.apiKey(), request.version(), "raw-client", correlationId++);
        writeFrame(request.serializeWithHeader(header));
    }

    /** A request header for hand-made frames. */
    public RequestHeader nextHeader(ApiKeys key, short version) {
        return new RequestHeader(key, version, "raw-client", correlationId++);
    }

    public void writeFrame(ByteBuffer payload) {
        ByteBuffer frame = ByteBuffer.allocate(4 + payload.remaining());
        frame.putInt(payload.remaining());
        frame.put(payload.duplicate());
        writeBytes(frame.array());
    }

    public void writeBytes(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public ByteBuffer readFrame() {
        try {
            int size = in.readInt();
            byte[] b = new byte[size];
            in.readFully(b);
            return ByteBuffer.wrap(b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True when the broker closed the connection (EOF or reset) within the socket timeout. */
    public boolean isClosedByBroker() {
        try {
            while (true) {
                int b = in.read();
                if (b < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
