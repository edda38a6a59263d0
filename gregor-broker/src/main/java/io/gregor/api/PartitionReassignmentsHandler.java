package io.gregor.api;

import io.gregor.metadata.Controller;
import io.gregor.metadata.MetadataImage;
import io.gregor.metadata.MetadataImage.PartitionImage;
import io.gregor.metadata.MetadataImage.TopicImage;
import io.gregor.network.RequestContext;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.NoReassignmentInProgressException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignablePartitionResponse;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignableTopicResponse;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterPartitionReassignmentsRequest;
import org.apache.kafka.common.requests.ApiError;

/**
 * AlterPartitionReassignments and ListPartitionReassignments ({@code kafka-reassign-partitions}) as a one-node Kafka
 * answers them: a target replica list is checked as Kafka's controller checks it (a registered broker, none twice,
 * the replication factor kept when the client does not allow it to change); on one node the only valid target is
 * the partition's own replica, so a valid reassignment is complete at once, no reassignment is ever in progress
 * (listing finds none) and cancelling one gets NO_REASSIGNMENT_IN_PROGRESS.
 */
final class PartitionReassignmentsHandler extends SharedHandler {

    private final BrokerServices broker;

    PartitionReassignmentsHandler(BrokerServices broker, ApiKeys apiKey) {
        super(apiKey, "a partition reassignment API", ApiKeys.ALTER_PARTITION_REASSIGNMENTS,
                ApiKeys.LIST_PARTITION_REASSIGNMENTS);
        this.broker = broker;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context) {
        if (apiKey() == ApiKeys.LIST_PARTITION_REASSIGNMENTS) {
            return ApiHandler.done(new ListPartitionReassignmentsResponseData().setThrottleTimeMs(0)
                    .setErrorCode(Errors.NONE.code()).setErrorMessage(null));
        }
        AlterPartitionReassignmentsRequestData request = ((AlterPartitionReassignmentsRequest) context.request()).data();
        MetadataImage image = broker.image();
        AlterPartitionReassignmentsResponseData response = new AlterPartitionReassignmentsResponseData().setThrottleTimeMs(0)
                .setAllowReplicationFactorChange(request.allowReplicationFactorChange())
                .setErrorCode(Errors.NONE.code()).setErrorMessage(null);
        for (AlterPartitionReassignmentsRequestData.ReassignableTopic topic : request.topics()) {
            ReassignableTopicResponse topicResponse = new ReassignableTopicResponse().setName(topic.name());
            response.responses().add(topicResponse);
            for (AlterPartitionReassignmentsRequestData.ReassignablePartition partition : topic.partitions()) {
                ReassignablePartitionResponse answer = new ReassignablePartitionResponse()
                        .setPartitionIndex(partition.partitionIndex()).setErrorCode(Errors.NONE.code()).setErrorMessage(null);
                try {
                    reassign(image, topic.name(), partition, request.allowReplicationFactorChange());
                } catch (ApiException e) {
                    ApiError error = ApiError.fromThrowable(e); // Kafka's rule: no message when it is the code's own
                    answer.setErrorCode(error.error().code()).setErrorMessage(error.message());
                }
                topicResponse.partitions().add(answer);
            }
        }
        return ApiHandler.done(response);
    }

    /** Checks one reassignment as Kafka's controller does; with one node a valid one changes nothing. */
    private static void reassign(MetadataImage image, String topicName,
                                 AlterPartitionReassignmentsRequestData.ReassignablePartition target, boolean allowRfChange) {
        TopicImage topic = image.topic(topicName).orElseThrow(() ->
                new UnknownTopicOrPartitionException("Unable to find a topic named " + topicName + "."));
        Optional<PartitionImage> partition = topic.partitions().stream()
                .filter(p -> p.partition() == target.partitionIndex()).findFirst();
        if (partition.isEmpty()) {
            throw new UnknownTopicOrPartitionException("Unable to find partition " + topicName + ":" + target.partitionIndex() + ".");
        }
        if (target.replicas() == null) {
            throw new NoReassignmentInProgressException(Errors.NO_REASSIGNMENT_IN_PROGRESS.message());
        }
        Controller.throwIfInvalidReplicas(image, target.replicas(), OptionalInt.empty());
        List<Integer> current = partition.get().replicas();
        if (!allowRfChange && target.replicas().size() != current.size()) { // after the list's own checks, as Kafka
            throw new InvalidReplicationFactorException("The replication factor is changed from " + current.size()
                    + " to " + target.replicas().size());
        }
    }
}
