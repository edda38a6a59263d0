package io.gregor.cli;

/**
 * Splits a {@code gregor produce} input line into key and value at the first separator; a line
 * without the separator (or any line with {@code --no-key}) is a value with a null key. Also
 * turns the escapes users type for separators ({@code '\t'}) into the characters they mean.
 */
record LineSplitter(String separator) {

    /** A parsed input line; {@code key} is null when the line has none. */
    record KeyedLine(String key, String value) {
    }

    static LineSplitter noKey() {
        return new LineSplitter(null);
    }

    KeyedLine split(String line) {
        int at = separator == null ? -1 : line.indexOf(separator);
        if (at < 0) {
            return new KeyedLine(null, line);
        }
        return new KeyedLine(line.substring(0, at), line.substring(at + separator.length()));
    }

    /** {@code \t \n \r \0 \\} become the characters; anything else is kept as typed. */
    static String unescape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 == s.length()) {
                out.append(c);
                continue;
            }
            char next = s.charAt(++i);
            switch (next) {
                case 't' -> out.append('\t');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case '0' -> out.append('\0');
                case '\\' -> out.append('\\');
                default -> out.append('\\').append(next);
            }
        }
        return out.toString();
    }
}
