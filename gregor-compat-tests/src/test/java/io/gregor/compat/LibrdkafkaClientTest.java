package io.gregor.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gregor.testkit.TestNode;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
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
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kcat, the command-line client built on librdkafka (the C library under the Python, Go, .NET and
 * node-rdkafka clients), against an in-process Gregor node: what kcat writes the Java consumer
 * reads back, what the Java producer writes kcat reads back (alone, and as a consumer group that
 * commits and resumes), and kcat's metadata listing and offset-for-time query. librdkafka negotiates its own versions (older than the Java client's for
 * several APIs) and sends batches with every codec.
 *
 * <p>kcat and librdkafka come from the machine's apt sources, at the versions they offer (Debian
 * 12: kcat 1.7.1, librdkafka 2.0.2): {@code apt-get download} fetches the packages into
 * {@code target/kcat} (no root needed, nothing installed on the system) and {@code dpkg -x}
 * unpacks them there; librdkafka takes OpenSSL, SASL, zlib, lz4 and zstd from the system. The tests
 * are skipped (reported as such) without apt-get and dpkg, without a kcat package in the apt
 * sources, when the download fails, or when the unpacked kcat cannot run.
 */
@Timeout(180)
class LibrdkafkaClientTest {

    private static final Path WORK = Path.of("target", "kcat");
    private static final Path ROOT = WORK.resolve("root");
    private static Path kcat;
    private static Path libraries;
    private static TestNode node;

    @BeforeAll
    @Timeout(300) // the class's limit does not cover this; the download is bounded by ExternalClients.run's own limit too
    static void start() throws Exception {
        assumeTrue(ExternalClients.onPath("apt-get") && ExternalClients.onPath("dpkg") && ExternalClients.onPath("apt-cache"),
                "apt-get, apt-cache and dpkg are not on the PATH: librdkafka tests skipped");
        assumeTrue(ExternalClients.aptOffers("kcat"), "no kcat package in this machine's apt sources: librdkafka tests skipped");
        kcat = ROOT.resolve("usr/bin/kcat");
        ExternalClients.aptUnpack(WORK, ROOT, "kcat", "librdkafka1", "libyajl2");
        try (Stream<Path> files = Files.walk(ROOT)) {
            libraries = files.filter(f -> f.getFileName().toString().equals("librdkafka.so.1")).findFirst()
                    .orElseThrow(() -> new AssertionError("librdkafka.so.1 not in the unpacked packages")).getParent();
        }
        // librdkafka links OpenSSL, SASL, zlib, lz4 and zstd from the system: without them kcat cannot start.
        ProcessBuilder version = new ProcessBuilder(kcat.toAbsolutePath().toString(), "-V").redirectErrorStream(true);
        withLibraries(version);
        Process p = version.start();
        String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0,
                "kcat does not run here (missing system libraries?): " + printed.strip() + ": librdkafka tests skipped");
        node = TestNode.builder().override("group.initial.rebalance.delay.ms", "0").start();
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    private static void withLibraries(ProcessBuilder pb) {
        String existing = pb.environment().get("LD_LIBRARY_PATH");
        String ours = libraries.toAbsolutePath().toString();
        pb.environment().put("LD_LIBRARY_PATH", existing == null || existing.isEmpty() ? ours : ours + File.pathSeparator + existing);
    }

    /** Runs kcat against the node with {@code stdin} as its input; returns its stdout after checking it exited 0. */
    private static String kcat(String stdin, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(kcat.toAbsolutePath().toString(), "-b", node.bootstrapServers()));
        cmd.addAll(List.of(args));
        Path in = Files.writeString(Files.createTempFile("kcat-in", ".txt"), stdin);
        Path out = Files.createTempFile("kcat-out", ".txt");
        Path err = Files.createTempFile("kcat-err", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(in.toFile()).redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            withLibraries(pb);
            Process p = pb.start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("kcat " + cmd + " did not finish; stdout: " + Files.readString(out)
                        + "\nstderr: " + Files.readString(err));
            }
            assertThat(p.exitValue()).as("kcat %s failed: %s", args, Files.readString(err)).isZero();
            return Files.readString(out);
        } finally {
            Files.delete(in);
            Files.delete(out);
            Files.delete(err);
        }
    }

    private static KafkaProducer<String, String> producer(String compression) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        return new KafkaProducer<>(props);
    }

    private static void createTopic(String topic, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void shouldProduceWithLibrdkafkaWhatTheJavaConsumerReadsBack(String codec) throws Exception {
        String topic = "from-kcat-" + codec;
        createTopic(topic, 1);
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            lines.append("key-").append(i % 7).append(':').append("value-").append(i).append('\n');
        }
        // Idempotent, as librdkafka-based clients often are: InitProducerId, then sequenced batches.
        kcat(lines.toString(), "-P", "-t", topic, "-p", "0", "-K:", "-z", codec, "-H", "origin=kcat",
                "-X", "enable.idempotence=true", "-X", "request.required.acks=all", "-X", "linger.ms=20");

        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (records.size() < 200 && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            assertThat(consumer.endOffsets(List.of(tp))).containsEntry(tp, 200L);
        }
        assertThat(records).hasSize(200);
        for (int i = 0; i < 200; i++) {
            ConsumerRecord<String, String> r = records.get(i);
            assertThat(r.offset()).isEqualTo(i);
            assertThat(r.key()).isEqualTo("key-" + (i % 7));
            assertThat(r.value()).isEqualTo("value-" + i);
            Header origin = r.headers().lastHeader("origin");
            assertThat(origin).isNotNull();
            assertThat(new String(origin.value(), StandardCharsets.UTF_8)).isEqualTo("kcat");
        }
    }

    @Test
    void shouldConsumeWithLibrdkafkaWhatTheJavaProducerWrote() throws Exception {
        String topic = "to-kcat";
        createTopic(topic, 2);
        long baseTime = 1_700_000_000_000L;
        Map<String, String> written = new HashMap<>(); // "partition offset" -> key, value, timestamp, headers
        try (KafkaProducer<String, String> producer = producer("lz4")) {
            for (int i = 0; i < 40; i++) {
                ProducerRecord<String, String> record =
                        new ProducerRecord<>(topic, i % 2, baseTime + i * 1000L, "k" + i, "v" + i);
                record.headers().add("n", String.valueOf(i).getBytes(StandardCharsets.UTF_8));
                RecordMetadata m = producer.send(record).get();
                written.put(m.partition() + " " + m.offset(), "k" + i + "|v" + i + "|" + (baseTime + i * 1000L) + "|n=" + i);
            }
        }

        String out = kcat("", "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%p %o|%k|%s|%T|%h\\n");
        Map<String, String> read = new HashMap<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                int bar = line.indexOf('|');
                read.put(line.substring(0, bar), line.substring(bar + 1));
            }
        }
        assertThat(read).isEqualTo(written);
    }

    @Test
    void shouldConsumeInALibrdkafkaGroupAndResumeFromItsCommittedOffsets() throws Exception {
        String topic = "kcat-group";
        createTopic(topic, 3);
        Set<String> first = new HashSet<>();
        Set<String> later = new HashSet<>();
        try (KafkaProducer<String, String> producer = producer("none")) {
            for (int i = 0; i < 33; i++) {
                RecordMetadata m = producer.send(new ProducerRecord<>(topic, i % 3, "k" + i, "v" + i)).get();
                (i < 30 ? first : later).add(m.partition() + " " + m.offset() + " k" + i + " v" + i);
                if (i == 29) {
                    // The group reads the first 30 (from the beginning, as it has no offsets yet) and commits as it closes.
                    assertThat(lines(kcat("", "-G", "kcat-readers", topic, "-o", "beginning", "-e", "-q",
                            "-f", "%p %o %k %s\\n"))).isEqualTo(first);
                    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                            node.bootstrapServers()))) {
                        Map<TopicPartition, OffsetAndMetadata> committed =
                                admin.listConsumerGroupOffsets("kcat-readers").partitionsToOffsetAndMetadata().get();
                        assertThat(committed).containsOnlyKeys(new TopicPartition(topic, 0), new TopicPartition(topic, 1),
                                new TopicPartition(topic, 2));
                        committed.values().forEach(o -> assertThat(o.offset()).isEqualTo(10));
                    }
                }
            }
        }
        // A new member of the group starts at the committed offsets: only what came after.
        assertThat(lines(kcat("", "-G", "kcat-readers", topic, "-e", "-q", "-f", "%p %o %k %s\\n"))).isEqualTo(later);
    }

    private static Set<String> lines(String output) {
        return Arrays.stream(output.split("\n")).filter(l -> !l.isBlank()).collect(Collectors.toSet());
    }

    @Test
    void shouldListTheTopicAndFindOffsetsByTimestampForLibrdkafka() throws Exception {
        String topic = "kcat-metadata";
        createTopic(topic, 3);
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            lines.append("line-").append(i).append('\n');
        }
        kcat(lines.toString(), "-P", "-t", topic, "-p", "1");

        String metadata = kcat("", "-L", "-t", topic);
        assertThat(metadata).contains("broker 1 at " + node.bootstrapServers())
                .contains("topic \"" + topic + "\" with 3 partitions:")
                .contains("partition 0, leader 1, replicas: 1, isrs: 1")
                .contains("partition 2, leader 1, replicas: 1, isrs: 1");

        // Offset for a time: the first offset at or after it; one past the last record gives the end (-1 in kcat's terms).
        String early = kcat("", "-Q", "-t", topic + ":1:0");
        assertThat(early).contains(topic + " [1] offset 0");
        String late = kcat("", "-Q", "-t", topic + ":1:" + (System.currentTimeMillis() + 3_600_000L));
        assertThat(late).contains(topic + " [1] offset -1");
        String tail = kcat("", "-C", "-t", topic, "-p", "1", "-o", "-2", "-e", "-q", "-f", "%o %s\\n");
        assertThat(tail).isEqualTo("3 line-3\n4 line-4\n");
    }
}
