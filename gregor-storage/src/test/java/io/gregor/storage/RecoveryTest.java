package io.gregor.storage;

import static io.gregor.storage.StorageTestSupport.batch;
import static io.gregor.storage.StorageTestSupport.readAll;
import static io.gregor.storage.StorageTestSupport.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class RecoveryTest {
  private static final LogConfig CONFIG = LogConfig.defaults().withSegmentBytes(2048).withIndexIntervalBytes(200);

  @TempDir
  Path root;

  private final long now = System.currentTimeMillis();

  /** A batch as found on disk: its segment file, position, size and offsets. */
  private record DiskBatch(Path file, int position, int size, long baseOffset) {
  }

  private static List<String> expectedValues(int batches) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < batches; i++) {
      out.add("v" + i + "a");
      out.add("v" + i + "b");
    }
    return out;
  }

  /** Writes {@code batches} two-record batches and "crashes" (no close); returns the batches on disk. */
  private List<DiskBatch> writeAndCrash(Path dir, int batches) throws Exception {
    LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> CONFIG);
    PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), CONFIG);
    for (int i = 0; i < batches; i++) {
      log.appendAsLeader(batch(now, "v" + i + "a", "v" + i + "b"), i / 10, now);
    }
    store.closeAbruptlyForTesting();
    return diskBatches(log.dir());
  }

  private static List<DiskBatch> diskBatches(Path partitionDir) throws IOException {
    List<DiskBatch> out = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> s = Files.list(partitionDir)) {
      files = s.filter(p -> p.toString().endsWith(".log")).sorted().toList();
    }
    for (Path f : files) {
      try (FileRecords fr = FileRecords.open(f.toFile(), false)) {
        for (FileChannelRecordBatch b : fr.batches()) {
          out.add(new DiskBatch(f, b.position(), b.sizeInBytes(), b.baseOffset()));
        }
      }
    }
    return out;
  }

  private PartitionLog reopenAndCheck(LogStore store, long expectedEnd) throws Exception {
    PartitionLog log = store.log("t", 0).orElseThrow();
    assertThat(log.logEndOffset()).isEqualTo(expectedEnd);
    assertThat(values(readAll(log))).isEqualTo(expectedValues((int) expectedEnd / 2));
    AppendResult next = log.appendAsLeader(batch(now, "after", "crash"), 99, now);
    assertThat(next.firstOffset()).isEqualTo(expectedEnd);
    return log;
  }

  @Test
  void startsWithoutRewritingOffsetCheckpointsThatAlreadySayWhatIsOnDisk() throws Exception {
    Path dir = root.resolve("restarts");
    FaultyStorageIo io = new FaultyStorageIo();
    Runnable forget = io.fileWrites::clear;
    try (LogStore fresh = LogStore.open(dir, StoreConfig.defaults(), io, t -> CONFIG)) {
      assertThat(offsetCheckpointWrites(io, dir)).as("written by a fresh start").isZero();
      fresh.createLog("t", 0, Uuid.randomUuid(), CONFIG).appendAsLeader(batch(now, "a", "b"), 0, now);
    }
    forget.run();
    try (LogStore reopened = LogStore.open(dir, StoreConfig.defaults(), io, t -> CONFIG)) {
      assertThat(offsetCheckpointWrites(io, dir)).as("written by a start after a clean shutdown").isZero();
      PartitionLog log = reopened.log("t", 0).orElseThrow();
      assertThat(values(readAll(log))).containsExactly("a", "b");
      log.appendAsLeader(batch(now, "c"), 0, now);
      reopened.closeAbruptlyForTesting();
    }
    // The clean-shutdown marker went at the second start: this start recovers the crash, and since recovery moved
    // the recovery point, it writes the checkpoints again.
    forget.run();
    try (LogStore recovered = LogStore.open(dir, StoreConfig.defaults(), io, t -> CONFIG)) {
      assertThat(values(readAll(recovered.log("t", 0).orElseThrow()))).containsExactly("a", "b", "c");
      assertThat(offsetCheckpointWrites(io, dir)).isEqualTo(3);
      assertThat(OffsetCheckpointFile.read(dir.resolve(LogStore.RECOVERY_POINT_CHECKPOINT)))
          .containsEntry(new TopicPartition("t", 0), 3L);
    }
  }

  /**
   * An empty partition is given its leader epoch when hosted (as Kafka's makeLeader); a start after a clean shutdown keeps
   * it instead of dropping it as past the log end, so no start rewrites every empty partition's checkpoint.
   */
  @Test
  void shouldKeepAnEmptyPartitionsLeaderEpochAcrossACleanRestartWithoutRewritingIt() throws Exception {
    Path dir = root.resolve("empty-epoch");
    Path epochFile = dir.resolve("t-0").resolve(LeaderEpochCache.FILE_NAME);
    FaultyStorageIo io = new FaultyStorageIo();
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), io, t -> CONFIG)) {
      store.createLog("t", 0, Uuid.randomUuid(), CONFIG).assignLeaderEpoch(0);
    }
    assertThat(Files.readString(epochFile)).isEqualTo("0\n1\n0 0\n");
    io.fileWrites.clear();
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), io, t -> CONFIG)) {
      assertThat(io.fileWrites).as("files written by a start after a clean shutdown").doesNotContain(epochFile);
      PartitionLog log = store.log("t", 0).orElseThrow();
      assertThat(log.latestEpoch()).isZero();
      assertThat(log.endOffsetForEpoch(0)).isEqualTo(new EpochEndOffset(0, 0));
    }
  }

  @Test
  void shouldNotRewriteLeaderEpochCheckpointWhenItMatchesTheLog() throws Exception {
    Path dir = root.resolve("epochs");
    Path epochFile = dir.resolve("t-0").resolve(LeaderEpochCache.FILE_NAME);
    FaultyStorageIo io = new FaultyStorageIo();
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), io, t -> CONFIG)) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), CONFIG);
      log.appendAsLeader(batch(now, "a", "b"), 2, now);
      log.appendAsLeader(batch(now, "c"), 5, now);
    }
    String written = Files.readString(epochFile);
    assertThat(written).isEqualTo("0\n2\n2 0\n5 2\n");

    io.fileWrites.clear();
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), io, t -> CONFIG)) {
      assertThat(io.fileWrites).as("files written by a start after a clean shutdown").doesNotContain(epochFile);
      assertThat(store.log("t", 0).orElseThrow().endOffsetForEpoch(2)).isEqualTo(new EpochEndOffset(2, 2));
    }
    assertThat(Files.readString(epochFile)).isEqualTo(written);

    // A lost checkpoint is rebuilt from the batches' epochs, and written.
    Files.delete(epochFile);
    io.fileWrites.clear();
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), io, t -> CONFIG)) {
      assertThat(io.fileWrites).contains(epochFile);
      assertThat(store.log("t", 0).orElseThrow().endOffsetForEpoch(2)).isEqualTo(new EpochEndOffset(2, 2));
    }
    assertThat(Files.readString(epochFile)).isEqualTo(written);

    // A torn last batch (epoch 5's only one): recovery truncates it, and the checkpoint loses epoch 5 on disk too.
    Path segment = dir.resolve("t-0").resolve(LogSegment.filenamePrefix(0) + ".log");
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 5);
    }
    io.fileWrites.clear();
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), io, t -> CONFIG)) {
      PartitionLog log = store.log("t", 0).orElseThrow();
      assertThat(values(readAll(log))).containsExactly("a", "b");
      assertThat(io.fileWrites).contains(epochFile);
      assertThat(log.endOffsetForEpoch(2)).isEqualTo(new EpochEndOffset(2, 2));
      assertThat(log.endOffsetForEpoch(5)).as("an epoch newer than any left").isEqualTo(new EpochEndOffset(-1, -1));
    }
    assertThat(Files.readString(epochFile)).isEqualTo("0\n1\n2 0\n");
  }

  @Test
  void shouldCloseTheSegmentsItOpenedWhenTheLoadFails() throws Exception {
    Path dir = root.resolve("failed-load");
    LogConfig small = CONFIG.withSegmentBytes(200);
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> small)) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), small);
      for (int i = 0; i < 5; i++) {
        log.appendAsLeader(batch(now, "v" + i), 0, now);
      }
      assertThat(log.segmentCount()).isGreaterThan(1);
    }
    // The leader-epoch checkpoint cannot be read (a directory holds its name): the load fails after the segments
    // are open.
    Path partitionDir = dir.resolve("t-0");
    Path epochs = partitionDir.resolve(LeaderEpochCache.FILE_NAME);
    Files.delete(epochs);
    Files.createDirectories(epochs.resolve("x"));
    assertThat(openFilesUnder(partitionDir)).isEmpty();

    assertThatThrownBy(() -> LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> small))
        .isInstanceOf(IOException.class);

    assertThat(openFilesUnder(partitionDir)).isEmpty();
  }

  @Test
  void shouldRecoverEveryLogWhenSeveralThreadsLoadThem() throws Exception {
    Path dir = root.resolve("parallel");
    StoreConfig fourThreads = StoreConfig.defaults().withRecoveryThreads(4);
    int partitions = 12;
    LogStore store = LogStore.open(dir, fourThreads, StorageIo.standard(), t -> CONFIG);
    for (int p = 0; p < partitions; p++) {
      PartitionLog log = store.createLog("t", p, Uuid.randomUuid(), CONFIG);
      for (int i = 0; i < 10 + p; i++) {
        log.appendAsLeader(batch(now, p + "-" + i), 0, now);
      }
    }
    store.closeAbruptlyForTesting();
    // Every odd partition loses the second half of its last batch: recovery must cut that batch and keep the rest.
    for (int p = 1; p < partitions; p += 2) {
      List<DiskBatch> batches = diskBatches(dir.resolve("t-" + p));
      DiskBatch last = batches.get(batches.size() - 1);
      try (FileChannel ch = FileChannel.open(last.file(), StandardOpenOption.WRITE)) {
        ch.truncate(last.position() + last.size() / 2);
      }
    }

    try (LogStore reopened = LogStore.open(dir, fourThreads, StorageIo.standard(), t -> CONFIG)) {
      for (int p = 0; p < partitions; p++) {
        int kept = 10 + p - (p % 2);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < kept; i++) {
          expected.add(p + "-" + i);
        }
        PartitionLog log = reopened.log("t", p).orElseThrow();
        assertThat(values(readAll(log))).as("t-%d", p).isEqualTo(expected);
        assertThat(log.appendAsLeader(batch(now, "next"), 0, now).firstOffset()).isEqualTo(kept);
      }
    }
  }

  @Test
  void shouldFailTheStartWhenALogCannotBeLoadedWhileOthersLoadOnOtherThreads() throws Exception {
    Path dir = root.resolve("parallel-failure");
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> CONFIG)) {
      for (int p = 0; p < 8; p++) {
        store.createLog("t", p, Uuid.randomUuid(), CONFIG).appendAsLeader(batch(now, "v" + p), 0, now);
      }
    }
    // A segment file that is a directory: opening it fails.
    Path broken = Files.createDirectories(dir.resolve("broken-0").resolve(LogSegment.filenamePrefix(0) + ".log"));

    assertThatThrownBy(() -> LogStore.open(dir, StoreConfig.defaults().withRecoveryThreads(3), StorageIo.standard(),
        t -> CONFIG)).isInstanceOf(IOException.class).hasMessageContaining(broken.getFileName().toString());
    // The failed start left no file of the log dir open (the journal's, the logs loaded before the failure).
    assertThat(openFilesUnder(dir)).isEmpty();

    Files.delete(broken);
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults().withRecoveryThreads(3), StorageIo.standard(),
        t -> CONFIG)) {
      for (int p = 0; p < 8; p++) {
        assertThat(values(readAll(store.log("t", p).orElseThrow()))).containsExactly("v" + p);
      }
    }
  }

  /** The files under {@code dir} this process holds open (Linux: /proc/self/fd), or none where that is not known. */
  private static List<Path> openFilesUnder(Path dir) throws IOException {
    Path fds = Path.of("/proc/self/fd");
    if (!Files.isDirectory(fds)) {
      return List.of();
    }
    Path real = dir.toRealPath();
    List<Path> open = new ArrayList<>();
    try (Stream<Path> links = Files.list(fds)) {
      for (Path link : links.toList()) {
        try {
          Path target = Files.readSymbolicLink(link);
          if (target.startsWith(real)) {
            open.add(target);
          }
        } catch (IOException e) {
          // closed since the listing
        }
      }
    }
    return open;
  }

  private static long offsetCheckpointWrites(FaultyStorageIo io, Path dir) {
    return io.fileWrites.stream().filter(p -> dir.equals(p.getParent()) && p.toString().endsWith("-checkpoint"))
        .count();
  }

  @Test
  void shouldTruncateTornBatchOnRecovery() throws Exception {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    for (int iteration = 0; iteration < 15; iteration++) {
      Path dir = root.resolve("run" + iteration);
      List<DiskBatch> batches = writeAndCrash(dir, 60);
      DiskBatch victim = batches.get(random.nextInt(batches.size()));
      int cut = victim.position() + random.nextInt(victim.size()); // somewhere inside the batch, or at its start
      try (FileChannel ch = FileChannel.open(victim.file(), StandardOpenOption.WRITE)) {
        ch.truncate(cut);
      }
      try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> CONFIG)) {
        reopenAndCheck(store, victim.baseOffset());
        assertThat(store.log("t", 0).orElseThrow().segments().stream().mapToLong(LogSegment::baseOffset).max()
            .orElseThrow()).isLessThanOrEqualTo(victim.baseOffset());
      } catch (AssertionError e) {
        throw new AssertionError("seed " + seed + ", cut at " + cut + " in " + victim, e);
      }
    }
  }

  @Test
  void shouldTruncateAtFlippedByteOnRecovery() throws Exception {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    for (int iteration = 0; iteration < 15; iteration++) {
      Path dir = root.resolve("run" + iteration);
      List<DiskBatch> batches = writeAndCrash(dir, 60);
      DiskBatch victim = batches.get(random.nextInt(batches.size()));
      int offsetInBatch;
      do {
        offsetInBatch = random.nextInt(victim.size());
      } while (offsetInBatch >= 12 && offsetInBatch < 16); // partitionLeaderEpoch: outside the CRC by design
      flipByte(victim.file(), victim.position() + offsetInBatch, 1 << random.nextInt(8));
      try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> CONFIG)) {
        PartitionLog log = store.log("t", 0).orElseThrow();
        assertThat(log.logEndOffset()).as("seed %d, byte %d of batch at %d", seed, offsetInBatch,
            victim.baseOffset()).isEqualTo(victim.baseOffset());
        reopenAndCheck(store, victim.baseOffset());
      } catch (AssertionError e) {
        throw new AssertionError("seed " + seed + ", flipped byte " + offsetInBatch + " of " + victim, e);
      }
    }
  }

  private static void flipByte(Path file, long position, int mask) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer one = ByteBuffer.allocate(1);
      ch.read(one, position);
      one.put(0, (byte) (one.get(0) ^ mask));
      one.rewind();
      ch.write(one, position);
    }
  }

  @Test
  void shouldRecoverEverythingAfterCrashWithIntactFiles() throws Exception {
    Path dir = root.resolve("intact");
    writeAndCrash(dir, 50);
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> CONFIG)) {
      PartitionLog log = reopenAndCheck(store, 100);
      assertThat(log.latestEpoch()).isEqualTo(99);
      assertThat(log.endOffsetForEpoch(4)).isEqualTo(new EpochEndOffset(4, 100));
    }
  }

  @Test
  void shouldRebuildMissingOrGarbageIndexes() throws Exception {
    Path dir = root.resolve("indexes");
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> CONFIG)) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), CONFIG);
      for (int i = 0; i < 80; i++) {
        log.appendAsLeader(batch(now + i, "v" + i + "a", "v" + i + "b"), 0, now + i);
      }
      assertThat(log.segmentCount()).isGreaterThan(3);
    }
    Path partitionDir = dir.resolve("t-0");
    List<Path> indexes;
    try (Stream<Path> s = Files.list(partitionDir)) {
      indexes = s.filter(p -> p.toString().endsWith(".index")).sorted().toList();
    }
    Files.delete(indexes.get(1));
    Files.write(indexes.get(2), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
    Path timeIndex = Path.of(indexes.get(0).toString().replace(".index", ".timeindex"));
    Files.write(timeIndex, new byte[7]);

    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> CONFIG)) {
      PartitionLog log = store.log("t", 0).orElseThrow();
      assertThat(log.logEndOffset()).isEqualTo(160);
      assertThat(values(readAll(log))).isEqualTo(expectedValues(80));
      for (long offset = 0; offset < 160; offset++) {
        assertThat(log.read(offset, 1, Long.MAX_VALUE, true).records().batches().iterator().next().lastOffset())
            .isGreaterThanOrEqualTo(offset);
      }
      assertThat(log.offsetForTimestamp(now + 40)).contains(new OffsetAndTimestamp(80, now + 40));
    }
    assertThat(indexes.get(1)).exists();
    assertThat(Files.size(indexes.get(2)) % 8).isZero();
  }

  @Test
  void shouldTrustCleanShutdownAndOnlyScanAfterTheRecoveryPoint() throws Exception {
    Path dir = root.resolve("fast");
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> CONFIG)) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), CONFIG);
      for (int i = 0; i < 40; i++) {
        log.appendAsLeader(batch(now, "v" + i + "a", "v" + i + "b"), 0, now);
      }
    }
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> CONFIG)) {
      assertThat(store.log("t", 0).orElseThrow().recoveryPoint()).isEqualTo(80);
    }
    // Unclean start whose recovery point covers the first segments: a corrupt byte there is not even read,
    // while the unflushed tail is verified.
    LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> CONFIG);
    PartitionLog log = store.log("t", 0).orElseThrow();
    AppendResult last = null;
    for (int i = 40; i < 60; i++) {
      last = log.appendAsLeader(batch(now, "v" + i + "a", "v" + i + "b"), 0, now);
    }
    log.awaitDurable(last.lastOffset()).get(10, java.util.concurrent.TimeUnit.SECONDS);
    log.flush(); // what the periodic flush does: the recovery point moves only when the segments are fsynced
    store.writeCheckpoints();
    assertThat(checkpointedRecoveryPoint(dir)).isEqualTo(120);
    for (int i = 60; i < 70; i++) {
      log.appendAsLeader(batch(now, "v" + i + "a", "v" + i + "b"), 0, now);
    }
    store.closeAbruptlyForTesting();
    List<DiskBatch> batches = diskBatches(log.dir());
    DiskBatch early = batches.get(3);
    flipByte(early.file(), early.position() + early.size() - 1, 1);
    DiskBatch tail = batches.get(65);
    flipByte(tail.file(), tail.position() + tail.size() - 1, 1);

    try (LogStore reopened = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> CONFIG)) {
      assertThat(reopened.log("t", 0).orElseThrow().logEndOffset()).isEqualTo(130);
    }
  }

  private static long checkpointedRecoveryPoint(Path dir) throws IOException {
    Long value = OffsetCheckpointFile.read(dir.resolve(LogStore.RECOVERY_POINT_CHECKPOINT))
        .get(new org.apache.kafka.common.TopicPartition("t", 0));
    return value == null ? -1 : value;
  }

  @Test
  void shouldResumeDeletionOfRenamedDirectoriesAndDropLeftovers() throws Exception {
    Path dir = root.resolve("leftovers");
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      store.createLog("t", 0, Uuid.randomUuid(), CONFIG).appendAsLeader(batch(now, "x"), 0, now);
    }
    Files.createDirectories(dir.resolve("t-1.0123456789abcdef-delete"));
    Files.write(dir.resolve("t-0/00000000000000000099.log.deleted"), new byte[10]);
    Files.write(dir.resolve("t-0/00000000000000000077.index"), new byte[8]);
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      assertThat(store.logs()).hasSize(1);
      assertThat(dir.resolve("t-0/00000000000000000099.log.deleted")).doesNotExist();
      assertThat(dir.resolve("t-0/00000000000000000077.index")).doesNotExist();
      await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(dir.resolve("t-1.0123456789abcdef-delete")));
    }
  }

  /**
   * A log whose first two segments DeleteRecords removed, crashed after its recovery point (120) and logStartOffset
   * were checkpointed; then the removed segments come back under their names, with the data that was never fsynced
   * lost (as when a power loss undoes renames whose directory fsync never came). Returns the surviving values.
   */
  private List<String> deleteRecordsThenResurrect(Path dir, long[] logStartOut) throws Exception {
    LogConfig config = LogConfig.defaults().withSegmentBytes(1024).withFileDeleteDelayMs(60_000);
    List<String> acked = expectedValues(60);
    Path partitionDir;
    List<Long> deletedBases = new ArrayList<>();
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> config)) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), config);
      partitionDir = log.dir();
      for (int i = 0; i < 60; i++) {
        log.appendAsLeader(batch(now, "v" + i + "a", "v" + i + "b"), 0, now);
      }
      List<LogSegment> before = new ArrayList<>(log.segments());
      assertThat(before).hasSizeGreaterThan(3);
      logStartOut[0] = before.get(2).baseOffset();
      log.deleteRecordsBefore(logStartOut[0]);
      deletedBases.add(before.get(0).baseOffset());
      deletedBases.add(before.get(1).baseOffset());
      log.flush(); // the full flush: fsync, then checkpoints
      store.writeCheckpoints();
      store.closeAbruptlyForTesting();
    }
    for (long base : deletedBases) {
      for (String suffix : List.of(".log", ".index", ".timeindex")) {
        Path plain = partitionDir.resolve(LogSegment.filenamePrefix(base) + suffix);
        Files.move(plain.resolveSibling(plain.getFileName() + LogSegment.DELETED_SUFFIX), plain);
      }
      try (FileChannel ch = FileChannel.open(LogSegment.logFile(partitionDir, base), StandardOpenOption.WRITE)) {
        ch.truncate(0);
      }
    }
    return acked.subList((int) logStartOut[0], acked.size());
  }

  @Test
  void shouldIgnoreResurrectedSegmentsBelowTheCheckpointedLogStartOffset() throws Exception {
    Path dir = root.resolve("d");
    long[] logStart = new long[1];
    List<String> kept = deleteRecordsThenResurrect(dir, logStart);

    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(),
        t -> LogConfig.defaults())) {
      PartitionLog log = store.log("t", 0).orElseThrow();
      assertThat(log.logStartOffset()).isEqualTo(logStart[0]);
      assertThat(log.logEndOffset()).isEqualTo(120);
      assertThat(values(readAll(log))).containsExactlyElementsOf(kept);
      assertThat(log.segments()).allSatisfy(s -> assertThat(s.baseOffset()).isGreaterThanOrEqualTo(logStart[0]));
    }
  }

  @Test
  void shouldKeepTheSegmentsAfterABrokenOneBelowTheRecoveryPoint() throws Exception {
    Path dir = root.resolve("d");
    long[] logStart = new long[1];
    List<String> kept = deleteRecordsThenResurrect(dir, logStart);
    // The log-start-offset checkpoint as if the crash came before it was written: the resurrected segments are not
    // known to be deleted, only to be below the recovery point (fsynced), which they no longer are.
    OffsetCheckpointFile.write(dir.resolve(LogStore.LOG_START_OFFSET_CHECKPOINT), Map.of(), StorageIo.standard());

    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(),
        t -> LogConfig.defaults())) {
      PartitionLog log = store.log("t", 0).orElseThrow();
      assertThat(log.logEndOffset()).isEqualTo(120);
      assertThat(log.logStartOffset()).isEqualTo(logStart[0]);
      assertThat(values(readAll(log))).containsExactlyElementsOf(kept);
    }
  }
}
