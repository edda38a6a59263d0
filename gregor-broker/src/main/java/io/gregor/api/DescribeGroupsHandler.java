package io.gregor.api;

import io.gregor.network.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeGroupsRequest;

/**
 * DescribeGroups v0-6: members with their metadata and assignment bytes as stored (tools
 * decode them). An unknown group is GROUP_ID_NOT_FOUND from v6, and a "Dead" group with no
 * error before, as Kafka answers; so is a KIP-848 consumer group ("is not a classic group").
 */
final class DescribeGroupsHandler implements ApiHandler {

    private final BrokerServices broker;

    DescribeGroupsHandler(BrokerServices broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_GROUPS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context) {
        DescribeGroupsRequestData request = ((DescribeGroupsRequest) context.request()).data();
        short version = context.apiVersion();
        List<String> ours = new ArrayList<>();
        for (String g : request.groups()) {
            if (broker.groups().coordinatorError(g) == Errors.NONE) {
                ours.add(g);
            }
        }
        return broker.groups().describeGroups(ours).handle((described, e) -> {
            DescribeGroupsResponseData response = new DescribeGroupsResponseData().setThrottleTimeMs(0);
            int next = 0;
            for (String g : request.groups()) {
                Errors coordinator = broker.groups().coordinatorError(g);
                DescribeGroupsResponseData.DescribedGroup d;
                if (!ours.contains(g)) {
                    d = failed(g, coordinator == Errors.NONE ? Errors.COORDINATOR_LOAD_IN_PROGRESS : coordinator, version);
                } else if (e != null) {
                    d = failed(g, GroupRequests.error(e, context), version);
                } else {
                    d = described.get(next);
                    if (d == null) {
                        d = version >= 6
                                ? failed(g, Errors.GROUP_ID_NOT_FOUND, version).setErrorMessage("Group " + g + " not found.")
                                        .setGroupState("Dead") // as Kafka 4.4
                                : new DescribeGroupsResponseData.DescribedGroup().setGroupId(g).setGroupState("Dead")
                                        .setProtocolType("").setProtocolData("").setErrorCode(Errors.NONE.code());
                    }
                }
                if (ours.contains(g)) {
                    next++;
                }
                if (version < 6) {
                    if (d.errorCode() == Errors.GROUP_ID_NOT_FOUND.code()) {
                        // A consumer (KIP-848) group: before v6 Kafka answers "Dead" without an error.
                        d.setErrorCode(Errors.NONE.code());
                    }
                    d.setErrorMessage(null);
                }
                // After the conversion above, as Kafka's KafkaApis adds them to what its coordinator answered.
                if (version >= 3 && request.includeAuthorizedOperations() && d.errorCode() == Errors.NONE.code()) {
                    d.setAuthorizedOperations(AuthorizedOperations.GROUP);
                }
                response.groups().add(d);
            }
            return response;
        });
    }

    private static DescribeGroupsResponseData.DescribedGroup failed(String groupId, Errors error, short version) {
        return new DescribeGroupsResponseData.DescribedGroup().setGroupId(groupId).setErrorCode(error.code())
                .setGroupState("").setProtocolType("").setProtocolData("")
                .setErrorMessage(version >= 6 ? error.message() : null);
    }
}
