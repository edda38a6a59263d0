package io.gregor.api;

import io.gregor.group.RequestMeta;
import io.gregor.network.RequestContext;
import java.net.InetSocketAddress;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the group api handlers share: the request facts the coordinator needs, and failure mapping. */
final class GroupRequests {

    private static final Logger log = LoggerFactory.getLogger(GroupRequests.class);

    private GroupRequests() {
    }

    /** Kafka reports a member's host as {@code InetAddress.toString()}: "/127.0.0.1". */
    static RequestMeta meta(RequestContext context) {
        String host = context.clientAddress() instanceof InetSocketAddress isa && isa.getAddress() != null
                ? "/" + isa.getAddress().getHostAddress() : String.valueOf(context.clientAddress());
        String clientId = context.header().clientId() == null ? "" : context.header().clientId();
        return new RequestMeta(context.apiVersion(), clientId, host);
    }

    /** The error code for a failed coordinator future; unexpected failures are logged once. */
    static Errors error(Throwable t, RequestContext context) {
        Errors error = ErrorMapper.toErrors(t);
        if (error == Errors.UNKNOWN_SERVER_ERROR) {
            log.error("Group request failed: {}", context.summary(), ErrorMapper.unwrap(t));
        }
        return error;
    }
}
