package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.gregor.testkit.RawClient;
import io.gregor.testkit.TestNode;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeProducersResult.PartitionProducerState;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeProducersResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeProducersResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** DescribeProducers through Admin.describeProducers: what {@code kafka-transactions describe-producers} shows. */
@Timeout(120)
class DescribeProducersTest {

    @Test
    void shouldDescribeTheIdempotentProducersOfAPartitionAcrossARestart() throws Exception {
        try (TestNode node = TestNode.start()) {
            Clients.createTopic(node, "described", 2, Map.of());
            long producerId;
            short epoch;
            long lastTimestamp;
            try (KafkaProducer<String, String> producer = Clients.producer(node, Map.of(
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.BATCH_SIZE_CONFIG, 1))) {
                RecordMetadata last = null;
                for (int i = 0; i < 3; i++) {
                    last = producer.send(new ProducerRecord<>("described", 0, "k", "v" + i)).get();
                }
                lastTimestamp = last.timestamp();
                try (Admin admin = Clients.admin(node)) {
                    ProducerState state = onlyProducer(admin, new TopicPartition("described", 0));
                    producerId = state.producerId();
                    epoch = (short) state.producerEpoch();
                    assertThat(producerId).isNotNegative();
                    assertThat(state.lastSequence()).isEqualTo(2); // three single-record batches: sequences 0, 1, 2
                    assertThat(state.lastTimestamp()).isEqualTo(lastTimestamp);
                    assertThat(state.coordinatorEpoch()).isEmpty();
                    assertThat(state.currentTransactionStartOffset()).isEmpty();
                    // The producer never wrote to partition 1.
                    PartitionProducerState other = admin.describeProducers(List.of(new TopicPartition("described", 1)))
                            .partitionResult(new TopicPartition("described", 1)).get();
                    assertThat(other.activeProducers()).isEmpty();
                }
            }

            node.restart(); // producer state is recovered from the log and its snapshots
            try (Admin admin = Clients.admin(node)) {
                ProducerState state = onlyProducer(admin, new TopicPartition("described", 0));
                assertThat(state.producerId()).isEqualTo(producerId);
                assertThat((short) state.producerEpoch()).isEqualTo(epoch);
                assertThat(state.lastSequence()).isEqualTo(2);
                assertThat(state.lastTimestamp()).isEqualTo(lastTimestamp);
            }
            // The admin client never sends for a partition Metadata does not list, so ask directly.
            try (RawClient client = RawClient.connect(node)) {
                DescribeProducersRequestData request = new DescribeProducersRequestData();
                request.topics().add(new DescribeProducersRequestData.TopicRequest().setName("described").setPartitionIndexes(List.of(0, 7)));
                request.topics().add(new DescribeProducersRequestData.TopicRequest().setName("absent").setPartitionIndexes(List.of(0)));
                DescribeProducersResponse response = client.send(ApiKeys.DESCRIBE_PRODUCERS, (short) 0, request);
                List<DescribeProducersResponseData.TopicResponse> topics = response.data().topics();
                assertThat(topics.get(0).partitions()).extracting(p -> p.errorCode(), p -> p.activeProducers().size())
                        .containsExactly(tuple(Errors.NONE.code(), 1), tuple(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), 0));
                assertThat(topics.get(1).partitions()).extracting(p -> p.errorCode())
                        .containsExactly(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                // Kafka 4.4's words: a message for the unknown topic, none for the unknown partition.
                assertThat(topics.get(1).partitions().get(0).errorMessage()).isEqualTo("This server does not host this topic-partition.");
                assertThat(topics.get(0).partitions().get(1).errorMessage()).isNull();
            }
        }
    }

    private static ProducerState onlyProducer(Admin admin, TopicPartition tp) throws Exception {
        PartitionProducerState result = admin.describeProducers(List.of(tp)).partitionResult(tp).get();
        assertThat(result.activeProducers()).hasSize(1);
        return result.activeProducers().get(0);
    }
}
