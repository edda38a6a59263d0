package io.gregor.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logging for the gregor command, configured in code rather than logback.xml: parsing XML
 * (Joran plus the JDK's XML parser) cost about 0.3 s of the broker's start-up, measured with
 * class-load timestamps; {@link LogLineEncoder} writes the lines. {@code gregor start} logs to
 * stdout like any server; client commands log to stderr
 * ({@code -Dgregor.log.target=System.err}, set by {@link GregorCommand}) so stdout carries only
 * their output. A user's own {@code -Dlogback.configurationFile} still wins.
 * Found by logback through META-INF/services; runs once, on the first logger lookup.
 */
public final class LogSetup extends ContextAwareBase implements Configurator {

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        LogLineEncoder encoder = new LogLineEncoder();
        encoder.setContext(context);
        encoder.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("CONSOLE");
        console.setTarget("System.err".equals(System.getProperty("gregor.log.target")) ? "System.err" : "System.out");
        console.setEncoder(encoder);
        console.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(console);
        // The clients' INFO is config dumps; their WARN is worth seeing.
        context.getLogger("org.apache.kafka").setLevel(Level.WARN);
        // A user mistake is one line, the command's own; the clients log the same mistakes first
        // (the broker runs none of these classes, so only client commands lose them):
        // - NetworkClient: "Connection to node -1 could not be established" every backoff while a
        //   broker is down ("cannot reach broker at ..."), and "failed authentication due to: ..."
        //   for SASL on a PLAINTEXT listener, which AdminMetadataManager repeats as a WARN with the
        //   exception; the command reports the broker's answer.
        // - ClientUtils: "Couldn't resolve server ..." for a misspelled host; the client then
        //   fails with "No resolvable bootstrap urls".
        // - Metadata: "Metadata response reported invalid topics"; produce then fails with
        //   "Invalid topics: [...]".
        context.getLogger("org.apache.kafka.clients.NetworkClient").setLevel(Level.OFF);
        context.getLogger("org.apache.kafka.clients.admin.internals.AdminMetadataManager").setLevel(Level.OFF);
        context.getLogger("org.apache.kafka.clients.ClientUtils").setLevel(Level.OFF);
        context.getLogger("org.apache.kafka.clients.Metadata").setLevel(Level.OFF);
        // A record over the topic's max.message.bytes that shares a batch is split and retried
        // with a WARN each time (tens of thousands of lines until delivery.timeout.ms); produce
        // reports the failure itself, naming max.message.bytes.
        context.getLogger("org.apache.kafka.clients.producer.internals.Sender").setLevel(Level.ERROR);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
