package io.gregor.cli;

import static io.gregor.cli.Gregor.ok;
import static io.gregor.cli.Gregor.userError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import io.gregor.testkit.TestNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user sees (stdout, stderr, exit code) when they make a mistake with a client command:
 * one {@code error: } line and exit {@link GregorCommand#EXIT_USER_ERROR}, with nothing changed on
 * the broker. Runs against one in-JVM Gregor node, plus a few runs of the real {@code bin/gregor}
 * process where what matters is everything the process writes to stderr (client log lines included).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CliUserMistakesTest extends SharedNodeCliTest {

    @TempDir
    Path dir;

    private static Gregor.Result gregorAt(TestNode at, String... args) {
        return Gregor.runAgainst(at.bootstrapServers(), "", args);
    }

    // ---- topics delete / alter of internal topics

    /**
     * {@code topics delete __consumer_offsets} is refused with one line, as kafka-topics.sh does
     * ("Topic __consumer_offsets is a kafka internal topic and is not allowed to be marked for
     * deletion."), and every group's committed offsets survive a restart.
     */
    @Test
    void shouldRefuseToDeleteTheConsumerOffsetsTopic() {
        try (TestNode own = TestNode.builder().dataDir(dir.resolve("delete-offsets")).start()) {
            ok(gregorAt(own, "topics", "create", "review-internal"));
            ok(gregorAt(own, "groups", "reset-offsets", "review-internal-group", "--topic", "review-internal", "--to-earliest", "--execute"));

            Gregor.Result delete = gregorAt(own, "topics", "delete", "__consumer_offsets");
            own.restart();

            Gregor.Result describe = gregorAt(own, "groups", "describe", "review-internal-group");
            assertThat(describe.exitCode()).as("committed offsets after `%s` and a restart:%n%s", delete.out().strip(), describe)
                    .isZero();
            assertThat(delete.out()).as(delete.toString()).doesNotContain("Deleted topic __consumer_offsets.");
            assertThat(userError(delete).err()).contains("__consumer_offsets");
        }
    }

    /**
     * {@code topics alter __consumer_offsets --partitions 51} is refused with one line, as
     * kafka-topics.sh does ("The number of partitions for the offsets topic cannot be changed."):
     * a group's partition is hash % partition count, so a new count would load my-group from
     * another partition after a restart, with the offsets committed before the alter.
     */
    @Test
    void shouldRefuseToChangeThePartitionCountOfTheOffsetsTopic() {
        try (TestNode own = TestNode.builder().dataDir(dir.resolve("alter-offsets")).start()) {
            ok(gregorAt(own, "topics", "create", "review-grow", "--partitions", "1"));
            ok(gregorAt(own, "groups", "reset-offsets", "my-group", "--topic", "review-grow", "--to-earliest", "--execute"));
            Gregor.Result alter = gregorAt(own, "topics", "alter", "__consumer_offsets", "--partitions", "51");
            org.apache.kafka.clients.producer.KafkaProducer<String, String> producer = new org.apache.kafka.clients.producer.KafkaProducer<>(
                    java.util.Map.of("bootstrap.servers", own.bootstrapServers()),
                    new org.apache.kafka.common.serialization.StringSerializer(), new org.apache.kafka.common.serialization.StringSerializer());
            try (producer) {
                for (int i = 0; i < 3; i++) {
                    producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("review-grow", 0, null, "v" + i));
                }
                producer.flush();
            }
            ok(gregorAt(own, "groups", "reset-offsets", "my-group", "--topic", "review-grow", "--to-latest", "--execute"));
            assertThat(ok(gregorAt(own, "groups", "describe", "my-group")).outLines().get(3)).startsWith("review-grow  0          3 ");

            own.restart();

            List<String> after = ok(gregorAt(own, "groups", "describe", "my-group")).outLines();
            assertThat(after.get(3)).as("offsets after `topics alter __consumer_offsets` (%s) and a restart", alter.out().strip())
                    .startsWith("review-grow  0          3 ");
            userError(alter);
        }
    }

    // ---- topics alter: all or nothing

    /**
     * {@code topics alter --partitions 4 --config retention.ms=abc} reports the bad config and
     * changes nothing: the user reads "error" and believes nothing changed, and partitions once
     * added can never be removed.
     */
    @Test
    void shouldNotAddPartitionsWhenTheConfigChangeInTheSameAlterIsRejected() {
        ok(gregor("topics", "create", "review-partial", "--partitions", "1"));

        Gregor.Result alter = userError(gregor("topics", "alter", "review-partial", "--partitions", "4", "--config", "retention.ms=abc"));

        assertThat(alter.err()).contains("retention.ms");
        assertThat(ok(gregor("topics", "describe", "review-partial")).outLines().get(0)).contains("PartitionCount: 1\t");
    }

    // ---- --command-config vs --bootstrap-server

    /**
     * As in Kafka's tools, --bootstrap-server on the command line wins over bootstrap.servers in
     * the --command-config file.
     */
    @Test
    void shouldConnectToTheBootstrapServerGivenOnTheCommandLineOverTheCommandConfigFile() throws IOException {
        ok(gregor("topics", "create", "review-bootstrap"));
        String config = Files.writeString(dir.resolve("client.properties"),
                "bootstrap.servers=127.0.0.1:1\nrequest.timeout.ms=2000\ndefault.api.timeout.ms=2000\n").toString();

        Gregor.Result list = gregor("topics", "list", "--command-config", config);

        assertThat(list.err()).as(list.toString()).doesNotContain("cannot reach broker at " + node.bootstrapServers());
        assertThat(ok(list).outLines()).contains("review-bootstrap");
    }

    /** Without --bootstrap-server the file's bootstrap.servers is used, and the error names it. */
    @Test
    void shouldNameTheCommandConfigFilesBootstrapServerWhenItCannotBeReached() throws IOException {
        String config = Files.writeString(dir.resolve("nobody.properties"),
                "bootstrap.servers=127.0.0.1:1\nrequest.timeout.ms=1000\ndefault.api.timeout.ms=1000\n").toString();

        Gregor.Result list = userError(Gregor.run("topics", "list", "--command-config", config));

        assertThat(list.err()).startsWith("error: cannot reach broker at 127.0.0.1:1 (");
    }

    /**
     * A bad default.api.timeout.ms in --command-config is reported under that key, not under
     * request.timeout.ms, a key the user never wrote.
     */
    @Test
    void shouldNameTheKeyTheUserGotWrongInTheCommandConfigFile() throws IOException {
        String config = Files.writeString(dir.resolve("typo.properties"), "default.api.timeout.ms=15s\n").toString();

        Gregor.Result list = userError(gregor("topics", "list", "--command-config", config));

        assertThat(list.err()).contains("default.api.timeout.ms").doesNotContain("request.timeout.ms");
    }

    // ---- groups: an active group is refused, an empty one is not

    @Test
    void shouldRefuseToResetOrDeleteAnActiveGroup() throws Exception {
        ok(gregor("topics", "create", "review-active", "--partitions", "2"));
        Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "review-active-group");
        props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        Thread member;
        var running = new java.util.concurrent.atomic.AtomicBoolean(true);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            member = new Thread(() -> {
                consumer.subscribe(List.of("review-active"));
                while (running.get()) {
                    consumer.poll(Duration.ofMillis(100));
                    assigned.addAll(consumer.assignment());
                }
            });
            member.start();
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> assigned.size() == 2);

                Gregor.Result reset = userError(gregor("groups", "reset-offsets", "review-active-group", "--topic", "review-active",
                        "--to-earliest", "--execute"));
                assertThat(reset.out()).doesNotContain("Committed");
                userError(gregor("groups", "delete", "review-active-group"));
            } finally {
                running.set(false);
                member.join();
            }
        }
    }

    @Test
    void shouldResetAndDescribeAKip848GroupOnceItsMemberLeft() throws Exception {
        ok(gregor("topics", "create", "review-848", "--partitions", "2"));
        org.apache.kafka.clients.producer.KafkaProducer<String, String> producer = new org.apache.kafka.clients.producer.KafkaProducer<>(
                java.util.Map.of("bootstrap.servers", node.bootstrapServers()),
                new org.apache.kafka.common.serialization.StringSerializer(), new org.apache.kafka.common.serialization.StringSerializer());
        try (producer) {
            for (int i = 0; i < 10; i++) {
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("review-848", i % 2, null, "v" + i));
            }
            producer.flush();
        }
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "review-848-group");
        props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of("review-848"));
            var seen = new java.util.concurrent.atomic.AtomicInteger();
            await().atMost(Duration.ofSeconds(30)).until(() -> seen.addAndGet(consumer.poll(Duration.ofMillis(100)).count()) >= 10);
            consumer.commitSync();
            List<String> describe = ok(gregor("groups", "describe", "review-848-group")).outLines();
            assertThat(describe.get(0)).contains("State: Stable").contains("Type: Consumer").contains("Members: 1");
            userError(gregor("groups", "reset-offsets", "review-848-group", "--topic", "review-848", "--to-earliest", "--execute"));
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(ok(gregor("groups", "describe", "review-848-group")).outLines().get(0)).contains("State: Empty"));
        ok(gregor("groups", "reset-offsets", "review-848-group", "--topic", "review-848", "--to-offset", "2", "--execute"));
        assertThat(ok(gregor("groups", "describe", "review-848-group")).outLines().subList(2, 5))
                .containsExactly("TOPIC       PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG  CONSUMER-ID  HOST  CLIENT-ID",
                        "review-848  0          2               5               3    -            -     -",
                        "review-848  1          2               5               3    -            -     -");
        assertThat(ok(gregor("groups", "delete", "review-848-group")).out()).isEqualTo("Deleted group review-848-group.\n");
    }

    // ---- the real process: one line on stderr, nothing else

    private static Path gregorRoot() {
        return Path.of(System.getProperty("gregor.root", "..")).toAbsolutePath().normalize();
    }

    /** Runs bin/gregor (the jar must have been built) and returns exit code, stdout, stderr. */
    private static Gregor.Result process(String stdin, String... args) throws Exception {
        Path root = gregorRoot();
        assumeThat(root.resolve("gregor-cli/target/gregor.jar")).as("needs the packaged jar").exists();
        List<String> command = new ArrayList<>();
        command.add(root.resolve("bin/gregor").toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile());
        // The jar of the last package: a nested Maven build from inside this one would race it.
        pb.environment().put("GREGOR_REBUILD", "off");
        Process p = pb.start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread o = drain(p.getInputStream(), out);
        Thread e = drain(p.getErrorStream(), err);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        o.join();
        e.join();
        return new Gregor.Result(p.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Thread drain(InputStream in, ByteArrayOutputStream to) {
        Thread t = new Thread(() -> {
            try {
                in.transferTo(to);
            } catch (IOException ignored) {
                // process gone
            }
        });
        t.start();
        return t;
    }

    /**
     * A misspelled host is the most common user mistake: the process prints only its own error
     * line, not the client's WARN "Couldn't resolve server ... as DNS resolution failed".
     */
    @Test
    void shouldPrintOneLineWhenTheBootstrapHostDoesNotResolve() throws Exception {
        Gregor.Result result = process("", "topics", "list", "--bootstrap-server", "no-such-host.invalid:9092");

        userError(result);
    }

    /**
     * Producing to an invalid topic name prints only the error line, not the client's ERROR
     * "Metadata response reported invalid topics".
     */
    @Test
    void shouldPrintOneLineWhenProducingToAnInvalidTopicName() throws Exception {
        Gregor.Result result = process("x\n", "produce", "bad name!", "--bootstrap-server", node.bootstrapServers());

        userError(result);
    }

    /**
     * README: "a client configured for SASL fails at once with Kafka's answer on a PLAINTEXT
     * listener". That answer is the one line the process prints, without the client's own ERROR
     * and WARN log lines about the failed authentication.
     */
    @Test
    void shouldPrintOneLineWhenCommandConfigAsksForSaslOnAPlaintextListener() throws Exception {
        String config = Files.writeString(dir.resolve("sasl.properties"), "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n"
                + "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"a\" password=\"b\";\n")
                .toString();

        Gregor.Result result = process("", "topics", "list", "--bootstrap-server", node.bootstrapServers(), "--command-config", config);

        userError(result);
        assertThat(result.err()).contains("enabled mechanisms are []");
    }
}
