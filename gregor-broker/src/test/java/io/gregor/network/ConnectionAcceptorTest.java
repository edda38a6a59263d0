package io.gregor.network;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConnectionAcceptorTest {

    @Test
    void shouldWarnOnceOfAcceptFailuresAndPauseAcceptingInsteadOfPassingThemOn() throws Exception {
        ConnectionQuotas quotas = ConnectionQuotas.create(ConnectionLimits.NONE);
        EmbeddedChannel listener = new EmbeddedChannel(new ConnectionAcceptor(quotas, "PLAINTEXT"));
        try (LogCapture log = new LogCapture(ConnectionAcceptor.class, Level.DEBUG)) {
            for (int i = 0; i < 5; i++) {
                listener.pipeline().fireExceptionCaught(new IOException("Too many open files"));
            }
            listener.checkException(); // nothing reached the tail of the pipeline (Netty would log it with a stack)

            assertThat(log.at(Level.WARN)).hasSize(1);
            assertThat(log.at(Level.WARN).get(0).getFormattedMessage())
                    .contains("Cannot accept connections on listener PLAINTEXT", "Too many open files", "ulimit -n");
            assertThat(listener.config().isAutoRead()).as("accepting paused").isFalse();

            listener.advanceTimeBy(ConnectionAcceptor.ACCEPT_ERROR_PAUSE_MS, TimeUnit.MILLISECONDS);
            listener.runScheduledPendingTasks();
            assertThat(listener.config().isAutoRead()).as("accepting again after the pause").isTrue();
        }
        listener.finishAndReleaseAll();
    }
}
