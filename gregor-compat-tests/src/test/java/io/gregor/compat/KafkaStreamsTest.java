package io.gregor.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gregor.testkit.TestNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Kafka Streams 4.4 application (at-least-once word count: a repartition topic, a counting store with its compacted
 * changelog, an output topic) against an in-process Gregor node: it creates its internal topics, counts every word,
 * and a new instance with no local state restores the counts from the changelog and carries on.
 */
@Timeout(180)
class KafkaStreamsTest {

    private static final String APP = "word-count";
    private static TestNode node;

    @BeforeAll
    static void start() throws Exception {
        node = TestNode.builder().override("group.initial.rebalance.delay.ms", "0").start();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", node.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("lines", 3, (short) 1), new NewTopic("counts", 3, (short) 1))).all().get();
        }
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void shouldCountWordsAndRestoreTheCountsFromTheChangelogInANewInstance(@TempDir Path firstState, @TempDir Path secondState)
            throws Exception {
        KafkaStreams first = start(firstState);
        try {
            produceLines(100);
            awaitCounts(Map.of("hello", 200L, "world", 100L, "gregor", 100L));
        } finally {
            // Leaving the group (Streams stays in it by default) lets the next instance take over at once.
            first.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(Duration.ofSeconds(30)));
        }
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", node.bootstrapServers()))) {
            Set<String> topics = admin.listTopics().names().get();
            assertThat(topics).contains(APP + "-words-repartition", APP + "-word-counts-changelog");
            ConfigResource changelog = new ConfigResource(ConfigResource.Type.TOPIC, APP + "-word-counts-changelog");
            assertThat(admin.describeConfigs(List.of(changelog)).all().get().get(changelog).get("cleanup.policy").value())
                    .isEqualTo("compact");
        }

        // No local state: the counts come back from the changelog before new lines are counted on top of them.
        AtomicLong restored = new AtomicLong();
        try (KafkaStreams second = start(secondState, restored)) {
            produceLines(50);
            awaitCounts(Map.of("hello", 300L, "world", 150L, "gregor", 150L));
        }
        // The three words' counts, at least, were read back from the changelog (not recounted from the input).
        assertThat(restored.get()).isGreaterThanOrEqualTo(3);
    }

    private static KafkaStreams start(Path stateDir) {
        return start(stateDir, new AtomicLong());
    }

    /** Starts the application; {@code restored} counts the records it restores into its stores from changelogs. */
    private static KafkaStreams start(Path stateDir, AtomicLong restored) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, APP);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("lines", Consumed.with(Serdes.String(), Serdes.String()))
                .flatMapValues(line -> Arrays.asList(line.split(" ")))
                .groupBy((key, word) -> word, Grouped.<String, String>as("words").withKeySerde(Serdes.String()).withValueSerde(Serdes.String()))
                .count(Materialized.<String, Long>as(Stores.inMemoryKeyValueStore("word-counts"))
                        .withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()))
                .toStream()
                .to("counts", Produced.with(Serdes.String(), Serdes.Long()));
        KafkaStreams streams = new KafkaStreams(builder.build(), props);
        streams.setGlobalStateRestoreListener(new StateRestoreListener() {
            @Override
            public void onRestoreStart(TopicPartition partition, String store, long startingOffset, long endingOffset) {
            }

            @Override
            public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long numRestored) {
                restored.addAndGet(numRestored);
            }

            @Override
            public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
            }
        });
        streams.start();
        return streams;
    }

    private static void produceLines(int count) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", node.bootstrapServers()),
                new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>("lines", "line-" + i, "hello world hello gregor"));
            }
            producer.flush();
        }
    }

    /** Reads the whole output topic until each word's latest count is the expected one. */
    private static void awaitCounts(Map<String, Long> expected) {
        Map<String, Long> latest = new HashMap<>();
        List<TopicPartition> partitions = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            partitions.add(new TopicPartition("counts", p));
        }
        try (KafkaConsumer<String, Long> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", node.bootstrapServers()),
                new StringDeserializer(), new LongDeserializer())) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                for (ConsumerRecord<String, Long> r : consumer.poll(Duration.ofMillis(200))) {
                    latest.put(r.key(), r.value());
                }
                assertThat(latest).containsAllEntriesOf(expected);
            });
        }
    }
}
