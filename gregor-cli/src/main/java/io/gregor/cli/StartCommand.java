package io.gregor.cli;

import io.gregor.broker.Node;
import io.gregor.broker.NodeConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code gregor start}: the broker process. Reads the properties file, applies overrides,
 * validates through {@link NodeConfig#parse}, starts the {@link Node} and blocks until it shuts
 * down; SIGTERM/Ctrl-C closes the node cleanly through a shutdown hook. The only command that
 * knows broker classes.
 */
@Command(name = "start", mixinStandardHelpOptions = true,
        description = "Start a Gregor broker in the foreground (SIGTERM or Ctrl-C shuts it down cleanly).")
final class StartCommand implements Callable<Integer> {

    /** A file to create once the node has shut down cleanly (bin/gregor's class-data-sharing archive). */
    static final String CLEAN_SHUTDOWN_MARKER_PROPERTY = "gregor.clean.shutdown.marker";

    @Parameters(index = "0", arity = "0..1", paramLabel = "server.properties",
            description = "Java properties file with Kafka broker keys (listeners, log.dirs, node.id, ...).")
    Path configFile;

    @Option(names = "--override", paramLabel = "KEY=VALUE", converter = KeyValue.Converter.class,
            description = "Set a config key, winning over the file; repeatable.")
    List<KeyValue> overrides = new ArrayList<>();

    @Override
    public Integer call() throws IOException, InterruptedException {
        NodeConfig config = parseConfig();
        Logger log = LoggerFactory.getLogger(StartCommand.class);
        for (String key : config.unknownKeys()) {
            log.warn("unknown config key '{}' (ignored)", key);
        }
        for (String key : config.notEnforcedKeys()) {
            log.warn("config key '{}' is accepted but not enforced by Gregor", key);
        }
        if (!config.controllerListeners().isEmpty()) {
            log.warn("listeners: {} named in controller.listener.names not bound: Gregor's controller answers on the broker's"
                    + " listener {}", config.controllerListeners(), config.listeners().get(0));
        }
        Node node;
        try {
            node = Node.start(config);
        } catch (IOException e) {
            if (e.getCause() != null && !(e.getCause() instanceof IOException)) {
                throw e; // Node wraps unexpected failures too: those are bugs and keep their stack trace
            }
            // Typically the port is taken or the log dir is not writable: the user's to fix.
            throw new UserException("cannot start broker: " + e.getMessage() + " (listeners=" + config.get("listeners")
                    + ", log dir " + config.logDir() + ")");
        }
        // A SIGTERM halts the JVM once the hooks are done, so the hook marks the clean shutdown itself.
        Thread hook = new Thread(() -> {
            node.close();
            markCleanShutdown();
        }, "gregor-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            node.awaitShutdown();
            markCleanShutdown();
        } finally {
            node.close();
            removeShutdownHook(hook);
        }
        return GregorCommand.EXIT_OK;
    }

    /**
     * Runs {@code start} without picocli when its arguments are plain (at most one properties file
     * and {@code --override key=value} pairs), or returns null so that picocli handles them (help,
     * version, mistakes, with its messages). picocli's classes are Java 5 bytecode, which class-data
     * sharing cannot archive: loading, verifying and reflecting over them was about a quarter of the
     * broker's start-up CPU.
     */
    static Integer runPlain(String[] args) {
        StartCommand cmd = parsePlain(args);
        if (cmd == null) {
            return null;
        }
        try {
            return cmd.call();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return GregorCommand.EXIT_BUG;
        } catch (IOException | RuntimeException e) {
            String userMessage = FailureReporter.userMessage(e); // what picocli's path would print
            if (userMessage != null) {
                System.err.println("error: " + userMessage);
                return GregorCommand.EXIT_USER_ERROR;
            }
            e.printStackTrace();
            return GregorCommand.EXIT_BUG;
        }
    }

    /** The command for plain arguments (see {@link #runPlain}), or null for anything else. */
    static StartCommand parsePlain(String[] args) {
        StartCommand cmd = new StartCommand();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String pair;
            if (arg.equals("--override") && i + 1 < args.length) {
                pair = args[++i];
            } else if (arg.startsWith("--override=")) {
                pair = arg.substring("--override=".length());
            } else if (!arg.startsWith("-") && cmd.configFile == null) {
                cmd.configFile = Path.of(arg);
                continue;
            } else {
                return null;
            }
            if (pair.indexOf('=') <= 0) {
                return null;
            }
            cmd.overrides.add(KeyValue.parse(pair));
        }
        return cmd;
    }

    /** File first, then overrides; a bad value becomes the one line NodeConfig wrote for it. */
    NodeConfig parseConfig() {
        Map<String, String> settings = new LinkedHashMap<>();
        if (configFile != null) {
            settings.putAll(readProperties(configFile));
        }
        for (KeyValue kv : overrides) {
            settings.put(kv.key(), kv.value());
        }
        try {
            return NodeConfig.parse(settings);
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage());
        }
    }

    private static Map<String, String> readProperties(Path file) {
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(in);
        } catch (NoSuchFileException e) {
            throw new UserException("config file '" + file + "' does not exist");
        } catch (IOException e) {
            throw new UserException("cannot read config file '" + file + "': " + e.getMessage());
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String key : new TreeSet<>(props.stringPropertyNames())) {
            out.put(key, props.getProperty(key));
        }
        return out;
    }

    /**
     * Creates the file named by {@value #CLEAN_SHUTDOWN_MARKER_PROPERTY}, if set: bin/gregor sets it next to
     * the class-data-sharing archive this JVM writes at exit, and promotes only an archive so marked, one
     * recorded by a start that reached ready and closed cleanly (a --help, a refused config or a crash
     * loads a fraction of the classes, and its archive would slow every later start).
     */
    static void markCleanShutdown() {
        String marker = System.getProperty(CLEAN_SHUTDOWN_MARKER_PROPERTY);
        if (marker == null || marker.isEmpty()) {
            return;
        }
        try {
            Files.writeString(Path.of(marker), "");
        } catch (IOException e) {
            // Not worth a line at shutdown: bin/gregor then drops this archive and the next start records one.
        }
    }

    static void removeShutdownHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down (we got here because the hook ran): nothing to remove.
        }
    }
}
