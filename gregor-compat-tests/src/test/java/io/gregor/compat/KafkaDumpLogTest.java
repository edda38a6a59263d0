package io.gregor.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.gregor.compat.KafkaCliToolsTest.Result;
import io.gregor.testkit.TestNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Kafka's kafka-dump-log (DumpLogSegments, run through its 4.4.0 main class in a child JVM) reads Gregor's segment
 * files and their offset and time indexes as it reads Kafka's: what an operator debugging a partition on disk runs.
 */
@Timeout(180)
class KafkaDumpLogTest {
    private static final String TOOL = "org.apache.kafka.tools.DumpLogSegments";
    private static final int RECORDS = 3_000;

    @Test
    void shouldDumpAndVerifyGregorsSegmentsAndIndexesWithKafkaDumpLog() throws Exception {
        Path dir;
        try (TestNode node = TestNode.start()) {
            Properties admin = new Properties();
            admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
            try (Admin client = Admin.create(admin)) {
                // 1 MiB segments (Kafka's smallest): ~3 MB of records roll a few of them.
                client.createTopics(List.of(new NewTopic("dumped", 1, (short) 1)
                        .configs(Map.of("segment.bytes", "1048576")))).all().get();
            }
            for (String codec : List.of("none", "lz4")) {
                Properties p = new Properties();
                p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
                p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec);
                try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
                    for (int i = 0; i < RECORDS / 2; i++) {
                        int n = codec.equals("none") ? i : RECORDS / 2 + i;
                        ProducerRecord<String, String> r = new ProducerRecord<>("dumped", 0, "k-" + n, "value-" + n + "-" + "x".repeat(1000));
                        r.headers().add("h", ("hv-" + n).getBytes(StandardCharsets.UTF_8));
                        producer.send(r);
                    }
                    producer.flush();
                }
            }
            dir = node.dataDir().resolve("dumped-0");
            node.stop(); // a clean shutdown: the active segment's indexes are on disk as Kafka leaves them
            List<Path> logs = files(dir, ".log");
            List<Path> indexes = Stream.concat(files(dir, ".index").stream(), files(dir, ".timeindex").stream()).toList();
            assertThat(logs).as("rolled segments").hasSizeGreaterThan(1);

            Result dump = KafkaCliToolsTest.run(null, TOOL, "--files", joined(logs), "--print-data-log");
            assertThat(dump.exitCode()).as(dump.stderr()).isZero();
            List<String> batches = dump.stdout().lines().filter(l -> l.startsWith("baseOffset: ")).toList();
            assertThat(batches).isNotEmpty().allSatisfy(b -> assertThat(b).contains("isvalid: true"));
            assertThat(batches).anySatisfy(b -> assertThat(b).contains("compresscodec: lz4"))
                    .anySatisfy(b -> assertThat(b).contains("compresscodec: none"));
            List<String> records = dump.stdout().lines().filter(l -> l.startsWith("| offset: ")).toList();
            assertThat(records).hasSize(RECORDS);
            for (int n : new int[] {0, 1_234, RECORDS / 2, RECORDS - 1}) {
                assertThat(records.get(n)).startsWith("| offset: " + n + " ").contains("headerKeys: [h]")
                        .contains("key: k-" + n + " payload: value-" + n + "-x");
            }

            // --verify-index-only reads every index entry and checks it against the log; it prints nothing else
            // unless an entry points at the wrong batch or a timestamp is out of order.
            Result verify = KafkaCliToolsTest.run(null, TOOL, "--files", joined(indexes), "--verify-index-only");
            assertThat(verify.exitCode()).as(verify.stderr()).isZero();
            assertThat(verify.stdout().lines().filter(l -> !l.startsWith("Dumping "))).isEmpty();
            Result sanity = KafkaCliToolsTest.run(null, TOOL, "--files", joined(indexes), "--index-sanity-check");
            assertThat(sanity.stdout().lines().filter(l -> l.endsWith("passed sanity check."))).hasSize(indexes.size());

            Result index = KafkaCliToolsTest.run(null, TOOL, "--files", files(dir, ".index").get(0).toString());
            assertThat(index.stdout().lines().filter(l -> l.startsWith("offset: "))).as("sparse entries").isNotEmpty();
        }
    }

    private static List<Path> files(Path dir, String suffix) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> f.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }

    private static String joined(List<Path> files) {
        return files.stream().map(Path::toString).collect(Collectors.joining(","));
    }
}
