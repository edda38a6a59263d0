package io.gregor.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The real {@code bin/gregor start} process, as an operator runs it: it starts, answers Kafka
 * clients, stops cleanly on SIGTERM, and loses no acknowledged record when SIGKILLed in the
 * middle of a heavy acks=all produce. Runs after {@code package} (failsafe), when the jar exists.
 */
@Timeout(300)
class GregorProcessIT {

    private Path dataDir;
    private int port;
    private Process process;
    private final List<String> output = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        dataDir = Files.createTempDirectory("gregor-it-");
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
    }

    @AfterEach
    void tearDown() throws IOException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
        try (var paths = Files.walk(dataDir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static Path gregorRoot() {
        return Path.of(System.getProperty("gregor.root", "..")).toAbsolutePath().normalize();
    }

    /** bin/gregor with the jar this build packaged: never rebuilt from inside the build (GREGOR_REBUILD=off). */
    private static ProcessBuilder gregorProcess(String... args) {
        List<String> command = new ArrayList<>();
        command.add(gregorRoot().resolve("bin/gregor").toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("GREGOR_REBUILD", "off");
        return pb;
    }

    private void startBroker() throws IOException {
        Path root = gregorRoot();
        output.clear();
        ProcessBuilder pb = gregorProcess("start",
                "--override", "listeners=PLAINTEXT://127.0.0.1:" + port,
                "--override", "log.dirs=" + dataDir)
                .directory(root.toFile())
                .redirectErrorStream(true);
        process = pb.start();
        Process p = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "broker-output");
        reader.setDaemon(true);
        reader.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> output.stream().anyMatch(l -> l.contains("ready on")) || !p.isAlive());
        assertThat(p.isAlive()).as("broker output: %s", output).isTrue();
    }

    private String bootstrap() {
        return "127.0.0.1:" + port;
    }

    @Test
    void shouldStopCleanlyOnSigterm() throws Exception {
        startBroker();
        assertThat(output).anySatisfy(l -> assertThat(l).contains("ready on PLAINTEXT://127.0.0.1:" + port));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap()))) {
            admin.createTopics(List.of(new NewTopic("t", 1, (short) 1))).all().get();
        }
        // SIGTERM through the handle: Process.destroy() would also close our end of the
        // broker's stdout, and we want to read its shutdown lines.
        process.toHandle().destroy();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        // The output reader may still be draining the last lines after the exit.
        await().atMost(Duration.ofSeconds(10)).alias("exit code " + process.exitValue() + ", output " + output)
                .until(() -> output.stream().anyMatch(l -> l.contains("stopped in")));
        assertThat(Files.exists(dataDir.resolve(".kafka_cleanshutdown"))).isTrue();
    }

    @Test
    void shouldStopConsumingWhenStdoutIsClosed() throws Exception {
        startBroker();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap()))) {
            admin.createTopics(List.of(new NewTopic("piped", 1, (short) 1))).all().get();
        }
        Map<String, Object> props = Map.of("bootstrap.servers", bootstrap(),
                "key.serializer", StringSerializer.class.getName(), "value.serializer", StringSerializer.class.getName());
        Path stderr = dataDir.resolve("consume.err");
        Process consume = null;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>("piped", "r" + i));
            }
            producer.flush();
            // As `gregor consume piped --from-beginning | head -1`: read a line, then close the pipe.
            consume = gregorProcess("consume", "piped",
                    "--from-beginning", "-b", bootstrap())
                    .redirectError(stderr.toFile())
                    .start();
            BufferedReader records = new BufferedReader(new InputStreamReader(consume.getInputStream(), StandardCharsets.UTF_8));
            assertThat(records.readLine()).isEqualTo("r0");
            records.close();

            // It notices only when it next writes, so keep giving it records to print.
            Process p = consume;
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
                producer.send(new ProducerRecord<>("piped", "more"));
                return !p.isAlive();
            });
            assertThat(consume.exitValue()).as("stderr: %s", Files.readString(stderr)).isZero();
        } finally {
            if (consume != null) {
                consume.destroyForcibly();
            }
        }
    }

    @Test
    void shouldSendTheLinesItReadWhenInterrupted() throws Exception {
        startBroker();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap()))) {
            admin.createTopics(List.of(new NewTopic("interrupted", 1, (short) 1))).all().get();
        }
        // Records wait in the producer for linger.ms: only a close sends them before it ends.
        Path config = Files.writeString(dataDir.resolve("linger.properties"), "linger.ms=600000\nbatch.size=1000000\n");
        Path stderr = dataDir.resolve("produce.err");
        Process produce = gregorProcess("produce", "interrupted",
                "-b", bootstrap(), "--command-config", config.toString())
                .redirectError(stderr.toFile())
                .start();
        int lines = 5000;
        try {
            // 500 KB through a 64 KiB pipe: once written, all but the last ~64 KiB (+ the reader's
            // buffer) have been read, so at least ~4,000 lines are in the producer, whatever the timing.
            OutputStream stdin = produce.getOutputStream();
            String padding = "x".repeat(90);
            for (int i = 0; i < lines; i++) {
                stdin.write(String.format("%05d%s%n", i, padding).getBytes(StandardCharsets.UTF_8));
            }
            stdin.flush();
            // Ctrl-C, with stdin still open.
            new ProcessBuilder("kill", "-INT", String.valueOf(produce.pid())).start().waitFor();
            assertThat(produce.waitFor(30, TimeUnit.SECONDS)).as("stderr: %s", Files.readString(stderr)).isTrue();
        } finally {
            produce.destroyForcibly();
        }

        Map<String, Object> props = Map.of("bootstrap.servers", bootstrap(),
                "key.deserializer", StringDeserializer.class.getName(), "value.deserializer", StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            TopicPartition tp = new TopicPartition("interrupted", 0);
            consumer.assign(List.of(tp));
            assertThat(consumer.endOffsets(List.of(tp)).get(tp)).as("stderr: %s", Files.readString(stderr)).isGreaterThan(4000L);
        }
    }

    @Test
    void shouldLoseNoAcknowledgedRecordWhenKilledDuringHeavyProduce() throws Exception {
        startBroker();
        int partitions = 4;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap()))) {
            admin.createTopics(List.of(new NewTopic("heavy", partitions, (short) 1))).all().get();
        }
        Map<TopicPartition, Map<Long, String>> acked = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> producers = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            int id = t;
            Thread th = new Thread(() -> produceUntilStopped(id, stop, acked), "producer-" + t);
            th.start();
            producers.add(th);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> acked.values().stream().mapToInt(Map::size).sum() > 60_000);
        process.destroyForcibly(); // SIGKILL, mid-stream
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        stop.set(true);
        for (Thread th : producers) {
            th.join(60_000);
        }
        int ackedCount = acked.values().stream().mapToInt(Map::size).sum();

        startBroker();
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", bootstrap());
        props.put("key.deserializer", StringDeserializer.class.getName());
        props.put("value.deserializer", StringDeserializer.class.getName());
        props.put("enable.auto.commit", false);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> tps = new ArrayList<>(acked.keySet());
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Map<Long, String>> found = new HashMap<>();
            long deadline = System.currentTimeMillis() + 120_000;
            while (System.currentTimeMillis() < deadline && !containsAll(found, acked)) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    found.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), k -> new HashMap<>()).put(r.offset(), r.value());
                }
            }
            for (Map.Entry<TopicPartition, Map<Long, String>> e : acked.entrySet()) {
                Map<Long, String> got = found.getOrDefault(e.getKey(), Map.of());
                for (Map.Entry<Long, String> rec : e.getValue().entrySet()) {
                    assertThat(got.get(rec.getKey())).as("acknowledged record at %s offset %d", e.getKey(), rec.getKey())
                            .isEqualTo(rec.getValue());
                }
            }
        }
        assertThat(ackedCount).isGreaterThan(60_000);
    }

    private static boolean containsAll(Map<TopicPartition, Map<Long, String>> found, Map<TopicPartition, Map<Long, String>> acked) {
        for (Map.Entry<TopicPartition, Map<Long, String>> e : acked.entrySet()) {
            Map<Long, String> got = found.get(e.getKey());
            if (got == null || !got.keySet().containsAll(e.getValue().keySet())) {
                return false;
            }
        }
        return true;
    }

    private void produceUntilStopped(int id, AtomicBoolean stop, Map<TopicPartition, Map<Long, String>> acked) {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", bootstrap());
        props.put("key.serializer", StringSerializer.class.getName());
        props.put("value.serializer", StringSerializer.class.getName());
        props.put("acks", "all");
        props.put("linger.ms", 2);
        props.put("delivery.timeout.ms", 20_000);
        props.put("request.timeout.ms", 5_000);
        props.put("max.block.ms", 5_000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            long i = 0;
            while (!stop.get()) {
                String value = "p" + id + "-" + i++;
                try {
                    producer.send(new ProducerRecord<>("heavy", value), (md, e) -> {
                        if (e == null) {
                            acked.computeIfAbsent(new TopicPartition(md.topic(), md.partition()), k -> new ConcurrentHashMap<>())
                                    .put(md.offset(), value);
                        }
                    });
                } catch (RuntimeException e) {
                    // The broker is gone: keep trying until told to stop; unacknowledged sends do not count.
                }
            }
            producer.close(Duration.ofSeconds(5));
        }
    }
}
