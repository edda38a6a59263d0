package io.gregor.network;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.DefaultFileRegion;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import org.apache.kafka.common.network.TransferableChannel;

/**
 * Adapts a Kafka {@code Send} to a Netty channel: heap/direct buffers become wrapped
 * {@code ByteBuf}s and file slices become {@code FileRegion}s (sendfile, zero copy).
 * Every write reports the full count, so one {@code Send.writeTo} call queues the whole
 * response. Used on the connection's event loop only; the caller flushes.
 */
final class NettyTransferChannel implements TransferableChannel {

    private final Channel channel;

    NettyTransferChannel(Channel channel) {
        this.channel = channel;
    }

    @Override
    public boolean hasPendingWrites() {
        return false;
    }

    @Override
    public long transferFrom(FileChannel fileChannel, long position, long count) {
        // The segment's channel is shared and long-lived: the region must not close it when
        // released. Segments are deleted only after file.delete.delay.ms, so in-flight sends finish.
        channel.write(new NonClosingFileRegion(fileChannel, position, count));
        return count;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            total += write(srcs[i]);
        }
        return total;
    }

    @Override
    public long write(ByteBuffer[] srcs) {
        return write(srcs, 0, srcs.length);
    }

    @Override
    public int write(ByteBuffer src) {
        int n = src.remaining();
        if (n > 0) {
            // SendBuilder allocates fresh buffers per response; MemoryRecords buffers stay
            // untouched until the response is written, so wrapping (no copy) is safe.
            channel.write(Unpooled.wrappedBuffer(src.duplicate()));
            src.position(src.limit());
        }
        return n;
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public void close() {
    }

    /** A file region over a shared segment channel; releasing it leaves the channel open. */
    private static final class NonClosingFileRegion extends DefaultFileRegion {
        NonClosingFileRegion(FileChannel file, long position, long count) {
            super(file, position, count);
        }

        @Override
        protected void deallocate() {
            // Intentionally do not close the FileChannel: the log segment owns it.
        }
    }
}
