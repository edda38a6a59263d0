package io.gregor.api;

import io.gregor.network.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestData;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ConsumerGroupDescribeRequest;

/**
 * ConsumerGroupDescribe v0-1: epochs, assignor, members with current and target assignments.
 * Unknown and classic groups are GROUP_ID_NOT_FOUND (the admin client then falls back to
 * DescribeGroups for classic ones). memberType (v1) is always 1: no classic members in consumer groups.
 */
final class ConsumerGroupDescribeHandler implements ApiHandler {

    private final BrokerServices broker;

    ConsumerGroupDescribeHandler(BrokerServices broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CONSUMER_GROUP_DESCRIBE;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context) {
        ConsumerGroupDescribeRequestData request = ((ConsumerGroupDescribeRequest) context.request()).data();
        List<String> ours = new ArrayList<>();
        for (String g : request.groupIds()) {
            if (broker.groups().coordinatorError(g) == Errors.NONE) {
                ours.add(g);
            }
        }
        return broker.groups().describeConsumerGroups(ours).handle((described, e) -> {
            ConsumerGroupDescribeResponseData response = new ConsumerGroupDescribeResponseData().setThrottleTimeMs(0);
            int next = 0;
            for (String g : request.groupIds()) {
                if (!ours.contains(g)) {
                    Errors coordinator = broker.groups().coordinatorError(g);
                    response.groups().add(failed(g, coordinator == Errors.NONE ? Errors.COORDINATOR_LOAD_IN_PROGRESS : coordinator));
                } else if (e != null) {
                    response.groups().add(failed(g, GroupRequests.error(e, context)));
                    next++;
                } else {
                    ConsumerGroupDescribeResponseData.DescribedGroup d = described.get(next++);
                    if (context.apiVersion() < 1) {
                        d.members().forEach(m -> m.setMemberType((byte) -1));
                    }
                    if (request.includeAuthorizedOperations() && d.errorCode() == Errors.NONE.code()) {
                        d.setAuthorizedOperations(AuthorizedOperations.GROUP);
                    }
                    response.groups().add(d);
                }
            }
            return response;
        });
    }

    private static ConsumerGroupDescribeResponseData.DescribedGroup failed(String groupId, Errors error) {
        return new ConsumerGroupDescribeResponseData.DescribedGroup().setGroupId(groupId).setErrorCode(error.code())
                .setErrorMessage(error.message()).setGroupState("");
    }
}
