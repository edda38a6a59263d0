package io.gregor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** Argument parsing and usage errors; no broker involved. */
class CommandLineTest {

    static List<String> commandPaths() {
        List<String> paths = new ArrayList<>();
        collect(GregorCommand.commandLine(new GregorCommand()), "", paths);
        return paths;
    }

    private static void collect(CommandLine cmd, String prefix, List<String> paths) {
        paths.add(prefix.strip());
        cmd.getSubcommands().forEach((name, sub) -> {
            if (!name.equals("help")) {
                collect(sub, prefix + " " + name, paths);
            }
        });
    }

    @Test
    void shouldKnowEveryCommand() {
        assertThat(commandPaths()).contains("", "start", "topics", "topics create", "topics list", "topics describe",
                "topics alter", "topics delete", "produce", "consume", "cluster");
    }

    @ParameterizedTest
    @MethodSource("commandPaths")
    void shouldPrintHelpForEveryCommand(String path) {
        List<String> args = new ArrayList<>(path.isEmpty() ? List.of() : List.of(path.split(" ")));
        args.add("--help");

        Gregor.Result result = Gregor.run(args.toArray(String[]::new));

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).startsWith("Usage: gregor" + (path.isEmpty() ? "" : " " + path));
        assertThat(result.err()).isEmpty();
    }

    @Test
    void shouldPrintOneLineAndExitOneWhenOptionIsUnknown() {
        Gregor.Result result = Gregor.run("topics", "create", "t", "--partitons", "3");

        assertThat(result.exitCode()).isEqualTo(GregorCommand.EXIT_USER_ERROR);
        assertThat(result.errLines()).singleElement().asString()
                .startsWith("error: Unknown options: '--partitons', '3'")
                .contains("did you mean --partitions?")
                .endsWith("(see 'gregor topics create --help')");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void shouldPrintOneLineWhenCommandIsUnknown() {
        Gregor.Result result = Gregor.run("topcis", "list");

        assertThat(result.exitCode()).isEqualTo(GregorCommand.EXIT_USER_ERROR);
        assertThat(result.errLines()).singleElement().asString().startsWith("error: Unmatched arguments").contains("topics");
    }

    @Test
    void shouldPrintOneLineWhenPositionalIsMissing() {
        Gregor.Result result = Gregor.run("produce");

        assertThat(result.exitCode()).isEqualTo(GregorCommand.EXIT_USER_ERROR);
        assertThat(result.errLines()).singleElement().asString().startsWith("error: Missing required parameter: 'TOPIC'");
    }

    @Test
    void shouldRejectTwoStartPositionsWhenConsuming() {
        Gregor.Result result = Gregor.run("consume", "t", "--from-beginning", "--offset", "5");

        assertThat(result.exitCode()).isEqualTo(GregorCommand.EXIT_USER_ERROR);
        assertThat(result.errLines()).singleElement().asString().contains("mutually exclusive");
    }

    @Test
    void shouldNotDoubleTheErrorPrefixWhenPicocliRejectsAGroupOfOptions() {
        Gregor.Result exclusive = Gregor.run("consume", "t", "--from-beginning", "--offset", "3");
        Gregor.Result missing = Gregor.run("groups", "reset-offsets", "g", "--topic", "t");

        assertThat(exclusive.exitCode()).isEqualTo(GregorCommand.EXIT_USER_ERROR);
        assertThat(exclusive.errLines()).singleElement().asString()
                .startsWith("error: --from-beginning, --offset=N are mutually exclusive")
                .endsWith("(see 'gregor consume --help')");
        assertThat(missing.exitCode()).isEqualTo(GregorCommand.EXIT_USER_ERROR);
        assertThat(missing.errLines()).singleElement().asString()
                .startsWith("error: Missing required argument").contains("--to-earliest");
    }

    @Test
    void shouldRejectBadTimestampWhenConsuming() {
        Gregor.Result result = Gregor.run("consume", "t", "--from-timestamp", "yesterday");

        assertThat(result.exitCode()).isEqualTo(GregorCommand.EXIT_USER_ERROR);
        assertThat(result.errLines()).singleElement().asString()
                .startsWith("error: --from-timestamp: 'yesterday' (expected: epoch milliseconds or ISO-8601");
    }

    @Test
    void shouldRejectHeaderWithoutEquals() {
        Gregor.Result result = Gregor.run("produce", "t", "--header", "novalue");

        assertThat(result.exitCode()).isEqualTo(GregorCommand.EXIT_USER_ERROR);
        assertThat(result.errLines()).singleElement().asString()
                .contains("--header").contains("'novalue' (expected: key=value)");
    }

    @Test
    void shouldRejectUnknownAcksAndCompression() {
        Gregor.Result acks = Gregor.run("produce", "t", "--acks", "2");
        Gregor.Result compression = Gregor.run("produce", "t", "--compression", "brotli");

        assertThat(acks.exitCode()).isEqualTo(GregorCommand.EXIT_USER_ERROR);
        assertThat(acks.errLines()).singleElement().asString().startsWith("error: --acks: '2' (expected: all, 1 or 0)");
        assertThat(compression.exitCode()).isEqualTo(GregorCommand.EXIT_USER_ERROR);
        assertThat(compression.errLines()).singleElement().asString().startsWith("error: --compression: 'brotli'");
    }

    @Test
    void shouldRejectAlterWithNothingToChange() {
        Gregor.Result result = Gregor.run("topics", "alter", "t");

        assertThat(result.exitCode()).isEqualTo(GregorCommand.EXIT_USER_ERROR);
        assertThat(result.errLines()).singleElement().asString().startsWith("error: nothing to alter");
    }

    @Test
    void shouldPrintUsageToStderrWhenNoCommandIsGiven() {
        Gregor.Result result = Gregor.run();

        assertThat(result.exitCode()).isEqualTo(GregorCommand.EXIT_USER_ERROR);
        assertThat(result.err()).startsWith("Usage: gregor");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void shouldPrintVersion() {
        Gregor.Result result = Gregor.run("--version");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).startsWith("gregor ");
    }
}
