package io.gregor.compat;

import static io.gregor.compat.ExternalClients.linesOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gregor.testkit.TestNode;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
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
import org.junit.jupiter.api.Timeout;

/**
 * kafka-python, the pure-Python client (its own protocol code, not librdkafka), against an in-process Gregor node:
 * what it produces (plain and gzip, with headers and timestamps) the Java consumer reads back; it consumes as a
 * group what the Java producer wrote and commits it; without a group it looks up offsets (earliest, latest, by
 * time) and reads from a sought offset; its admin client describes a topic's configs, lists groups and their
 * offsets and deletes a topic. It negotiates its own versions from ApiVersions (it takes this broker for a
 * Kafka 2.5, the newest it knows), older than the Java client's for most APIs.
 *
 * <p>kafka-python comes from the machine's apt sources ({@code python3-kafka}, Debian 12: 2.0.2), unpacked under
 * {@code target/kafka-python} as {@link LibrdkafkaClientTest} does with kcat, and runs on Debian's
 * {@code /usr/bin/python3} (else the {@code python3} on the PATH). The tests are skipped (reported as such) without
 * apt-get, dpkg or Python, without the package in the apt sources, or when the unpacked client does not import;
 * a failed download fails them.
 */
@Timeout(180)
class KafkaPythonClientTest {

    private static final Path WORK = Path.of("target", "kafka-python");
    private static final Path ROOT = WORK.resolve("root");
    private static final Path SCRIPT = Path.of("src", "test", "python", "kafka_python_client.py");
    private static final long BASE_TIME = 1_700_000_000_000L;
    private static String python;
    private static Path packages;
    private static TestNode node;

    @BeforeAll
    @Timeout(300)
    static void start() throws Exception {
        assumeTrue(ExternalClients.onPath("apt-get") && ExternalClients.onPath("dpkg")
                && ExternalClients.onPath("apt-cache"), "apt-get, apt-cache and dpkg are not on the PATH: kafka-python tests skipped");
        python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3"
                : ExternalClients.onPath("python3") ? "python3" : null;
        assumeTrue(python != null, "no python3: kafka-python tests skipped");
        assumeTrue(ExternalClients.aptOffers("python3-kafka"),
                "no python3-kafka package in this machine's apt sources: kafka-python tests skipped");
        if (!Files.isDirectory(ROOT.resolve("usr/lib/python3/dist-packages/kafka"))) {
            ExternalClients.aptUnpack(WORK, ROOT, "python3-kafka");
        }
        try (Stream<Path> files = Files.walk(ROOT)) {
            packages = files.filter(f -> f.getFileName().toString().equals("kafka") && Files.isDirectory(f)
                            && Files.exists(f.resolve("__init__.py")))
                    .findFirst().orElseThrow(() -> new AssertionError("no kafka package in the unpacked python3-kafka"))
                    .getParent();
        }
        ProcessBuilder check = pythonProcess("-c", "import kafka; print(kafka.__version__)").redirectErrorStream(true);
        Process p = check.start();
        String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0,
                "kafka-python does not import with " + python + ": " + printed.strip() + ": kafka-python tests skipped");
        node = TestNode.builder().override("group.initial.rebalance.delay.ms", "0").start();
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    private static ProcessBuilder pythonProcess(String... args) {
        List<String> cmd = new ArrayList<>(List.of(python));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        String existing = pb.environment().get("PYTHONPATH");
        String ours = packages.toAbsolutePath().toString();
        pb.environment().put("PYTHONPATH", existing == null || existing.isEmpty() ? ours : ours + File.pathSeparator + existing);
        pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        return pb;
    }

    /** Runs one command of the client script against the node; its stdout lines, split at tabs. */
    private static List<String[]> kafkaPython(String command, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(SCRIPT.toString(), command, node.bootstrapServers()));
        all.addAll(List.of(args));
        return ExternalClients.runClient(pythonProcess(all.toArray(String[]::new)), 120);
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers()));
    }

    private static KafkaProducer<String, String> javaProducer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(props);
    }

    private static void createTopic(String topic, int partitions, Map<String, String> configs) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(configs))).all().get();
        }
    }

    @Test
    void shouldProduceWithKafkaPythonWhatTheJavaConsumerReadsBack() throws Exception {
        List<String[]> out = kafkaPython("produce", "from-python", "40");
        List<String[]> acks = linesOf(out, "ack");
        assertThat(acks).hasSize(40);

        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        Map<String, ConsumerRecord<String, String>> byPosition = new HashMap<>(); // "partition/offset"
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = List.of(new TopicPartition("from-python", 0),
                    new TopicPartition("from-python", 1), new TopicPartition("from-python", 2));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (byPosition.size() < 40 && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> byPosition.put(r.partition() + "/" + r.offset(), r));
            }
            assertThat(consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum()).isEqualTo(40);
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
    void shouldConsumeInAKafkaPythonGroupWhatTheJavaProducerWroteAndCommitIt() throws Exception {
        String topic = "to-python";
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

        List<String[]> out = kafkaPython("consume", topic, "python-group", "60");
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
        Map<Integer, Long> committedSeenByPython = new TreeMap<>();
        linesOf(out, "committed").forEach(l -> committedSeenByPython.put(Integer.parseInt(l[1]), Long.parseLong(l[2])));
        assertThat(committedSeenByPython).isEqualTo(ends);
        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets("python-group").partitionsToOffsetAndMetadata().get();
            Map<Integer, Long> byPartition = new TreeMap<>();
            committed.forEach((tp, om) -> byPartition.put(tp.partition(), om.offset()));
            assertThat(byPartition).isEqualTo(ends);
        }
    }

    @Test
    void shouldLookUpOffsetsAndReadFromASoughtOffsetWithoutAGroup() throws Exception {
        String topic = "python-seek";
        createTopic(topic, 1, Map.of());
        try (KafkaProducer<String, String> producer = javaProducer()) {
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>(topic, 0, BASE_TIME + 10L * i, "k" + i, "v" + i)).get();
            }
        }

        // The first record at or after BASE_TIME + 55 is offset 6 (BASE_TIME + 60).
        List<String[]> out = kafkaPython("seek", topic, "0", "5", String.valueOf(BASE_TIME + 55));
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
    void shouldDescribeConfigsListGroupsAndDeleteATopicWithTheAdminClient() throws Exception {
        String topic = "python-admin";
        createTopic(topic, 1, Map.of("retention.ms", "3600000"));
        try (KafkaProducer<String, String> producer = javaProducer()) {
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(topic, "k", "v" + i)).get();
            }
        }
        assertThat(linesOf(kafkaPython("consume", topic, "python-admin-group", "3"), "record")).hasSize(3);

        List<String[]> out = kafkaPython("admin", topic, "python-admin-group");
        assertThat(linesOf(out, "config-error")).singleElement().satisfies(l -> assertThat(l[1]).isEqualTo("0"));
        assertThat(linesOf(out, "config")).singleElement()
                .satisfies(l -> assertThat(List.of(l[1], l[2])).containsExactly("retention.ms", "3600000"));
        assertThat(linesOf(out, "groups")).singleElement()
                .satisfies(l -> assertThat(l[1].split(",")).contains("python-admin-group"));
        assertThat(linesOf(out, "group-offset")).singleElement()
                .satisfies(l -> assertThat(List.of(l[1], l[2], l[3])).containsExactly(topic, "0", "3"));
        assertThat(linesOf(out, "topics")).singleElement()
                .satisfies(l -> assertThat(l[1].split(",")).doesNotContain(topic));
        try (Admin admin = admin()) {
            assertThat(admin.listTopics().names().get()).doesNotContain(topic);
        }
    }
}
