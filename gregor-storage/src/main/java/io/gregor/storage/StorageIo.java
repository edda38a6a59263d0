package io.gregor.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * Every write and fsync the storage layer performs goes through this seam, so tests can fail the Nth write
 * (disk full), tear a write in half, or count fsyncs (BookKeeper-style fault injection). Implementations must be
 * thread-safe: appends come from producer threads, forces from the flusher's threads and from request threads running a
 * group-commit round. Every operation defaults to the real file system, so a test's fake overrides only what it
 * changes.
 */
public interface StorageIo {

  /** Appends {@code records} at the end of a segment with write() only, no fsync; returns the bytes written. */
  default int append(FileRecords segment, MemoryRecords records) throws IOException {
    return FileStorageIo.INSTANCE.append(segment, records);
  }

  /** fsyncs a segment's data (FileChannel.force(false)). Called on flusher threads, possibly at once, or in close. */
  default void force(FileChannel channel) throws IOException {
    FileStorageIo.INSTANCE.force(channel);
  }

  /**
   * Writes every byte of {@code src} at {@code position} of {@code channel}, no fsync: the durability journal's
   * writes (block-aligned; the channel may be opened for direct I/O).
   */
  default void write(FileChannel channel, ByteBuffer src, long position) throws IOException {
    FileStorageIo.INSTANCE.write(channel, src, position);
  }

  /**
   * Replaces {@code target} atomically with {@code content}: write a temporary sibling, optionally fsync it and the
   * directory, then rename over the target. Used for indexes, checkpoints, snapshots and markers.
   */
  default void writeFile(Path target, ByteBuffer content, boolean sync) throws IOException {
    FileStorageIo.INSTANCE.writeFile(target, content, sync);
  }

  /**
   * fsyncs the data of file {@code file}, written earlier without it (its name needs an fsync of its directory):
   * creating many logs writes all their files first and then fsyncs them, so the fsyncs share journal commits.
   */
  default void syncFile(Path file) throws IOException {
    FileStorageIo.forceFile(file);
  }

  /** fsyncs directory {@code dir}, making the names created, renamed or removed in it durable. */
  default void syncDirectory(Path dir) throws IOException {
    FileStorageIo.forceDirectory(dir);
  }

  /** Renames directory {@code from} to {@code to} (a log's directory, when the log is deleted); no fsync. */
  default void renameDirectory(Path from, Path to) throws IOException {
    java.nio.file.Files.move(from, to);
  }

  /** The real file system. */
  static StorageIo standard() {
    return FileStorageIo.INSTANCE;
  }
}
