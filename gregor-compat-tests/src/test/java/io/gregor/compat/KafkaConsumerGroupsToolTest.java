package io.gregor.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gregor.testkit.TestNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Kafka's own kafka-consumer-groups tool ({@code ConsumerGroupCommand} of kafka-tools 4.4.0, in a
 * child JVM since it calls System.exit) against an in-process Gregor node, on a group made by a
 * real classic-protocol {@link KafkaConsumer} in this JVM that consumes and commits.
 */
@Timeout(180)
class KafkaConsumerGroupsToolTest {

    private static final String TOOL = "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand";
    private static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.builder().override("group.initial.rebalance.delay.ms", "0").start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    record Result(int exitCode, String stdout, String stderr) {
        List<String> lines() {
            return stdout.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    private static Result tool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(TOOL);
        cmd.add("--bootstrap-server");
        cmd.add(node.bootstrapServers());
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("tool-out", ".txt");
        Path err = Files.createTempFile("tool-err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        p.getOutputStream().close();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(TOOL + " did not finish; stderr: " + Files.readString(err));
        }
        Result r = new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        Files.delete(out);
        Files.delete(err);
        return r;
    }

    private static Properties clientProps() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
        return props;
    }

    private static void createAndFill(String topic, int partitions, int perPartition) throws Exception {
        try (Admin admin = Admin.create(clientProps())) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        }
        Properties props = clientProps();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            for (int p = 0; p < partitions; p++) {
                for (int i = 0; i < perPartition; i++) {
                    producer.send(new ProducerRecord<>(topic, p, null, "v" + i));
                }
            }
            producer.flush();
        }
    }

    private static KafkaConsumer<String, String> consumer(String group) {
        Properties props = clientProps();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "reader");
        props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return new KafkaConsumer<>(props);
    }

    /** Reads {@code count} records, commits 7 per partition, and stays a member until closed. */
    private static KafkaConsumer<String, String> consumeAndCommit(String group, String topic, int count) {
        KafkaConsumer<String, String> consumer = consumer(group);
        consumer.subscribe(List.of(topic));
        int[] seen = {0};
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            seen[0] += consumer.poll(Duration.ofMillis(200)).count();
            return seen[0] >= count;
        });
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : consumer.assignment()) {
            offsets.put(tp, new OffsetAndMetadata(7));
        }
        consumer.commitSync(offsets);
        return consumer;
    }

    @Test
    void shouldListDescribeResetAndDeleteAGroupWithKafkaConsumerGroups() throws Exception {
        createAndFill("tool-orders", 2, 10);
        try (KafkaConsumer<String, String> consumer = consumeAndCommit("tool-group", "tool-orders", 20)) {
            Result list = tool("--list");
            assertThat(list.exitCode()).as(list.stderr()).isZero();
            assertThat(list.lines()).contains("tool-group");

            Result describe = tool("--describe", "--group", "tool-group");
            assertThat(describe.exitCode()).as(describe.stderr()).isZero();
            List<String> lines = describe.lines();
            assertThat(lines).as(describe.stdout()).anyMatch(l -> l.matches(
                    "GROUP +TOPIC +PARTITION +CURRENT-OFFSET +LOG-END-OFFSET +LAG +CONSUMER-ID +HOST +CLIENT-ID"));
            assertThat(lines).as(describe.stdout())
                    .anyMatch(l -> l.matches("tool-group +tool-orders +0 +7 +10 +3 +reader-\\S+ +/127\\.0\\.0\\.1 +reader"))
                    .anyMatch(l -> l.matches("tool-group +tool-orders +1 +7 +10 +3 +reader-\\S+ +/127\\.0\\.0\\.1 +reader"));

            Result members = tool("--describe", "--group", "tool-group", "--members", "--verbose");
            assertThat(members.exitCode()).as(members.stderr()).isZero();
            assertThat(members.lines()).as(members.stdout())
                    .anyMatch(l -> l.matches("GROUP +CONSUMER-ID +HOST +CLIENT-ID +#PARTITIONS +CURRENT-EPOCH +CURRENT-ASSIGNMENT .*"))
                    .anyMatch(l -> l.matches("tool-group +reader-\\S+ +/127\\.0\\.0\\.1 +reader +2 +- +tool-orders:0,1 .*"));

            Result state = tool("--describe", "--group", "tool-group", "--state");
            assertThat(state.exitCode()).as(state.stderr()).isZero();
            assertThat(state.lines()).as(state.stdout()).anyMatch(l -> l.matches("tool-group +\\S+:\\d+ +\\(\\d+\\) +range +Stable +1"));

            Result busy = tool("--reset-offsets", "--to-earliest", "--execute", "--topic", "tool-orders", "--group", "tool-group");
            assertThat(busy.stdout() + busy.stderr()).contains("inactive");
        }

        Result reset = tool("--reset-offsets", "--to-earliest", "--execute", "--topic", "tool-orders", "--group", "tool-group");
        assertThat(reset.exitCode()).as(reset.stderr()).isZero();
        assertThat(reset.lines()).as(reset.stdout())
                .anyMatch(l -> l.matches("tool-group +tool-orders +0 +0"))
                .anyMatch(l -> l.matches("tool-group +tool-orders +1 +0"));

        Result afterReset = tool("--describe", "--group", "tool-group");
        assertThat(afterReset.exitCode()).as(afterReset.stderr()).isZero();
        assertThat(afterReset.lines()).as(afterReset.stdout())
                .anyMatch(l -> l.matches("tool-group +tool-orders +0 +0 +10 +10 +- +- +-"))
                .anyMatch(l -> l.matches("tool-group +tool-orders +1 +0 +10 +10 +- +- +-"));

        Result delete = tool("--delete", "--group", "tool-group");
        assertThat(delete.exitCode()).as(delete.stderr()).isZero();
        assertThat(delete.stdout()).contains("Deletion of requested consumer groups ('tool-group') was successful.");
        assertThat(tool("--list").lines()).doesNotContain("tool-group");

        // Kafka's tool prints the error and still exits 0.
        Result missing = tool("--describe", "--group", "tool-group");
        assertThat(missing.stdout() + missing.stderr()).contains("Group tool-group not found.");
    }
}
