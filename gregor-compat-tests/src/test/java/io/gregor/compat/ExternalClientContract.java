package io.gregor.compat;

import static io.gregor.compat.ExternalClients.linesOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.gregor.testkit.TestNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * One test for clients other than the Java one that are driven by a small program of their own answering the same
 * commands with the same output lines (see {@code src/test/python/kafka_python_client.py}): what the client
 * produces, with headers and timestamps, the Java consumer reads back; it consumes as a group what the Java
 * producer wrote and commits it; without a group it looks up offsets (earliest, latest, by time) and reads from a
 * sought offset; its admin client lists groups and their offsets and deletes a topic (and describes the topic's
 * configs, where it can). Each subclass fetches and prepares its client, or skips.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ExternalClientContract {

    static final long BASE_TIME = 1_700_000_000_000L;
    TestNode node;

    /** Fetches and prepares the client (or skips the tests with an assumption). */
    abstract void prepareClient() throws Exception;

    /** The process that runs one command of the client program: {@code args} are the command and its arguments. */
    abstract ProcessBuilder clientProcess(List<String> args);

    /** False for a client whose DescribeConfigs version Kafka 4 no longer accepts: no config line is expected. */
    boolean describesConfigs() {
        return true;
    }

    @BeforeAll
    @Timeout(300)
    void start() throws Exception {
        prepareClient();
        node = TestNode.builder().override("group.initial.rebalance.delay.ms", "0").start();
    }

    @AfterAll
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    /** Runs one command of the client program against the node; its stdout lines, split at tabs. */
    List<String[]> client(String command, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(command, node.bootstrapServers()));
        all.addAll(List.of(args));
        return ExternalClients.runClient(clientProcess(all), 120);
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers()));
    }

    private KafkaProducer<String, String> javaProducer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(props);
    }

    private void createTopic(String topic, int partitions, Map<String, String> configs) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(configs))).all().get();
        }
    }

    @Test
    void shouldProduceWhatTheJavaConsumerReadsBack() throws Exception {
        List<String[]> out = client("produce", "from-client", "40");
        List<String[]> acks = linesOf(out, "ack");
        assertThat(acks).hasSize(40);

        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        Map<String, ConsumerRecord<String, String>> byPosition = new HashMap<>(); // "partition/offset"
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = List.of(new TopicPartition("from-client", 0),
                    new TopicPartition("from-client", 1), new TopicPartition("from-client", 2));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (byPosition.size() < 40 && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> byPosition.put(r.partition() + "/" + r.offset(), r));
            }
            assertThat(consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum()).isEqualTo(40);
            // Each record is the first of its partition at or after its own timestamp: the batches' headers say
            // what their records hold, whatever maxTimestamp the client wrote there.
            for (String[] ack : acks) {
                TopicPartition tp = new TopicPartition("from-client", Integer.parseInt(ack[2]));
                OffsetAndTimestamp found = consumer.offsetsForTimes(Map.of(tp, BASE_TIME + Integer.parseInt(ack[1]))).get(tp);
                assertThat(found).as("record %s by its timestamp", ack[1]).isNotNull();
                assertThat(found.offset()).as("record %s by its timestamp", ack[1]).isEqualTo(Long.parseLong(ack[3]));
            }
        }
        assertThat(byPosition).hasSize(40);
        // Each ack names where its record is: same key, value, header and the producer's timestamp.
        for (String[] ack : acks) {
            int i = Integer.parseInt(ack[1]);
            ConsumerRecord<String, String> r = byPosition.get(ack[2] + "/" + ack[3]);
            assertThat(r).as("record %d acked at %s/%s", i, ack[2], ack[3]).isNotNull();
            assertThat(r.key()).isEqualTo("key-" + (i % 5));
            assertThat(r.value()).isEqualTo("value-" + i);
            assertThat(new String(r.headers().lastHeader("seq").value(), StandardCharsets.UTF_8)).isEqualTo(String.valueOf(i));
            assertThat(r.timestamp()).isEqualTo(BASE_TIME + i);
        }
    }

    @Test
    void shouldConsumeInAGroupWhatTheJavaProducerWroteAndCommitIt() throws Exception {
        String topic = "to-client";
        createTopic(topic, 2, Map.of());
        Map<String, String> written = new HashMap<>(); // "partition/offset" -> key|value|headers
        try (KafkaProducer<String, String> producer = javaProducer()) {
            for (int i = 0; i < 60; i++) {
                ProducerRecord<String, String> record = new ProducerRecord<>(topic, "k" + (i % 4), "v" + i);
                record.headers().add("origin", "java".getBytes(StandardCharsets.UTF_8));
                RecordMetadata m = producer.send(record).get();
                written.put(m.partition() + "/" + m.offset(), "k" + (i % 4) + "|v" + i + "|origin=java");
            }
        }

        List<String[]> out = client("consume", topic, "client-group", "60");
        Map<String, String> read = new HashMap<>();
        for (String[] r : linesOf(out, "record")) {
            read.put(r[1] + "/" + r[2], r[3] + "|" + r[4] + "|" + r[5]);
        }
        assertThat(read).isEqualTo(written);

        Map<Integer, Long> ends = new TreeMap<>();
        for (String position : written.keySet()) {
            String[] po = position.split("/");
            ends.merge(Integer.parseInt(po[0]), Long.parseLong(po[1]) + 1, Math::max);
        }
        Map<Integer, Long> committedSeenByClient = new TreeMap<>();
        linesOf(out, "committed").forEach(l -> committedSeenByClient.put(Integer.parseInt(l[1]), Long.parseLong(l[2])));
        assertThat(committedSeenByClient).isEqualTo(ends);
        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets("client-group").partitionsToOffsetAndMetadata().get();
            Map<Integer, Long> byPartition = new TreeMap<>();
            committed.forEach((tp, om) -> byPartition.put(tp.partition(), om.offset()));
            assertThat(byPartition).isEqualTo(ends);
        }
    }

    @Test
    void shouldLookUpOffsetsAndReadFromASoughtOffsetWithoutAGroup() throws Exception {
        String topic = "client-seek";
        createTopic(topic, 1, Map.of());
        try (KafkaProducer<String, String> producer = javaProducer()) {
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>(topic, 0, BASE_TIME + 10L * i, "k" + i, "v" + i)).get();
            }
        }

        // The first record at or after BASE_TIME + 55 is offset 6 (BASE_TIME + 60).
        List<String[]> out = client("seek", topic, "0", "5", String.valueOf(BASE_TIME + 55));
        assertThat(linesOf(out, "earliest")).singleElement().satisfies(l -> assertThat(l[1]).isEqualTo("0"));
        assertThat(linesOf(out, "latest")).singleElement().satisfies(l -> assertThat(l[1]).isEqualTo("20"));
        assertThat(linesOf(out, "for-time")).singleElement()
                .satisfies(l -> assertThat(List.of(l[1], l[2])).containsExactly("6", String.valueOf(BASE_TIME + 60)));
        List<String> expected = new ArrayList<>();
        for (int i = 5; i < 20; i++) {
            expected.add("0/" + i + "/k" + i + "/v" + i);
        }
        assertThat(linesOf(out, "record").stream().map(r -> r[1] + "/" + r[2] + "/" + r[3] + "/" + r[4]).toList())
                .isEqualTo(expected);
    }

    @Test
    void shouldListGroupsAndOffsetsDescribeConfigsAndDeleteATopicWithTheAdminClient() throws Exception {
        String topic = "client-admin";
        createTopic(topic, 1, Map.of("retention.ms", "3600000"));
        try (KafkaProducer<String, String> producer = javaProducer()) {
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(topic, "k", "v" + i)).get();
            }
        }
        assertThat(linesOf(client("consume", topic, "client-admin-group", "3"), "record")).hasSize(3);

        List<String[]> out = client("admin", topic, "client-admin-group");
        if (describesConfigs()) {
            assertThat(linesOf(out, "config-error")).singleElement().satisfies(l -> assertThat(l[1]).isEqualTo("0"));
            assertThat(linesOf(out, "config")).singleElement()
                    .satisfies(l -> assertThat(List.of(l[1], l[2])).containsExactly("retention.ms", "3600000"));
        }
        assertThat(linesOf(out, "groups")).singleElement()
                .satisfies(l -> assertThat(l[1].split(",")).contains("client-admin-group"));
        assertThat(linesOf(out, "group-offset")).singleElement()
                .satisfies(l -> assertThat(List.of(l[1], l[2], l[3])).containsExactly(topic, "0", "3"));
        assertThat(linesOf(out, "topics")).singleElement()
                .satisfies(l -> assertThat(l[1].split(",")).doesNotContain(topic));
        try (Admin admin = admin()) {
            assertThat(admin.listTopics().names().get()).doesNotContain(topic);
        }
    }
}
