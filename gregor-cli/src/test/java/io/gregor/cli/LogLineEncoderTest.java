package io.gregor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;

class LogLineEncoderTest {

    private final LoggerContext context = new LoggerContext();

    @Test
    void shouldWriteTheLineThePatternWouldInTheLocalTimeZone() {
        TimeZone zone = TimeZone.getTimeZone("America/St_Johns"); // a half-hour offset, with summer time
        long at = LocalDateTime.of(2026, 7, 1, 9, 5, 7, 42_000_000).atZone(ZoneId.of("America/St_Johns"))
                .toInstant().toEpochMilli();
        ILoggingEvent event = event("io.gregor.storage.LogLoader", Level.INFO, at, "topic-0: loaded {} segments", null, 3);

        assertThat(encode(new LogLineEncoder(zone), event))
                .isEqualTo("09:05:07.042 INFO  i.g.s.LogLoader - topic-0: loaded 3 segments" + System.lineSeparator());
    }

    @Test
    void shouldMatchLogbacksPatternForNamesLevelsAndExceptions() {
        TimeZone saved = TimeZone.getDefault();
        TimeZone.setDefault(TimeZone.getTimeZone("Asia/Kolkata"));
        try {
            PatternLayoutEncoder pattern = new PatternLayoutEncoder();
            pattern.setContext(context);
            pattern.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n");
            pattern.start();
            LogLineEncoder ours = new LogLineEncoder();
            ours.setContext(context);
            ours.start();
            Exception failure = new IllegalStateException("disk gone", new java.io.IOException("EIO"));
            String[] names = {"io.gregor.broker.Node", "io.gregor.storage.LogStore", "Short", "a.b.c.VeryLongClassNameThatDoesNotFit",
                "org.apache.kafka.clients.NetworkClient", "io.gregor.cli.StartCommand$Inner", "x..y.Z",
                "exactly.twenty.chars", "a.b.c.d.e.f.g.h.i.j.K", "io.gregor.x.VeryLongClassNameAlone"};
            long at = 1_796_418_356_081L;
            for (String name : names) {
                for (Level level : new Level[] {Level.ERROR, Level.WARN, Level.INFO, Level.DEBUG, Level.TRACE}) {
                    ILoggingEvent event = event(name, level, at, "message {} of {}", level == Level.ERROR ? failure : null, name, level);
                    assertThat(encode(ours, event)).as(name + " " + level).isEqualTo(encode(pattern, event));
                }
                at += 37_813_517L;
            }
        } finally {
            TimeZone.setDefault(saved);
        }
    }

    @Test
    void shouldShortenPackagesFromTheLeftAndNeverTheClassName() {
        assertThat(LogLineEncoder.abbreviate("io.gregor.broker.Node", 20)).isEqualTo("i.gregor.broker.Node");
        assertThat(LogLineEncoder.abbreviate("io.gregor.storage.LogStore", 20)).isEqualTo("i.g.storage.LogStore");
        assertThat(LogLineEncoder.abbreviate("io.gregor.network.KafkaConnection", 20)).isEqualTo("i.g.n.KafkaConnection");
        assertThat(LogLineEncoder.abbreviate("exactly.twenty.chars", 20)).isEqualTo("e.twenty.chars");
        assertThat(LogLineEncoder.abbreviate("nineteen.chars.long", 20)).isEqualTo("nineteen.chars.long");
        assertThat(LogLineEncoder.abbreviate("NoPackageButAVeryLongName", 20)).isEqualTo("NoPackageButAVeryLongName");
    }

    private ILoggingEvent event(String loggerName, Level level, long timestamp, String message, Throwable thrown, Object... args) {
        Logger logger = context.getLogger(loggerName);
        LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, level, message, thrown, args);
        event.setTimeStamp(timestamp);
        return event;
    }

    private static String encode(Encoder<ILoggingEvent> encoder, ILoggingEvent event) {
        return new String(encoder.encode(event), StandardCharsets.UTF_8);
    }
}
