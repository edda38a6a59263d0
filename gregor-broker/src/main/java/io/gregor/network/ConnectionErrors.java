package io.gregor.network;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.AttributeKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a connection's failure is logged. A peer resetting or a read timing out is the client's business: DEBUG. An
 * {@link Error} is the broker's: the JVM is out of direct memory ("Cannot reserve ... bytes of direct buffer memory")
 * or worse, so it is logged at WARN with the client's address, at most once per {@link #WARN_PERIOD_MS} for the whole
 * listener (it hits every connection at once), saying how many were held back. Any thread.
 *
 * <p>The throttle is the listener's: {@link KafkaServer} sets it on its server channel, each connection's parent.
 */
final class ConnectionErrors {

    static final long WARN_PERIOD_MS = 10_000;
    static final AttributeKey<LogThrottle> THROTTLE = AttributeKey.valueOf("gregor.connectionErrors");

    /** Under the connection's logger name, so that a logging setup for it keeps working. */
    private static final Logger log = LoggerFactory.getLogger(KafkaConnection.class);

    private ConnectionErrors() {
    }

    /** Logs that the connection of {@code ctx} failed with {@code cause}; the caller closes it. */
    static void log(ChannelHandlerContext ctx, Throwable cause) {
        Channel channel = ctx.channel();
        if (!(cause instanceof Error)) {
            log.debug("Connection from {} failed: {}", channel.remoteAddress(), cause.toString());
            return;
        }
        LogThrottle throttle = channel.parent() == null ? null : channel.parent().attr(THROTTLE).get();
        long held = throttle == null ? 0 : throttle.tryAcquire(System.currentTimeMillis());
        if (held < 0) {
            return;
        }
        String more = held > 0 ? " (" + held + " more such failures since the last report)" : "";
        if (cause instanceof OutOfMemoryError) {
            // The stack says nothing: the allocation that failed is Netty's read buffer or a response's.
            log.warn("Closing the connection from {}: the broker is out of memory: {}{}", channel.remoteAddress(),
                    cause.getMessage(), more);
        } else {
            log.warn("Closing the connection from {}{}", channel.remoteAddress(), more, cause);
        }
    }
}
