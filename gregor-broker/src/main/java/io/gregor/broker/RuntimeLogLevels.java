package io.gregor.broker;

import java.util.SortedMap;
import java.util.TreeMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * The log levels of this JVM's SLF4J backend, read and changed at runtime: what the BROKER_LOGGER
 * config resource shows and alters (KIP-412, {@code kafka-configs --entity-type broker-loggers}).
 * Loggers are named as in Kafka: {@code root} is the root logger. Changes are not persisted; a
 * restart starts from the logging configuration again, as in Kafka.
 *
 * <p>The backend (Logback's {@code LoggerContext}) owns the levels and is thread-safe, so any
 * thread may call. It is shared by everything in the JVM: in-process test nodes see each other's
 * changes.
 */
public sealed interface RuntimeLogLevels permits LogbackLogLevels, RuntimeLogLevels.NoBackend {

    /** The root logger's name in Kafka's BROKER_LOGGER resource. */
    String ROOT_LOGGER = "root";

    /** Each logger the backend knows, and root, with its effective level ("INFO"), by name. */
    SortedMap<String, String> effectiveLevels();

    boolean exists(String logger);

    /**
     * Sets an existing logger's own level.
     *
     * @param level one of Kafka's levels ({@code LogLevelConfig.VALID_LOG_LEVELS}), validated by the caller
     */
    void setLevel(String logger, String level);

    /** Removes an existing logger's own level, so it inherits its parent's again; never called for root. */
    void unsetLevel(String logger);

    /** Logback's levels when it is SLF4J's backend, else a view with no loggers. */
    static RuntimeLogLevels ofSlf4jBackend() {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        // Compared by name: logback-classic is an optional dependency and may be absent.
        if ("ch.qos.logback.classic.LoggerContext".equals(factory.getClass().getName())) {
            return LogbackLogLevels.of(factory);
        }
        return new NoBackend();
    }

    /** A backend Gregor cannot control (slf4j-simple, no binding): no loggers, so every change is refused as unknown. */
    record NoBackend() implements RuntimeLogLevels {

        @Override
        public SortedMap<String, String> effectiveLevels() {
            return new TreeMap<>();
        }

        @Override
        public boolean exists(String logger) {
            return false;
        }

        @Override
        public void setLevel(String logger, String level) {
            throw new IllegalStateException("no logger " + logger + " in an unsupported logging backend");
        }

        @Override
        public void unsetLevel(String logger) {
            throw new IllegalStateException("no logger " + logger + " in an unsupported logging backend");
        }
    }
}
