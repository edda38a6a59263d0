package io.gregor.cli;

import static io.gregor.cli.Gregor.ok;
import static io.gregor.cli.Gregor.userError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every client command through the Kafka protocol against one in-JVM Gregor node, as a user
 * would run them. Each test uses its own topics, so they share the node.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CliIntegrationTest extends SharedNodeCliTest {

    @TempDir
    Path dir;

    @Test
    void shouldCreateListDescribeAndDeleteTopics() {
        assertThat(ok(gregor("topics", "create", "orders", "--partitions", "3", "--replication-factor", "1",
                "--config", "retention.ms=3600000")).out()).isEqualTo("Created topic orders.\n");
        ok(gregor("topics", "create", "audit"));

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(ok(gregor("topics", "list")).outLines()).contains("audit", "orders"));

        List<String> describe = ok(gregor("topics", "describe", "orders")).outLines();
        assertThat(describe).hasSize(4);
        assertThat(describe.get(0)).startsWith("Topic: orders\tTopicId: ")
                .contains("\tPartitionCount: 3\tReplicationFactor: 1\tConfigs: retention.ms=3600000");
        assertThat(describe.get(1)).matches("\tTopic: orders\tPartition: 0\tLeader: \\d+\tReplicas: \\d+\tIsr: \\d+");
        assertThat(describe.get(3)).startsWith("\tTopic: orders\tPartition: 2\t");

        assertThat(ok(gregor("topics", "delete", "orders", "audit", "orders")).outLines())
                .containsExactly("Deleted topic orders.", "Deleted topic audit.");
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(ok(gregor("topics", "list")).outLines()).doesNotContain("audit", "orders"));
    }

    @Test
    void shouldDescribeAllTopicsWhenNoneIsNamed() {
        ok(gregor("topics", "create", "describe-all-a"));
        ok(gregor("topics", "create", "describe-all-b", "--partitions", "2"));

        List<String> lines = ok(gregor("topics", "describe")).outLines();

        assertThat(lines).anyMatch(l -> l.startsWith("Topic: describe-all-a\t") && l.contains("PartitionCount: 1"));
        assertThat(lines).anyMatch(l -> l.startsWith("Topic: describe-all-b\t") && l.contains("PartitionCount: 2"));
    }

    @Test
    void shouldAlterPartitionsAndConfigs() {
        ok(gregor("topics", "create", "alter-me", "--partitions", "1"));

        assertThat(ok(gregor("topics", "alter", "alter-me", "--partitions", "3", "--config", "retention.ms=1000",
                "--config", "cleanup.policy=compact")).out()).isEqualTo("Altered topic alter-me.\n");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(ok(gregor("topics", "describe", "alter-me")).outLines().get(0))
                .contains("PartitionCount: 3").endsWith("Configs: cleanup.policy=compact,retention.ms=1000"));

        ok(gregor("topics", "alter", "alter-me", "--delete-config", "retention.ms"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(ok(gregor("topics", "describe", "alter-me")).outLines().get(0))
                .endsWith("Configs: cleanup.policy=compact"));
    }

    @Test
    void shouldPrintOneLineWhenTopicAlreadyExists() {
        ok(gregor("topics", "create", "twice"));

        Gregor.Result again = userError(gregor("topics", "create", "twice"));

        assertThat(again.err()).isEqualTo("error: Topic 'twice' already exists.\n");
        assertThat(ok(gregor("topics", "create", "twice", "--if-not-exists")).out()).isEmpty();
    }

    @Test
    void shouldPrintOneLineWhenTopicDoesNotExist() {
        assertThat(userError(gregor("topics", "describe", "nope")).err()).isEqualTo("error: Topic 'nope' does not exist.\n");
        assertThat(userError(gregor("topics", "delete", "nope")).err()).isEqualTo("error: Topic 'nope' does not exist.\n");
        assertThat(userError(gregor("topics", "alter", "nope", "--partitions", "2")).err())
                .isEqualTo("error: Topic 'nope' does not exist.\n");
        assertThat(userError(gregor("consume", "nope", "--timeout-ms", "100")).err())
                .isEqualTo("error: Topic 'nope' does not exist.\n");
        ok(gregor("topics", "delete", "nope", "--if-exists"));
    }

    @Test
    void shouldPrintOneLineWhenShrinkingPartitions() {
        ok(gregor("topics", "create", "shrink", "--partitions", "2"));

        userError(gregor("topics", "alter", "shrink", "--partitions", "1"));
    }

    @Test
    void shouldRoundTripKeyedLines() {
        ok(gregor("topics", "create", "round-trip", "--partitions", "1"));
        String input = "k1\tv1\nk2\tvalue with spaces\n\tempty key\nk4\t\nk5\tünïcødé ✓\n";

        assertThat(ok(gregorWithStdin(input, "produce", "round-trip")).out()).isEmpty();
        Gregor.Result consumed = ok(gregor("consume", "round-trip", "--from-beginning", "--print-key",
                "--max-messages", "5", "--timeout-ms", "15000"));

        assertThat(consumed.out()).isEqualTo(input);
    }

    @Test
    void shouldPrintNullKeyForLinesWithoutSeparator() {
        ok(gregor("topics", "create", "no-key"));

        ok(gregorWithStdin("plain value\nk\tv\n", "produce", "no-key"));
        ok(gregorWithStdin("a\tb\n", "produce", "no-key", "--no-key"));

        assertThat(ok(gregor("consume", "no-key", "--from-beginning", "--print-key", "--separator", "|",
                "--max-messages", "3", "--timeout-ms", "15000")).outLines())
                .containsExactly("null|plain value", "k|v", "null|a\tb");
    }

    @Test
    void shouldProduceToPartitionWithHeadersAndPrintEveryField() {
        ok(gregor("topics", "create", "fields", "--partitions", "3"));

        Gregor.Result produced = ok(gregorWithStdin("k1:v1\nk2:v2\n", "produce", "fields", "--partition", "2",
                "--key-separator", ":", "--header", "trace=abc=1", "--header", "source=test", "--verbose"));
        assertThat(produced.outLines()).containsExactly("2 0", "2 1");

        List<String> lines = ok(gregor("consume", "fields", "--from-beginning", "--print-partition", "--print-offset",
                "--print-headers", "--print-key", "--print-timestamp", "--max-messages", "2", "--timeout-ms", "15000")).outLines();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).matches("\\d{13}\t2\t0\ttrace=abc=1,source=test\tk1\tv1");
        assertThat(lines.get(1)).matches("\\d{13}\t2\t1\ttrace=abc=1,source=test\tk2\tv2");
    }

    @Test
    void shouldReadOnePartitionFromAnOffset() {
        ok(gregor("topics", "create", "from-offset", "--partitions", "2"));
        ok(gregorWithStdin("a\nb\nc\nd\n", "produce", "from-offset", "--partition", "1"));
        ok(gregorWithStdin("x\n", "produce", "from-offset", "--partition", "0"));

        assertThat(ok(gregor("consume", "from-offset", "--partition", "1", "--offset", "2", "--print-offset",
                "--timeout-ms", "2000")).outLines()).containsExactly("2\tc", "3\td");
        assertThat(ok(gregor("consume", "from-offset", "--partition", "1", "--offset", "99", "--timeout-ms", "500")).out())
                .isEmpty();
    }

    @Test
    void shouldStartAtTheEndByDefault() {
        ok(gregor("topics", "create", "from-end"));
        ok(gregorWithStdin("old\n", "produce", "from-end"));

        assertThat(ok(gregor("consume", "from-end", "--timeout-ms", "1000")).out()).isEmpty();
    }

    @Test
    void shouldStartAtTimestamp() {
        ok(gregor("topics", "create", "by-time", "--partitions", "2"));
        ok(gregorWithStdin("before-1\nbefore-2\n", "produce", "by-time"));
        long lastBeforeMs = ok(gregor("consume", "by-time", "--from-beginning", "--print-timestamp", "--max-messages", "2",
                "--timeout-ms", "15000")).outLines().stream()
                .mapToLong(line -> Long.parseLong(line.substring(0, line.indexOf('\t'))))
                .max().orElseThrow();
        // Later records get a CreateTime after every earlier one only once the clock has moved on.
        await().atMost(Duration.ofSeconds(5)).until(() -> System.currentTimeMillis() > lastBeforeMs);
        ok(gregorWithStdin("after-1\nafter-2\n", "produce", "by-time"));

        String fromMs = String.valueOf(lastBeforeMs + 1);
        String fromIso = Instant.ofEpochMilli(lastBeforeMs + 1).toString();
        assertThat(ok(gregor("consume", "by-time", "--from-timestamp", fromMs, "--max-messages", "2", "--timeout-ms", "15000"))
                .outLines()).containsExactlyInAnyOrder("after-1", "after-2");
        assertThat(ok(gregor("consume", "by-time", "--from-timestamp", fromIso, "--max-messages", "2", "--timeout-ms", "15000"))
                .outLines()).containsExactlyInAnyOrder("after-1", "after-2");
        assertThat(ok(gregor("consume", "by-time", "--from-timestamp", "4102444800000", "--timeout-ms", "1000")).out()).isEmpty();
    }

    @Test
    void shouldProduceWithEveryCompressionAndAcks() {
        ok(gregor("topics", "create", "codecs"));
        List<String> codecs = List.of("none", "gzip", "snappy", "lz4", "zstd");
        for (String codec : codecs) {
            ok(gregorWithStdin(codec + "\n", "produce", "codecs", "--compression", codec, "--acks", "1"));
        }
        ok(gregorWithStdin("acks-all\n", "produce", "codecs", "--acks", "all"));

        assertThat(ok(gregor("consume", "codecs", "--from-beginning", "--max-messages", "6", "--timeout-ms", "15000")).outLines())
                .containsExactly("none", "gzip", "snappy", "lz4", "zstd", "acks-all");
    }

    @Test
    void shouldRejectPartitionTheTopicDoesNotHave() {
        ok(gregor("topics", "create", "two-partitions", "--partitions", "2"));

        assertThat(userError(gregorWithStdin("a\n", "produce", "two-partitions", "--partition", "5")).err())
                .isEqualTo("error: --partition: 5 (expected: 0..1; topic 'two-partitions' has 2 partitions)\n");
        assertThat(userError(gregor("consume", "two-partitions", "--partition", "2")).err())
                .isEqualTo("error: --partition: 2 (expected: 0..1; topic 'two-partitions' has 2 partitions)\n");
    }

    @Test
    void shouldAcceptALongerRequestTimeoutAlone() throws IOException {
        // The clients require default.api.timeout.ms >= request.timeout.ms and
        // delivery.timeout.ms >= linger.ms + request.timeout.ms; the user set neither.
        String config = Files.writeString(dir.resolve("slow.properties"), "request.timeout.ms=40000\n").toString();
        ok(gregor("topics", "create", "slow-timeouts"));

        assertThat(ok(gregor("topics", "list", "--command-config", config)).outLines()).contains("slow-timeouts");
        ok(gregorWithStdin("a\n", "produce", "slow-timeouts", "--command-config", config));
        assertThat(ok(gregor("consume", "slow-timeouts", "--from-beginning", "--max-messages", "1", "--timeout-ms", "15000",
                "--command-config", config)).outLines()).containsExactly("a");
    }

    @Test
    void shouldNameMaxMessageBytesWhenALineIsTooLarge() throws IOException {
        ok(gregor("topics", "create", "small", "--config", "max.message.bytes=1000"));
        String config = Files.writeString(dir.resolve("short.properties"),
                "request.timeout.ms=2000\ndelivery.timeout.ms=5000\n").toString();
        String tooLarge = "x".repeat(5000);

        // Alone, the broker's MESSAGE_TOO_LARGE reaches the callback; followed by another line,
        // both share a batch that the producer splits and retries until delivery.timeout.ms.
        Gregor.Result alone = userError(gregorWithStdin(tooLarge + "\n", "produce", "small", "--command-config", config));
        Gregor.Result withAnother = userError(gregorWithStdin(tooLarge + "\nok\n", "produce", "small", "--command-config", config));

        assertThat(alone.err()).contains("max.message.bytes");
        assertThat(withAnother.err()).contains("MESSAGE_TOO_LARGE").contains("5000 bytes").contains("max.message.bytes");
    }

    @Test
    void shouldDescribeCluster() {
        List<String> lines = ok(gregor("cluster")).outLines();

        assertThat(lines.get(0)).matches("Cluster ID: \\S+");
        assertThat(lines.get(1)).matches("Controller: \\d+ .*");
        assertThat(lines.get(2)).isEqualTo("Brokers:");
        assertThat(lines.get(3)).matches("  \\d+ [^ ]+:" + node.port() + " rack=none");
    }
}
