package io.gregor.api;

import io.gregor.network.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteTopicsRequest;

/** DeleteTopics v1-6: by name, or from v6 by name or topic id; each topic on its own. */
final class DeleteTopicsHandler implements ApiHandler {

    private final BrokerServices broker;

    DeleteTopicsHandler(BrokerServices broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_TOPICS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context) {
        DeleteTopicsRequestData request = ((DeleteTopicsRequest) context.request()).data();
        DeleteTopicsResponseData response = new DeleteTopicsResponseData().setThrottleTimeMs(0);
        List<DeleteTopicsRequestData.DeleteTopicState> topics = new ArrayList<>();
        if (context.apiVersion() >= 6) {
            topics.addAll(request.topics());
        } else {
            for (String name : request.topicNames()) {
                topics.add(new DeleteTopicsRequestData.DeleteTopicState().setName(name).setTopicId(Uuid.ZERO_UUID));
            }
        }
        List<CompletableFuture<?>> pending = new ArrayList<>();
        for (DeleteTopicsRequestData.DeleteTopicState t : topics) {
            DeleteTopicsResponseData.DeletableTopicResult result = new DeleteTopicsResponseData.DeletableTopicResult()
                    .setName(t.name()).setTopicId(t.topicId() == null ? Uuid.ZERO_UUID : t.topicId());
            response.responses().add(result);
            if (t.name() != null && !Uuid.ZERO_UUID.equals(t.topicId()) && t.topicId() != null) {
                result.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("Only one of topic name or topic id may be given.");
                continue;
            }
            Uuid id = t.name() == null ? t.topicId() : null;
            if (id != null) {
                broker.image().topic(id).ifPresent(x -> result.setName(x.name()));
            }
            pending.add(broker.controller().deleteTopic(t.name(), id).handle((deletedId, error) -> {
                if (error != null) {
                    result.setErrorCode(ErrorMapper.toErrors(error).code()).setErrorMessage(ErrorMapper.message(error));
                } else {
                    result.setErrorCode(Errors.NONE.code()).setTopicId(deletedId);
                }
                return null;
            }));
        }
        return CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0])).thenApply(v -> response);
    }
}
