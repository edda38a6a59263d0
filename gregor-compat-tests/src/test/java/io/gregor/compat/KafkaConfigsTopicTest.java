package io.gregor.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.gregor.compat.KafkaCliToolsTest.Result;
import io.gregor.testkit.TestNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Kafka 4.4's kafka-configs (ConfigCommand main class, in a child JVM) on topic configs against an in-process Gregor
 * node; the expected output was captured from the same commands against an Apache Kafka 4.4 broker.
 */
@Timeout(180)
class KafkaConfigsTopicTest {

    private static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static Result configs(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("--bootstrap-server", node.bootstrapServers(), "--entity-type", "topics"));
        all.addAll(List.of(args));
        return KafkaCliToolsTest.run(null, "org.apache.kafka.tools.ConfigCommand", all.toArray(new String[0]));
    }

    private static void createTopic(String name) throws Exception {
        Result created = KafkaCliToolsTest.run(null, "org.apache.kafka.tools.TopicCommand", "--bootstrap-server",
                node.bootstrapServers(), "--create", "--topic", name, "--partitions", "1");
        assertThat(created.exitCode()).as(created.stderr()).isZero();
    }

    @Test
    void shouldDescribeAllTheTopicConfigsKafka44Lists() throws Exception {
        createTopic("configs-all");

        Result all = configs("--describe", "--entity-name", "configs-all", "--all");

        assertThat(all.exitCode()).as(all.stderr()).isZero();
        List<String> names = all.stdout().lines().filter(l -> l.startsWith("  ")).map(l -> l.trim().split("=", 2)[0]).toList();
        // The exact names are TopicConfigsTest's; here: what the tool shows, 37 in name order as on Kafka 4.4.
        assertThat(names).isSorted().doesNotHaveDuplicates().hasSize(37).contains("compression.gzip.level",
                "compression.lz4.level", "compression.zstd.level", "errors.deadletterqueue.group.enable",
                "follower.replication.throttled.replicas", "leader.replication.throttled.replicas",
                "local.retention.bytes", "local.retention.ms", "max.decompressed.message.bytes", "remote.copy.lag.bytes",
                "remote.copy.lag.ms", "remote.log.copy.disable", "remote.log.delete.on.disable", "remote.storage.enable");
        assertThat(all.stdout()).contains(
                "  compression.zstd.level=3 sensitive=false synonyms={DEFAULT_CONFIG:compression.zstd.level=3}",
                "  local.retention.bytes=-2 sensitive=false synonyms={DEFAULT_CONFIG:log.local.retention.bytes=-2}",
                "  max.decompressed.message.bytes=2147483639 sensitive=false"
                        + " synonyms={DEFAULT_CONFIG:max.decompressed.message.bytes=2147483639}",
                "  leader.replication.throttled.replicas= sensitive=false synonyms={}",
                "  remote.storage.enable=false sensitive=false synonyms={}");
    }

    @Test
    void shouldAlterNewTopicConfigsAndRefuseRemoteStorageAsKafka44Does() throws Exception {
        createTopic("configs-alter");

        Result altered = configs("--alter", "--entity-name", "configs-alter",
                "--add-config", "compression.gzip.level=1,cleanup.policy=[],local.retention.ms=-1");
        assertThat(altered.exitCode()).as(altered.stderr()).isZero();
        assertThat(altered.stdout()).contains("Completed updating config for topic configs-alter.");

        Result described = configs("--describe", "--entity-name", "configs-alter");
        assertThat(described.stdout().lines().toList()).containsExactly(
                "Dynamic configs for topic configs-alter are:",
                "  cleanup.policy= sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:cleanup.policy=,"
                        + " DEFAULT_CONFIG:log.cleanup.policy=delete}",
                "  compression.gzip.level=1 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:compression.gzip.level=1,"
                        + " DEFAULT_CONFIG:compression.gzip.level=-1}",
                "  local.retention.ms=-1 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:local.retention.ms=-1,"
                        + " DEFAULT_CONFIG:log.local.retention.ms=-2}");

        Result tiered = configs("--alter", "--entity-name", "configs-alter", "--add-config", "remote.storage.enable=true");
        assertThat(tiered.stdout() + tiered.stderr()).contains("InvalidConfigurationException: Tiered Storage functionality"
                + " is disabled in the broker. Topic cannot be configured with remote log storage.");
        Result gzip = configs("--alter", "--entity-name", "configs-alter", "--add-config", "compression.gzip.level=10");
        assertThat(gzip.stdout() + gzip.stderr()).contains("Invalid value 10 for configuration compression.gzip.level:"
                + " Value must be between 1 and 9 or equal to -1");
        assertThat(configs("--describe", "--entity-name", "configs-alter").stdout())
                .doesNotContain("remote.storage.enable").contains("compression.gzip.level=1 ");
    }
}
