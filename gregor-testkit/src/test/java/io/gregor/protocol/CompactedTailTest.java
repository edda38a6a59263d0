package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gregor.testkit.TestNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A compacted topic whose last records were compacted away (an expired tombstone) below an empty active segment: a
 * consumer reading to the end (Kafka Streams restore, Connect's KafkaBasedLog.readToEnd, Schema Registry) must
 * still reach the end offset. Kafka keeps the round's last batch, emptied, for this (KAFKA-17076).
 */
@Timeout(120)
class CompactedTailTest {
    private static final String TOPIC = "deletes";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);

    @Test
    void consumerShouldReachTheEndAfterTheTombstoneAtTheTailIsRemoved() throws Exception {
        try (TestNode node = TestNode.builder().override("log.cleaner.backoff.ms", "100")
                .override("log.retention.check.interval.ms", "100").start()) {
            Clients.createTopic(node, TOPIC, 1, Map.of("cleanup.policy", "compact", "segment.ms", "1000",
                    "delete.retention.ms", "1000", "min.cleanable.dirty.ratio", "0.01"));
            try (KafkaProducer<String, String> producer = Clients.producer(node, Map.of("linger.ms", 0, "enable.idempotence", false))) {
                // Not idempotent (the default of librdkafka, kafka-python and Sarama): no producer state keeps a batch.
                producer.send(new ProducerRecord<>(TOPIC, 0, "k1", "v1")).get();
                producer.send(new ProducerRecord<>(TOPIC, 0, "k2", "v2")).get();
                producer.send(new ProducerRecord<>(TOPIC, 0, "k1", null)).get(); // delete k1: offset 2
            }
            // The idle active segment rolls (segment.ms), the cleaner removes k1=v1, then the tombstone.
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> !readFromBeginning(node, Duration.ofSeconds(1)).containsKey("k1"));

            try (KafkaConsumer<String, String> consumer = Clients.consumer(node, Map.of())) {
                consumer.assign(Set.of(TP));
                consumer.seekToBeginning(Set.of(TP));
                long end = consumer.endOffsets(Set.of(TP)).get(TP);
                assertThat(end).isEqualTo(3);
                Map<String, String> seen = new HashMap<>();
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                        seen.put(r.key(), r.value());
                    }
                    return consumer.position(TP) >= end;
                });
                assertThat(seen).containsExactly(Map.entry("k2", "v2"));
            }
        }
    }

    private static Map<String, String> readFromBeginning(TestNode node, Duration forHowLong) {
        Map<String, String> byKey = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = Clients.consumer(node, Map.of())) {
            consumer.assign(Set.of(TP));
            consumer.seekToBeginning(Set.of(TP));
            long deadline = System.currentTimeMillis() + forHowLong.toMillis();
            while (System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                    byKey.put(r.key(), r.value());
                }
            }
        }
        return byKey;
    }
}
