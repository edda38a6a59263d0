package io.gregor.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;

/** {@link StorageIo} on the real file system; stateless, shared by every store in the JVM. */
final class FileStorageIo implements StorageIo {
  static final FileStorageIo INSTANCE = new FileStorageIo();
  private static final boolean IS_WINDOWS = System.getProperty("os.name", "").toLowerCase(Locale.ROOT)
      .startsWith("windows");

  private FileStorageIo() {
  }

  @Override
  public int append(FileRecords segment, MemoryRecords records) throws IOException {
    return segment.append(records);
  }

  @Override
  public void force(FileChannel channel) throws IOException {
    channel.force(false);
  }

  @Override
  public void write(FileChannel channel, ByteBuffer src, long position) throws IOException {
    long at = position;
    while (src.hasRemaining()) {
      at += channel.write(src, at);
    }
  }

  @Override
  public void writeFile(Path target, ByteBuffer content, boolean sync) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buf = content.duplicate();
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      if (sync) {
        ch.force(true);
      }
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    if (sync) {
      forceDirectory(target.toAbsolutePath().getParent());
    }
  }

  /** fsyncs the data and metadata of {@code file}, an existing regular file. */
  static void forceFile(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  /**
   * fsyncs {@code dir}, making the names created, renamed or removed in it durable. A failure is an I/O error (the
   * caller must not act as if the name were durable), except on Windows, where a directory cannot be opened and
   * Kafka skips this step too.
   */
  static void forceDirectory(Path dir) throws IOException {
    if (IS_WINDOWS) {
      return;
    }
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
