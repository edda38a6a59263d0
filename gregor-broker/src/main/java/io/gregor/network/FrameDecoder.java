package io.gregor.network;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Splits the byte stream into Kafka frames.
 *
 * <pre>
 * +----------------+---------------------------------------------+
 * | size: int32 BE | request header + body (size bytes)          |
 * +----------------+---------------------------------------------+
 * </pre>
 *
 * Emits each frame body as a retained slice; the next handler owns and releases it.
 * A negative size, or one above {@code socket.request.max.bytes}, closes the connection as
 * Kafka does, logged once with the client address. Runs on the connection's event loop.
 */
final class FrameDecoder extends ByteToMessageDecoder {

    private static final Logger log = LoggerFactory.getLogger(FrameDecoder.class);

    /** Emitted in place of a frame whose size is refused: the connection closes once the answers owed before it are out. */
    static final ByteBuf REFUSED = Unpooled.unreleasableBuffer(Unpooled.buffer(0, 0));

    private final int maxFrameBytes;
    private boolean failed;

    FrameDecoder(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.readableBytes() >= 4) {
            int size = in.getInt(in.readerIndex());
            if (size < 0 || size > maxFrameBytes) {
                failed = true;
                log.warn("Closing connection from {}: frame size {} (expected: 0..{} = socket.request.max.bytes){}",
                        ctx.channel().remoteAddress(), size, maxFrameBytes, likelyProtocol(size));
                in.skipBytes(in.readableBytes());
                out.add(REFUSED);
                return;
            }
            if (in.readableBytes() < 4 + size) {
                return;
            }
            in.skipBytes(4);
            out.add(in.readRetainedSlice(size));
        }
    }

    /**
     * What a client speaking another protocol sends as its first four bytes, read as a frame size: a TLS handshake
     * record (0x16 0x03 ...: a client with security.protocol=SSL) or an HTTP request line; else nothing.
     */
    static String likelyProtocol(int size) {
        if ((size >>> 16) == 0x1603) {
            return ": this looks like a TLS handshake, and this listener is PLAINTEXT";
        }
        for (String method : new String[] {"GET ", "POST", "PUT ", "HEAD", "DELE", "OPTI", "PATC"}) {
            if (size == (method.charAt(0) << 24 | method.charAt(1) << 16 | method.charAt(2) << 8 | method.charAt(3))) {
                return ": this looks like an HTTP request, and this port speaks the Kafka protocol";
            }
        }
        return "";
    }
}
