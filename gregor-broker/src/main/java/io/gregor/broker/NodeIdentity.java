package io.gregor.broker;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;
import org.apache.kafka.common.Uuid;

/**
 * The node's {@code meta.properties} in its log directory, as Kafka lays it out
 * ({@code version=1}, {@code cluster.id}, {@code node.id}, {@code directory.id}). Created on the
 * first start with a fresh cluster id; a later start with another {@code node.id} is refused,
 * because the data belongs to the node that wrote it.
 */
record NodeIdentity(String clusterId, int nodeId, String directoryId) {

    static NodeIdentity loadOrCreate(Path logDir, int nodeId, String clusterIdOverride) throws IOException {
        Files.createDirectories(logDir);
        Path file = logDir.resolve("meta.properties");
        if (Files.exists(file)) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            }
            String clusterId = p.getProperty("cluster.id");
            String storedNode = p.getProperty("node.id");
            if (clusterId == null || storedNode == null) {
                throw new IOException(file + " is missing cluster.id or node.id");
            }
            if (Integer.parseInt(storedNode.trim()) != nodeId) {
                throw new IOException("node.id: " + nodeId + " (expected: " + storedNode.trim() + ", the id stored in " + file + ")");
            }
            if (clusterIdOverride != null && !clusterIdOverride.isBlank() && !clusterIdOverride.equals(clusterId)) {
                throw new IOException("cluster.id: " + clusterIdOverride + " (expected: " + clusterId + ", the id stored in " + file + ")");
            }
            return new NodeIdentity(clusterId, nodeId, p.getProperty("directory.id", ""));
        }
        String clusterId = clusterIdOverride != null && !clusterIdOverride.isBlank() ? clusterIdOverride : Uuid.randomUuid().toString();
        NodeIdentity id = new NodeIdentity(clusterId, nodeId, Uuid.randomUuid().toString());
        Properties p = new Properties();
        p.setProperty("version", "1");
        p.setProperty("cluster.id", id.clusterId());
        p.setProperty("node.id", String.valueOf(nodeId));
        p.setProperty("directory.id", id.directoryId());
        Path tmp = logDir.resolve("meta.properties.tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, "Written by Gregor on first start");
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return id;
    }
}
