package io.gregor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.gregor.broker.NodeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code gregor start} up to the point where it would start the node. */
class StartCommandTest {

    @TempDir
    Path dir;

    @Test
    void shouldPrintOneLineWhenOverrideHasBadValue() {
        Gregor.Result result = Gregor.run("start", "--override", "num.partitions=abc");

        assertThat(result.exitCode()).isEqualTo(GregorCommand.EXIT_USER_ERROR);
        assertThat(result.err()).isEqualTo("error: num.partitions: 'abc' (expected: an integer)\n");
    }

    @Test
    void shouldRefuseABrokerDefaultOfATopicConfigThatKafkaWouldRefuse() {
        Gregor.Result result = Gregor.run("start", "--override", "log.local.retention.ms=-3");

        assertThat(result.exitCode()).isEqualTo(GregorCommand.EXIT_USER_ERROR);
        assertThat(result.err()).isEqualTo("error: log.local.retention.ms: '-3' (Invalid value -3 for configuration"
                + " local.retention.ms: Value must be at least -2)\n");
    }

    @Test
    void shouldPrintOneLineWhenConfigFileHasBadValue() throws IOException {
        Path file = Files.writeString(dir.resolve("server.properties"), "# test\nlisteners=PLAINTEXT://localhost:99999\n");

        Gregor.Result result = Gregor.run("start", file.toString());

        assertThat(result.exitCode()).isEqualTo(GregorCommand.EXIT_USER_ERROR);
        assertThat(result.errLines()).singleElement().asString().startsWith("error: listeners: 'PLAINTEXT://localhost:99999'");
    }

    @Test
    void shouldPrintOneLineWhenConfigFileIsMissing() {
        Gregor.Result result = Gregor.run("start", dir.resolve("nope.properties").toString());

        assertThat(result.exitCode()).isEqualTo(GregorCommand.EXIT_USER_ERROR);
        assertThat(result.err()).isEqualTo("error: config file '" + dir.resolve("nope.properties") + "' does not exist\n");
    }

    @Test
    void shouldPrintOneLineWhenOverrideIsNotKeyValue() {
        Gregor.Result result = Gregor.run("start", "--override", "num.partitions");

        assertThat(result.exitCode()).isEqualTo(GregorCommand.EXIT_USER_ERROR);
        assertThat(result.errLines()).singleElement().asString().contains("'num.partitions' (expected: key=value)");
    }

    @Test
    void shouldLetOverridesWinOverFile() throws IOException {
        Path file = Files.writeString(dir.resolve("server.properties"),
                "num.partitions=3\nnode.id=7\nlog.dirs=" + dir.resolve("data") + "\nmy.custom.key=x\ncompression.zstd.level=5\n");
        StartCommand start = new StartCommand();
        new CommandLine(start).parseArgs(file.toString(), "--override", "num.partitions=5", "--override", "log.retention.ms=1000");

        NodeConfig config = start.parseConfig();

        assertThat(config.numPartitions()).isEqualTo(5);
        assertThat(config.nodeId()).isEqualTo(7);
        assertThat(config.retentionMs()).isEqualTo(1000);
        assertThat(config.logDir()).isEqualTo(dir.resolve("data"));
        assertThat(config.unknownKeys()).containsExactly("my.custom.key");
    }

    @Test
    void shouldKnowKafkasConnectionLimitKeysAndTellWhichIsNotEnforced() throws IOException {
        StartCommand start = new StartCommand();
        new CommandLine(start).parseArgs("--override", "log.dirs=" + dir.resolve("data"), "--override", "max.connections=1000",
                "--override", "max.connections.per.ip=100", "--override", "max.connections.per.ip.overrides=127.0.0.1:200",
                "--override", "max.connection.creation.rate=50");

        NodeConfig config = start.parseConfig();

        assertThat(config.unknownKeys()).isEmpty();
        assertThat(config.notEnforcedKeys()).containsExactly("max.connection.creation.rate");
    }

    @Test
    void shouldParsePlainArgumentsWithoutPicocliAsPicocliDoes() throws IOException {
        Path file = Files.writeString(dir.resolve("server.properties"), "num.partitions=3\nlog.dirs=" + dir.resolve("data") + "\n");
        String[] args = {file.toString(), "--override", "num.partitions=5", "--override=log.retention.ms=1000",
            "--override", "my.custom.key=a=b"};
        StartCommand viaPicocli = new StartCommand();
        new CommandLine(viaPicocli).parseArgs(args);

        StartCommand plain = StartCommand.parsePlain(args);

        assertThat(plain).isNotNull();
        assertThat(plain.configFile).isEqualTo(viaPicocli.configFile);
        assertThat(plain.overrides).isEqualTo(viaPicocli.overrides);
        assertThat(plain.parseConfig().numPartitions()).isEqualTo(5);
    }

    @Test
    void shouldLeaveHelpVersionAndMistakesToPicocli() {
        assertThat(StartCommand.parsePlain(new String[] {"--help"})).isNull();
        assertThat(StartCommand.parsePlain(new String[] {"-V"})).isNull();
        assertThat(StartCommand.parsePlain(new String[] {"--override"})).isNull();
        assertThat(StartCommand.parsePlain(new String[] {"--override", "num.partitions"})).isNull();
        assertThat(StartCommand.parsePlain(new String[] {"a.properties", "b.properties"})).isNull();
        assertThat(StartCommand.parsePlain(new String[] {"--overide", "x=y"})).isNull();
    }

    @Test
    void shouldTurnNettysFlightRecorderEventsOffUnlessTheUserChose() {
        String saved = System.getProperty(GregorCommand.NETTY_JFR_PROPERTY);
        try {
            System.clearProperty(GregorCommand.NETTY_JFR_PROPERTY);
            GregorCommand.disableNettyFlightRecorderEvents();
            assertThat(System.getProperty(GregorCommand.NETTY_JFR_PROPERTY)).isEqualTo("false");

            System.setProperty(GregorCommand.NETTY_JFR_PROPERTY, "true");
            GregorCommand.disableNettyFlightRecorderEvents();
            assertThat(System.getProperty(GregorCommand.NETTY_JFR_PROPERTY)).isEqualTo("true");
        } finally {
            if (saved == null) {
                System.clearProperty(GregorCommand.NETTY_JFR_PROPERTY);
            } else {
                System.setProperty(GregorCommand.NETTY_JFR_PROPERTY, saved);
            }
        }
    }
}
