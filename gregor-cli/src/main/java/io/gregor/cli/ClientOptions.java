package io.gregor.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TimeoutException;
import picocli.CommandLine.Option;

/**
 * The connection options every client command shares (a picocli mixin), and the client
 * properties built from them. Timeouts are short so a missing broker fails in seconds; a
 * {@code --command-config} file may override any of them.
 */
final class ClientOptions {

    static final String DEFAULT_BOOTSTRAP_SERVERS = "localhost:9092";
    static final String DEFAULT_API_TIMEOUT_MS = "15000";
    static final String REQUEST_TIMEOUT_MS = "10000";

    /** Null when not given: then bootstrap.servers from --command-config, else the default. */
    @Option(names = {"-b", "--bootstrap-server"}, paramLabel = "HOST:PORT",
            description = "Broker(s) to connect to, comma-separated (default: bootstrap.servers from --command-config, else "
                    + DEFAULT_BOOTSTRAP_SERVERS + ").")
    String bootstrapServers;

    @Option(names = "--command-config", paramLabel = "FILE",
            description = "Properties file with extra client settings (e.g. timeouts, client.id).")
    Path commandConfig;

    /**
     * Properties for any Kafka client: ours first, then the user's file, which wins, then
     * --bootstrap-server, which wins over the file as in Kafka's tools.
     */
    Properties clientProperties() {
        Properties props = new Properties();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, DEFAULT_BOOTSTRAP_SERVERS);
        props.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, DEFAULT_API_TIMEOUT_MS);
        props.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, REQUEST_TIMEOUT_MS);
        props.put(CommonClientConfigs.CLIENT_ID_CONFIG, "gregor-cli");
        if (commandConfig != null) {
            Properties file = readCommandConfig();
            props.putAll(file);
            // The clients require default.api.timeout.ms >= request.timeout.ms. When the file sets only
            // one of them, move our default of the other so the pair stays valid; only for a number,
            // so the client's validation names the key the user got wrong.
            Long defaultApiTimeoutMs = longSetting(file, CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG);
            if (defaultApiTimeoutMs != null && !file.containsKey(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG)) {
                props.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(defaultApiTimeoutMs));
            }
            Long requestTimeoutMs = longSetting(file, CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG);
            if (requestTimeoutMs != null && !file.containsKey(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG)) {
                props.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG,
                        String.valueOf(Math.max(Long.parseLong(DEFAULT_API_TIMEOUT_MS), requestTimeoutMs)));
            }
        }
        if (bootstrapServers != null) {
            props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        }
        return props;
    }

    /**
     * A numeric setting from {@code props}, or null when absent or not a number (the client's own
     * validation then reports it, naming the key).
     */
    static Long longSetting(Properties props, String key) {
        String value = props.getProperty(key);
        if (value == null) {
            return null;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private Properties readCommandConfig() {
        Properties file = new Properties();
        try (InputStream in = Files.newInputStream(commandConfig)) {
            file.load(in);
        } catch (NoSuchFileException e) {
            throw new UserException("--command-config: '" + commandConfig + "' does not exist");
        } catch (IOException e) {
            throw new UserException("--command-config: cannot read '" + commandConfig + "': " + e.getMessage());
        }
        return file;
    }

    Admin admin() {
        return Admin.create(clientProperties());
    }

    /** The address the clients are given, wherever it came from. */
    String bootstrapServers() {
        return clientProperties().getProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
    }

    /** The line for a broker that did not answer in time. */
    UserException unreachable(Throwable cause) {
        return new UserException("cannot reach broker at " + bootstrapServers() + " (" + FailureReporter.oneLine(cause.getMessage()) + ")");
    }

    /**
     * Waits for an admin result, unwrapping {@link ExecutionException} so the reporter sees the
     * broker's error; a timeout means the broker is unreachable (or far too slow to be useful).
     */
    <T> T await(KafkaFuture<T> future) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            // Some calls wrap it: ListGroups fails with KafkaException("Failed to find brokers to
            // send ListGroups", TimeoutException("Timed out waiting for a node assignment ...")).
            for (Throwable c = cause; c != null; c = c.getCause()) {
                if (c instanceof TimeoutException) {
                    throw unreachable(c);
                }
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserException("interrupted");
        }
    }
}
