package io.gregor.network;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class ConnectionErrorsTest {

    /** What KafkaConnection.exceptionCaught does with a failure, before it closes the connection. */
    private static final class LogsFailures extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ConnectionErrors.log(ctx, cause);
        }
    }

    private static EmbeddedChannel connectionOf(EmbeddedChannel listener) {
        return new EmbeddedChannel(listener, listener.id(), true, false, new LogsFailures());
    }

    @Test
    void shouldWarnOfAnOutOfMemoryErrorOncePerPeriodForTheWholeListener() {
        EmbeddedChannel listener = new EmbeddedChannel();
        listener.attr(ConnectionErrors.THROTTLE).set(new LogThrottle(ConnectionErrors.WARN_PERIOD_MS));
        EmbeddedChannel first = connectionOf(listener);
        EmbeddedChannel second = connectionOf(listener);
        try (LogCapture log = new LogCapture(KafkaConnection.class, Level.DEBUG)) {
            OutOfMemoryError oom = new OutOfMemoryError("Cannot reserve 4194304 bytes of direct buffer memory (allocated: 1, limit: 2)");
            first.pipeline().fireExceptionCaught(oom);
            second.pipeline().fireExceptionCaught(oom);
            first.pipeline().fireExceptionCaught(oom);

            assertThat(log.at(Level.WARN)).hasSize(1);
            ILoggingEvent warn = log.at(Level.WARN).get(0);
            assertThat(warn.getFormattedMessage())
                    .contains("Closing the connection from " + first.remoteAddress())
                    .contains("out of memory")
                    .contains("Cannot reserve 4194304 bytes of direct buffer memory");
            assertThat(warn.getThrowableProxy()).as("no stack: it says nothing of the cause").isNull();
        }
        first.finishAndReleaseAll();
        second.finishAndReleaseAll();
        listener.finishAndReleaseAll();
    }

    @Test
    void shouldKeepAPeersFailureAtDebug() {
        EmbeddedChannel listener = new EmbeddedChannel();
        listener.attr(ConnectionErrors.THROTTLE).set(new LogThrottle(ConnectionErrors.WARN_PERIOD_MS));
        EmbeddedChannel connection = connectionOf(listener);
        try (LogCapture log = new LogCapture(KafkaConnection.class, Level.DEBUG)) {
            connection.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));
            connection.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));

            assertThat(log.events()).extracting(ILoggingEvent::getLevel).containsExactly(Level.DEBUG, Level.DEBUG);
            assertThat(log.events().get(0).getFormattedMessage()).contains("Connection reset by peer");
        }
        connection.finishAndReleaseAll();
        listener.finishAndReleaseAll();
    }

    @Test
    void shouldWarnWithTheStackOfAnyOtherError() {
        EmbeddedChannel connection = new EmbeddedChannel(new LogsFailures()); // no listener: not throttled
        try (LogCapture log = new LogCapture(KafkaConnection.class, Level.DEBUG)) {
            connection.pipeline().fireExceptionCaught(new StackOverflowError());

            assertThat(log.at(Level.WARN)).hasSize(1);
            assertThat(log.at(Level.WARN).get(0).getThrowableProxy().getClassName()).isEqualTo(StackOverflowError.class.getName());
        }
        connection.finishAndReleaseAll();
    }

    @Test
    void shouldLetALineThroughPerPeriodAndCountTheOnesHeldBack() {
        LogThrottle throttle = new LogThrottle(10_000);
        assertThat(throttle.tryAcquire(1_000)).isZero();
        assertThat(throttle.tryAcquire(1_001)).isEqualTo(-1);
        assertThat(throttle.tryAcquire(10_999)).isEqualTo(-1);
        assertThat(throttle.tryAcquire(11_000)).isEqualTo(2);
        assertThat(throttle.tryAcquire(30_000)).isZero();
    }
}
