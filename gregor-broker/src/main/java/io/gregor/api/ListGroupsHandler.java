package io.gregor.api;

import io.gregor.network.RequestContext;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ListGroupsRequest;

/** ListGroups v0-5 over the groups this node coordinates; states filter v4+, types filter v5+. */
final class ListGroupsHandler implements ApiHandler {

    private final BrokerServices broker;

    ListGroupsHandler(BrokerServices broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_GROUPS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context) {
        ListGroupsRequestData request = ((ListGroupsRequest) context.request()).data();
        short version = context.apiVersion();
        List<String> states = version >= 4 ? request.statesFilter() : List.of();
        List<String> types = version >= 5 ? request.typesFilter() : List.of();
        return broker.groups().listGroups(states, types).handle((groups, e) -> {
            ListGroupsResponseData response = new ListGroupsResponseData().setThrottleTimeMs(0);
            if (e != null) {
                return response.setErrorCode(GroupRequests.error(e, context).code());
            }
            for (ListGroupsResponseData.ListedGroup g : groups) {
                if (version < 4) {
                    g.setGroupState("");
                }
                if (version < 5) {
                    g.setGroupType("");
                }
                response.groups().add(g);
            }
            return response.setErrorCode(Errors.NONE.code());
        });
    }
}
