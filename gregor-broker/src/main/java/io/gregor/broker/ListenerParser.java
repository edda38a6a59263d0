package io.gregor.broker;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses {@code listeners} and {@code advertised.listeners} values as Kafka's
 * {@code SocketServerConfigs.listenerListToEndPoints} does: {@code NAME://host:port}, where the host
 * may be empty (bind every interface, Kafka's shipped {@code PLAINTEXT://:9092}) or an IPv6 address
 * in brackets, and names are case-insensitive. Called by {@link NodeConfig} at start-up only.
 */
final class ListenerParser {

    /** Kafka's {@code SocketServerConfigs.URI_PARSE_REGEXP}. */
    private static final Pattern ENDPOINT = Pattern.compile("^(.*)://\\[?([0-9a-zA-Z\\-%._:]*)\\]?:(-?[0-9]+)$");

    private ListenerParser() {
    }

    /** Every endpoint of {@code value}, with any listener name; throws one line naming the bad entry. */
    static List<NodeConfig.Endpoint> parse(String key, String value) {
        List<NodeConfig.Endpoint> out = new ArrayList<>();
        for (String part : value.split(",")) {
            String s = part.trim();
            if (s.isEmpty()) {
                continue;
            }
            Matcher m = ENDPOINT.matcher(s);
            if (s.indexOf("://") <= 0 || !m.matches()) {
                throw new IllegalArgumentException(key + ": '" + s + "' (expected: NAME://host:port, e.g. PLAINTEXT://localhost:9092,"
                        + " or PLAINTEXT://:9092 for every interface)");
            }
            long port;
            try {
                port = Long.parseLong(m.group(3));
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(key + ": '" + s + "' (expected: a port 0..65535)");
            }
            out.add(new NodeConfig.Endpoint(m.group(1).toUpperCase(Locale.ROOT), m.group(2), (int) port));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(key + ": '" + value + "' (expected: at least one listener)");
        }
        return out;
    }

    /** The endpoints not named in {@code controllerNames}: at least one, each PLAINTEXT. */
    static List<NodeConfig.Endpoint> brokerListeners(String key, String value, List<NodeConfig.Endpoint> all,
                                                     Set<String> controllerNames) {
        List<NodeConfig.Endpoint> out = new ArrayList<>();
        for (NodeConfig.Endpoint e : all) {
            if (controllerNames.contains(e.name())) {
                continue;
            }
            if (!e.name().equals("PLAINTEXT")) {
                throw new IllegalArgumentException(key + ": '" + e + "' (expected: a PLAINTEXT listener; TLS and SASL are not supported yet)");
            }
            out.add(e);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(key + ": '" + value + "' (expected: a PLAINTEXT listener besides the"
                    + " controller.listener.names)");
        }
        return List.copyOf(out);
    }

    /** A comma-separated list of listener names, upper-cased as Kafka's ListenerName.normalised. */
    static List<String> names(String value) {
        List<String> out = new ArrayList<>();
        if (value == null) {
            return out;
        }
        for (String part : value.split(",")) {
            if (!part.isBlank()) {
                out.add(part.trim().toUpperCase(Locale.ROOT));
            }
        }
        return out;
    }
}
