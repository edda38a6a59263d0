package io.gregor.testkit;

import io.gregor.broker.Node;
import io.gregor.broker.NodeConfig;
import io.gregor.storage.StorageIo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A Gregor node started in this JVM on a free loopback port, with its data in a temporary
 * directory (or one the test gives). Restartable on the same data and port. Not thread-safe:
 * one test drives it.
 */
public final class TestNode implements AutoCloseable {

    private final Map<String, String> overrides;
    private final Path dataDir;
    private final boolean ownsDataDir;
    private final StorageIo io;
    private Node node;
    private int port;

    private TestNode(Map<String, String> overrides, Path dataDir, boolean ownsDataDir, StorageIo io) {
        this.overrides = overrides;
        this.io = io;
        this.dataDir = dataDir;
        this.ownsDataDir = ownsDataDir;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A node with default settings on a free port and a fresh temporary directory. */
    public static TestNode start() {
        return builder().start();
    }

    public static final class Builder {
        private final Map<String, String> overrides = new LinkedHashMap<>();
        private Path dataDir;
        private StorageIo io = StorageIo.standard();

        /** The logs' file I/O, to inject faults (a full disk, a failing fsync). */
        public Builder storageIo(StorageIo storageIo) {
            this.io = storageIo;
            return this;
        }

        public Builder override(String key, String value) {
            overrides.put(key, value);
            return this;
        }

        public Builder dataDir(Path dir) {
            this.dataDir = dir;
            return this;
        }

        public TestNode start() {
            try {
                boolean owns = dataDir == null;
                Path dir = owns ? Files.createTempDirectory("gregor-test-") : dataDir;
                TestNode n = new TestNode(new LinkedHashMap<>(overrides), dir, owns, io);
                n.startNode(0);
                return n;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private void startNode(int bindPort) throws IOException {
        Map<String, String> cfg = new LinkedHashMap<>();
        cfg.put("listeners", "PLAINTEXT://127.0.0.1:" + bindPort);
        cfg.put("log.dirs", dataDir.toString());
        cfg.putAll(overrides);
        node = Node.start(NodeConfig.parse(cfg), io);
        port = node.port();
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    public Node node() {
        return node;
    }

    /** Clean shutdown then start again on the same data and port. */
    public void restart() {
        stop();
        try {
            startNode(port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Clean shutdown; the data stays for a later {@link #restart()}. */
    public void stop() {
        if (node != null) {
            node.close();
            node = null;
        }
    }

    @Override
    public void close() {
        stop();
        if (ownsDataDir) {
            deleteRecursively(dataDir);
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
