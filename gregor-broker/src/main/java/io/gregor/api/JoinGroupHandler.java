package io.gregor.api;

import io.gregor.network.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.JoinGroupRequest;

/** JoinGroup v0-9 (classic protocol); the response is parked until the join phase completes. */
final class JoinGroupHandler implements ApiHandler {

    private final BrokerServices broker;

    JoinGroupHandler(BrokerServices broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.JOIN_GROUP;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context) {
        JoinGroupRequestData request = ((JoinGroupRequest) context.request()).data();
        short version = context.apiVersion();
        Errors coordinator = broker.groups().coordinatorError(request.groupId());
        if (coordinator != Errors.NONE) {
            return ApiHandler.done(error(request, version, coordinator));
        }
        return broker.groups().joinGroup(GroupRequests.meta(context), request)
                .handle((r, e) -> e != null ? error(request, version, GroupRequests.error(e, context)) : forVersion(r, version));
    }

    private static JoinGroupResponseData error(JoinGroupRequestData request, short version, Errors error) {
        return forVersion(new JoinGroupResponseData().setErrorCode(error.code()).setGenerationId(-1)
                .setMemberId(request.memberId() == null ? "" : request.memberId()).setLeader("").setProtocolName(null), version);
    }

    /** protocolType is v7+, skipAssignment v9+, and protocolName is non-nullable before v7. */
    private static JoinGroupResponseData forVersion(JoinGroupResponseData r, short version) {
        if (version < 7) {
            r.setProtocolType(null);
            if (r.protocolName() == null) {
                r.setProtocolName("");
            }
        }
        if (version < 9) {
            r.setSkipAssignment(false);
        }
        if (r.leader() == null) {
            r.setLeader("");
        }
        return r;
    }
}
