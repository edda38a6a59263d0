package io.gregor.network;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections one listener serves, in total and per client address, against its {@link ConnectionLimits}, as
 * Kafka's {@code SocketServer.ConnectionQuotas}: the {@link ConnectionAcceptor} asks for a slot before a connection is
 * served and gives it back when the connection closes. Any thread (the accept loop acquires, each connection's event
 * loop releases, the metadata listener updates the limits): the state is guarded by this object's lock, held for a
 * map update.
 */
final class ConnectionQuotas {

    private static final Logger log = LoggerFactory.getLogger(ConnectionQuotas.class);

    /** What {@link #tryAcquire} decided. */
    enum Admission {
        /** Counted: serve the connection, and release it when it closes. */
        ACCEPTED,
        /** {@code max.connections} are open: the connection waits until one closes (Kafka's acceptor blocks). */
        BROKER_FULL,
        /** The address holds its limit of connections already: close this one (Kafka's TooManyConnectionsException). */
        ADDRESS_FULL
    }

    private final Map<InetAddress, Integer> counts = new HashMap<>();
    private int total;
    private ConnectionLimits limits;
    private Map<InetAddress, Integer> overrides;

    private ConnectionQuotas(ConnectionLimits limits, Map<InetAddress, Integer> overrides) {
        this.limits = limits;
        this.overrides = overrides;
    }

    /**
     * Quotas starting at {@code limits}.
     *
     * @throws UnknownHostException when an override names a host that does not resolve (Kafka fails its start-up too)
     */
    static ConnectionQuotas create(ConnectionLimits limits) throws UnknownHostException {
        Map<InetAddress, Integer> resolved = new HashMap<>();
        for (Map.Entry<String, Integer> e : limits.maxConnectionsPerIpOverrides().entrySet()) {
            try {
                resolved.put(InetAddress.getByName(e.getKey()), e.getValue());
            } catch (UnknownHostException unknown) {
                throw new UnknownHostException("max.connections.per.ip.overrides: cannot resolve host '" + e.getKey() + "'");
            }
        }
        return new ConnectionQuotas(limits, resolved);
    }

    /**
     * Applies new limits (a dynamic broker config changed). Connections already served stay open, also when they are
     * now over a limit. An override whose host does not resolve is left out, with a WARN. One caller at a time (the
     * node's metadata listener): hosts are resolved outside the lock, so that the accept loop does not wait for DNS.
     *
     * @return whether the limits changed
     */
    boolean update(ConnectionLimits next) {
        synchronized (this) {
            if (next.equals(limits)) {
                return false;
            }
        }
        Map<InetAddress, Integer> resolved = new HashMap<>();
        for (Map.Entry<String, Integer> e : next.maxConnectionsPerIpOverrides().entrySet()) {
            try {
                resolved.put(InetAddress.getByName(e.getKey()), e.getValue()); // outside the lock: may ask DNS
            } catch (UnknownHostException unknown) {
                log.warn("Ignoring max.connections.per.ip.overrides entry {}:{}: cannot resolve host '{}'", e.getKey(),
                        e.getValue(), e.getKey());
            }
        }
        synchronized (this) {
            limits = next;
            overrides = resolved;
        }
        log.info("Connection limits now max.connections={}, max.connections.per.ip={}, max.connections.per.ip.overrides={}",
                next.maxConnections(), next.maxConnectionsPerIp(), next.maxConnectionsPerIpOverrides());
        return true;
    }

    /** Counts a new connection from {@code address} unless a limit says it must wait or be closed. */
    synchronized Admission tryAcquire(InetAddress address) {
        if (total >= limits.maxConnections()) {
            return Admission.BROKER_FULL;
        }
        int count = counts.getOrDefault(address, 0);
        if (count >= limitFor(address)) {
            return Admission.ADDRESS_FULL;
        }
        counts.put(address, count + 1);
        total++;
        return Admission.ACCEPTED;
    }

    /**
     * Gives back the slot of a closed connection.
     *
     * @return whether the broker was at {@code max.connections}, so that a waiting connection may be served now
     */
    synchronized boolean release(InetAddress address) {
        Integer count = counts.get(address);
        if (count == null) {
            throw new IllegalStateException("released a connection from " + address + ", which has none");
        }
        if (count == 1) {
            counts.remove(address);
        } else {
            counts.put(address, count - 1);
        }
        boolean wasFull = total >= limits.maxConnections();
        total--;
        return wasFull;
    }

    /** Whether {@code max.connections} connections are open. */
    synchronized boolean isFull() {
        return total >= limits.maxConnections();
    }

    /** The most connections {@code address} may hold. */
    synchronized int limitFor(InetAddress address) {
        return overrides.getOrDefault(address, limits.maxConnectionsPerIp());
    }

    /** The connections {@code address} holds (tests). */
    synchronized int count(InetAddress address) {
        return counts.getOrDefault(address, 0);
    }
}
