package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.gregor.testkit.RawClient;
import io.gregor.testkit.TestNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fetch answers at the edges Kafka defines: the first non-empty partition returns one whole batch whatever the byte
 * limits (KIP-74, even {@code max_bytes} 0), every partition is checked for its offset after the budget is spent, a
 * long poll on a topic deleted meanwhile answers at once for that partition alone, and a partition nothing was written
 * to answers OffsetForLeaderEpoch with its current epoch.
 */
@Timeout(60)
class FetchLimitsTest extends SharedNodeTest {

    /** Sends {@code count} records to one partition of {@code node}, one at a time. */
    static void produce(TestNode node, String topic, int partition, int count) throws Exception {
        try (KafkaProducer<String, String> producer = Clients.producer(node, Map.of())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, partition, "k" + i, "value-" + i)).get();
            }
        }
    }

    static FetchRequestData fetch(int maxWaitMs, int minBytes, int maxBytes, FetchRequestData.FetchTopic... topics) {
        return new FetchRequestData().setReplicaId(-1).setMaxWaitMs(maxWaitMs).setMinBytes(minBytes).setMaxBytes(maxBytes)
                .setIsolationLevel((byte) 0).setSessionId(0).setSessionEpoch(-1).setTopics(new ArrayList<>(List.of(topics)));
    }

    static FetchRequestData.FetchTopic topic(String name, FetchRequestData.FetchPartition... partitions) {
        return new FetchRequestData.FetchTopic().setTopic(name).setPartitions(new ArrayList<>(List.of(partitions)));
    }

    static FetchRequestData.FetchPartition partition(int index, long offset) {
        return new FetchRequestData.FetchPartition().setPartition(index).setFetchOffset(offset).setPartitionMaxBytes(1 << 20)
                .setCurrentLeaderEpoch(-1).setLastFetchedEpoch(-1).setLogStartOffset(-1);
    }

    @Test
    void shouldReturnTheFirstBatchWhenMaxBytesIsZero() throws Exception {
        Clients.createTopic(node, "zero-max-bytes", 1, Map.of());
        produce(node, "zero-max-bytes", 0, 1);
        try (RawClient client = RawClient.connect(node)) {
            FetchResponse response = client.send(ApiKeys.FETCH, (short) 12,
                    fetch(0, 0, 0, topic("zero-max-bytes", partition(0, 0))));
            FetchResponseData.PartitionData p = response.data().responses().get(0).partitions().get(0);
            assertThat(p.errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(p.records().sizeInBytes()).as("one whole batch, as Kafka").isGreaterThan(0);
        }
    }

    /**
     * The broker's {@code fetch.max.bytes} caps what a fetch asking for more gets, as in Kafka: here three one-record
     * batches of ~600 bytes and a 1 KiB cap, so one batch per answer, and a consumer still reads them all.
     */
    @Test
    void shouldCapEveryFetchAtTheBrokersFetchMaxBytes() throws Exception {
        try (TestNode capped = TestNode.builder().override("fetch.max.bytes", "1024").start()) {
            Clients.createTopic(capped, "capped", 1, Map.of());
            String big = "x".repeat(540);
            try (KafkaProducer<String, String> producer = Clients.producer(capped, Map.of())) {
                for (int i = 0; i < 3; i++) {
                    producer.send(new ProducerRecord<>("capped", 0, "k" + i, big + i)).get();
                }
            }
            try (RawClient client = RawClient.connect(capped)) {
                FetchResponse response = client.send(ApiKeys.FETCH, (short) 12,
                        fetch(0, 0, 1 << 20, topic("capped", partition(0, 0))));
                FetchResponseData.PartitionData p = response.data().responses().get(0).partitions().get(0);
                assertThat(p.errorCode()).isEqualTo(Errors.NONE.code());
                assertThat(p.records().sizeInBytes()).isBetween(540, 1024);
            }
            assertThat(consumeFromStart(capped, "capped", Map.of(), 3)).containsExactly(big + 0, big + 1, big + 2);
        }
    }

    @Test
    void shouldDeliverEveryRecordToAConsumerWithFetchMaxBytesZero() throws Exception {
        Clients.createTopic(node, "zero-max-consumer", 1, Map.of());
        produce(node, "zero-max-consumer", 0, 3);
        assertThat(consumeFromStart(node, "zero-max-consumer", Map.of("fetch.max.bytes", 0), 3))
                .containsExactly("value-0", "value-1", "value-2");
    }

    /** The values a consumer configured with {@code configs} reads from partition 0's start, once it has {@code n}. */
    private static List<String> consumeFromStart(TestNode on, String topic, Map<String, Object> configs, int n) {
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<String, String> consumer = Clients.consumer(on, configs)) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            List<String> values = new ArrayList<>();
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
                return values.size() >= n;
            });
            return values;
        }
    }

    @Test
    void shouldAnswerOffsetOutOfRangeForAPartitionAfterTheBudgetIsSpent() throws Exception {
        Clients.createTopic(node, "spent-budget", 2, Map.of());
        produce(node, "spent-budget", 0, 1);
        try (RawClient client = RawClient.connect(node)) {
            FetchResponse response = client.send(ApiKeys.FETCH, (short) 12,
                    fetch(0, 0, 1, topic("spent-budget", partition(0, 0), partition(1, 100))));
            List<FetchResponseData.PartitionData> parts = response.data().responses().get(0).partitions();
            assertThat(parts.get(0).records().sizeInBytes()).as("the first batch, over max_bytes 1").isGreaterThan(0);
            assertThat(Errors.forCode(parts.get(1).errorCode())).as("offset 100 of an empty partition")
                    .isEqualTo(Errors.OFFSET_OUT_OF_RANGE);
        }
    }

    @Test
    void shouldAnswerUnknownTopicAtOnceForALongPollWhoseTopicIsDeleted() throws Exception {
        Clients.createTopic(node, "doomed", 1, Map.of());
        Clients.createTopic(node, "survivor", 1, Map.of());
        produce(node, "doomed", 0, 1);
        produce(node, "survivor", 0, 1);
        try (RawClient client = RawClient.connect(node); Admin admin = Clients.admin(node)) {
            // Waits up to 30 s for 1 MiB that never comes, unless something ends the wait.
            FetchRequestData request = fetch(30_000, 1 << 20, 1 << 20,
                    topic("doomed", partition(0, 1)), topic("survivor", partition(0, 1)));
            long start = System.nanoTime();
            CompletableFuture<FetchResponse> answer =
                    CompletableFuture.supplyAsync(() -> client.send(ApiKeys.FETCH, (short) 12, request));
            admin.deleteTopics(List.of("doomed")).all().get();
            FetchResponse response = answer.get(20, TimeUnit.SECONDS);
            assertThat(System.nanoTime() - start).as("answered when the topic went, not after max.wait.ms")
                    .isLessThan(TimeUnit.SECONDS.toNanos(20));
            Map<String, Errors> errors = new java.util.TreeMap<>();
            for (FetchResponseData.FetchableTopicResponse t : response.data().responses()) {
                errors.put(t.topic(), Errors.forCode(t.partitions().get(0).errorCode()));
            }
            assertThat(errors).containsEntry("doomed", Errors.UNKNOWN_TOPIC_OR_PARTITION).containsEntry("survivor", Errors.NONE);
        }
    }

    @Test
    void shouldAnswerTheCurrentEpochOfAPartitionNeverWrittenTo() throws Exception {
        Clients.createTopic(node, "never-written", 1, Map.of());
        try (RawClient client = RawClient.connect(node)) {
            OffsetForLeaderEpochRequestData request = new OffsetForLeaderEpochRequestData().setReplicaId(-1);
            OffsetForLeaderEpochRequestData.OffsetForLeaderTopic topic =
                    new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic("never-written");
            topic.partitions().add(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition().setPartition(0)
                    .setCurrentLeaderEpoch(0).setLeaderEpoch(0));
            request.topics().add(topic);
            OffsetsForLeaderEpochResponse response = client.send(ApiKeys.OFFSET_FOR_LEADER_EPOCH, (short) 4, request);
            OffsetForLeaderEpochResponseData.EpochEndOffset end =
                    response.data().topics().iterator().next().partitions().get(0);
            assertThat(Errors.forCode(end.errorCode())).isEqualTo(Errors.NONE);
            assertThat(end.leaderEpoch()).as("Kafka's (epoch, log end offset)").isEqualTo(0);
            assertThat(end.endOffset()).isEqualTo(0L);
        }
    }
}
