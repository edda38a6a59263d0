package io.gregor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import picocli.CommandLine;

/**
 * Runs {@code gregor ARGS} in this JVM with stdin given and stdout/stderr captured, as a user would,
 * and checks a result is a success or a user mistake.
 */
final class Gregor {

    record Result(int exitCode, String out, String err) {
        List<String> outLines() {
            return out.lines().toList();
        }

        List<String> errLines() {
            return err.lines().toList();
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private Gregor() {
    }

    static Result run(String... args) {
        return runWithStdin("", args);
    }

    static Result runWithStdin(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = GregorCommand.commandLine(new GregorCommand(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8))));
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int exitCode = cmd.execute(args);
        return new Result(exitCode, out.toString().replace("\r\n", "\n"), err.toString().replace("\r\n", "\n"));
    }

    /** {@code gregor ARGS --bootstrap-server bootstrapServers}. */
    static Result runAgainst(String bootstrapServers, String stdin, String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--bootstrap-server";
        all[args.length + 1] = bootstrapServers;
        return runWithStdin(stdin, all);
    }

    /** Asserts exit 0 with nothing on stderr. */
    static Result ok(Result result) {
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.err()).as(result.toString()).isEmpty();
        return result;
    }

    /** Asserts a user mistake: exit {@link GregorCommand#EXIT_USER_ERROR} and one {@code error: } line on stderr. */
    static Result userError(Result result) {
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(GregorCommand.EXIT_USER_ERROR);
        assertThat(result.errLines()).as(result.toString()).singleElement().asString().startsWith("error: ");
        return result;
    }
}
