package io.gregor.api;

import io.gregor.network.RequestContext;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.LeaveGroupRequest;

/** LeaveGroup v0-5: one member (v0-2, its error is the top-level error) or a batch with per-member errors (v3+). */
final class LeaveGroupHandler implements ApiHandler {

    private final BrokerServices broker;

    LeaveGroupHandler(BrokerServices broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LEAVE_GROUP;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context) {
        LeaveGroupRequestData request = ((LeaveGroupRequest) context.request()).data();
        short version = context.apiVersion();
        Errors coordinator = broker.groups().coordinatorError(request.groupId());
        if (coordinator != Errors.NONE) {
            return ApiHandler.done(new LeaveGroupResponseData().setErrorCode(coordinator.code()));
        }
        List<LeaveGroupRequestData.MemberIdentity> members = version >= 3 ? request.members()
                : List.of(new LeaveGroupRequestData.MemberIdentity().setMemberId(request.memberId()));
        return broker.groups().leaveGroup(request, members).handle((r, e) -> {
            if (e != null) {
                return new LeaveGroupResponseData().setErrorCode(GroupRequests.error(e, context).code());
            }
            if (version < 3) {
                if (r.errorCode() == Errors.NONE.code() && !r.members().isEmpty()) {
                    r.setErrorCode(r.members().get(0).errorCode());
                }
                r.setMembers(new java.util.ArrayList<>());
            }
            return r;
        });
    }
}
