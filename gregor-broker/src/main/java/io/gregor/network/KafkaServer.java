package io.gregor.network;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty server for one listener: accepts connections within its {@link ConnectionLimits} ({@link ConnectionAcceptor})
 * and gives each a frame decoder and a {@link KafkaConnection}. Uses epoll where available, NIO elsewhere. Started and stopped by the node.
 */
public final class KafkaServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaServer.class);

    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final Channel serverChannel;
    private final ConnectionQuotas quotas;
    private final ConnectionAcceptor acceptor;

    private KafkaServer(EventLoopGroup bossGroup, EventLoopGroup workerGroup, Channel serverChannel, ConnectionQuotas quotas,
                        ConnectionAcceptor acceptor) {
        this.bossGroup = bossGroup;
        this.workerGroup = workerGroup;
        this.serverChannel = serverChannel;
        this.quotas = quotas;
        this.acceptor = acceptor;
    }

    /**
     * Independent slow initialisations (the native transport; Kafka's API schemas, then its error
     * codes, ~130 constants with an exception factory each, which the first ApiVersions answer
     * would otherwise initialise on a request thread), each worth running early on a spare thread
     * to cut start-up time. Class initialisation is thread-safe: whoever needs a class first
     * simply waits for the thread already loading it.
     */
    public static List<Runnable> preloadTasks() {
        return List.of(Epoll::isAvailable, () -> {
            for (ApiKeys key : ApiKeys.values()) {
                key.latestVersion(false);
            }
            Errors.forCode(Errors.NONE.code());
        });
    }

    /**
     * Binds {@code host:port} and starts accepting at once; requests are read and answered once
     * {@code dispatcher} completes (a node binds before it opens its logs, so a client that
     * connects during start-up waits for its first answer instead of being refused and backing off).
     * If it completes exceptionally, waiting connections are closed. A connection that neither reads nor writes
     * (nor makes progress sending a response) for {@code connectionsMaxIdleMs} while no request of it is being answered
     * is closed, as Kafka's
     * {@code connections.max.idle.ms} closes it (a peer that vanished without a FIN would otherwise hold it for
     * ever); a negative value never closes one. No connection limits: see {@link #bind(Settings, CompletableFuture)}.
     */
    public static KafkaServer bind(String host, int port, int networkThreads, int maxFrameBytes, long connectionsMaxIdleMs,
                                   String listenerName, CompletableFuture<RequestDispatcher> dispatcher) throws IOException {
        return bind(new Settings(host, port, listenerName, networkThreads, maxFrameBytes, connectionsMaxIdleMs,
                ConnectionLimits.NONE), dispatcher);
    }

    /** What a listener is bound with. */
    public record Settings(String host, int port, String listenerName, int networkThreads, int maxFrameBytes,
                           long connectionsMaxIdleMs, ConnectionLimits limits) {
    }

    /**
     * As {@link #bind(String, int, int, int, long, String, CompletableFuture)}, serving connections within
     * {@code settings.limits()} ({@link ConnectionAcceptor}).
     *
     * @throws java.net.UnknownHostException when a host of {@code max.connections.per.ip.overrides} does not resolve
     */
    public static KafkaServer bind(Settings settings, CompletableFuture<RequestDispatcher> dispatcher) throws IOException {
        String host = settings.host();
        int port = settings.port();
        String listenerName = settings.listenerName();
        int maxFrameBytes = settings.maxFrameBytes();
        long connectionsMaxIdleMs = settings.connectionsMaxIdleMs();
        ConnectionQuotas quotas = ConnectionQuotas.create(settings.limits());
        ConnectionAcceptor acceptor = new ConnectionAcceptor(quotas, listenerName);
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("gregor-accept", true), io);
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(settings.networkThreads(), new DefaultThreadFactory("gregor-network", true), io);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .attr(ConnectionErrors.THROTTLE, new LogThrottle(ConnectionErrors.WARN_PERIOD_MS))
                .handler(acceptor)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (connectionsMaxIdleMs >= 0) {
                            ch.pipeline().addLast("idle", new IdleStateHandler(true, 0, 0, connectionsMaxIdleMs, TimeUnit.MILLISECONDS));
                        }
                        ch.pipeline().addLast("frames", new FrameDecoder(maxFrameBytes));
                        ch.pipeline().addLast("requests", new KafkaConnection(dispatcher, listenerName));
                    }
                });
        try {
            // An empty host binds every interface, as Kafka's Acceptor does (InetAddress.getByName("") is loopback).
            InetSocketAddress address = host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
            Channel ch = bootstrap.bind(address).syncUninterruptibly().channel();
            return new KafkaServer(boss, workers, ch, quotas, acceptor);
        } catch (RuntimeException e) {
            boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw new IOException("cannot listen on " + (host.isEmpty() ? "port " + port + " of every interface" : host + ":" + port) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Applies new connection limits (dynamic broker configs) to connections accepted from now on; a higher
     * {@code max.connections} serves the connections waiting for a slot. Connections already open stay open.
     */
    public void updateConnectionLimits(ConnectionLimits limits) {
        if (quotas.update(limits)) {
            acceptor.onLimitsChanged();
        }
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** Stops accepting and closes every connection. */
    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        log.debug("Listener closed");
    }
}
