package io.gregor.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {

    /** The first four bytes a client sends, read as a frame size the way the decoder reads them. */
    private static int sizeOf(ByteBuffer firstBytes) {
        return firstBytes.getInt(0);
    }

    @Test
    void shouldNameATlsClientHelloWhenItsFirstBytesAreReadAsAFrameSize() throws Exception {
        // What a client with security.protocol=SSL sends first: the JDK's own ClientHello.
        SSLEngine engine = SSLContext.getDefault().createSSLEngine("localhost", 9092);
        engine.setUseClientMode(true);
        engine.beginHandshake();
        ByteBuffer hello = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), hello);
        assertThat(FrameDecoder.likelyProtocol(sizeOf(hello))).contains("TLS handshake");
    }

    @Test
    void shouldNameAnHttpRequestAndNothingForAKafkaFrame() {
        for (String line : new String[] {"GET / HTTP/1.1\r\n", "POST /topics HTTP/1.1\r\n", "HEAD / HTTP/1.0\r\n"}) {
            assertThat(FrameDecoder.likelyProtocol(sizeOf(ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII)))))
                    .as(line).contains("HTTP request");
        }
        assertThat(FrameDecoder.likelyProtocol(2_000_000)).isEmpty();
        assertThat(FrameDecoder.likelyProtocol(-5)).isEmpty();
    }
}
