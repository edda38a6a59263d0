package io.gregor.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * Test seam over the real file system: counts segment fsyncs, fails the Nth append (optionally after writing part
 * of the batch, like a disk filling up mid-write), and can hold fsyncs at a gate. It records what was fsynced, and
 * {@link #losePower} undoes what a power loss would undo of a directory: the names not fsynced through this seam.
 */
final class FaultyStorageIo implements StorageIo {
  final AtomicInteger appends = new AtomicInteger();
  final AtomicInteger forces = new AtomicInteger();
  final AtomicInteger directorySyncs = new AtomicInteger();
  /** The thread of each fsync, in order. */
  final List<Thread> forcingThreads = new CopyOnWriteArrayList<>();
  /** Files written whole (checkpoints, partition metadata, snapshots), in order. */
  final List<Path> fileWrites = new CopyOnWriteArrayList<>();
  /**
   * What was made durable, in order: a directory for each directory fsync, the file for each whole-file write with
   * fsync (which fsyncs its directory too) and for each {@link #syncFile}. Absolute paths.
   */
  final List<Path> syncs = new CopyOnWriteArrayList<>();
  /** The channels fsynced through {@link #force}. */
  final List<FileChannel> forcedChannels = new CopyOnWriteArrayList<>();
  /** Each directory's names as of its last fsync through this seam. */
  private final Map<Path, Set<String>> durableNames = new ConcurrentHashMap<>();
  private volatile int failAppendNumber = -1;   // 1-based number of the append to fail; -1 = never
  private volatile int partialBytes;            // bytes of the failing batch written before the error
  private volatile boolean failAllAppends;
  private volatile boolean failForces;
  private volatile boolean failDirectoryForces;
  private volatile int failDirectoryForceNumber = -1; // 1-based number of the directory fsync to fail; -1 = never
  private volatile boolean failRenames;
  private volatile boolean failJournalWrites;
  private volatile CountDownLatch forceGate;
  private final AtomicInteger toBlock = new AtomicInteger();
  private volatile boolean failGatedForce;
  private volatile CountDownLatch forceEntered;

  void failAppend(int nthFromNow, int partialBytes) {
    this.partialBytes = partialBytes;
    this.failAppendNumber = appends.get() + nthFromNow;
  }

  void failAllAppends(boolean fail) {
    this.failAllAppends = fail;
  }

  /** While set, the journal's writes fail as on a full disk (segment appends still work). */
  void failJournalWrites(boolean fail) {
    this.failJournalWrites = fail;
  }

  void failForces(boolean fail) {
    this.failForces = fail;
  }

  /** While set, directory renames through {@link #renameDirectory} fail. */
  void failRenames(boolean fail) {
    this.failRenames = fail;
  }

  /** Fails the {@code nthFromNow}th fsync of a directory through {@link #syncDirectory} from now. */
  void failDirectoryForce(int nthFromNow) {
    this.failDirectoryForceNumber = directorySyncs.get() + nthFromNow;
  }

  /** While set, fsyncs of a directory through {@link #syncDirectory} fail (whole-file writes still sync theirs). */
  void failDirectoryForces(boolean fail) {
    this.failDirectoryForces = fail;
  }

  /**
   * The next {@code blocked} fsyncs block until {@link #openGate} (later ones pass); the returned latch counts down
   * as each of them blocks.
   */
  CountDownLatch closeGate(int blocked) {
    toBlock.set(blocked);
    forceEntered = new CountDownLatch(blocked);
    forceGate = new CountDownLatch(1);
    return forceEntered;
  }

  /** A force held by the gate fails once released (the others pass). */
  void failGatedForce(boolean fail) {
    failGatedForce = fail;
  }

  void openGate() {
    CountDownLatch gate = forceGate;
    forceGate = null;
    if (gate != null) {
      gate.countDown();
    }
  }

  @Override
  public int append(FileRecords segment, MemoryRecords records) throws IOException {
    int n = appends.incrementAndGet();
    if (failAllAppends || n == failAppendNumber) {
      int partial = Math.min(partialBytes, records.sizeInBytes());
      if (partial > 0) {
        ByteBuffer part = records.buffer().duplicate();
        part.limit(part.position() + partial);
        while (part.hasRemaining()) {
          segment.channel().write(part);
        }
      }
      throw new IOException("No space left on device (injected, append #" + n + ")");
    }
    return StorageIo.standard().append(segment, records);
  }

  private static void waitAt(CountDownLatch gate, CountDownLatch entered) throws IOException {
    if (entered != null) {
      entered.countDown();
    }
    try {
      gate.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  @Override
  public void force(FileChannel channel) throws IOException {
    CountDownLatch gate = forceGate;
    if (gate != null && toBlock.getAndDecrement() > 0) {
      waitAt(gate, forceEntered);
      if (failGatedForce) {
        throw new IOException("Input/output error (injected, gated fsync)");
      }
    }
    forces.incrementAndGet();
    forcingThreads.add(Thread.currentThread());
    forcedChannels.add(channel);
    if (failForces) {
      throw new IOException("Input/output error (injected fsync failure)");
    }
    StorageIo.standard().force(channel);
  }

  @Override
  public void syncFile(Path file) throws IOException {
    StorageIo.standard().syncFile(file);
    syncs.add(file.toAbsolutePath());
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    if (directorySyncs.incrementAndGet() == failDirectoryForceNumber || failDirectoryForces) {
      throw new IOException("Input/output error (injected directory fsync failure)");
    }
    StorageIo.standard().syncDirectory(dir);
    onDirectorySynced(dir.toAbsolutePath());
  }

  private void onDirectorySynced(Path dir) throws IOException {
    try (Stream<Path> names = Files.list(dir)) {
      durableNames.put(dir, names.map(p -> p.getFileName().toString()).collect(Collectors.toSet()));
    }
    syncs.add(dir);
  }

  /**
   * A power loss in {@code dir} (the process is gone): of the names {@code subject} accepts, those created since the
   * directory's last fsync through this seam vanish, and those renamed to {@code .deleted} since get their old name
   * back. File contents are left as they are.
   */
  void losePower(Path dir, Predicate<String> subject) throws IOException {
    Path abs = dir.toAbsolutePath();
    Set<String> durable = durableNames.getOrDefault(abs, Set.of());
    List<Path> current;
    try (Stream<Path> names = Files.list(abs)) {
      current = names.filter(p -> subject.test(p.getFileName().toString())).toList();
    }
    for (Path p : current) {
      String name = p.getFileName().toString();
      if (durable.contains(name)) {
        continue;
      }
      String plain = name.endsWith(LogSegment.DELETED_SUFFIX)
          ? name.substring(0, name.length() - LogSegment.DELETED_SUFFIX.length()) : null;
      if (plain != null && durable.contains(plain) && !Files.exists(abs.resolve(plain))) {
        Files.move(p, abs.resolve(plain));
      } else {
        deleteTree(p);
      }
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @Override
  public void renameDirectory(Path from, Path to) throws IOException {
    if (failRenames) {
      throw new IOException("Input/output error (injected rename failure)");
    }
    StorageIo.standard().renameDirectory(from, to);
  }

  @Override
  public void write(FileChannel channel, ByteBuffer src, long position) throws IOException {
    if (failJournalWrites || failAllAppends) {
      throw new IOException("No space left on device (injected, journal write)");
    }
    StorageIo.standard().write(channel, src, position);
  }

  @Override
  public void writeFile(Path target, ByteBuffer content, boolean sync) throws IOException {
    fileWrites.add(target);
    StorageIo.standard().writeFile(target, content, sync);
    if (sync) {
      onDirectorySynced(target.toAbsolutePath().getParent());
      syncs.add(target.toAbsolutePath());
    }
  }
}
