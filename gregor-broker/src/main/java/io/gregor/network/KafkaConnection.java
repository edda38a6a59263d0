package io.gregor.network;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.SendBuilder;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestAndSize;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection. Requests are started one at a time in arrival order, as Kafka does
 * (PROTOCOL.md 2.2), and responses always leave in request order. A request normally holds the
 * connection until its response is ready; a handler may release it earlier through
 * {@link RequestContext#release()} once everything order-sensitive is done (an acks=all produce,
 * after its appends, while it waits for the fsync), so the client's next pipelined request can
 * share the same group commit. Its response still waits for the ones before it.
 *
 * <p>The server may accept connections before the node is ready to answer (it binds first, so
 * clients that connect during start-up wait instead of being refused): frames then queue, with
 * reading paused, until the dispatcher arrives.
 *
 * <p>All state is owned by the channel's event loop; handler callbacks hop onto it first.
 */
final class KafkaConnection extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(KafkaConnection.class);
    /** Kafka clients pipeline at most 5 requests per connection (max.in.flight.requests.per.connection). */
    private static final int MAX_IN_FLIGHT = 5;

    private final CompletableFuture<RequestDispatcher> dispatcherReady;
    /** Null until the node is ready to answer. */
    private RequestDispatcher dispatcher;
    private final String listenerName;
    /** Frames received and not yet started. */
    private final ArrayDeque<ByteBuf> pending = new ArrayDeque<>();
    /** Started requests, oldest first; their responses are written from the head, in order. */
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private Channel channel;
    /** A started request still holds the connection (has not been released). */
    private boolean holding;
    private boolean closed;
    /** A request will close the connection once the answers before it are written: start nothing more. */
    private boolean closing;

    /** A started request and, once known, its outcome. */
    private static final class InFlight {
        final ByteBuf frame;
        final RequestContext context;
        boolean released;
        boolean frameFreed;
        boolean done;
        Send send;
        Throwable error;

        InFlight(ByteBuf frame, RequestContext context) {
            this.frame = frame;
            this.context = context;
        }
    }

    KafkaConnection(CompletableFuture<RequestDispatcher> dispatcherReady, String listenerName) {
        this.dispatcherReady = dispatcherReady;
        this.listenerName = listenerName;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        channel = ctx.channel();
        dispatcher = dispatcherReady.getNow(null);
        if (dispatcher == null) {
            dispatcherReady.whenComplete((ready, failure) -> onEventLoop(() -> {
                if (failure != null) {
                    closeConnection(); // the node did not start
                } else {
                    dispatcher = ready;
                    maybeStartNext();
                }
            }));
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        if (closed) {
            frame.release();
            return;
        }
        pending.add(frame);
        maybeStartNext();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        maybeStartNext();
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closed = true;
        releaseAll();
        super.channelInactive(ctx);
    }

    /**
     * Closes a connection idle for {@code connections.max.idle.ms}: nothing read, and nothing written or sent on its
     * way, for that long. A request still being answered keeps it open; so does a response the peer is still reading
     * (the idle handler observes output progress, and its first event cannot tell, so that one is let pass), but not
     * one the peer has stopped reading for a whole period.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent idle) {
            ChannelOutboundBuffer output = ctx.channel().unsafe().outboundBuffer();
            boolean unsent = output != null && output.totalPendingWriteBytes() > 0;
            // Requests in flight or still queued (a node still starting, or one past the in-flight limit) are the
            // broker's to answer: the peer is waiting, not idle.
            if (closed) {
                ctx.close(); // closing after its last answers, which the peer does not read
                return;
            }
            if ((unsent && idle.isFirst()) || (!unsent && (!inFlight.isEmpty() || !pending.isEmpty()))) {
                return;
            }
            log.debug("Closing the connection from {}: idle for connections.max.idle.ms{}", ctx.channel().remoteAddress(),
                    unsent ? " with a response it does not read" : "");
            closeConnection();
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!closed) {
            ConnectionErrors.log(ctx, cause); // a peer's failure at DEBUG; an Error (out of memory) at WARN
        }
        closeConnection();
    }

    /** Starts queued requests while nothing holds the connection; reads more only when the queue is empty. */
    private void maybeStartNext() {
        while (dispatcher != null && !closed && !closing && !holding && !pending.isEmpty() && inFlight.size() < MAX_IN_FLIGHT && channel.isWritable()) {
            start(pending.poll());
        }
        if (!closed) {
            // Backpressure: stop reading while requests wait to be started.
            channel.config().setAutoRead(pending.isEmpty());
        }
    }

    private void start(ByteBuf frame) {
        if (frame == FrameDecoder.REFUSED) {
            closeAfterAnswers(frame, "frame size refused"); // logged by the decoder
            return;
        }
        ByteBuffer buffer = frame.nioBuffer();
        RequestHeader header;
        try {
            header = RequestHeader.parse(buffer);
        } catch (RuntimeException e) {
            // As Kafka's Processor: a header that does not parse closes the connection, ApiVersions too (a version
            // too new for us parses, and is answered below).
            reject(frame, "unparseable request header (" + e.getMessage() + ")");
            return;
        }
        ApiKeys key = header.apiKey();
        short version = header.apiVersion();
        if (!dispatcher.isSupported(key, version)) {
            if (key == ApiKeys.API_VERSIONS) {
                // KIP-511: answer an unknown ApiVersions version with v0 and our range; the client retries.
                answerUnsupportedApiVersions(frame, header.correlationId());
                return;
            }
            reject(frame, key.name + " v" + version + " is not supported");
            return;
        }
        AbstractRequest request;
        try {
            RequestAndSize parsed = AbstractRequest.parseRequest(key, version, new ByteBufferAccessor(buffer));
            request = parsed.request;
        } catch (RuntimeException e) {
            reject(frame, "unparseable " + key.name + " v" + version + " body (" + e.getMessage() + ")");
            return;
        }
        InFlight[] self = new InFlight[1];
        Runnable release = () -> onEventLoop(() -> onReleased(self[0]));
        Runnable releaseRecords = () -> onEventLoop(() -> freeFrame(self[0]));
        RequestContext context = new RequestContext(header, request, channel.remoteAddress(), listenerName,
                System.currentTimeMillis(), release, releaseRecords);
        InFlight f = new InFlight(frame, context);
        self[0] = f;
        inFlight.add(f);
        holding = true;
        CompletableFuture<ApiMessage> response;
        try {
            response = dispatcher.dispatch(context);
        } catch (RuntimeException e) {
            response = CompletableFuture.failedFuture(e);
        }
        response.whenComplete((body, error) -> onEventLoop(() -> onResponse(f, body, error), () -> freeFrame(f)));
    }

    /**
     * As {@link #onEventLoop(Runnable)}; when the event loop has already ended (the node is stopping and its network
     * threads are gone before a parked request completes), runs {@code orphaned} on the calling thread instead, so
     * the request's frame is still given back.
     */
    private void onEventLoop(Runnable task, Runnable orphaned) {
        try {
            onEventLoop(task);
        } catch (RejectedExecutionException e) {
            orphaned.run();
        }
    }

    private void onEventLoop(Runnable task) {
        if (channel.eventLoop().inEventLoop()) {
            task.run();
        } else {
            channel.eventLoop().execute(task);
        }
    }

    private static void freeFrame(InFlight f) {
        if (!f.frameFreed) {
            f.frameFreed = true;
            f.frame.release();
        }
    }

    private void onReleased(InFlight f) {
        if (f.released) {
            return;
        }
        f.released = true;
        holding = false;
        maybeStartNext();
    }

    private void onResponse(InFlight f, ApiMessage body, Throwable error) {
        f.done = true;
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause != null && !(cause instanceof CloseConnectionException)) {
            log.error("Unexpected error handling {}", f.context.summary(), cause);
            AbstractResponse errorResponse = f.context.request().getErrorResponse(0, cause);
            if (errorResponse == null) { // acks=0 produce: as Kafka, close instead of answering
                cause = new CloseConnectionException("no answer for the failed " + f.context.summary());
                body = null;
            } else {
                body = errorResponse.data();
                cause = null;
            }
        }
        f.error = cause;
        if (cause == null && body != null) {
            try {
                f.send = SendBuilder.buildResponseSend(f.context.header().toResponseHeader(), body, f.context.apiVersion());
            } catch (RuntimeException e) {
                log.error("Cannot serialize the response to {}", f.context.summary(), e);
                f.error = new CloseConnectionException("cannot serialize the response to " + f.context.summary());
            }
        }
        writeCompleted();
        if (f.released) {
            maybeStartNext(); // written responses may have made room below MAX_IN_FLIGHT
        } else {
            onReleased(f);
        }
    }

    /** Writes the responses at the head of the queue that are ready, in request order. */
    private void writeCompleted() {
        boolean wrote = false;
        while (!inFlight.isEmpty() && inFlight.peek().done) {
            InFlight f = inFlight.poll();
            freeFrame(f);
            if (closed) {
                continue;
            }
            if (f.error instanceof CloseConnectionException) {
                if (f.context != null) {
                    log.info("Closing connection from {}: {}", channel.remoteAddress(), f.error.getMessage());
                }
                closeAfterWrites();
                return;
            }
            if (f.send != null) {
                try {
                    f.send.writeTo(new NettyTransferChannel(channel));
                    wrote = true;
                } catch (Exception e) {
                    log.debug("Write to {} failed: {}", channel.remoteAddress(), e.toString());
                    closeConnection();
                    return;
                }
            }
        }
        if (wrote) {
            channel.flush();
        }
    }

    /** A frame whose header did not parse may still be an ApiVersions of a version we do not know. */
    private void answerUnsupportedApiVersions(ByteBuf frame, int correlationId) {
        ApiVersionsResponseData body = new ApiVersionsResponseData().setErrorCode(Errors.UNSUPPORTED_VERSION.code());
        body.apiKeys().add(dispatcher.apiVersionsRange().duplicate());
        InFlight f = new InFlight(frame, null);
        f.released = true;
        f.done = true;
        f.send = SendBuilder.buildResponseSend(new ResponseHeader(correlationId, (short) 0), body, (short) 0);
        inFlight.add(f);
        writeCompleted();
    }

    private void reject(ByteBuf frame, String why) {
        log.warn("Closing connection from {}: {}", channel.remoteAddress(), why);
        closeAfterAnswers(frame, why);
    }

    private void closeAfterAnswers(ByteBuf frame, String why) {
        // As Kafka, which reads no request while one is answered: the answers owed before it go out first.
        InFlight f = new InFlight(frame, null);
        f.released = true;
        f.done = true;
        f.error = new CloseConnectionException(why);
        inFlight.add(f);
        closing = true;
        writeCompleted();
    }

    /** Closes once what was written is flushed (Netty's close discards queued writes). */
    private void closeAfterWrites() {
        if (!closed) {
            closed = true;
            releaseAll();
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void closeConnection() {
        if (!closed) {
            closed = true;
            releaseAll();
            if (channel != null) {
                channel.close();
            }
        }
    }

    /** Frees every frame we still hold; in-flight handlers no longer read them once the connection is closed. */
    private void releaseAll() {
        ByteBuf b;
        while ((b = pending.poll()) != null) {
            b.release();
        }
        // Started requests keep their frames until their handlers complete (they may still read
        // the records); onResponse sees the closed connection and releases them then.
    }
}
