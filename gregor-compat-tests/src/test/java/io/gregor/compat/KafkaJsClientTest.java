package io.gregor.compat;

import static io.gregor.compat.ExternalClients.linesOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gregor.testkit.TestNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * KafkaJS 2.2.4, a pure JavaScript client, against an in-process Gregor node. It negotiates older
 * versions than the Java client (Produce v7, Fetch v11, JoinGroup v5, Metadata v6, ...), so this
 * covers the "other clients" of issue 2 end to end: what KafkaJS writes, the Java consumer reads
 * back, and the other way round through a KafkaJS consumer group.
 *
 * <p>The client comes from the npm registry at the version {@code src/test/js/package-lock.json}
 * pins, installed under {@code target/kafkajs} before the tests. The suite needs only Java and
 * Maven, so without {@code node} and {@code npm} on the PATH these tests are skipped (reported as
 * such); where they are there, a failed install fails the tests.
 */
@Timeout(240)
class KafkaJsClientTest {

    private static final Path SOURCES = Path.of("src", "test", "js");
    private static final Path CLIENT_DIR = Path.of("target", "kafkajs");
    private static final Path SCRIPT = CLIENT_DIR.resolve("kafkajs-client.js");
    private static TestNode node;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(ExternalClients.onPath("node") && ExternalClients.onPath("npm"), "node and npm are not on the PATH: KafkaJS tests skipped");
        Files.createDirectories(CLIENT_DIR);
        for (String file : List.of("package.json", "package-lock.json", "kafkajs-client.js")) {
            Files.copy(SOURCES.resolve(file), CLIENT_DIR.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        Process install = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
                .directory(CLIENT_DIR.toFile()).redirectErrorStream(true).start();
        String output = new String(install.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(install.waitFor(180, TimeUnit.SECONDS)).as("npm ci finished").isTrue();
        assertThat(install.exitValue()).as("npm ci: %s", output).isZero();
        node = TestNode.builder().override("group.initial.rebalance.delay.ms", "0").start();
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    /** Runs the KafkaJS script; returns its stdout lines split at tabs, after checking it exited 0. */
    private static List<String[]> kafkaJs(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("node", SCRIPT.toString()));
        cmd.add(args[0]);
        cmd.add(node.bootstrapServers());
        cmd.addAll(List.of(args).subList(1, args.length));
        return ExternalClients.runClient(new ProcessBuilder(cmd), 150);
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers()));
    }

    @Test
    void shouldProduceWithKafkaJsWhatTheJavaConsumerReadsBack() throws Exception {
        List<String[]> out = kafkaJs("produce", "from-kafkajs", "100");
        assertThat(linesOf(out, "created")).singleElement().satisfies(l -> assertThat(l[1]).isEqualTo("true"));
        List<String[]> acks = linesOf(out, "ack");
        assertThat(acks).isNotEmpty().allSatisfy(a -> assertThat(a[3]).as("error code").isEqualTo("0"));

        try (Admin admin = admin()) {
            TopicDescription d = admin.describeTopics(List.of("from-kafkajs")).allTopicNames().get().get("from-kafkajs");
            assertThat(d.partitions()).hasSize(3);
        }
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = List.of(new TopicPartition("from-kafkajs", 0),
                    new TopicPartition("from-kafkajs", 1), new TopicPartition("from-kafkajs", 2));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (records.size() < 100 && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            assertThat(ends.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(100);
            // Every ack's base offset is where that send's records start in its partition.
            for (String[] ack : acks) {
                int partition = Integer.parseInt(ack[1]);
                long base = Long.parseLong(ack[2]);
                assertThat(records).anySatisfy(r -> {
                    assertThat(r.partition()).isEqualTo(partition);
                    assertThat(r.offset()).isEqualTo(base);
                });
            }
        }
        assertThat(records).hasSize(100);
        assertThat(records.stream().map(ConsumerRecord::value).collect(Collectors.toSet()))
                .hasSize(100)
                .allSatisfy(v -> assertThat(v).matches("value-\\d+"));
        for (ConsumerRecord<String, String> r : records) {
            int i = Integer.parseInt(r.value().substring("value-".length()));
            assertThat(r.key()).isEqualTo("key-" + (i % 5));
            Header seq = r.headers().lastHeader("seq");
            assertThat(new String(seq.value())).isEqualTo(String.valueOf(i));
        }
        // Per partition, the records of one key keep the order KafkaJS sent them in.
        Map<String, List<Integer>> byKey = new TreeMap<>();
        for (ConsumerRecord<String, String> r : records) {
            byKey.computeIfAbsent(r.partition() + "/" + r.key(), k -> new ArrayList<>())
                    .add(Integer.parseInt(r.value().substring("value-".length())));
        }
        byKey.values().forEach(seqs -> assertThat(seqs).isSorted());
    }

    @Test
    void shouldConsumeInAKafkaJsGroupWhatTheJavaProducerWroteAndCommitIt() throws Exception {
        String topic = "from-java";
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
        }
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "gzip");
        Map<String, String> written = new HashMap<>(); // "partition/offset" -> key, value, headers
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            for (int i = 0; i < 60; i++) {
                ProducerRecord<String, String> record = new ProducerRecord<>(topic, "k" + (i % 4), "v" + i);
                record.headers().add("origin", "java".getBytes()).add("n", String.valueOf(i).getBytes());
                RecordMetadata m = producer.send(record).get();
                written.put(m.partition() + "/" + m.offset(), "k" + (i % 4) + "|v" + i + "|origin=java,n=" + i);
            }
        }

        List<String[]> consumed = linesOf(kafkaJs("consume", topic, "kafkajs-group", "60"), "record");
        Map<String, String> read = new HashMap<>();
        for (String[] r : consumed) {
            read.put(r[1] + "/" + r[2], r[3] + "|" + r[4] + "|" + r[5]);
        }
        assertThat(read).isEqualTo(written);

        Map<Integer, Long> ends = new TreeMap<>();
        for (String key : written.keySet()) {
            String[] po = key.split("/");
            ends.merge(Integer.parseInt(po[0]), Long.parseLong(po[1]) + 1, Math::max);
        }
        List<String[]> offsets = kafkaJs("offsets", topic, "kafkajs-group");
        Map<Integer, Long> committedSeenByKafkaJs = new TreeMap<>();
        linesOf(offsets, "committed").forEach(l -> committedSeenByKafkaJs.put(Integer.parseInt(l[1]), Long.parseLong(l[2])));
        assertThat(committedSeenByKafkaJs).isEqualTo(ends);
        Map<Integer, Long> endsSeenByKafkaJs = new TreeMap<>();
        linesOf(offsets, "end").forEach(l -> endsSeenByKafkaJs.put(Integer.parseInt(l[1]), Long.parseLong(l[3])));
        assertThat(endsSeenByKafkaJs).isEqualTo(ends);
        // The member left when KafkaJS disconnected: an empty classic group.
        assertThat(linesOf(offsets, "group")).singleElement()
                .satisfies(g -> assertThat(List.of(g[2], g[3])).containsExactly("Empty", "consumer"));

        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets("kafkajs-group").partitionsToOffsetAndMetadata().get();
            Map<Integer, Long> byPartition = new TreeMap<>();
            committed.forEach((tp, om) -> byPartition.put(tp.partition(), om.offset()));
            assertThat(byPartition).isEqualTo(ends);
        }
    }
}
