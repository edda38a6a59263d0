package io.gregor.api;

import io.gregor.metadata.MetadataImage;
import io.gregor.network.RequestContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteTopicsRequest;

/** DeleteTopics v1-6: by name, or from v6 by name or topic id; each topic on its own, duplicates refused as Kafka does. */
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
        // As Kafka's ControllerApis.deleteTopics: a topic named twice, or by its name and its id, is refused and not
        // deleted, and the topics given correctly are deleted each on its own.
        Map<String, Integer> names = new LinkedHashMap<>();
        Map<Uuid, Integer> ids = new LinkedHashMap<>();
        for (DeleteTopicsRequestData.DeleteTopicState t : topics) {
            Uuid id = t.topicId() == null ? Uuid.ZERO_UUID : t.topicId();
            if (t.name() == null && id.equals(Uuid.ZERO_UUID)) {
                refuse(response, null, Uuid.ZERO_UUID, "Neither topic name nor id were specified.");
            } else if (t.name() != null && !id.equals(Uuid.ZERO_UUID)) {
                refuse(response, t.name(), id, "You may not specify both topic name and topic id.");
            } else if (t.name() != null) {
                names.merge(t.name(), 1, Integer::sum);
            } else {
                ids.merge(id, 1, Integer::sum);
            }
        }
        names.forEach((name, count) -> {
            if (count > 1) {
                refuse(response, name, Uuid.ZERO_UUID, "Duplicate topic name.");
            }
        });
        ids.forEach((id, count) -> {
            if (count > 1) {
                refuse(response, null, id, "Duplicate topic id.");
            }
        });
        names.values().removeIf(count -> count > 1);
        ids.values().removeIf(count -> count > 1);
        MetadataImage image = broker.image();
        for (String name : List.copyOf(names.keySet())) {
            Optional<MetadataImage.TopicImage> topic = image.topic(name);
            if (topic.isPresent() && ids.remove(topic.get().id()) != null) {
                names.remove(name);
                refuse(response, name, topic.get().id(), "The provided topic name maps to an ID that was already supplied.");
            }
        }
        List<CompletableFuture<?>> pending = new ArrayList<>();
        for (String name : names.keySet()) {
            pending.add(delete(response, name, null));
        }
        for (Uuid id : ids.keySet()) {
            pending.add(delete(response, image.topic(id).map(MetadataImage.TopicImage::name).orElse(null), id));
        }
        return CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0])).thenApply(v -> response);
    }

    private static void refuse(DeleteTopicsResponseData response, String name, Uuid id, String message) {
        response.responses().add(new DeleteTopicsResponseData.DeletableTopicResult().setName(name).setTopicId(id)
                .setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage(message));
    }

    /** Deletes the topic {@code id} names (when given), else the one called {@code name}; its result names both. */
    private CompletableFuture<?> delete(DeleteTopicsResponseData response, String name, Uuid id) {
        DeleteTopicsResponseData.DeletableTopicResult result = new DeleteTopicsResponseData.DeletableTopicResult()
                .setName(name).setTopicId(id == null ? Uuid.ZERO_UUID : id);
        response.responses().add(result);
        return broker.controller().deleteTopic(id == null ? name : null, id).handle((deletedId, error) -> {
            if (error != null) {
                result.setErrorCode(ErrorMapper.toErrors(error).code()).setErrorMessage(ErrorMapper.message(error));
            } else {
                result.setErrorCode(Errors.NONE.code()).setTopicId(deletedId);
            }
            return null;
        });
    }
}
