package io.gregor.network;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listener's server-channel handler: sees each accepted connection before Netty registers it, and each accept
 * failure. Applies {@link ConnectionQuotas} as Kafka's {@code Acceptor} does: at {@code max.connections} it stops
 * accepting (further clients wait in the kernel's accept backlog, and the few accepted in the same read wait here,
 * unread) until a connection closes, then serves the waiting ones in order; a connection past its address's
 * {@code max.connections.per.ip} is closed at once, with one INFO line. An accept failure (typically "Too many open
 * files") is logged at WARN at most once per {@link #ACCEPT_ERROR_LOG_PERIOD_MS} and pauses accepting for
 * {@link #ACCEPT_ERROR_PAUSE_MS}, instead of Netty's WARN with a stack trace at every attempt.
 *
 * <p>All state but the quotas is owned by the server channel's event loop (the accept loop); a closing connection
 * hops onto it.
 */
final class ConnectionAcceptor extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ConnectionAcceptor.class);
    /** Netty's own pause after an accept failure (ServerBootstrapAcceptor), so a persistent one does not spin. */
    static final long ACCEPT_ERROR_PAUSE_MS = 1_000;
    static final long ACCEPT_ERROR_LOG_PERIOD_MS = 10_000;

    private final ConnectionQuotas quotas;
    private final String listenerName;
    private final LogThrottle acceptErrors = new LogThrottle(ACCEPT_ERROR_LOG_PERIOD_MS);
    /** Accepted connections waiting for a slot under max.connections, oldest first; not registered, not read. */
    private final ArrayDeque<Channel> waiting = new ArrayDeque<>();
    private volatile ChannelHandlerContext ctx;
    /** Accepting is paused after an accept failure. */
    private boolean paused;

    ConnectionAcceptor(ConnectionQuotas quotas, String listenerName) {
        this.quotas = quotas;
        this.listenerName = listenerName;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** {@code msg} is an accepted connection; the next handler (Netty's acceptor) registers and serves it. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        waiting.add((Channel) msg);
        admitWaiting();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        long held = acceptErrors.tryAcquire(System.currentTimeMillis());
        if (held >= 0) {
            String message = String.valueOf(cause.getMessage());
            String hint = message.contains("Too many open files")
                    ? ": the process is out of file descriptors; raise its open-file limit (ulimit -n) well above partitions plus connections"
                    : "";
            log.warn("Cannot accept connections on listener {}: {}{} (pausing accepts for {} ms{})", listenerName, cause,
                    hint, ACCEPT_ERROR_PAUSE_MS, held > 0 ? "; " + held + " more such failures since the last report" : "");
        }
        if (!paused) {
            paused = true;
            updateAutoRead();
            ctx.executor().schedule(() -> {
                paused = false;
                updateAutoRead();
            }, ACCEPT_ERROR_PAUSE_MS, TimeUnit.MILLISECONDS);
        }
        // Not passed on: the tail of the pipeline would log it again, with a stack trace.
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        Channel child;
        while ((child = waiting.poll()) != null) {
            child.unsafe().closeForcibly(); // never registered
        }
        super.channelInactive(ctx);
    }

    /** Limits changed: serve waiting connections a higher limit has room for. Any thread. */
    void onLimitsChanged() {
        onAcceptLoop(this::admitWaiting);
    }

    /** Serves waiting connections, in order, while there are slots; closes those past their address's limit. */
    private void admitWaiting() {
        Channel child;
        while ((child = waiting.peek()) != null) {
            InetAddress address = addressOf(child.remoteAddress());
            if (address == null) {
                waiting.poll();
                child.unsafe().closeForcibly(); // the peer is gone already
                continue;
            }
            ConnectionQuotas.Admission admission = quotas.tryAcquire(address);
            if (admission == ConnectionQuotas.Admission.BROKER_FULL) {
                break;
            }
            waiting.poll();
            if (admission == ConnectionQuotas.Admission.ADDRESS_FULL) {
                // Kafka's words (SocketServer.Acceptor), so operators' log searches still find it.
                log.info("Rejected connection from {}, address already has the configured maximum of {} connections.",
                        address, quotas.limitFor(address));
                child.unsafe().closeForcibly();
                continue;
            }
            child.closeFuture().addListener(closed -> onConnectionClosed(address));
            ctx.fireChannelRead(child);
        }
        updateAutoRead();
    }

    /** On the connection's event loop. */
    private void onConnectionClosed(InetAddress address) {
        if (quotas.release(address)) {
            onAcceptLoop(this::admitWaiting);
        }
    }

    /** Accepts more only while nothing waits, a slot is free and no accept failure pauses it. */
    private void updateAutoRead() {
        Channel server = ctx.channel();
        if (server.isOpen()) {
            server.config().setAutoRead(!paused && waiting.isEmpty() && !quotas.isFull());
        }
    }

    private void onAcceptLoop(Runnable task) {
        if (ctx == null) {
            return;
        }
        try {
            ctx.executor().execute(task);
        } catch (RejectedExecutionException e) {
            // the listener is closing
        }
    }

    private static InetAddress addressOf(SocketAddress remote) {
        return remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }
}
