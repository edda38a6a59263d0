package io.gregor.compat;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import io.gregor.testkit.TestNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka's own command-line tools (kafka-topics, kafka-configs for topics, brokers and broker-loggers,
 * kafka-console-producer, kafka-console-consumer, kafka-metadata-quorum, kafka-acls),
 * run through their 4.4.0 main classes in child JVMs (they call System.exit), against an
 * in-process Gregor node. Only the tools' main classes are used, never Kafka's broker classes.
 */
@Timeout(180)
class KafkaCliToolsTest {

    private static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    record Result(int exitCode, String stdout, String stderr) {
    }

    static Result run(String stdin, String mainClass, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("tool-out", ".txt");
        Path err = Files.createTempFile("tool-err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(mainClass + " did not finish; stderr: " + Files.readString(err));
        }
        Result r = new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        Files.delete(out);
        Files.delete(err);
        return r;
    }

    /** An admin tool's main class with {@code --bootstrap-server} pointing at the node. */
    private static Result admin(String mainClass, String... args) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("--bootstrap-server", node.bootstrapServers()));
        all.addAll(List.of(args));
        return run(null, mainClass, all.toArray(new String[0]));
    }

    private static Result topics(String... args) throws IOException, InterruptedException {
        return admin("org.apache.kafka.tools.TopicCommand", args);
    }

    private static Result configs(String... args) throws IOException, InterruptedException {
        return admin("org.apache.kafka.tools.ConfigCommand", args);
    }

    @Test
    void shouldCreateListDescribeAlterAndDeleteTopicsWithKafkaTopics() throws Exception {
        Result created = topics("--create", "--topic", "cli-topic", "--partitions", "3", "--replication-factor", "1",
                "--config", "retention.ms=3600000");
        assertThat(created.exitCode()).as(created.stderr()).isZero();
        assertThat(created.stdout()).contains("Created topic cli-topic.");

        Result again = topics("--create", "--topic", "cli-topic", "--partitions", "1");
        assertThat(again.exitCode()).isNotZero();
        assertThat(again.stdout() + again.stderr()).contains("already exists");

        Result list = topics("--list");
        assertThat(list.exitCode()).as(list.stderr()).isZero();
        assertThat(list.stdout().lines()).contains("cli-topic");

        Result describe = topics("--describe", "--topic", "cli-topic");
        assertThat(describe.exitCode()).as(describe.stderr()).isZero();
        assertThat(describe.stdout()).contains("Topic: cli-topic").contains("TopicId:").contains("PartitionCount: 3")
                .contains("retention.ms=3600000").contains("Partition: 2");

        Result alter = topics("--alter", "--topic", "cli-topic", "--partitions", "5");
        assertThat(alter.exitCode()).as(alter.stderr()).isZero();
        assertThat(topics("--describe", "--topic", "cli-topic").stdout()).contains("PartitionCount: 5");

        Result delete = topics("--delete", "--topic", "cli-topic");
        assertThat(delete.exitCode()).as(delete.stderr()).isZero();
        assertThat(topics("--list").stdout().lines()).doesNotContain("cli-topic");
    }

    @Test
    void shouldAlterDescribeAndDeleteDynamicBrokerConfigsWithKafkaConfigs() throws Exception {
        assertThat(topics("--create", "--topic", "cli-dynamic", "--partitions", "1").exitCode()).isZero();
        Result plain = topics("--describe", "--topic", "cli-dynamic");
        // Kafka 4.4 writes this cluster default when the cluster is formatted (KIP-966).
        assertThat(plain.stdout()).contains("Configs: min.insync.replicas=1");
        assertThat(topics("--describe", "--topics-with-overrides").stdout()).contains("Topic: cli-dynamic");

        Result alterDefault = configs("--alter", "--entity-type", "brokers", "--entity-default", "--add-config", "log.retention.ms=3600000");
        assertThat(alterDefault.exitCode()).as(alterDefault.stderr()).isZero();
        assertThat(alterDefault.stdout()).contains("Completed updating default config for brokers in the cluster.");
        Result alterOne = configs("--alter", "--entity-type", "brokers", "--entity-name", "1", "--add-config", "message.max.bytes=500000");
        assertThat(alterOne.exitCode()).as(alterOne.stderr()).isZero();

        Result describeDefault = configs("--describe", "--entity-type", "brokers", "--entity-default");
        assertThat(describeDefault.stdout()).contains(
                "log.retention.ms=3600000 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=3600000}");
        Result describeOne = configs("--describe", "--entity-type", "brokers", "--entity-name", "1");
        assertThat(describeOne.stdout()).contains("message.max.bytes=500000 sensitive=false synonyms={DYNAMIC_BROKER_CONFIG:message.max.bytes=500000");
        assertThat(topics("--describe", "--topic", "cli-dynamic").stdout())
                .contains("max.message.bytes=500000").contains("retention.ms=3600000");

        Result refused = configs("--alter", "--entity-type", "brokers", "--entity-default", "--add-config", "log.dirs=/elsewhere");
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.stdout() + refused.stderr()).contains("Cannot update these configs dynamically: [log.dirs]");

        assertThat(configs("--alter", "--entity-type", "brokers", "--entity-default", "--delete-config", "log.retention.ms").exitCode()).isZero();
        assertThat(configs("--alter", "--entity-type", "brokers", "--entity-name", "1", "--delete-config", "message.max.bytes").exitCode()).isZero();
        assertThat(topics("--describe", "--topic", "cli-dynamic").stdout())
                .doesNotContain("max.message.bytes=").doesNotContain("retention.ms=");
    }

    @Test
    void shouldAlterDescribeAndDeleteGroupConfigsWithKafkaConfigs() throws Exception {
        Result alter = configs("--alter", "--entity-type", "groups", "--entity-name", "cli-group",
                "--add-config", "consumer.session.timeout.ms=50000,consumer.heartbeat.interval.ms=6000");
        assertThat(alter.exitCode()).as(alter.stderr()).isZero();
        assertThat(alter.stdout()).contains("Completed updating config for group cli-group.");

        Result described = configs("--describe", "--entity-type", "groups", "--entity-name", "cli-group");
        assertThat(described.exitCode()).as(described.stderr()).isZero();
        assertThat(described.stdout()).contains("consumer.session.timeout.ms=50000 sensitive=false synonyms={DYNAMIC_GROUP_CONFIG:"
                + "consumer.session.timeout.ms=50000, DEFAULT_CONFIG:group.consumer.session.timeout.ms=45000}");
        // Listing every group with configs goes through ListConfigResources.
        assertThat(configs("--describe", "--entity-type", "groups").stdout()).contains("Dynamic configs for group cli-group are:");

        Result refused = configs("--alter", "--entity-type", "groups", "--entity-name", "cli-group",
                "--add-config", "consumer.session.timeout.ms=1000");
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.stdout() + refused.stderr()).contains("consumer.session.timeout.ms must be in the range 45000 to 60000 inclusive.");

        assertThat(configs("--alter", "--entity-type", "groups", "--entity-name", "cli-group",
                "--delete-config", "consumer.session.timeout.ms,consumer.heartbeat.interval.ms").exitCode()).isZero();
        assertThat(configs("--describe", "--entity-type", "groups", "--entity-name", "cli-group").stdout())
                .doesNotContain("DYNAMIC_GROUP_CONFIG");
    }

    @Test
    void shouldSetDescribeAndDeleteLogLevelsWithKafkaConfigsBrokerLoggers() throws Exception {
        Logger coordinator = LoggerFactory.getLogger("io.gregor.group.GroupCoordinator");
        try {
            Result before = configs("--describe", "--entity-type", "broker-loggers", "--entity-name", "1");
            assertThat(before.exitCode()).as(before.stderr()).isZero();
            // logback-test.xml: root WARN, io.gregor INFO.
            assertThat(before.stdout()).contains("Dynamic configs for broker-logger 1 are:")
                    .contains("  root=WARN sensitive=false synonyms={}").contains("  io.gregor.group=INFO sensitive=false synonyms={}");

            Result set = configs("--alter", "--entity-type", "broker-loggers", "--entity-name", "1", "--add-config", "io.gregor.group=DEBUG");
            assertThat(set.exitCode()).as(set.stderr()).isZero();
            assertThat(set.stdout()).contains("Completed updating config for broker-logger 1.");
            assertThat(coordinator.isDebugEnabled()).isTrue();
            assertThat(configs("--describe", "--entity-type", "broker-loggers", "--entity-name", "1").stdout())
                    .contains("  io.gregor.group=DEBUG sensitive=false synonyms={}")
                    .contains("  io.gregor.group.GroupCoordinator=DEBUG sensitive=false synonyms={}");

            Result rootRefused = configs("--alter", "--entity-type", "broker-loggers", "--entity-name", "1", "--delete-config", "root");
            assertThat(rootRefused.exitCode()).isNotZero();
            assertThat(rootRefused.stdout() + rootRefused.stderr()).contains("Removing the log level of the root logger is not allowed");

            Result delete = configs("--alter", "--entity-type", "broker-loggers", "--entity-name", "1", "--delete-config", "io.gregor.group");
            assertThat(delete.exitCode()).as(delete.stderr()).isZero();
            assertThat(coordinator.isDebugEnabled()).isFalse();
            assertThat(configs("--describe", "--entity-type", "broker-loggers", "--entity-name", "1").stdout())
                    .contains("  io.gregor.group=INFO sensitive=false synonyms={}");
        } finally {
            ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger("io.gregor.group").setLevel(null);
        }
    }

    @Test
    void shouldProduceWithConsoleProducerAndReadBackWithConsoleConsumer() throws Exception {
        assertThat(topics("--create", "--topic", "console", "--partitions", "1").exitCode()).isZero();
        String lines = "k1:first\nk2:second\nk3:third\n";
        Result produced = run(lines, "org.apache.kafka.tools.ConsoleProducer", "--bootstrap-server", node.bootstrapServers(),
                "--topic", "console", "--property", "parse.key=true", "--property", "key.separator=:");
        assertThat(produced.exitCode()).as(produced.stderr()).isZero();

        Result consumed = run(null, "org.apache.kafka.tools.consumer.ConsoleConsumer", "--bootstrap-server", node.bootstrapServers(),
                "--topic", "console", "--partition", "0", "--offset", "earliest", "--max-messages", "3",
                "--formatter-property", "print.key=true", "--formatter-property", "key.separator=:",
                "--formatter-property", "print.offset=true");
        assertThat(consumed.exitCode()).as(consumed.stderr()).isZero();
        assertThat(consumed.stdout().lines().toList()).containsExactly(
                "Offset:0:k1:first", "Offset:1:k2:second", "Offset:2:k3:third");
    }

    @Test
    void shouldDescribeTheMetadataQuorumAndAnswerAclsAsKafkaWithoutAnAuthorizer() throws Exception {
        Result status = admin("org.apache.kafka.tools.MetadataQuorumCommand", "describe", "--status");
        assertThat(status.exitCode()).as(status.stderr()).isZero();
        assertThat(status.stdout()).containsPattern("(?m)^LeaderId: +1$").containsPattern("(?m)^MaxFollowerLag: +0$")
                .containsPattern("(?m)^CurrentVoters: +\\[\\{\"id\": 1\\}\\]$").containsPattern("(?m)^CurrentObservers: +\\[\\]$");

        Result replication = admin("org.apache.kafka.tools.MetadataQuorumCommand", "describe", "--replication", "--human-readable");
        assertThat(replication.exitCode()).as(replication.stderr()).isZero();
        assertThat(replication.stdout().lines().filter(l -> l.startsWith("1 ")).toList())
                .singleElement().satisfies(row -> {
                    List<String> columns = List.of(row.split("\t")).stream().map(String::strip).toList();
                    // NodeId, DirectoryId, LogEndOffset, Lag, LastFetchTimestamp, LastCaughtUpTimestamp, Status
                    assertThat(columns.get(3)).isEqualTo("0");
                    assertThat(columns.get(4)).endsWith(" ms ago");
                    assertThat(columns.get(6)).isEqualTo("Leader");
                });

        // kafka-acls against Kafka with no authorizer.class.name: the same error, exit code 1.
        Result acls = admin("org.apache.kafka.tools.AclCommand", "--list");
        assertThat(acls.exitCode()).isEqualTo(1);
        assertThat(acls.stdout() + acls.stderr()).contains("SecurityDisabledException: No Authorizer is configured.");
    }

    /**
     * kafka-reassign-partitions on one node, as on a one-node Kafka: nothing to list, a plan that keeps each partition on
     * broker 1 executes (with a throttle, set on the broker and the topic) and verifies as completed, clearing the
     * throttles; a plan naming another broker fails (the tool checks the brokers itself).
     */
    @Test
    void shouldListExecuteAndVerifyAReassignmentWithKafkaReassignPartitions() throws Exception {
        String tool = "org.apache.kafka.tools.reassign.ReassignPartitionsCommand";
        assertThat(topics("--create", "--topic", "cli-moved", "--partitions", "2").exitCode()).isZero();
        Result list = admin(tool, "--list");
        assertThat(list.exitCode()).as(list.stderr()).isZero();
        assertThat(list.stdout()).contains("No partition reassignments found.");

        Path dir = Files.createTempDirectory("reassign");
        Path topicsFile = Files.writeString(dir.resolve("topics.json"), "{\"topics\":[{\"topic\":\"cli-moved\"}],\"version\":1}");
        Result generate = admin(tool, "--generate", "--topics-to-move-json-file", topicsFile.toString(), "--broker-list", "1");
        assertThat(generate.exitCode()).as(generate.stderr()).isZero();
        assertThat(generate.stdout()).contains("Proposed partition reassignment configuration")
                .contains("{\"topic\":\"cli-moved\",\"partition\":1,\"replicas\":[1],\"log_dirs\":[\"any\"]}");

        Path plan = Files.writeString(dir.resolve("plan.json"), "{\"version\":1,\"partitions\":["
                + "{\"topic\":\"cli-moved\",\"partition\":0,\"replicas\":[1]},{\"topic\":\"cli-moved\",\"partition\":1,\"replicas\":[1]}]}");
        Result execute = admin(tool, "--execute", "--reassignment-json-file", plan.toString(), "--throttle", "1000000");
        assertThat(execute.exitCode()).as(execute.stdout() + execute.stderr()).isZero();
        assertThat(execute.stdout()).contains("Successfully started partition reassignments for cli-moved-0,cli-moved-1");
        assertThat(configs("--describe", "--entity-type", "brokers", "--entity-name", "1").stdout())
                .contains("leader.replication.throttled.rate=1000000");

        Result verify = admin(tool, "--verify", "--reassignment-json-file", plan.toString());
        assertThat(verify.exitCode()).as(verify.stderr()).isZero();
        assertThat(verify.stdout()).contains("Reassignment of partition cli-moved-0 is completed.")
                .contains("Reassignment of partition cli-moved-1 is completed.").contains("Clearing broker-level throttles on broker 1");
        assertThat(configs("--describe", "--entity-type", "brokers", "--entity-name", "1").stdout())
                .doesNotContain("replication.throttled.rate");

        Path elsewhere = Files.writeString(dir.resolve("elsewhere.json"),
                "{\"version\":1,\"partitions\":[{\"topic\":\"cli-moved\",\"partition\":0,\"replicas\":[2]}]}");
        Result refused = admin(tool, "--execute", "--reassignment-json-file", elsewhere.toString());
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.stdout() + refused.stderr()).contains("Unknown broker id 2");
    }
}
