package io.gregor.api;

import io.gregor.network.RequestContext;
import io.gregor.replica.ReplicaManager;
import io.gregor.storage.ActiveProducer;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeProducersResponseData;
import org.apache.kafka.common.message.DescribeProducersResponseData.PartitionResponse;
import org.apache.kafka.common.message.DescribeProducersResponseData.ProducerState;
import org.apache.kafka.common.message.DescribeProducersResponseData.TopicResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeProducersRequest;

/**
 * DescribeProducers v0 ({@code kafka-transactions describe-producers}, Admin.describeProducers): per partition, the
 * idempotent producers its log keeps state for, with epoch, last sequence and last timestamp. Without transactions
 * the coordinator epoch and the current transaction's start offset are always -1. A partition this node does not
 * host answers UNKNOWN_TOPIC_OR_PARTITION, as Kafka's {@code ReplicaManager.activeProducerState}; each partition has
 * its own error.
 */
final class DescribeProducersHandler implements ApiHandler {

    private final BrokerServices broker;

    DescribeProducersHandler(BrokerServices broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_PRODUCERS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context) {
        DescribeProducersRequestData request = ((DescribeProducersRequest) context.request()).data();
        DescribeProducersResponseData response = new DescribeProducersResponseData().setThrottleTimeMs(0);
        for (DescribeProducersRequestData.TopicRequest t : request.topics()) {
            TopicResponse topicResponse = new TopicResponse().setName(t.name());
            response.topics().add(topicResponse);
            String invalidName = invalidTopicMessage(t.name());
            for (int partition : t.partitionIndexes()) {
                PartitionResponse result = new PartitionResponse().setPartitionIndex(partition);
                topicResponse.partitions().add(result);
                if (invalidName != null) { // as Kafka's handleDescribeProducersRequest (checkValidTopic first)
                    result.setErrorCode(Errors.INVALID_TOPIC_EXCEPTION.code()).setErrorMessage(invalidName);
                    continue;
                }
                Optional<ReplicaManager.HostedPartition> hosted = broker.replicas().partition(t.name(), partition);
                if (hosted.isEmpty()) {
                    result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                    if (broker.image().topic(t.name()).isEmpty()) {
                        // As Kafka: an unknown topic's partitions carry the error's message, an unknown partition none.
                        result.setErrorMessage(Errors.UNKNOWN_TOPIC_OR_PARTITION.message());
                    }
                    continue;
                }
                result.setErrorCode(Errors.NONE.code());
                for (ActiveProducer p : hosted.get().log().activeProducers()) {
                    result.activeProducers().add(new ProducerState()
                            .setProducerId(p.producerId())
                            .setProducerEpoch(p.epoch())
                            .setLastSequence(p.lastSequence())
                            .setLastTimestamp(p.lastTimestamp())
                            .setCoordinatorEpoch(-1)
                            .setCurrentTxnStartOffset(-1L));
                }
            }
        }
        return ApiHandler.done(response);
    }

    /** Why {@code name} is no legal topic name (Kafka's Topic.validate message), or null when it is one. */
    private static String invalidTopicMessage(String name) {
        try {
            Topic.validate(name);
            return null;
        } catch (InvalidTopicException e) {
            return e.getMessage();
        }
    }
}
