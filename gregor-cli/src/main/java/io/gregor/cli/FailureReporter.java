package io.gregor.cli;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The one place that turns a failure into what the user sees and the exit code: a user mistake
 * (bad usage, {@link UserException}, an error the broker reported) is one line on stderr and exit
 * {@link GregorCommand#EXIT_USER_ERROR}; anything else is a bug, printed with its stack trace,
 * exit {@link GregorCommand#EXIT_BUG}. Installed on the root {@link CommandLine} by
 * {@link GregorCommand#commandLine(GregorCommand)}.
 */
final class FailureReporter implements IParameterExceptionHandler, IExecutionExceptionHandler {

    private static final String KAFKA_ERRORS_PACKAGE = "org.apache.kafka.common.errors.";
    private static final String PICOCLI_ERROR_PREFIX = "Error: ";

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        StringBuilder line = new StringBuilder(withoutPicocliPrefix(oneLine(ex.getMessage())));
        if (ex instanceof UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()) {
            line.append("; did you mean ").append(String.join(" or ", unmatched.getSuggestions())).append('?');
        }
        line.append(" (see '").append(cmd.getCommandSpec().qualifiedName()).append(" --help')");
        cmd.getErr().println("error: " + line);
        cmd.getErr().flush();
        return GregorCommand.EXIT_USER_ERROR;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
        String userMessage = userMessage(ex);
        if (userMessage != null) {
            cmd.getErr().println("error: " + userMessage);
            cmd.getErr().flush();
            return GregorCommand.EXIT_USER_ERROR;
        }
        ex.printStackTrace(cmd.getErr());
        cmd.getErr().flush();
        return GregorCommand.EXIT_BUG;
    }

    /** The one-line message for a user-facing failure, or null if {@code ex} is a bug. */
    static String userMessage(Throwable ex) {
        if (ex instanceof UserException) {
            return oneLine(ex.getMessage());
        }
        if (ex instanceof ConfigException) {
            return "invalid client configuration: " + oneLine(ex.getMessage());
        }
        if (ex.getClass().getName().startsWith(KAFKA_ERRORS_PACKAGE)) {
            return ex.getMessage() == null ? ex.getClass().getSimpleName() : oneLine(ex.getMessage());
        }
        // Client constructors wrap a bad setting: KafkaException("Failed to construct kafka producer", ConfigException).
        if (ex instanceof KafkaException && ex.getCause() instanceof ConfigException) {
            return "invalid client configuration: " + oneLine(ex.getCause().getMessage());
        }
        // Or deeper, from a setting the client accepted but could not use: "Failed to create new
        // KafkaAdminClient" <- "Failed to create new NetworkClient" <- IllegalArgumentException(
        // "Could not find a 'KafkaClient' entry in the JAAS configuration ...") for SASL without JAAS.
        if (ex instanceof KafkaException && ex.getCause() != null && ex.getMessage() != null
                && (ex.getMessage().startsWith("Failed to construct ") || ex.getMessage().startsWith("Failed to create "))) {
            Throwable deepest = deepestCause(ex);
            return "invalid client configuration: "
                    + (deepest.getMessage() == null ? deepest.getClass().getSimpleName() : oneLine(deepest.getMessage()));
        }
        return null;
    }

    private static Throwable deepestCause(Throwable ex) {
        Throwable deepest = ex;
        // Bounded: a cause chain can in principle loop.
        for (int i = 0; i < 32 && deepest.getCause() != null; i++) {
            deepest = deepest.getCause();
        }
        return deepest;
    }

    /**
     * Picocli starts some messages (mutually exclusive options, a missing required group) with
     * its own "Error: ", which would follow ours.
     */
    private static String withoutPicocliPrefix(String message) {
        return message.startsWith(PICOCLI_ERROR_PREFIX) ? message.substring(PICOCLI_ERROR_PREFIX.length()) : message;
    }

    static String oneLine(String message) {
        if (message == null) {
            return "";
        }
        return message.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
