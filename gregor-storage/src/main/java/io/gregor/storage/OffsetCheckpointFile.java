package io.gregor.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and writes a per-log-dir offset checkpoint ({@code recovery-point-offset-checkpoint},
 * {@code log-start-offset-checkpoint}). Stateless; callers serialise writes (the flusher thread, or close).
 *
 * <pre>
 * Text, Kafka's format:
 *   0                   version
 *   2                   entry count
 *   orders 0 1200       topic partition offset
 *   orders 1 980
 * </pre>
 */
final class OffsetCheckpointFile {
  private static final Logger LOG = LoggerFactory.getLogger(OffsetCheckpointFile.class);

  private OffsetCheckpointFile() {
  }

  /** Entries of the file; empty when missing; empty (with a WARN) when malformed, which forces full recovery. */
  static Map<TopicPartition, Long> read(Path file) throws IOException {
    Map<TopicPartition, Long> entries = readOrNull(file);
    return entries == null ? Map.of() : entries;
  }

  /** Entries of the file; null when it is missing, or malformed (with a WARN): what it held is unknown. */
  static Map<TopicPartition, Long> readOrNull(Path file) throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return null;
    } catch (CharacterCodingException e) { // garbled bytes: as malformed, never a failed start
      LOG.warn("Ignoring malformed checkpoint {}: not UTF-8 text", file);
      return null;
    }
    try {
      if (lines.size() < 2 || !lines.get(0).trim().equals("0")) {
        throw new IllegalArgumentException("bad header");
      }
      int count = Integer.parseInt(lines.get(1).trim());
      if (count < 0 || lines.size() < count + 2) {
        throw new IllegalArgumentException("count " + count + " with " + (lines.size() - 2) + " lines");
      }
      Map<TopicPartition, Long> result = new HashMap<>();
      for (int i = 0; i < count; i++) {
        String[] parts = lines.get(i + 2).trim().split(" ");
        if (parts.length != 3) {
          throw new IllegalArgumentException("line " + (i + 3) + ": " + lines.get(i + 2));
        }
        result.put(new TopicPartition(parts[0], Integer.parseInt(parts[1])), Long.parseLong(parts[2]));
      }
      return result;
    } catch (IllegalArgumentException e) {
      LOG.warn("Ignoring malformed checkpoint {}: {}", file, e.getMessage());
      return null;
    }
  }

  static void write(Path file, Map<TopicPartition, Long> offsets, StorageIo io) throws IOException {
    StringBuilder sb = new StringBuilder(16 + offsets.size() * 32);
    sb.append("0\n").append(offsets.size()).append('\n');
    for (Map.Entry<TopicPartition, Long> e : offsets.entrySet()) {
      sb.append(e.getKey().topic()).append(' ').append(e.getKey().partition()).append(' ').append(e.getValue())
          .append('\n');
    }
    io.writeFile(file, ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8)), true);
  }
}
