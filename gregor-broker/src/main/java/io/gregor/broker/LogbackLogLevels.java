package io.gregor.broker;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import java.util.SortedMap;
import java.util.TreeMap;
import org.slf4j.ILoggerFactory;

/**
 * {@link RuntimeLogLevels} over Logback. Every logger Logback has created is listed, including
 * the parents it creates for a dotted name ({@code io.gregor} for {@code io.gregor.api.X}), so an
 * operator can change a whole package at once. Kafka's FATAL has no Logback level and becomes
 * ERROR, the most severe one. Thread-safety is Logback's.
 */
final class LogbackLogLevels implements RuntimeLogLevels {

    private final LoggerContext context;

    private LogbackLogLevels(LoggerContext context) {
        this.context = context;
    }

    static LogbackLogLevels of(ILoggerFactory factory) {
        return new LogbackLogLevels((LoggerContext) factory);
    }

    @Override
    public SortedMap<String, String> effectiveLevels() {
        SortedMap<String, String> levels = new TreeMap<>();
        for (Logger logger : context.getLoggerList()) {
            String name = Logger.ROOT_LOGGER_NAME.equals(logger.getName()) ? ROOT_LOGGER : logger.getName();
            levels.put(name, logger.getEffectiveLevel().levelStr);
        }
        return levels;
    }

    @Override
    public boolean exists(String logger) {
        // Logback matches its root name "ROOT" in any case; only Kafka's "root" is listed, so only it exists.
        if (Logger.ROOT_LOGGER_NAME.equalsIgnoreCase(logger)) {
            return ROOT_LOGGER.equals(logger);
        }
        return context.exists(logger) != null;
    }

    @Override
    public void setLevel(String logger, String level) {
        context.getLogger(logger).setLevel(toLogback(level));
    }

    @Override
    public void unsetLevel(String logger) {
        if (ROOT_LOGGER.equals(logger)) {
            throw new IllegalArgumentException("the root logger's level cannot be unset");
        }
        context.getLogger(logger).setLevel(null);
    }

    private static Level toLogback(String level) {
        return switch (level) {
            case "TRACE" -> Level.TRACE;
            case "DEBUG" -> Level.DEBUG;
            case "INFO" -> Level.INFO;
            case "WARN" -> Level.WARN;
            case "ERROR", "FATAL" -> Level.ERROR;
            default -> throw new IllegalArgumentException("log level: " + level + " (expected: one of Kafka's LogLevelConfig.VALID_LOG_LEVELS)");
        };
    }
}
