package io.gregor.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A {@code key=value} argument ({@code --config}, {@code --header}, {@code --override}). Split at
 * the first '=', so the value may itself contain '='; the value may be empty, the key may not.
 */
record KeyValue(String key, String value) {

    static KeyValue parse(String arg) {
        int eq = arg.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("'" + arg + "' (expected: key=value)");
        }
        return new KeyValue(arg.substring(0, eq).trim(), arg.substring(eq + 1));
    }

    /** Lets picocli report a malformed pair as a one-line usage error. */
    static final class Converter implements ITypeConverter<KeyValue> {
        @Override
        public KeyValue convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
