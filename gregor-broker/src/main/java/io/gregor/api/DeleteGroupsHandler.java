package io.gregor.api;

import io.gregor.network.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteGroupsRequest;

/** DeleteGroups v0-3: empty groups only (NON_EMPTY_GROUP otherwise), with their committed offsets. */
final class DeleteGroupsHandler implements ApiHandler {

    private final BrokerServices broker;

    DeleteGroupsHandler(BrokerServices broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_GROUPS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context) {
        DeleteGroupsRequestData request = ((DeleteGroupsRequest) context.request()).data();
        DeleteGroupsResponseData response = new DeleteGroupsResponseData().setThrottleTimeMs(0);
        List<String> ours = new ArrayList<>();
        for (String g : request.groupsNames()) {
            Errors coordinator = broker.groups().coordinatorError(g);
            if (coordinator == Errors.NONE) {
                ours.add(g);
            } else if (response.results().find(g) == null) {
                response.results().add(new DeleteGroupsResponseData.DeletableGroupResult().setGroupId(g).setErrorCode(coordinator.code()));
            }
        }
        return broker.groups().deleteGroups(ours).handle((Map<String, Errors> results, Throwable e) -> {
            for (String g : ours) {
                if (response.results().find(g) != null) {
                    continue;
                }
                Errors error = e != null ? GroupRequests.error(e, context) : results.get(g);
                response.results().add(new DeleteGroupsResponseData.DeletableGroupResult().setGroupId(g).setErrorCode(error.code()));
            }
            return response;
        });
    }
}
