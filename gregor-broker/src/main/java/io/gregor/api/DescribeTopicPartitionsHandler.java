package io.gregor.api;

import io.gregor.metadata.Controller;
import io.gregor.metadata.MetadataImage;
import io.gregor.network.RequestContext;
import java.util.ArrayList;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponsePartition;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeTopicPartitionsRequest;

/**
 * DescribeTopicPartitions v0 (KIP-966), what Admin.describeTopics sends: topics by name, or every
 * topic when the list is empty, answered in name order and paged by partition count with a cursor.
 * Follows Kafka's {@code DescribeTopicPartitionsRequestHandler}: topics before the cursor topic
 * are skipped, a cursor topic missing from an explicit list fails the request, unknown topics are
 * reported only when named. No ELR here (no KIP-966 elections), so those lists are empty.
 */
final class DescribeTopicPartitionsHandler implements ApiHandler {

    /** Kafka's {@code max.request.partition.size.limit} default. */
    static final int MAX_PARTITIONS_PER_RESPONSE = 2000;

    private final BrokerServices broker;

    DescribeTopicPartitionsHandler(BrokerServices broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_TOPIC_PARTITIONS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context) {
        DescribeTopicPartitionsRequestData request = ((DescribeTopicPartitionsRequest) context.request()).data();
        MetadataImage image = broker.image();
        DescribeTopicPartitionsRequestData.Cursor cursor = request.cursor();
        String cursorTopic = cursor != null ? cursor.topicName() : "";
        boolean allTopics = request.topics().isEmpty();
        TreeSet<String> names = new TreeSet<>();
        if (allTopics) {
            names.addAll(image.topicsByName().keySet());
        } else {
            for (DescribeTopicPartitionsRequestData.TopicRequest t : request.topics()) {
                names.add(t.name());
            }
            if (cursor != null && !names.contains(cursorTopic)) {
                return failed(context, "DescribeTopicPartitionsRequest topic list should contain the cursor topic: " + cursorTopic);
            }
        }
        if (cursor != null && cursor.partitionIndex() < 0) {
            return failed(context, "DescribeTopicPartitionsRequest cursor partition must be valid: " + cursor);
        }
        int remaining = Math.max(1, Math.min(MAX_PARTITIONS_PER_RESPONSE, request.responsePartitionLimit()));
        DescribeTopicPartitionsResponseData response = new DescribeTopicPartitionsResponseData().setThrottleTimeMs(0);
        for (String name : names.tailSet(cursorTopic, true)) {
            if (remaining == 0) {
                // Every partition of the previous topics fitted: the next page starts at this topic.
                response.setNextCursor(new DescribeTopicPartitionsResponseData.Cursor().setTopicName(name).setPartitionIndex(0));
                break;
            }
            Optional<MetadataImage.TopicImage> topic = image.topic(name);
            if (topic.isEmpty()) {
                if (!allTopics) {
                    response.topics().add(unknownTopic(name));
                }
                continue;
            }
            int first = name.equals(cursorTopic) ? cursor.partitionIndex() : 0;
            int end = (int) Math.min(topic.get().partitionCount(), (long) first + remaining);
            response.topics().add(describe(topic.get(), first, end));
            if (end < topic.get().partitionCount()) {
                response.setNextCursor(new DescribeTopicPartitionsResponseData.Cursor().setTopicName(name).setPartitionIndex(end));
                break;
            }
            remaining -= Math.max(0, end - first);
        }
        return ApiHandler.done(response);
    }

    private static DescribeTopicPartitionsResponseTopic describe(MetadataImage.TopicImage topic, int first, int end) {
        DescribeTopicPartitionsResponseTopic out = new DescribeTopicPartitionsResponseTopic()
                .setErrorCode(Errors.NONE.code())
                .setName(topic.name())
                .setTopicId(topic.id())
                .setIsInternal(topic.isInternal())
                .setTopicAuthorizedOperations(AuthorizedOperations.TOPIC);
        for (int i = first; i < end; i++) {
            MetadataImage.PartitionImage p = topic.partitions().get(i);
            out.partitions().add(new DescribeTopicPartitionsResponsePartition()
                    .setErrorCode(Errors.NONE.code())
                    .setPartitionIndex(p.partition())
                    .setLeaderId(p.leader())
                    .setLeaderEpoch(p.leaderEpoch())
                    .setReplicaNodes(new ArrayList<>(p.replicas()))
                    .setIsrNodes(new ArrayList<>(p.isr()))
                    .setEligibleLeaderReplicas(new ArrayList<>())
                    .setLastKnownElr(new ArrayList<>())
                    .setOfflineReplicas(new ArrayList<>()));
        }
        return out;
    }

    private static DescribeTopicPartitionsResponseTopic unknownTopic(String name) {
        Errors error;
        try {
            Controller.throwIfInvalidTopicName(name);
            error = Errors.UNKNOWN_TOPIC_OR_PARTITION;
        } catch (InvalidTopicException e) {
            error = Errors.INVALID_TOPIC_EXCEPTION;
        }
        return new DescribeTopicPartitionsResponseTopic()
                .setErrorCode(error.code())
                .setName(name)
                .setTopicId(Uuid.ZERO_UUID)
                .setIsInternal(Topic.isInternal(name))
                .setTopicAuthorizedOperations(AuthorizedOperations.TOPIC);
    }

    /** Kafka fails the whole request here: every named topic gets the error. */
    private static CompletableFuture<ApiMessage> failed(RequestContext context, String message) {
        return ApiHandler.done(context.request().getErrorResponse(0, new InvalidRequestException(message)).data());
    }
}
