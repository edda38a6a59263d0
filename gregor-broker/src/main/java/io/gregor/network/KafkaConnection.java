package io.gregor.network;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.SendBuilder;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestAndSize;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection. Requests are handled one at a time in arrival order, as Kafka does
 * (PROTOCOL.md 2.2): pipelined frames wait in a queue and reading pauses while they do, so
 * responses always leave in request order. All state is owned by the channel's event loop;
 * handler futures hop back onto it before touching anything here.
 */
final class KafkaConnection extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(KafkaConnection.class);

    private final RequestDispatcher dispatcher;
    private final String listenerName;
    private final ArrayDeque<ByteBuf> pending = new ArrayDeque<>();
    private Channel channel;
    private boolean busy;
    private boolean closed;

    KafkaConnection(RequestDispatcher dispatcher, String listenerName) {
        this.dispatcher = dispatcher;
        this.listenerName = listenerName;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        channel = ctx.channel();
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
        if (busy) {
            // Backpressure: stop reading until the queued requests have been answered.
            channel.config().setAutoRead(false);
        } else {
            processNext();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closed = true;
        releasePending();
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!closed) {
            log.debug("Connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        }
        closeConnection();
    }

    private void processNext() {
        ByteBuf frame = pending.poll();
        if (frame == null || closed) {
            busy = false;
            if (frame != null) {
                frame.release();
            }
            if (!closed) {
                channel.config().setAutoRead(true);
            }
            return;
        }
        busy = true;
        handleFrame(frame);
    }

    private void handleFrame(ByteBuf frame) {
        ByteBuffer buffer = frame.nioBuffer();
        RequestHeader header;
        try {
            header = RequestHeader.parse(buffer);
        } catch (RuntimeException e) {
            if (maybeAnswerUnsupportedApiVersions(frame)) {
                return;
            }
            reject(frame, "unparseable request header (" + e.getMessage() + ")");
            return;
        }
        ApiKeys key = header.apiKey();
        short version = header.apiVersion();
        if (!dispatcher.isSupported(key, version)) {
            if (key == ApiKeys.API_VERSIONS) {
                // KIP-511: answer an unknown ApiVersions version with v0 and our range; the client retries.
                frame.release();
                writeUnsupportedApiVersions(header.correlationId());
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
        RequestContext context = new RequestContext(header, request, channel.remoteAddress(), listenerName, System.currentTimeMillis());
        CompletableFuture<ApiMessage> response;
        try {
            response = dispatcher.dispatch(context);
        } catch (RuntimeException e) {
            response = CompletableFuture.failedFuture(e);
        }
        response.whenComplete((body, error) -> {
            if (channel.eventLoop().inEventLoop()) {
                complete(frame, context, body, error);
            } else {
                channel.eventLoop().execute(() -> complete(frame, context, body, error));
            }
        });
    }

    private void complete(ByteBuf frame, RequestContext context, ApiMessage body, Throwable error) {
        frame.release();
        if (closed) {
            return;
        }
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof CloseConnectionException) {
            log.info("Closing connection from {}: {}", channel.remoteAddress(), cause.getMessage());
            closeConnection();
            return;
        }
        if (cause != null) {
            log.error("Unexpected error handling {}", context.summary(), cause);
            body = context.request().getErrorResponse(0, cause).data();
        }
        if (body == null) {
            processNext();
            return;
        }
        Send send;
        try {
            send = SendBuilder.buildResponseSend(context.header().toResponseHeader(), body, context.apiVersion());
        } catch (RuntimeException e) {
            log.error("Cannot serialize the response to {}", context.summary(), e);
            closeConnection();
            return;
        }
        writeAndContinue(send);
    }

    private void writeAndContinue(Send send) {
        try {
            send.writeTo(new NettyTransferChannel(channel));
        } catch (Exception e) {
            log.debug("Write to {} failed: {}", channel.remoteAddress(), e.toString());
            closeConnection();
            return;
        }
        // Kafka unmutes a connection once its response is sent; so do we. The empty write
        // completes after every part of the response before it; its listener runs on the event loop.
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                processNext();
            } else {
                closeConnection();
            }
        });
    }

    /** A frame whose header did not parse may still be an ApiVersions of a version we do not know. */
    private boolean maybeAnswerUnsupportedApiVersions(ByteBuf frame) {
        if (frame.readableBytes() < 8 || frame.getShort(frame.readerIndex()) != ApiKeys.API_VERSIONS.id) {
            return false;
        }
        int correlationId = frame.getInt(frame.readerIndex() + 4);
        frame.release();
        writeUnsupportedApiVersions(correlationId);
        return true;
    }

    private void writeUnsupportedApiVersions(int correlationId) {
        ApiVersionsResponseData body = new ApiVersionsResponseData().setErrorCode(Errors.UNSUPPORTED_VERSION.code());
        body.apiKeys().add(dispatcher.apiVersionsRange().duplicate());
        writeAndContinue(SendBuilder.buildResponseSend(new ResponseHeader(correlationId, (short) 0), body, (short) 0));
    }

    private void reject(ByteBuf frame, String why) {
        frame.release();
        log.warn("Closing connection from {}: {}", channel.remoteAddress(), why);
        closeConnection();
    }

    private void closeConnection() {
        if (!closed) {
            closed = true;
            releasePending();
            if (channel != null) {
                channel.close();
            }
        }
    }

    private void releasePending() {
        ByteBuf b;
        while ((b = pending.poll()) != null) {
            b.release();
        }
    }
}
