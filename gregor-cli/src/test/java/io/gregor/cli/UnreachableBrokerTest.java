package io.gregor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every client command against a port nobody listens on: one line, exit 1, within the (here
 * shortened) client timeouts.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UnreachableBrokerTest {

    private static final String NOBODY = "127.0.0.1:1";

    @TempDir
    Path dir;

    private String fastTimeouts;

    @BeforeEach
    void writeClientConfig() throws IOException {
        fastTimeouts = Files.writeString(dir.resolve("client.properties"),
                "default.api.timeout.ms=1500\nrequest.timeout.ms=1000\nmax.block.ms=1500\n").toString();
    }

    private Gregor.Result run(String... args) {
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "-b";
        all[args.length + 1] = NOBODY;
        all[args.length + 2] = "--command-config";
        all[args.length + 3] = fastTimeouts;
        return Gregor.run(all);
    }

    @Test
    void shouldPrintOneLineWhenListingTopics() {
        Gregor.Result result = run("topics", "list");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(GregorCommand.EXIT_USER_ERROR);
        assertThat(result.errLines()).singleElement().asString().startsWith("error: cannot reach broker at 127.0.0.1:1 (");
    }

    @Test
    void shouldPrintOneLineWhenDescribingCluster() {
        Gregor.Result result = run("cluster");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(GregorCommand.EXIT_USER_ERROR);
        assertThat(result.errLines()).singleElement().asString().startsWith("error: cannot reach broker at 127.0.0.1:1 (");
    }

    @Test
    void shouldPrintOneLineWhenCreatingTopic() {
        Gregor.Result result = run("topics", "create", "t");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(GregorCommand.EXIT_USER_ERROR);
        assertThat(result.errLines()).singleElement().asString().startsWith("error: cannot reach broker at 127.0.0.1:1 (");
    }

    @Test
    void shouldPrintOneLineWhenConsuming() {
        Gregor.Result result = run("consume", "t", "--from-beginning");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(GregorCommand.EXIT_USER_ERROR);
        assertThat(result.errLines()).singleElement().asString().startsWith("error: cannot reach broker at 127.0.0.1:1 (");
    }

    @Test
    void shouldPrintOneLineWhenProducing() {
        Gregor.Result result = Gregor.runWithStdin("a\nb\n", "produce", "t", "-b", NOBODY, "--command-config", fastTimeouts);

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(GregorCommand.EXIT_USER_ERROR);
        assertThat(result.errLines()).singleElement().asString().startsWith("error: no metadata for topic 't' from 127.0.0.1:1");
    }

    @Test
    void shouldPrintOneLineWhenListingGroups() {
        Gregor.Result result = run("groups", "list");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(GregorCommand.EXIT_USER_ERROR);
        assertThat(result.errLines()).singleElement().asString().startsWith("error: cannot reach broker at 127.0.0.1:1 (");
    }

    @Test
    void shouldPrintOneLineWhenCommandConfigCannotBuildAClient() throws IOException {
        // SASL without a JAAS configuration: the clients' constructors fail with a KafkaException
        // wrapping another KafkaException wrapping the JAAS IllegalArgumentException.
        String sasl = Files.writeString(dir.resolve("sasl.properties"),
                "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n").toString();

        for (String[] args : List.of(new String[] {"topics", "list"}, new String[] {"consume", "t"},
                new String[] {"produce", "t"})) {
            List<String> all = new ArrayList<>(List.of(args));
            all.addAll(List.of("-b", NOBODY, "--command-config", sasl));
            Gregor.Result result = Gregor.run(all.toArray(String[]::new));

            assertThat(result.exitCode()).as(result.toString()).isEqualTo(GregorCommand.EXIT_USER_ERROR);
            assertThat(result.errLines()).as(result.toString()).singleElement().asString()
                    .startsWith("error: invalid client configuration: ").contains("JAAS");
        }
    }

    @Test
    void shouldPrintOneLineWhenCommandConfigIsMissing() {
        Gregor.Result result = Gregor.run("topics", "list", "--command-config", dir.resolve("nope").toString());

        assertThat(result.exitCode()).isEqualTo(GregorCommand.EXIT_USER_ERROR);
        assertThat(result.errLines()).singleElement().asString().startsWith("error: --command-config: '");
    }

    @Test
    void shouldPrintOneLineWhenBootstrapIsNotHostPort() {
        Gregor.Result result = Gregor.run("topics", "list", "-b", "not a host");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(GregorCommand.EXIT_USER_ERROR);
        assertThat(result.errLines()).singleElement().asString().startsWith("error: invalid client configuration: ");
    }
}
