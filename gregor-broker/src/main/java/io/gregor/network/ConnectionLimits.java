package io.gregor.network;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How many connections a listener serves, with Kafka's keys: {@code max.connections} for the whole broker,
 * {@code max.connections.per.ip} for one client address, and {@code max.connections.per.ip.overrides}
 * ({@code host:count} pairs, a host being an address or a name resolved when the limits are applied) for the addresses
 * that get another limit. An immutable value; {@link ConnectionQuotas} enforces it.
 */
public record ConnectionLimits(int maxConnections, int maxConnectionsPerIp, Map<String, Integer> maxConnectionsPerIpOverrides) {

    /** Kafka's defaults: no limit. */
    public static final ConnectionLimits NONE = new ConnectionLimits(Integer.MAX_VALUE, Integer.MAX_VALUE, Map.of());

    public ConnectionLimits {
        if (maxConnections < 0 || maxConnectionsPerIp < 0) {
            throw new IllegalArgumentException("max.connections: " + maxConnections + ", max.connections.per.ip: "
                    + maxConnectionsPerIp + " (expected: >= 0)");
        }
        maxConnectionsPerIpOverrides = Map.copyOf(maxConnectionsPerIpOverrides);
    }

    /**
     * Parses {@code max.connections.per.ip.overrides}: {@code host:count} pairs separated by commas, blanks around
     * either separator ignored, as Kafka's {@code Csv.parseCsvMap}; the count is the last {@code :}-separated part, so
     * an IPv6 address may be given as it is ({@code ::1:10}). Empty or blank: no overrides.
     *
     * @throws IllegalArgumentException naming the value and the expected form
     */
    public static Map<String, Integer> parseOverrides(String value) {
        Map<String, Integer> overrides = new LinkedHashMap<>();
        if (value == null || value.isBlank()) {
            return overrides;
        }
        for (String pair : value.split(",")) {
            int colon = pair.lastIndexOf(':');
            String host = colon < 0 ? "" : pair.substring(0, colon).trim();
            int count;
            try {
                count = colon < 0 ? -1 : Integer.parseInt(pair.substring(colon + 1).trim());
            } catch (NumberFormatException e) {
                count = -1;
            }
            if (host.isEmpty() || count < 0) {
                throw new IllegalArgumentException("max.connections.per.ip.overrides: '" + value
                        + "' (expected: host:count pairs separated by commas, count >= 0, e.g. 127.0.0.1:200,hostName:100)");
            }
            overrides.put(host, count);
        }
        return overrides;
    }
}
