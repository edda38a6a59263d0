package io.gregor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.gregor.broker.NodeConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code gregor start} with the settings a user coming from Kafka brings: the listener forms of
 * Kafka's own {@code config/server.properties}, and the one line a start-up mistake prints.
 */
class StartCommandConfigTest {

    @TempDir
    Path dir;

    /**
     * A listener with an empty host ({@code PLAINTEXT://:9092}, Kafka 4.x's shipped
     * {@code server.properties}) binds every interface and, without advertised.listeners, is
     * advertised as this machine's canonical host name, as Kafka's
     * {@code ListenerInfo.withWildcardHostnamesResolved} does.
     */
    @Test
    void shouldAcceptAListenerWithAnEmptyHostAsKafkaDoes() throws IOException {
        Path file = Files.writeString(dir.resolve("server.properties"),
                "listeners=PLAINTEXT://:9092\nlog.dirs=" + dir.resolve("data") + "\n");

        NodeConfig config = parseConfig(file.toString());

        assertThat(config.listeners()).containsExactly(new NodeConfig.Endpoint("PLAINTEXT", "", 9092));
        assertThat(config.advertisedListeners()).containsExactly(
                new NodeConfig.Endpoint("PLAINTEXT", InetAddress.getLocalHost().getCanonicalHostName(), 9092));
    }

    /**
     * Kafka's shipped file also declares the controller's listener ({@code CONTROLLER://:9093},
     * named in {@code controller.listener.names}); Gregor's controller answers on the broker's
     * listener, so that one is left out of the listeners bound and advertised (and start-up WARNs).
     */
    @Test
    void shouldLeaveOutTheListenersNamedInControllerListenerNames() throws IOException {
        Path file = Files.writeString(dir.resolve("server.properties"), """
                listeners=PLAINTEXT://:9092,CONTROLLER://:9093
                advertised.listeners=PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093
                controller.listener.names=CONTROLLER
                log.dirs=%s
                """.formatted(dir.resolve("data")));

        NodeConfig config = parseConfig(file.toString());

        assertThat(config.listeners()).containsExactly(new NodeConfig.Endpoint("PLAINTEXT", "", 9092));
        assertThat(config.controllerListeners()).containsExactly(new NodeConfig.Endpoint("CONTROLLER", "", 9093));
        assertThat(config.advertisedListeners()).containsExactly(new NodeConfig.Endpoint("PLAINTEXT", "localhost", 9092));
        assertThat(config.unknownKeys()).isEmpty();
    }

    @Test
    void shouldAcceptABracketedIpv6ListenerAndCaseInsensitiveNames() {
        NodeConfig config = parseConfig("--override", "listeners=plaintext://[::1]:9092", "--override",
                "log.dirs=" + dir.resolve("data"));

        assertThat(config.listeners()).containsExactly(new NodeConfig.Endpoint("PLAINTEXT", "::1", 9092));
        assertThat(config.listeners().get(0)).hasToString("PLAINTEXT://[::1]:9092");
    }

    /**
     * A 0.0.0.0 listener advertised as it is (no advertised.listeners) is refused, as Kafka refuses
     * it, with a line that names the listener and the key to set.
     */
    @Test
    void shouldNameTheListenerWhenAZeroAddressWouldBeAdvertised() {
        Gregor.Result result = Gregor.run("start", "--override", "listeners=PLAINTEXT://0.0.0.0:19096",
                "--override", "log.dirs=" + dir.resolve("data"));

        Gregor.userError(result);
        assertThat(result.errLines()).singleElement().asString()
                .contains("'PLAINTEXT://0.0.0.0:19096'", "advertised.listeners=PLAINTEXT://").doesNotContain("''");
    }

    /** A log.dirs that names an existing file: the line says why, as Kafka's ("is not a readable log directory"). */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldSayWhyWhenLogDirsIsAFile() throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");

        Gregor.Result result = Gregor.run("start", "--override", "log.dirs=" + file,
                "--override", "listeners=PLAINTEXT://localhost:0");

        Gregor.userError(result);
        assertThat(result.errLines()).singleElement().asString()
                .contains(file + " is not a readable log directory: it exists and is not a directory");
    }

    private static NodeConfig parseConfig(String... args) {
        StartCommand start = new StartCommand();
        new CommandLine(start).parseArgs(args);
        return start.parseConfig();
    }
}
