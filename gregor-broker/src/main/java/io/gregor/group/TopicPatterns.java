package io.gregor.group;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * KIP-848 subscription patterns as Kafka's coordinator evaluates them: RE2 patterns compiled with RE2J, matched in time
 * linear in the topic name, with RE2's bound on nested counted repetitions (which RE2J lacks), cached by pattern.
 */
final class TopicPatterns {

    /** RE2's bound on nested counted repetitions: {@code (a{999}){999}} would build a million-instruction program. */
    private static final int MAX_REPETITION_PRODUCT = 1000;

    /** Compiled subscription patterns, by pattern: a group's members and every heartbeat share them. Any thread. */
    private static final Map<String, Pattern> COMPILED = Collections.synchronizedMap(
            new LinkedHashMap<String, Pattern>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Pattern> eldest) {
                    return size() > 1024;
                }
            });

    private TopicPatterns() {
    }

    /**
     * The RE2 pattern (as Kafka's coordinator compiles it), refusing, as RE2 does, counted repetitions whose nested
     * counts multiply past 1000: RE2J does not, and compiling {@code ((a{999}){999}){999}} exhausts the heap.
     */
    static Pattern compile(String regex) {
        Pattern cached = COMPILED.get(regex);
        if (cached != null) {
            return cached;
        }
        throwIfRepetitionTooLarge(regex);
        Pattern compiled = Pattern.compile(regex);
        COMPILED.put(regex, compiled);
        return compiled;
    }

    /** The pattern, or null when RE2 refuses it. */
    static Pattern compiledOrNull(String regex) {
        try {
            return compile(regex);
        } catch (PatternSyntaxException e) {
            return null;
        }
    }

    /**
     * Walks the pattern's groups and counted repetitions ({@code {n}}, {@code {n,}}, {@code {n,m}}); the largest product
     * of nested counts must not pass {@link #MAX_REPETITION_PRODUCT}. Escapes and character classes are skipped; what
     * is not a valid repetition is left to the compiler.
     */
    private static void throwIfRepetitionTooLarge(String regex) {
        ArrayDeque<long[]> groups = new ArrayDeque<>(); // each: the largest product inside the group
        groups.push(new long[] {1});
        long atom = 1; // the largest product inside the last atom, for a repetition that follows it
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '\\') {
                i++;
                atom = 1;
            } else if (c == '[') {
                i = endOfClass(regex, i);
                atom = 1;
            } else if (c == '(') {
                groups.push(new long[] {1});
                continue;
            } else if (c == ')' && groups.size() > 1) {
                atom = groups.pop()[0];
            } else if (c == '{') {
                int close = regex.indexOf('}', i);
                String body = close < 0 ? "" : regex.substring(i + 1, close);
                if (body.matches("[0-9]{1,9}(,[0-9]{0,9})?")) {
                    String[] bounds = body.split(",", -1);
                    long count = Math.max(Long.parseLong(bounds[0]),
                            bounds.length > 1 && !bounds[1].isEmpty() ? Long.parseLong(bounds[1]) : 0);
                    atom = atom * Math.max(1, count);
                    if (atom > MAX_REPETITION_PRODUCT) {
                        throw new PatternSyntaxException("bad repetition operator", regex.substring(i, close + 1));
                    }
                    i = close;
                } else {
                    atom = 1;
                }
            } else if (c != '*' && c != '+' && c != '?' && c != '|') {
                atom = 1;
            }
            groups.peek()[0] = Math.max(groups.peek()[0], atom);
        }
    }

    /** The index of the ']' that closes the character class opened at {@code open} (or the last index). */
    private static int endOfClass(String regex, int open) {
        int i = open + 1;
        if (i < regex.length() && regex.charAt(i) == '^') {
            i++;
        }
        if (i < regex.length() && regex.charAt(i) == ']') {
            i++; // a ']' first is a literal
        }
        for (; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == ']') {
                return i;
            }
        }
        return regex.length() - 1;
    }
}
