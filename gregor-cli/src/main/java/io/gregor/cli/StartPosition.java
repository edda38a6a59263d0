package io.gregor.cli;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** Where {@code gregor consume} starts reading in each partition. */
sealed interface StartPosition {

    /** The log end: only records produced from now on (the default, like kafka-console-consumer). */
    record End() implements StartPosition {
    }

    record Beginning() implements StartPosition {
    }

    /** An explicit offset, clamped to [logStartOffset, logEndOffset] of each partition. */
    record Offset(long offset) implements StartPosition {
    }

    /** The first record whose timestamp is >= timestampMs (ListOffsets by time); the end if none. */
    record Timestamp(long timestampMs) implements StartPosition {
    }

    /**
     * Epoch milliseconds, or ISO-8601: {@code 2024-05-01T12:00:00Z}, with an offset
     * {@code 2024-05-01T14:00:00+02:00}, or without a zone ({@code 2024-05-01T12:00}, {@code 2024-05-01}) as UTC.
     */
    static long parseTimestampMs(String text) {
        String s = text.trim();
        if (!s.isEmpty() && s.chars().allMatch(Character::isDigit)) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw badTimestamp(text);
            }
        }
        String upper = s.toUpperCase(Locale.ROOT);
        try {
            return OffsetDateTime.parse(upper).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            // try the next form
        }
        try {
            return Instant.parse(upper).toEpochMilli();
        } catch (DateTimeParseException e) {
            // try the next form
        }
        try {
            return LocalDateTime.parse(upper).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeParseException e) {
            // try the next form
        }
        try {
            return LocalDate.parse(upper).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            throw badTimestamp(text);
        }
    }

    private static IllegalArgumentException badTimestamp(String text) {
        return new IllegalArgumentException("--from-timestamp: '" + text
                + "' (expected: epoch milliseconds or ISO-8601 such as 2024-05-01T12:00:00Z)");
    }
}
