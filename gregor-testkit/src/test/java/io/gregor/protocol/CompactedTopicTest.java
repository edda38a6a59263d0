package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gregor.testkit.TestNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.InvalidRecordException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A user's compacted topic, end to end: the broker's cleaner keeps the last value per key,
 * keeps a tombstone for delete.retention.ms and then drops it, and null keys are refused.
 */
@Timeout(120)
class CompactedTopicTest {

    private static final String TOPIC = "compacted";

    @Test
    void shouldKeepLatestValuePerKeyAndDropTombstonesInTime() throws Exception {
        try (TestNode node = TestNode.builder().override("log.cleaner.backoff.ms", "100").start()) {
            Clients.createTopic(node, TOPIC, 1, Map.of(
                    "cleanup.policy", "compact",
                    "internal.segment.bytes", "4096",
                    "min.cleanable.dirty.ratio", "0.01",
                    "delete.retention.ms", "3000"));
            try (KafkaProducer<String, String> producer = Clients.producer(node, Map.of("linger.ms", 0))) {
                for (int round = 0; round < 10; round++) {
                    for (int k = 0; k < 10; k++) {
                        producer.send(new ProducerRecord<>(TOPIC, 0, "key-" + k, "v" + round)).get();
                    }
                }
                producer.send(new ProducerRecord<>(TOPIC, 0, "key-0", null)).get(); // tombstone
                // Unique keys push everything above out of the active segment, which is never cleaned.
                for (int i = 0; i < 150; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, 0, "filler-" + i, "f")).get();
                }
            }

            // First the duplicates go, the tombstone stays (it is younger than delete.retention.ms).
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                Map<String, List<String>> byKey = readAllByKey(node);
                return byKey.get("key-1").size() == 1;
            });
            Map<String, List<String>> compacted = readAllByKey(node);
            for (int k = 1; k < 10; k++) {
                assertThat(compacted.get("key-" + k)).as("key-" + k).containsExactly("v9");
            }
            assertThat(compacted.get("filler-0")).containsExactly("f");

            // Then, once delete.retention.ms has passed, the tombstone itself is removed.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> !readAllByKey(node).containsKey("key-0"));
            assertThat(readAllByKey(node).get("key-5")).containsExactly("v9");
        }
    }

    @Test
    void shouldRejectNullKeysOnCompactedTopic() throws Exception {
        try (TestNode node = TestNode.start()) {
            Clients.createTopic(node, TOPIC, 1, Map.of("cleanup.policy", "compact"));
            try (KafkaProducer<String, String> producer = Clients.producer(node, Map.of("retries", 0))) {
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>(TOPIC, 0, null, "no key")).get())
                        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(InvalidRecordException.class);
            }
        }
    }

    /** Every record from the beginning to the current end, values grouped by key in offset order (null = tombstone). */
    private static Map<String, List<String>> readAllByKey(TestNode node) {
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        Map<String, List<String>> byKey = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = Clients.consumer(node, Map.of())) {
            consumer.assign(Set.of(tp));
            consumer.seekToBeginning(Set.of(tp));
            long end = consumer.endOffsets(Set.of(tp)).get(tp);
            long deadline = System.currentTimeMillis() + 20_000;
            while (consumer.position(tp) < end && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    byKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value());
                }
            }
        }
        return byKey;
    }
}
