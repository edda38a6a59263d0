package io.gregor.api;

import io.gregor.group.GroupCoordinator;
import io.gregor.metadata.Controller;
import io.gregor.metadata.MetadataImage;
import io.gregor.metadata.MetadataLog;
import io.gregor.network.RequestContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.MetadataRequest;

/**
 * Metadata v0-13 (v0 is refused by 4.4 clients themselves). Topics by name or, from v12, by id.
 * Unknown topics are auto-created when the broker's {@code auto.create.topics.enable} and the
 * request both allow it; unlike Kafka we wait for the (local, fast) creation and answer with the
 * new topic, which saves the client a retry round.
 */
final class MetadataHandler implements ApiHandler {

    private final BrokerServices broker;

    MetadataHandler(BrokerServices broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.METADATA;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context) {
        MetadataRequestData request = ((MetadataRequest) context.request()).data();
        short version = context.apiVersion();
        boolean allTopics = request.topics() == null || (version == 0 && request.topics().isEmpty());
        if (!allTopics && version < 12) {
            // v10-11 carry a topic id field, but only v12 may use it (Kafka's KafkaApis refuses it, and a null name).
            for (MetadataRequestData.MetadataRequestTopic t : request.topics()) {
                String refusal = t.name() == null ? "Topic name can not be null for version " + version
                        : !Uuid.ZERO_UUID.equals(t.topicId()) ? "Topic IDs are not supported in requests for version " + version : null;
                if (refusal != null) {
                    return ApiHandler.done(context.request().getErrorResponse(0, new InvalidRequestException(refusal)).data());
                }
            }
        }
        boolean byId = !allTopics && usesTopicIds(request);
        boolean autoCreate = broker.config().autoCreateTopics() && (version < 4 || request.allowAutoTopicCreation()) && !allTopics
                && !byId;
        List<CompletableFuture<?>> creations = new ArrayList<>();
        if (autoCreate) {
            MetadataImage image = broker.image();
            for (MetadataRequestData.MetadataRequestTopic t : request.topics()) {
                if (t.name() != null && image.topic(t.name()).isEmpty() && isValidName(t.name())
                        && !NOT_AUTO_CREATED.contains(t.name())) {
                    Controller.TopicSpec spec = t.name().equals(GroupCoordinator.TOPIC) ? broker.groups().offsetsTopicSpec(image)
                            : new Controller.TopicSpec(t.name(), -1, (short) -1, List.of(), Map.of());
                    creations.add(broker.controller().createTopic(spec, false)
                            .handle((r, e) -> {
                                if (e != null && !(unwrap(e) instanceof TopicExistsException)) {
                                    return e;
                                }
                                return null;
                            }));
                }
            }
        }
        return CompletableFuture.allOf(creations.toArray(new CompletableFuture<?>[0]))
                .thenApply(v -> buildResponse(request, version, allTopics, byId));
    }

    /**
     * Internal topics of Kafka's that a Metadata request never auto-creates here: the metadata log (creating it would
     * replace the node's own) and the logs of coordinators Gregor has not (Kafka gives those their coordinator's spec).
     */
    private static final Set<String> NOT_AUTO_CREATED = Set.of(MetadataLog.TOPIC, Topic.TRANSACTION_STATE_TOPIC_NAME,
            Topic.SHARE_GROUP_STATE_TOPIC_NAME);

    /**
     * Whether a request (v12+) names any topic by id. Kafka's KafkaApis then resolves the request by ids alone: a topic
     * given with an id is looked up by it, whatever name (the Java consumer sends "") comes with it, and topics given
     * without one are left out.
     */
    private static boolean usesTopicIds(MetadataRequestData request) {
        for (MetadataRequestData.MetadataRequestTopic t : request.topics()) {
            if (!Uuid.ZERO_UUID.equals(t.topicId())) {
                return true;
            }
        }
        return false;
    }

    private ApiMessage buildResponse(MetadataRequestData request, short version, boolean allTopics, boolean byId) {
        MetadataImage image = broker.image();
        MetadataResponseData response = new MetadataResponseData()
                .setThrottleTimeMs(0)
                .setClusterId(broker.clusterId())
                .setControllerId(broker.nodeId());
        for (MetadataImage.BrokerImage b : image.brokers().values()) {
            response.brokers().add(new MetadataResponseData.MetadataResponseBroker()
                    .setNodeId(b.nodeId()).setHost(b.host()).setPort(b.port()).setRack(b.rack()));
        }
        if (allTopics) {
            for (MetadataImage.TopicImage t : image.topicsByName().values()) {
                response.topics().add(topicResponse(t));
            }
        } else if (byId) {
            Set<Uuid> seen = new HashSet<>(); // as Kafka, an id given twice is answered once
            for (MetadataRequestData.MetadataRequestTopic req : request.topics()) {
                if (Uuid.ZERO_UUID.equals(req.topicId()) || !seen.add(req.topicId())) {
                    continue;
                }
                Optional<MetadataImage.TopicImage> topic = image.topic(req.topicId());
                response.topics().add(topic.isPresent() ? topicResponse(topic.get())
                        : new MetadataResponseData.MetadataResponseTopic().setName(null).setTopicId(req.topicId())
                                .setErrorCode(Errors.UNKNOWN_TOPIC_ID.code()));
            }
        } else {
            Set<String> seenNames = new HashSet<>(); // as Kafka, a topic named twice is answered once
            Set<Uuid> seenIds = new HashSet<>();
            for (MetadataRequestData.MetadataRequestTopic req : request.topics()) {
                if (req.name() != null ? !seenNames.add(req.name()) : !seenIds.add(req.topicId())) {
                    continue;
                }
                Optional<MetadataImage.TopicImage> topic;
                if (req.name() == null) {
                    topic = image.topic(req.topicId());
                    if (topic.isEmpty()) {
                        response.topics().add(new MetadataResponseData.MetadataResponseTopic()
                                .setName(null).setTopicId(req.topicId()).setErrorCode(Errors.UNKNOWN_TOPIC_ID.code()));
                        continue;
                    }
                } else {
                    topic = image.topic(req.name());
                }
                if (topic.isPresent()) {
                    response.topics().add(topicResponse(topic.get()));
                } else {
                    Errors error = isValidName(req.name()) ? Errors.UNKNOWN_TOPIC_OR_PARTITION : Errors.INVALID_TOPIC_EXCEPTION;
                    response.topics().add(new MetadataResponseData.MetadataResponseTopic()
                            .setName(req.name()).setTopicId(Uuid.ZERO_UUID).setErrorCode(error.code())
                            .setIsInternal(Topic.isInternal(req.name())));
                }
            }
        }
        if (version >= 8 && request.includeTopicAuthorizedOperations()) {
            response.topics().forEach(t -> { // not for unknown topic ids, which Kafka adds after it
                if (t.errorCode() != Errors.UNKNOWN_TOPIC_ID.code()) {
                    t.setTopicAuthorizedOperations(AuthorizedOperations.TOPIC);
                }
            });
        }
        if (version >= 8 && version <= 10 && request.includeClusterAuthorizedOperations()) {
            response.setClusterAuthorizedOperations(AuthorizedOperations.CLUSTER);
        }
        return response;
    }

    private static MetadataResponseData.MetadataResponseTopic topicResponse(MetadataImage.TopicImage t) {
        MetadataResponseData.MetadataResponseTopic topic = new MetadataResponseData.MetadataResponseTopic()
                .setName(t.name()).setTopicId(t.id()).setIsInternal(t.isInternal()).setErrorCode(Errors.NONE.code());
        for (MetadataImage.PartitionImage p : t.partitions()) {
            topic.partitions().add(new MetadataResponseData.MetadataResponsePartition()
                    .setPartitionIndex(p.partition())
                    .setErrorCode(Errors.NONE.code())
                    .setLeaderId(p.leader())
                    .setLeaderEpoch(p.leaderEpoch())
                    .setReplicaNodes(new ArrayList<>(p.replicas()))
                    .setIsrNodes(new ArrayList<>(p.isr()))
                    .setOfflineReplicas(new ArrayList<>()));
        }
        return topic;
    }

    private static boolean isValidName(String name) {
        try {
            Controller.throwIfInvalidTopicName(name);
            return true;
        } catch (InvalidTopicException e) {
            return false;
        }
    }

    static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }
}
