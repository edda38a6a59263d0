package io.gregor.api;

import io.gregor.metadata.Controller;
import io.gregor.metadata.MetadataImage;
import io.gregor.network.RequestContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.CreatePartitionsRequest;

/**
 * CreatePartitions v0-3: raises a topic's partition count, with optional manual assignments
 * and {@code validateOnly}. The controller decides; each topic succeeds or fails on its own.
 * A topic named twice gets one INVALID_REQUEST result, as Kafka's {@code ControllerApis} answers. A request whose
 * existing topics would gain more than {@link Controller#MAX_ADDED_PARTITIONS_PER_REQUEST} partitions in all is refused
 * whole with POLICY_VIOLATION, as Kafka 4.4's controller refuses it.
 */
final class CreatePartitionsHandler implements ApiHandler {

    private final BrokerServices broker;

    CreatePartitionsHandler(BrokerServices broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CREATE_PARTITIONS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context) {
        CreatePartitionsRequestData request = ((CreatePartitionsRequest) context.request()).data();
        CreatePartitionsResponseData response = new CreatePartitionsResponseData().setThrottleTimeMs(0);
        Map<String, Integer> counts = new HashMap<>();
        for (CreatePartitionsRequestData.CreatePartitionsTopic t : request.topics()) {
            counts.merge(t.name(), 1, Integer::sum);
        }
        // Kafka's controller first adds up what the request's existing topics (not named twice) would gain.
        long added = 0;
        MetadataImage image = broker.image();
        for (CreatePartitionsRequestData.CreatePartitionsTopic t : request.topics()) {
            if (counts.get(t.name()) == 1) {
                added += image.topic(t.name()).map(topic -> Math.max(0, t.count() - topic.partitionCount())).orElse(0);
            }
        }
        if (added > Controller.MAX_ADDED_PARTITIONS_PER_REQUEST) {
            return CompletableFuture.completedFuture(((CreatePartitionsRequest) context.request()).getErrorResponse(0,
                    new PolicyViolationException(Controller.TOO_MANY_ADDED_PARTITIONS_MESSAGE)).data());
        }
        Set<String> answered = new HashSet<>();
        List<CompletableFuture<?>> pending = new ArrayList<>();
        for (CreatePartitionsRequestData.CreatePartitionsTopic t : request.topics()) {
            if (!answered.add(t.name())) {
                continue;
            }
            CreatePartitionsResponseData.CreatePartitionsTopicResult result =
                    new CreatePartitionsResponseData.CreatePartitionsTopicResult().setName(t.name());
            response.results().add(result);
            if (counts.get(t.name()) > 1) {
                result.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("Duplicate topic name.");
                continue;
            }
            List<List<Integer>> assignments = null;
            if (t.assignments() != null) {
                assignments = new ArrayList<>(t.assignments().size());
                for (CreatePartitionsRequestData.CreatePartitionsAssignment a : t.assignments()) {
                    assignments.add(List.copyOf(a.brokerIds()));
                }
            }
            pending.add(broker.controller().createPartitions(t.name(), t.count(), assignments, request.validateOnly())
                    .handle((v, error) -> {
                        if (error != null) {
                            ApiError e = ResourceErrors.from(error, context, "topic " + t.name());
                            result.setErrorCode(e.error().code()).setErrorMessage(e.message());
                        } else {
                            result.setErrorCode(Errors.NONE.code()).setErrorMessage(null);
                        }
                        return null;
                    }));
        }
        return CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0])).thenApply(v -> response);
    }
}
