package io.gregor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import org.junit.jupiter.api.Test;

/** The client commands' log levels: what the clients may print on a user's terminal. */
class LogSetupTest {

    @Test
    void shouldSilenceTheProducersRetryWarnings() {
        LoggerContext context = new LoggerContext();

        new LogSetup().configure(context);

        // A too-large record sharing a batch is split and retried with a WARN each time, tens of
        // thousands of lines until delivery.timeout.ms; produce reports the failure itself.
        assertThat(context.getLogger("org.apache.kafka.clients.producer.internals.Sender").getEffectiveLevel())
                .isEqualTo(Level.ERROR);
        assertThat(context.getLogger("org.apache.kafka.clients.consumer.KafkaConsumer").getEffectiveLevel())
                .isEqualTo(Level.WARN);
    }

    @Test
    void shouldSilenceTheClientsLinesForMistakesTheCommandReportsItself() {
        LoggerContext context = new LoggerContext();

        new LogSetup().configure(context);

        assertThat(context.getLogger("org.apache.kafka.clients.ClientUtils").getEffectiveLevel()).isEqualTo(Level.OFF);
        assertThat(context.getLogger("org.apache.kafka.clients.Metadata").getEffectiveLevel()).isEqualTo(Level.OFF);
        assertThat(context.getLogger("org.apache.kafka.clients.NetworkClient").getEffectiveLevel()).isEqualTo(Level.OFF);
        assertThat(context.getLogger("org.apache.kafka.clients.admin.internals.AdminMetadataManager").getEffectiveLevel())
                .isEqualTo(Level.OFF);
    }
}
