package io.gregor.cli;

/**
 * A mistake the user can fix (bad argument, unknown topic, unreachable broker). The message is
 * the one line printed after {@code error: }, so it names the value and the expectation.
 * Anything else escaping a command is treated as a bug and printed with its stack trace.
 */
final class UserException extends RuntimeException {

    UserException(String message) {
        super(message, null, false, false);
    }
}
