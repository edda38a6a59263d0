package io.gregor.storage;

import static io.gregor.storage.StorageTestSupport.activeBase;
import static io.gregor.storage.StorageTestSupport.keyed;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.AbstractCollection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Merging cleaned segments under stress: readers racing a merge's swap (a fetch or a timestamp lookup must not skip
 * the merged-away segments), a crash at every step of a merge with and without power loss, the key table against a
 * HashMap, small tables over a random workload across restarts, merged indexes against a scan and within their
 * limits, and the idle roll's clock across restarts.
 */
@Timeout(60)
class CompactionMergeTest {
  private static final LogConfig COMPACT = LogConfig.defaults().withSegmentBytes(1024).withIndexIntervalBytes(100)
      .withFileDeleteDelayMs(60_000).withCleanupPolicy(CleanupPolicy.COMPACT).withMinCleanableDirtyRatio(0.01);

  @TempDir
  Path dir;

  private final long now = System.currentTimeMillis();

  /**
   * A segment map that parks one chosen reader thread inside {@code higherEntry} or inside the iteration of
   * {@code values()} (before its Nth element), so that a swap can run at exactly that point.
   */
  static final class ParkingMap extends ConcurrentSkipListMap<Long, LogSegment> {
    volatile Thread parked;
    volatile int parkBeforeElement = -1; // values(): park before returning this element (1-based); -1: never
    volatile boolean parkInHigherEntry;
    final CountDownLatch arrived = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    ParkingMap(Map<Long, LogSegment> m) {
      super(m);
    }

    private void park() {
      arrived.countDown();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public Map.Entry<Long, LogSegment> higherEntry(Long key) {
      if (parkInHigherEntry && Thread.currentThread() == parked) {
        parkInHigherEntry = false;
        park();
      }
      return super.higherEntry(key);
    }

    @Override
    public Collection<LogSegment> values() {
      Collection<LogSegment> real = super.values();
      if (Thread.currentThread() != parked || parkBeforeElement < 0) {
        return real;
      }
      return new AbstractCollection<>() {
        @Override
        public Iterator<LogSegment> iterator() {
          Iterator<LogSegment> it = real.iterator();
          AtomicInteger n = new AtomicInteger();
          return new Iterator<>() {
            @Override
            public boolean hasNext() {
              return it.hasNext();
            }

            @Override
            public LogSegment next() {
              if (n.incrementAndGet() == parkBeforeElement) {
                parkBeforeElement = -1;
                park();
              }
              return it.next();
            }
          };
        }

        @Override
        public int size() {
          return real.size();
        }
      };
    }
  }

  @SuppressWarnings("unchecked")
  private static ParkingMap installParkingMap(PartitionLog log) throws Exception {
    Field f = PartitionLog.class.getDeclaredField("segments");
    f.setAccessible(true);
    ParkingMap map = new ParkingMap((Map<Long, LogSegment>) f.get(log));
    f.set(log, map);
    return map;
  }

  private static void append(PartitionLog log, long timestamp, long nowMs, String key, String value)
      throws Exception {
    log.appendAsLeader(keyed(Compression.NONE, timestamp, key, value), 0, nowMs);
  }

  /**
   * Same shape as CompactionTest's merge cases: every 4th record has a unique key, the others one hot key; a first
   * pass leaves each segment with a few records and offset gaps at their tails; the next pass merges neighbours.
   * Record i gets timestamp now + i.
   */
  private PartitionLog prepareMergeableLog(LogStore store) throws Exception {
    PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), COMPACT);
    for (int i = 0; i < 80; i++) {
      append(log, now + i, now, i % 4 == 0 ? "u" + i : "hot", "v" + i + "x".repeat(100));
    }
    assertThat(log.runCleaner(now)).isTrue();
    long active = activeBase(log);
    while (activeBase(log) == active) {
      append(log, now + 100, now, "hot", "last");
    }
    return log;
  }

  /**
   * A fetch at an offset in the compacted-away tail of a segment (the offset right after the last batch the consumer
   * read) finds no batch there and moves to the next segment with higherEntry. When the swap of a merged group lands
   * in between (the merged segment replaces the first original, the others are removed), higherEntry skips every
   * formerly separate segment of the group: the fetch answers from a later segment and the consumer silently skips
   * the records of the merged-away segments.
   */
  @Test
  void fetchRacingAMergeMustNotSkipTheMergedAwaySegments() throws Exception {
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> COMPACT)) {
      PartitionLog log = prepareMergeableLog(store);
      List<LogSegment> segs = new ArrayList<>(log.segments());
      List<List<LogSegment>> groups = LogCompactor.groupBySize(segs.subList(0, segs.size() - 1), COMPACT,
          activeBase(log));
      List<LogSegment> group = groups.get(0);
      assertThat(group).hasSizeGreaterThan(2);
      // A member (not the group's last) whose last batches the first pass removed: offsets [nextOffset, next base)
      // hold no batch, and a consumer that read up to its last batch fetches at its nextOffset.
      int j = 0;
      while (group.get(j).nextOffset() == group.get(j + 1).baseOffset()) {
        j++;
      }
      assertThat(j).isLessThan(group.size() - 1);
      long fetchOffset = group.get(j).nextOffset();
      long expectedLast = log.read(fetchOffset, 1, Long.MAX_VALUE, true).records().batches().iterator().next()
          .lastOffset();
      assertThat(expectedLast).isLessThan(group.get(j + 1).nextOffset());

      ParkingMap map = installParkingMap(log);
      CompletableFuture<ReadResult> fetch = new CompletableFuture<>();
      Thread reader = new Thread(() -> {
        try {
          fetch.complete(log.read(fetchOffset, 1, Long.MAX_VALUE, true));
        } catch (Throwable t) {
          fetch.completeExceptionally(t);
        }
      });
      map.parked = reader;
      map.parkInHigherEntry = true;
      reader.start();
      assertThat(map.arrived.await(30, TimeUnit.SECONDS)).isTrue();

      assertThat(log.runCleaner(now)).isTrue(); // merges the group while the fetch is between two segments
      assertThat(log.segments().stream().map(LogSegment::baseOffset).toList()).doesNotContain(
          group.get(1).baseOffset());
      map.release.countDown();

      RecordBatch got = fetch.get(30, TimeUnit.SECONDS).records().batches().iterator().next();
      assertThat(got.lastOffset()).as("last offset of the batch a fetch at %d returns", fetchOffset)
          .isEqualTo(expectedLast);
    }
  }

  /**
   * ListOffsets by timestamp walks segments.values(); the swap replaces the first original of a group and removes the
   * others under the iteration, so a record of a merged-away segment is never considered and a later offset is
   * answered.
   */
  @Test
  void timestampLookupRacingAMergeMustNotSkipTheMergedAwaySegments() throws Exception {
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> COMPACT)) {
      PartitionLog log = prepareMergeableLog(store);
      List<LogSegment> segs = new ArrayList<>(log.segments());
      List<LogSegment> group = LogCompactor.groupBySize(segs.subList(0, segs.size() - 1), COMPACT,
          activeBase(log)).get(0);
      assertThat(group).hasSizeGreaterThan(3);
      // A target timestamp first reached in the third segment of the group.
      LogSegment third = group.get(2);
      long target = third.maxTimestamp();
      Optional<OffsetAndTimestamp> expected = log.offsetForTimestamp(target);
      assertThat(expected).isPresent();
      assertThat(expected.get().offset()).isBetween(third.baseOffset(), third.nextOffset() - 1);

      ParkingMap map = installParkingMap(log);
      CompletableFuture<Optional<OffsetAndTimestamp>> lookup = new CompletableFuture<>();
      Thread reader = new Thread(() -> {
        try {
          lookup.complete(log.offsetForTimestamp(target));
        } catch (Throwable t) {
          lookup.completeExceptionally(t);
        }
      });
      map.parked = reader;
      map.parkBeforeElement = 2; // after the first segment was looked at
      reader.start();
      assertThat(map.arrived.await(30, TimeUnit.SECONDS)).isTrue();

      assertThat(log.runCleaner(now)).isTrue();
      map.release.countDown();

      assertThat(lookup.get(30, TimeUnit.SECONDS)).isEqualTo(expected);
    }
  }

  /**
   * The idle roll (f29b8ed) measures from the wall clock of the active segment's first append "in this process": a
   * restart resets it to the load time. A quiet compacted partition whose broker restarts more often than
   * max.compaction.lag.ms never rolls its active segment, so the superseded values and tombstones in it outlive
   * max.compaction.lag.ms indefinitely (before f29b8ed the first batch's timestamp survived the restart).
   */
  @Test
  void idleRollMustNotRestartItsClockAtEveryRestart() throws Exception {
    long hour = 3_600_000L;
    LogConfig cfg = COMPACT.withMaxCompactionLagMs(hour);
    long appendedAt = now - 3 * hour;
    StoreConfig quiet = StoreConfig.defaults().withRetentionCheckIntervalMs(10 * hour); // no background check
    try (LogStore store = LogStore.open(dir, quiet, StorageIo.standard(), t -> cfg)) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), cfg);
      append(log, appendedAt, appendedAt, "k", "old");
      append(log, appendedAt, appendedAt, "k", "new");
    }
    try (LogStore store = LogStore.open(dir, quiet, StorageIo.standard(), t -> cfg)) {
      PartitionLog log = store.log("t", 0).orElseThrow();
      assertThat(log.segmentCount()).isEqualTo(1);
      // Idle for 3 hours by the wall clock, max.compaction.lag.ms is one hour.
      log.runRetention(now + 60_000);
      assertThat(log.segmentCount()).as("segments after a retention check 3 h after the last append").isEqualTo(2);
    }
  }

  /** Probe (passes on 94b0ac9): fetch at every offset and ListOffsets for every timestamp in a merged segment. */
  @Test
  void mergedSegmentIndexesAnswerLikeABruteForceScan() throws Exception {
    LogConfig cfg = COMPACT.withIndexIntervalBytes(150);
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> cfg)) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), cfg);
      for (int i = 0; i < 120; i++) {
        long ts = now + (i * 7919L % 97);
        append(log, ts, now, i % 3 == 0 ? "u" + i : "hot" + (i % 2), "v" + i + "x".repeat(100));
      }
      assertThat(log.runCleaner(now)).isTrue();
      long active = activeBase(log);
      while (activeBase(log) == active) {
        append(log, now + 5, now, "hot0", "last");
      }
      int before = log.segmentCount();
      assertThat(log.runCleaner(now)).isTrue();
      assertThat(log.segmentCount()).isLessThan(before);
      checkAgainstScan(log);
    }
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> cfg)) {
      checkAgainstScan(store.log("t", 0).orElseThrow());
    }
  }

  private void checkAgainstScan(PartitionLog log) throws Exception {
    List<StorageTestSupport.ReadRecord> all = StorageTestSupport.readAll(log);
    for (long off = log.logStartOffset(); off < log.logEndOffset(); off++) {
      long o = off;
      StorageTestSupport.ReadRecord first = all.stream().filter(r -> r.offset() >= o).findFirst().orElse(null);
      List<StorageTestSupport.ReadRecord> got = new ArrayList<>();
      long pos = off;
      while (got.isEmpty() && pos < log.logEndOffset()) {
        long next = pos;
        for (RecordBatch b : log.read(pos, 1, Long.MAX_VALUE, true).records().batches()) {
          for (var r : b) {
            if (r.offset() >= pos) {
              got.add(new StorageTestSupport.ReadRecord(r.offset(), r.timestamp(),
                  StorageTestSupport.string(r.key()), StorageTestSupport.string(r.value())));
            }
          }
          next = b.lastOffset() + 1;
        }
        assertThat(next).isGreaterThan(pos);
        pos = next;
      }
      assertThat(got.isEmpty() ? null : got.get(0)).as("first record at or after %d", off).isEqualTo(first);
    }
    for (long ts = now - 1; ts <= now + 100; ts++) {
      long t = ts;
      Optional<OffsetAndTimestamp> want = all.stream().filter(r -> r.timestamp() >= t).findFirst()
          .map(r -> new OffsetAndTimestamp(r.offset(), r.timestamp()));
      assertThat(log.offsetForTimestamp(ts)).as("offsetForTimestamp(%d)", ts).isEqualTo(want);
    }
  }

  /**
   * Probe: a crash (process kill, or power loss that undoes directory changes not yet fsynced, renames included) at
   * every storage call of a merging pass must leave each key's latest value at its offset.
   */
  @Test
  void crashAtEveryStepOfAMergeKeepsEveryLatestValue() throws Exception {
    Path live = dir.resolve("live");
    Path partition = live.resolve("t-0");
    List<Path> snapshots = new ArrayList<>();
    Map<String, Object> durable = new java.util.HashMap<>(); // name -> fileKey at the partition's last dir fsync
    boolean[] armed = {false};
    StorageIo hook = new StorageIo() {
      final StorageIo std = StorageIo.standard();

      void snap(String what) throws java.io.IOException {
        if (!armed[0]) {
          return;
        }
        int n = snapshots.size();
        Path kill = dir.resolve("kill-" + n);
        StorageTestSupport.copyTree(live, kill);
        snapshots.add(kill);
        Path power = dir.resolve("power-" + n);
        StorageTestSupport.copyTree(live, power);
        // Undo what was not fsynced in the partition directory.
        Map<Object, String> durableByKey = new java.util.HashMap<>();
        durable.forEach((name, key) -> durableByKey.put(key, name));
        Map<Path, Path> undoRenames = new java.util.HashMap<>();
        try (var names = java.nio.file.Files.list(partition)) {
          for (Path p : names.toList()) {
            String name = p.getFileName().toString();
            Object key = java.nio.file.Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class)
                .fileKey();
            if (durable.containsKey(name) && durable.get(name).equals(key)) {
              continue;
            }
            Path copy = power.resolve("t-0").resolve(name);
            String old = durableByKey.get(key);
            if (old != null && !old.equals(name)) {
              Path tmp = copy.resolveSibling(name + ".undo");
              java.nio.file.Files.move(copy, tmp);
              undoRenames.put(tmp, power.resolve("t-0").resolve(old)); // the rename is lost
            } else if (!durable.containsKey(name)) {
              java.nio.file.Files.delete(copy); // the creation is lost
            }
          }
        }
        for (Map.Entry<Path, Path> e : undoRenames.entrySet()) {
          java.nio.file.Files.move(e.getKey(), e.getValue(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        snapshots.add(power);
      }

      void recordDurable(Path d) throws java.io.IOException {
        if (!d.toAbsolutePath().equals(partition.toAbsolutePath())) {
          return;
        }
        durable.clear();
        try (var names = java.nio.file.Files.list(partition)) {
          for (Path p : names.toList()) {
            durable.put(p.getFileName().toString(), java.nio.file.Files.readAttributes(p,
                java.nio.file.attribute.BasicFileAttributes.class).fileKey());
          }
        }
      }

      @Override
      public int append(org.apache.kafka.common.record.internal.FileRecords segment,
          org.apache.kafka.common.record.internal.MemoryRecords records) throws java.io.IOException {
        return std.append(segment, records);
      }

      @Override
      public void force(java.nio.channels.FileChannel channel) throws java.io.IOException {
        snap("force");
        std.force(channel);
      }

      @Override
      public void write(java.nio.channels.FileChannel channel, java.nio.ByteBuffer src, long position)
          throws java.io.IOException {
        std.write(channel, src, position);
      }

      @Override
      public void writeFile(Path target, java.nio.ByteBuffer content, boolean sync) throws java.io.IOException {
        snap("writeFile " + target.getFileName());
        std.writeFile(target, content, sync);
        if (sync) {
          recordDurable(target.getParent());
        }
        snap("after writeFile " + target.getFileName());
      }

      @Override
      public void syncDirectory(Path d) throws java.io.IOException {
        snap("syncDirectory");
        std.syncDirectory(d);
        recordDurable(d);
        snap("after syncDirectory");
      }
    };
    Map<String, StorageTestSupport.ReadRecord> expected = new java.util.HashMap<>();
    try (LogStore store = LogStore.open(live, StoreConfig.defaults(), hook, t -> COMPACT)) {
      PartitionLog log = prepareMergeableLog(store);
      log.flush();
      store.writeCheckpoints();
      hook.syncDirectory(partition);
      armed[0] = true;
      assertThat(log.runCleaner(now)).isTrue();
      hook.force(null == null ? log.segments().iterator().next().channel() : null);
      armed[0] = false;
      for (StorageTestSupport.ReadRecord r : StorageTestSupport.readAll(log)) {
        expected.put(r.key(), r);
      }
    }
    assertThat(snapshots).hasSizeGreaterThan(6);
    for (Path snapshot : snapshots) {
      try (LogStore store = LogStore.open(snapshot, StoreConfig.defaults(), StorageIo.standard(), t -> COMPACT)) {
        PartitionLog log = store.log("t", 0).orElseThrow();
        Map<String, StorageTestSupport.ReadRecord> latest = new java.util.HashMap<>();
        for (StorageTestSupport.ReadRecord r : StorageTestSupport.readAll(log)) {
          latest.put(r.key(), r);
        }
        assertThat(latest).as("latest values after a crash, state %s", snapshot.getFileName()).isEqualTo(expected);
      }
    }
  }

  /** Probe (passes on 94b0ac9): OffsetMap against a HashMap, tiny tables (wrap-around), full tables, empty keys. */
  @Test
  void offsetMapAgreesWithAHashMap() {
    java.util.Random random = new java.util.Random(42);
    for (int budgetSlots = 2; budgetSlots < 64; budgetSlots++) {
      OffsetMap map = OffsetMap.forRange(budgetSlots * (long) OffsetMap.BYTES_PER_SLOT, 1_000);
      Map<String, Long> ref = new java.util.HashMap<>();
      long offset = 0;
      while (true) {
        String key = random.nextInt(4) == 0 ? "" : Integer.toString(random.nextInt(3 * budgetSlots));
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        if (map.isFull() && !ref.containsKey(key)) {
          break;
        }
        map.put(buf, offset);
        ref.put(key, offset);
        offset++;
        for (Map.Entry<String, Long> e : ref.entrySet()) {
          assertThat(map.get(java.nio.ByteBuffer.wrap(e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8))))
              .isEqualTo(e.getValue());
        }
        assertThat(map.get(java.nio.ByteBuffer.wrap(new byte[] {(byte) 0xff, 1}))).isEqualTo(-1L);
        if (offset > 10_000) {
          break;
        }
      }
      assertThat(map.size()).isEqualTo(ref.size());
    }
  }

  /**
   * Probe: random keyed appends (multi-record batches, tombstones) with the smallest dedupe buffer, so that passes
   * stop mid-segment, and merges; after every pass and after restarts every key's latest record is there, at its
   * offset with its timestamp, and passes stop being due.
   */
  @Test
  void randomWorkloadWithSmallOffsetMapKeepsLatestValues() throws Exception {
    java.util.Random random = new java.util.Random(7);
    Map<String, StorageTestSupport.ReadRecord> expected = new java.util.HashMap<>();
    StoreConfig sc = StoreConfig.defaults().withCleanerDedupeBufferSize(1024);
    Uuid id = Uuid.randomUuid();
    for (int round = 0; round < 4; round++) {
      try (LogStore store = LogStore.open(dir, sc, StorageIo.standard(), t -> COMPACT)) {
        PartitionLog log = round == 0 ? store.createLog("t", 0, id, COMPACT) : store.log("t", 0).orElseThrow();
        check(log, expected);
        for (int b = 0; b < 150; b++) {
          int n = 1 + random.nextInt(4);
          String[] kv = new String[2 * n];
          for (int i = 0; i < n; i++) {
            kv[2 * i] = "k" + random.nextInt(random.nextBoolean() ? 8 : 300);
            kv[2 * i + 1] = random.nextInt(10) == 0 ? null : "v" + round + "-" + b + "-" + i + "x".repeat(20);
          }
          long ts = now + random.nextInt(1000);
          AppendResult res = log.appendAsLeader(keyed(Compression.NONE, ts, kv), 0, now);
          for (int i = 0; i < n; i++) {
            expected.put(kv[2 * i], new StorageTestSupport.ReadRecord(res.firstOffset() + i, ts, kv[2 * i],
                kv[2 * i + 1]));
          }
          if (random.nextInt(15) == 0) {
            int passes = 0;
            while (log.runCleaner(now)) {
              check(log, expected);
              assertThat(++passes).as("passes in a row").isLessThan(200);
            }
          }
        }
        if (round % 2 == 1) {
          store.closeAbruptlyForTesting();
        }
      }
    }
  }

  private static void check(PartitionLog log, Map<String, StorageTestSupport.ReadRecord> expected)
      throws Exception {
    Map<String, StorageTestSupport.ReadRecord> latest = new java.util.HashMap<>();
    long previous = -1;
    for (StorageTestSupport.ReadRecord r : StorageTestSupport.readAll(log)) {
      assertThat(r.offset()).isGreaterThan(previous);
      previous = r.offset();
      latest.put(r.key(), r);
    }
    assertThat(latest).isEqualTo(expected);
  }

  /**
   * groupBySize sums the originals' index entries, but a merged segment indexes every batch after more than
   * index.interval.bytes of unindexed data across the originals' boundaries, so it can need more entries than the
   * sum, past segment.index.bytes: its index files are then rejected at every load (OffsetIndex.load / TimeIndex.load
   * refuse more than the maximum), so a clean shutdown never gets the trusted load and rebuilds them each restart.
   */
  @Test
  void mergedSegmentMustStayWithinTheIndexLimits() throws Exception {
    LogConfig cfg = COMPACT.withMaxIndexSizeBytes(48); // 6 offset-index entries, 4 time-index entries
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> cfg)) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), cfg);
      // Two of every five records survive the first pass: each segment keeps two batches, one index entry each.
      for (int i = 0; i < 200; i++) {
        append(log, now + i, now, i % 5 < 2 ? "u" + i : "hot", "v" + i + "x".repeat(30));
      }
      assertThat(log.runCleaner(now)).isTrue();
      long active = activeBase(log);
      while (activeBase(log) == active) {
        append(log, now + 100, now, "hot", "last");
      }
      assertThat(log.runCleaner(now)).isTrue();
      for (LogSegment s : log.segments()) {
        assertThat(s.offsetIndexEntries()).as("offset index entries of %s", s)
            .isLessThanOrEqualTo(cfg.maxOffsetIndexEntries());
        assertThat(s.timeIndexEntries()).as("time index entries of %s", s)
            .isLessThanOrEqualTo(cfg.maxTimeIndexEntries());
      }
    }
  }
}
