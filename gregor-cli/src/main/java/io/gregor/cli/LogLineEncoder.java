package io.gregor.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import java.util.TimeZone;

/**
 * The console line of the gregor command, what the pattern
 * {@code %d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n} gives (with the stack trace of a logged
 * exception after it), written by hand: logback's PatternLayout parses the pattern, registers
 * ~50 converters and pulls in java.time's formatters, ~25 ms of the broker's start-up before its
 * first log line (profiled). Stateless: logback's appender may call {@link #encode} from any
 * logging thread, concurrently.
 */
final class LogLineEncoder extends EncoderBase<ILoggingEvent> {

    /** The logger name's target length: longer names lose package letters from the left, as with logback's {@code %logger{20}}. */
    static final int LOGGER_NAME_LENGTH = 20;

    private static final String NEWLINE = System.lineSeparator();
    private static final long DAY_MS = 24 * 60 * 60 * 1000L;

    private final TimeZone zone;

    LogLineEncoder() {
        this(TimeZone.getDefault());
    }

    LogLineEncoder(TimeZone zone) {
        this.zone = zone;
    }

    @Override
    public byte[] headerBytes() {
        return null;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        String message = event.getFormattedMessage();
        StringBuilder line = new StringBuilder(48 + (message == null ? 4 : message.length()));
        appendTime(line, event.getTimeStamp());
        line.append(' ');
        String level = event.getLevel().toString();
        line.append(level);
        for (int i = level.length(); i < 5; i++) {
            line.append(' ');
        }
        line.append(' ').append(abbreviate(event.getLoggerName(), LOGGER_NAME_LENGTH)).append(" - ").append(message).append(NEWLINE);
        IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown != null) {
            line.append(ThrowableProxyUtil.asString(thrown)); // ends with its own line separator
        }
        return line.toString().getBytes();
    }

    @Override
    public byte[] footerBytes() {
        return null;
    }

    /** HH:mm:ss.SSS in this encoder's time zone. */
    private void appendTime(StringBuilder line, long epochMs) {
        long ms = Math.floorMod(epochMs + zone.getOffset(epochMs), DAY_MS);
        appendDigits(line, ms / 3_600_000, 2);
        line.append(':');
        appendDigits(line, ms / 60_000 % 60, 2);
        line.append(':');
        appendDigits(line, ms / 1000 % 60, 2);
        line.append('.');
        appendDigits(line, ms % 1000, 3);
    }

    private static void appendDigits(StringBuilder line, long value, int width) {
        String digits = Long.toString(value);
        for (int i = digits.length(); i < width; i++) {
            line.append('0');
        }
        line.append(digits);
    }

    /**
     * {@code name} shortened for {@code target} characters as logback's {@code %logger{n}} does:
     * a name shorter than the target stays whole; otherwise package segments, from the left, are
     * cut to their first letter until the cut ones make up the excess, deciding at each dot (so a
     * name of exactly the target length loses its first segment, as in logback); the class name
     * itself is never cut ({@code io.gregor.storage.LogLoader} becomes {@code i.g.s.LogLoader}).
     */
    static String abbreviate(String name, int target) {
        int lastDot = name.lastIndexOf('.');
        if (name.length() < target || lastDot < 0) {
            return name;
        }
        int excess = lastDot - Math.max(0, target - (name.length() - lastDot));
        StringBuilder out = new StringBuilder(name.length());
        int cut = 0;
        boolean segmentStart = true;
        int i = 0;
        for (; i < lastDot; i++) {
            char c = name.charAt(i);
            if (c == '.') {
                if (cut >= excess) {
                    break;
                }
                out.append(c);
                segmentStart = true;
            } else if (segmentStart) {
                out.append(c);
                segmentStart = false;
            } else {
                cut++;
            }
        }
        return out.append(name, i, name.length()).toString();
    }
}
