package io.gregor.api;

import io.gregor.metadata.MetadataImage;
import io.gregor.metadata.MetadataImage.PartitionImage;
import io.gregor.metadata.MetadataImage.TopicImage;
import io.gregor.network.RequestContext;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.ElectLeadersResponseData;
import org.apache.kafka.common.message.ElectLeadersResponseData.PartitionResult;
import org.apache.kafka.common.message.ElectLeadersResponseData.ReplicaElectionResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.ElectLeadersRequest;

/**
 * ElectLeaders ({@code kafka-leader-election}, Admin.electLeaders), answered from the metadata image as Kafka's
 * controller does ({@code ReplicationControlManager.electLeaders}): a PREFERRED election is not needed when the
 * partition's leader is its first replica, an UNCLEAN one when it has a leader at all; an unknown topic or partition
 * gets UNKNOWN_TOPIC_OR_PARTITION. With one node every partition is led by its only replica, so nothing is ever
 * elected; the other answers (PREFERRED_LEADER_NOT_AVAILABLE, ELIGIBLE_LEADERS_NOT_AVAILABLE) cover a partition
 * without that leader. A null partition list means every partition, and, as in Kafka, then lists only the
 * partitions whose election was needed.
 */
final class ElectLeadersHandler implements ApiHandler {

    private final BrokerServices broker;

    ElectLeadersHandler(BrokerServices broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ELECT_LEADERS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context) {
        ElectLeadersRequest request = (ElectLeadersRequest) context.request();
        ElectLeadersRequestData data = request.data();
        ElectionType type;
        try {
            type = ElectionType.valueOf(data.electionType());
        } catch (IllegalArgumentException e) {
            return ApiHandler.done(request.getErrorResponse(0,
                    new InvalidRequestException("Unknown election type " + data.electionType())).data());
        }
        MetadataImage image = broker.image();
        ElectLeadersResponseData response = new ElectLeadersResponseData().setThrottleTimeMs(0).setErrorCode(Errors.NONE.code());
        if (data.topicPartitions() == null) {
            for (TopicImage topic : image.topicsByName().values()) {
                ReplicaElectionResult result = new ReplicaElectionResult().setTopic(topic.name());
                response.replicaElectionResults().add(result);
                for (PartitionImage p : topic.partitions()) {
                    ApiError error = elect(Optional.of(topic), topic.name(), p.partition(), type);
                    if (error.error() != Errors.ELECTION_NOT_NEEDED) {
                        result.partitionResult().add(partitionResult(p.partition(), error));
                    }
                }
            }
        } else {
            for (ElectLeadersRequestData.TopicPartitions t : data.topicPartitions()) {
                ReplicaElectionResult result = new ReplicaElectionResult().setTopic(t.topic());
                response.replicaElectionResults().add(result);
                Optional<TopicImage> topic = image.topic(t.topic());
                for (int partition : t.partitions()) {
                    result.partitionResult().add(partitionResult(partition, elect(topic, t.topic(), partition, type)));
                }
            }
        }
        return ApiHandler.done(response);
    }

    private static ApiError elect(Optional<TopicImage> topic, String name, int partition, ElectionType type) {
        if (topic.isEmpty()) {
            return new ApiError(Errors.UNKNOWN_TOPIC_OR_PARTITION, "No such topic as " + name);
        }
        Optional<PartitionImage> p = topic.get().partition(partition);
        if (p.isEmpty()) {
            return new ApiError(Errors.UNKNOWN_TOPIC_OR_PARTITION, "No such partition as " + name + "-" + partition);
        }
        int leader = p.get().leader();
        if (type == ElectionType.PREFERRED) {
            boolean preferred = !p.get().replicas().isEmpty() && p.get().replicas().get(0) == leader;
            return new ApiError(preferred ? Errors.ELECTION_NOT_NEEDED : Errors.PREFERRED_LEADER_NOT_AVAILABLE);
        }
        return new ApiError(leader >= 0 ? Errors.ELECTION_NOT_NEEDED : Errors.ELIGIBLE_LEADERS_NOT_AVAILABLE);
    }

    private static PartitionResult partitionResult(int partition, ApiError error) {
        return new PartitionResult().setPartitionId(partition).setErrorCode(error.error().code()).setErrorMessage(error.message());
    }
}
