package io.gregor.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code gregor} command: the root of the picocli tree and the process entry point. Holds
 * what the subcommands share with the outside world, so tests can inject it: stdin here, stdout
 * and stderr through {@link CommandLine#setOut}/{@link CommandLine#setErr}. Run on the main thread.
 *
 * <p>Exit codes: 0 success, {@value #EXIT_USER_ERROR} a user mistake (one line on stderr),
 * {@value #EXIT_BUG} a bug (stack trace on stderr).
 */
@Command(name = "gregor", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Run a Gregor broker and talk to any Kafka-protocol broker.",
        subcommands = {StartCommand.class, TopicsCommand.class, ProduceCommand.class, ConsumeCommand.class,
                ClusterCommand.class, GroupsCommand.class, CommandLine.HelpCommand.class})
public final class GregorCommand implements Callable<Integer> {

    static final int EXIT_OK = 0;
    static final int EXIT_USER_ERROR = 1;
    /** EX_SOFTWARE from sysexits.h. */
    static final int EXIT_BUG = 70;

    /** {@link LogSetup} reads this to pick the console stream. */
    static final String LOG_TARGET_PROPERTY = "gregor.log.target";

    /** Netty reads this once, when its PlatformDependent class initialises. */
    static final String NETTY_JFR_PROPERTY = "io.netty.jfr.enabled";

    private final InputStream stdin;

    @Spec
    CommandSpec spec;

    public GregorCommand() {
        this(System.in);
    }

    /** For tests: {@code produce} reads its records from {@code stdin}. */
    public GregorCommand(InputStream stdin) {
        this.stdin = stdin;
    }

    InputStream stdin() {
        return stdin;
    }

    /** The command line with our error reporting installed; what {@link #main} and tests run. */
    public static CommandLine commandLine(GregorCommand root) {
        return withReporting(new CommandLine(root));
    }

    private static CommandLine withReporting(CommandLine cmd) {
        FailureReporter reporter = new FailureReporter();
        return cmd.setParameterExceptionHandler(reporter).setExecutionExceptionHandler(reporter);
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return EXIT_USER_ERROR;
    }

    /**
     * Netty's buffer allocator emits JDK Flight Recorder events. Creating the first one registers
     * the event classes with the recorder, which initialises its whole metadata repository, even
     * with no recording running: ~25 ms of CPU on the network thread, inside the answer to the
     * first request a client sends after start-up (found with a profiler; the first Metadata
     * answer came ~70 ms sooner without it). Off unless the user set the property
     * ({@code GREGOR_JAVA_OPTS=-Dio.netty.jfr.enabled=true} to profile the allocator). Must run
     * before any Netty class initialises, so before the broker's preload threads start.
     */
    static void disableNettyFlightRecorderEvents() {
        if (System.getProperty(NETTY_JFR_PROPERTY) == null) {
            System.setProperty(NETTY_JFR_PROPERTY, "false");
        }
    }

    public static void main(String[] args) {
        // Client commands keep stdout for their output (consume pipes records), so logs go to
        // stderr; the broker logs to stdout like any server. Set before the first logger exists.
        boolean broker = args.length > 0 && args[0].equals("start");
        if (System.getProperty(LOG_TARGET_PROPERTY) == null) {
            System.setProperty(LOG_TARGET_PROPERTY, broker ? "System.out" : "System.err");
        }
        CommandLine cmd;
        if (broker) {
            disableNettyFlightRecorderEvents();
            // Start-up time matters for the broker: its slow-loading classes load on spare threads
            // while we parse, and only the start command's model is built (picocli reflecting
            // over every client command cost ~0.15 s, measured with class-load timestamps).
            io.gregor.broker.Node.preloadInBackground();
            Integer exit = StartCommand.runPlain(Arrays.copyOfRange(args, 1, args.length));
            if (exit != null) {
                System.exit(exit);
            }
            cmd = withReporting(new CommandLine(new StartCommand()).setCommandName("gregor start"));
            args = Arrays.copyOfRange(args, 1, args.length);
        } else {
            cmd = commandLine(new GregorCommand());
        }
        // Records are UTF-8 text whatever the platform charset (often ASCII in containers).
        // stdout is written through its file descriptor, not System.out: that PrintStream swallows
        // the IOException of a closed pipe, and consume must see it to stop (`consume | head -3`).
        cmd.setOut(new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8), true));
        cmd.setErr(new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true));
        System.exit(cmd.execute(args));
    }
}
