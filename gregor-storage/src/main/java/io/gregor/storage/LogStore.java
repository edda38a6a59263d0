package io.gregor.storage;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens, owns and closes every partition log under one log directory (the broker holds one per {@code log.dirs}
 * entry), plus the directory's checkpoints and clean-shutdown marker.
 *
 * <p>Threads: the log map is a concurrent map; create/delete/close are serialised by {@link #lifecycleLock}. The
 * store runs three threads of its own: the {@link LogFlusher} (group-commit fsyncs, periodic flush and checkpoints),
 * a scheduler (retention every retentionCheckIntervalMs, delayed deletion of segment files and directories) and
 * the cleaner ({@code gregor-cleaner-*}: every log.cleaner.backoff.ms it compacts the dirtiest compacted logs, one
 * pass at a time, see {@link PartitionLog#runCleaner}; a log whose pass fails is marked uncleanable and skipped, see
 * {@link #runCleaner}). The cleaner thread is never interrupted: an interrupt would close the segment channels it
 * shares with readers; shutdown asks running passes to abort instead.
 *
 * <pre>
 * &lt;logDir&gt;/
 *   recovery-point-offset-checkpoint, log-start-offset-checkpoint,
 *   cleaner-offset-checkpoint                                       (see {@link OffsetCheckpointFile})
 *   .kafka_cleanshutdown                                             (present only between close and next open)
 *   &lt;topic&gt;-&lt;partition&gt;/
 *     00000000000000000000.log / .index / .timeindex, 000...NNN.snapshot,
 *     NNN.log.cleaned, NNN.log.swap                                  (cleaner output, see {@link LogCompactor})
 *     leader-epoch-checkpoint, partition.metadata ("version: 0\ntopic_id: &lt;base64 uuid&gt;\n")
 *   &lt;topic&gt;-&lt;partition&gt;.&lt;uuid&gt;-delete/                         (being deleted)
 * </pre>
 */
public final class LogStore implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LogStore.class);
  static final String RECOVERY_POINT_CHECKPOINT = "recovery-point-offset-checkpoint";
  static final String LOG_START_OFFSET_CHECKPOINT = "log-start-offset-checkpoint";
  static final String CLEANER_OFFSET_CHECKPOINT = "cleaner-offset-checkpoint";
  static final String CLEAN_SHUTDOWN_MARKER = ".kafka_cleanshutdown";
  static final String PARTITION_METADATA = "partition.metadata";
  private static final String DELETE_SUFFIX = "-delete";

  private final Path dir;
  private final StoreConfig config;
  private final StorageIo io;
  private final Function<String, LogConfig> topicConfigs;
  private final ConcurrentHashMap<TopicPartition, PartitionLog> logs = new ConcurrentHashMap<>();
  private final Object lifecycleLock = new Object();
  private final LogFlusher flusher;
  private final DurabilityJournal journal;
  private final ScheduledExecutorService scheduler;
  private final AtomicBoolean cleanupStarted = new AtomicBoolean();
  /** Deleted logs whose entries the checkpoint files on disk may still hold (that write failed); lifecycleLock. */
  private final Set<TopicPartition> stillCheckpointed = new HashSet<>();
  private final ScheduledExecutorService cleaner;
  private final Object checkpointLock = new Object(); // checkpoint files are written by one thread at a time
  private final Set<LogSegment> pendingDeletes = ConcurrentHashMap.newKeySet();
  /** Deleted logs whose files stay open until file.delete.delay.ms (closed at the latest by {@link #close}). */
  private final Set<PartitionLog> deletedOpen = ConcurrentHashMap.newKeySet();
  /** Logs whose cleaning failed, with the config they had then (Kafka's uncleanable partitions). */
  private final Map<PartitionLog, LogConfig> uncleanable = new ConcurrentHashMap<>();
  private final LogEnvironment env;
  private volatile boolean closed;

  private LogStore(Path dir, StoreConfig config, StorageIo io, Function<String, LogConfig> topicConfigs,
      DurabilityJournal journal) {
    this.dir = dir;
    this.config = config;
    this.io = io;
    this.topicConfigs = topicConfigs;
    this.journal = journal;
    this.flusher = new LogFlusher("gregor-log-flusher-" + dir.getFileName(), config.recoveryCheckpointIntervalMs(),
        config.roundsInFlight(), logs::values, this::writeCheckpointsQuietly, journal);
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "gregor-log-scheduler-" + dir.getFileName());
      t.setDaemon(true);
      return t;
    });
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    this.scheduler = Executors.unconfigurableScheduledExecutorService(executor);
    ScheduledThreadPoolExecutor cleanerExecutor = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "gregor-cleaner-" + dir.getFileName());
      t.setDaemon(true);
      return t;
    });
    cleanerExecutor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    this.cleaner = Executors.unconfigurableScheduledExecutorService(cleanerExecutor);
    this.env = new LogEnvironment(io, config, flusher, this::scheduleSegmentDelete,
        new LogEnvironment.CheckpointWriter() {
          @Override
          public void write() throws IOException {
            writeCheckpoints();
          }

          @Override
          public void writeLogStartOffsets() throws IOException {
            writeLogStartOffsetCheckpoint();
          }
        });
  }

  /** Opens {@code logDir} (creating it if needed) and loads or recovers every {@code <topic>-<partition>} in it. */
  public static LogStore open(Path logDir, StoreConfig config) throws IOException {
    return open(logDir, config, StorageIo.standard(), topic -> LogConfig.defaults());
  }

  /**
   * As {@link #open(Path, StoreConfig)}, with an I/O seam (tests inject faults) and the settings of each topic
   * already known to the broker (used while loading; defaults until {@link PartitionLog#updateConfig}).
   */
  public static LogStore open(Path logDir, StoreConfig config, StorageIo io,
      Function<String, LogConfig> topicConfigs) throws IOException {
    LogStore store = openWithoutCleanup(logDir, config, io, topicConfigs);
    store.startCleanup();
    return store;
  }

  /**
   * As {@link #open(Path, StoreConfig, StorageIo, Function)}, but retention and compaction do not start until
   * {@link #startCleanup}: for an owner that learns the topics' settings only once the store is open (the broker
   * replays its metadata log, which lives in the store) and gives each log its own with {@link
   * PartitionLog#updateConfig} first, so that no retention or cleaner pass ever runs on the placeholder settings.
   */
  public static LogStore openWithoutCleanup(Path logDir, StoreConfig config, StorageIo io,
      Function<String, LogConfig> topicConfigs) throws IOException {
    Files.createDirectories(logDir);
    if (!Files.exists(logDir.resolve(CLEAN_SHUTDOWN_MARKER))) {
      DurabilityJournal.replay(logDir, OffsetCheckpointFile.read(logDir.resolve(RECOVERY_POINT_CHECKPOINT)), io);
    }
    DurabilityJournal journal = DurabilityJournal.open(logDir, io, config.journalFileBytes());
    LogStore store = new LogStore(logDir, config, io, topicConfigs, journal);
    journal.prepareSparesOn(store.scheduler);
    try {
      store.loadAll();
    } catch (IOException | RuntimeException e) {
      store.closeWithoutPersisting(); // its threads and files: nothing was written that a later start would need
      throw e;
    }
    store.flusher.start();
    return store;
  }

  /**
   * Starts the periodic retention runs (every retentionCheckIntervalMs) and compaction passes (every
   * cleanerBackoffMs), the first one interval from now. Once; later calls do nothing.
   */
  public void startCleanup() {
    if (!cleanupStarted.compareAndSet(false, true)) {
      return;
    }
    scheduler.scheduleWithFixedDelay(this::runRetentionQuietly, config.retentionCheckIntervalMs(),
        config.retentionCheckIntervalMs(), TimeUnit.MILLISECONDS);
    // Kafka's per-log PeriodicProducerExpirationCheck, on its own interval.
    scheduler.scheduleWithFixedDelay(this::removeExpiredProducersQuietly,
        config.producerIdExpirationCheckIntervalMs(), config.producerIdExpirationCheckIntervalMs(),
        TimeUnit.MILLISECONDS);
    cleaner.scheduleWithFixedDelay(this::runCleanerQuietly, config.cleanerBackoffMs(), config.cleanerBackoffMs(),
        TimeUnit.MILLISECONDS);
  }

  private void loadAll() throws IOException {
    Path marker = dir.resolve(CLEAN_SHUTDOWN_MARKER);
    boolean cleanShutdown = Files.exists(marker);
    Map<TopicPartition, Long> recoveryPoints = OffsetCheckpointFile.read(dir.resolve(RECOVERY_POINT_CHECKPOINT));
    Map<TopicPartition, Long> startOffsets = OffsetCheckpointFile.read(dir.resolve(LOG_START_OFFSET_CHECKPOINT));
    Map<TopicPartition, Long> cleanerRead = OffsetCheckpointFile.readOrNull(dir.resolve(CLEANER_OFFSET_CHECKPOINT));
    Map<TopicPartition, Long> cleanerOffsets = cleanerRead == null ? Map.of() : cleanerRead;
    boolean cleanerOffsetsLost = cleanerRead == null && !recoveryPoints.isEmpty();
    long nowMs = System.currentTimeMillis();
    List<Path> toDelete = new ArrayList<>();
    Map<TopicPartition, Path> partitionDirs = new LinkedHashMap<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, Files::isDirectory)) {
      for (Path child : ds) {
        String name = child.getFileName().toString();
        if (name.endsWith(DELETE_SUFFIX)) {
          toDelete.add(child);
          continue;
        }
        TopicPartition tp = parseDirectoryName(name);
        if (tp == null) {
          LOG.warn("Ignoring directory {} in log dir {}: not <topic>-<partition>", name, dir);
          continue;
        }
        partitionDirs.put(tp, child);
      }
    }
    LogLoading loading = tp -> {
      Path child = partitionDirs.get(tp);
      LogLoader.Checkpoints checkpoints = new LogLoader.Checkpoints(optional(recoveryPoints.get(tp)),
          optional(startOffsets.get(tp)), optional(cleanerOffsets.get(tp)), cleanerOffsetsLost);
      return LogLoader.load(child, tp.topic(), tp.partition(), readPartitionMetadata(child),
          topicConfigs.apply(tp.topic()), env, cleanShutdown, checkpoints, nowMs);
    };
    logs.putAll(loadOnThreads(partitionDirs.keySet(), loading, config.recoveryThreads()));
    for (Path p : toDelete) {
      scheduler.execute(() -> deleteRecursively(p));
    }
    // The journal only holds what is appended from now on: what recovery kept must be on disk first.
    for (PartitionLog log : logs.values()) {
      if (log.recoveryPoint() < log.logEndOffset()) {
        log.flush();
      }
    }
    // From here on a crash must run recovery.
    boolean markerRemoved = Files.deleteIfExists(marker);
    if (!currentCheckpoints().equals(new Checkpoints(recoveryPoints, startOffsets, cleanerOffsets))) {
      writeCheckpoints(); // its directory fsync makes the marker's removal durable too
    } else if (markerRemoved) {
      FileStorageIo.forceDirectory(dir);
    }
    // Otherwise (a fresh directory, or a restart whose logs recovered nothing) the files already say it: not
    // rewriting them saves six fsyncs, each one slow at start-up when the disk is still busy with another's writes.
  }

  /**
   * Closes the logs cleanly on up to {@code threads} threads, as Kafka's LogManager.shutdown closes a directory's logs
   * on num.recovery.threads.per.data.dir threads (each close is a few fsyncs of its own files: one thread made a
   * stop of thousands of partitions take tens of seconds). Returns whether every close was clean.
   */
  private static boolean closeOnThreads(List<PartitionLog> toClose, long nowMs, int threads) {
    if (threads <= 1 || toClose.size() <= 1) {
      boolean clean = true;
      for (PartitionLog log : toClose) {
        clean &= log.close(nowMs);
      }
      return clean;
    }
    AtomicInteger n = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, toClose.size()), r -> {
      Thread t = new Thread(r, "gregor-log-closing-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<Boolean>> closes = new ArrayList<>(toClose.size());
      for (PartitionLog log : toClose) {
        closes.add(pool.submit(() -> log.close(nowMs)));
      }
      boolean clean = true;
      for (Future<Boolean> f : closes) {
        try {
          clean &= f.get();
        } catch (ExecutionException e) {
          LOG.error("Closing a log failed; the next start runs recovery", e.getCause());
          clean = false;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return clean;
    } finally {
      pool.shutdown();
    }
  }

  /** Loads one partition's log (recovering it if it needs it). */
  @FunctionalInterface
  interface LogLoading {
    PartitionLog load(TopicPartition tp) throws IOException;
  }

  /**
   * Loads the logs of {@code partitions} on up to {@code threads} threads, as Kafka's
   * {@code num.recovery.threads.per.data.dir} does: each log's files are read and checked by one thread, the logs are
   * independent, and with many partitions a restart is mostly that per-log work. The first failure is thrown (as
   * with one thread: a log that cannot be loaded fails the start) once the loads already running have ended; the
   * logs loaded by then are closed, and the loads not yet started are skipped.
   */
  static Map<TopicPartition, PartitionLog> loadOnThreads(Collection<TopicPartition> partitions, LogLoading loading,
      int threads) throws IOException {
    Map<TopicPartition, PartitionLog> loaded = new LinkedHashMap<>();
    if (threads <= 1 || partitions.size() <= 1) {
      try {
        for (TopicPartition tp : partitions) {
          loaded.put(tp, loading.load(tp));
        }
      } catch (IOException | RuntimeException e) {
        closeQuietly(loaded.values());
        throw e;
      }
      return loaded;
    }
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, partitions.size()), r -> {
      Thread t = new Thread(r, "gregor-log-loader-" + next.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    // After a failure the loads not yet started are skipped; every started one is waited for (a cancelled
    // FutureTask keeps running and its log's files would stay open), and what it loaded is closed.
    AtomicBoolean failed = new AtomicBoolean();
    Map<TopicPartition, Future<PartitionLog>> futures = new LinkedHashMap<>();
    try {
      for (TopicPartition tp : partitions) {
        futures.put(tp, pool.submit(() -> {
          if (failed.get()) {
            return null;
          }
          try {
            return loading.load(tp);
          } catch (IOException | RuntimeException e) {
            failed.set(true);
            throw e;
          }
        }));
      }
      Throwable failure = null;
      boolean interrupted = false;
      for (Map.Entry<TopicPartition, Future<PartitionLog>> e : futures.entrySet()) {
        while (true) {
          try {
            PartitionLog log = e.getValue().get();
            if (log != null) {
              loaded.put(e.getKey(), log);
            }
            break;
          } catch (ExecutionException ex) {
            failure = failure == null ? ex.getCause() : failure;
            break;
          } catch (InterruptedException ex) {
            interrupted = true; // the loads hold files: finish waiting for them, then report the interrupt
            failed.set(true);
          }
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
        failure = failure == null ? new InterruptedIOException("interrupted while loading the logs") : failure;
      }
      if (failure != null) {
        closeQuietly(loaded.values());
        if (failure instanceof IOException io) {
          throw io;
        }
        if (failure instanceof RuntimeException re) {
          throw re;
        }
        throw new IOException("loading the logs failed", failure);
      }
      return loaded;
    } finally {
      pool.shutdown();
    }
  }

  private static void closeQuietly(Collection<PartitionLog> logs) {
    for (PartitionLog log : logs) {
      log.closeAbruptly(); // nothing was written by the start yet: the files stay as they were found
    }
  }

  /** What the three offset checkpoint files hold, or should. */
  private record Checkpoints(Map<TopicPartition, Long> recoveryPoints, Map<TopicPartition, Long> startOffsets,
      Map<TopicPartition, Long> cleanerOffsets) {
  }

  /** The checkpoints of the logs as they are now (taken under checkpointLock). */
  private Checkpoints currentCheckpoints() {
    synchronized (checkpointLock) {
      Map<TopicPartition, Long> recoveryPoints = new HashMap<>();
      Map<TopicPartition, Long> startOffsets = new HashMap<>();
      for (Map.Entry<TopicPartition, PartitionLog> e : logs.entrySet()) {
        recoveryPoints.put(e.getKey(), e.getValue().recoveryPoint());
        startOffsets.put(e.getKey(), e.getValue().logStartOffset());
      }
      return new Checkpoints(recoveryPoints, startOffsets, cleanerOffsets());
    }
  }

  private Map<TopicPartition, Long> cleanerOffsets() {
    Map<TopicPartition, Long> offsets = new HashMap<>();
    for (Map.Entry<TopicPartition, PartitionLog> e : logs.entrySet()) {
      long offset = e.getValue().cleanerOffset();
      if (offset > 0) {
        offsets.put(e.getKey(), offset);
      }
    }
    return offsets;
  }

  private static OptionalLong optional(Long value) {
    return value == null ? OptionalLong.empty() : OptionalLong.of(value);
  }

  static TopicPartition parseDirectoryName(String name) {
    int dash = name.lastIndexOf('-');
    if (dash <= 0 || dash == name.length() - 1) {
      return null;
    }
    String suffix = name.substring(dash + 1);
    for (int i = 0; i < suffix.length(); i++) {
      if (!Character.isDigit(suffix.charAt(i))) {
        return null;
      }
    }
    try {
      return new TopicPartition(name.substring(0, dash), Integer.parseInt(suffix));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  static Uuid readPartitionMetadata(Path partitionDir) throws IOException {
    try {
      for (String line : Files.readAllLines(partitionDir.resolve(PARTITION_METADATA), StandardCharsets.UTF_8)) {
        if (line.startsWith("topic_id:")) {
          return Uuid.fromString(line.substring("topic_id:".length()).trim());
        }
      }
    } catch (NoSuchFileException e) {
      return Uuid.ZERO_UUID;
    } catch (IllegalArgumentException | CharacterCodingException e) {
      LOG.warn("Malformed {} in {}: {}", PARTITION_METADATA, partitionDir, e.getMessage());
    }
    return Uuid.ZERO_UUID;
  }

  private void writePartitionMetadata(Path partitionDir, Uuid topicId, boolean sync) throws IOException {
    String text = "version: 0\ntopic_id: " + topicId + "\n";
    io.writeFile(partitionDir.resolve(PARTITION_METADATA), ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)),
        sync);
  }

  public Path dir() {
    return dir;
  }

  public Optional<PartitionLog> log(String topic, int partition) {
    return Optional.ofNullable(logs.get(new TopicPartition(topic, partition)));
  }

  public Collection<PartitionLog> logs() {
    return List.copyOf(logs.values());
  }

  /**
   * A log for {@link #createLogs} to create, or to apply {@code config} (and a missing topic id) to if it exists; a
   * log it creates starts {@code leaderEpoch} (none when negative) as {@link PartitionLog#assignLeaderEpoch} does.
   */
  public record NewLog(String topic, int partition, Uuid topicId, LogConfig config, int leaderEpoch) {
    public NewLog(String topic, int partition, Uuid topicId, LogConfig config) {
      this(topic, partition, topicId, config, -1);
    }

    TopicPartition topicPartition() {
      return new TopicPartition(topic, partition);
    }
  }

  /**
   * What {@link #createLogs} did: the log of each partition asked for, or the failure that left it without one (tried
   * again by a later call).
   */
  public record CreatedLogs(Map<TopicPartition, PartitionLog> logs, Map<TopicPartition, IOException> failures) {
  }

  /**
   * Creates the log of a partition, or returns the existing one (applying {@code config} to it and filling in a
   * missing topic id).
   *
   * @throws IllegalStateException if the partition exists with a different topic id (a stale log of a deleted topic)
   */
  public PartitionLog createLog(String topic, int partition, Uuid topicId, LogConfig config) throws IOException {
    TopicPartition tp = new TopicPartition(topic, partition);
    CreatedLogs created = createLogs(List.of(new NewLog(topic, partition, topicId, config)));
    IOException failure = created.failures().get(tp);
    if (failure != null) {
      throw failure;
    }
    return created.logs().get(tp);
  }

  /**
   * As {@link #createLog} for each of {@code requested}, a failure failing only its own partition: a topic of
   * thousands of partitions is created with their directories and files made on a few threads at once and one fsync
   * of the log directory for all of them, instead of one at a time with three fsyncs each (2,000 partitions took
   * seconds on the controller thread, which every other admin request waits for).
   *
   * @throws IllegalStateException if one of them exists with a different topic id; nothing is created then
   */
  public CreatedLogs createLogs(Collection<NewLog> requested) {
    synchronized (lifecycleLock) {
      throwIfClosed();
      Map<TopicPartition, NewLog> byPartition = new LinkedHashMap<>();
      for (NewLog n : requested) {
        TopicPartition tp = n.topicPartition();
        if (n.topic().isEmpty() || n.partition() < 0) {
          throw new IllegalArgumentException("topic-partition: " + tp
              + " (expected: a non-empty topic, partition >= 0)");
        }
        PartitionLog existing = logs.get(tp);
        if (existing != null && !existing.topicId().equals(n.topicId())
            && !existing.topicId().equals(Uuid.ZERO_UUID)) {
          throw new IllegalStateException(tp + " exists with topic id " + existing.topicId() + " (expected: "
              + n.topicId() + ")");
        }
        byPartition.putIfAbsent(tp, n);
      }
      Map<TopicPartition, PartitionLog> created = new LinkedHashMap<>();
      Map<TopicPartition, IOException> failures = new LinkedHashMap<>();
      List<NewLog> toCreate = new ArrayList<>();
      for (NewLog n : byPartition.values()) {
        PartitionLog existing = logs.get(n.topicPartition());
        if (existing == null) {
          toCreate.add(n);
          continue;
        }
        try {
          if (!existing.topicId().equals(n.topicId())) {
            writePartitionMetadata(existing.dir(), n.topicId(), true);
            existing.setTopicId(n.topicId());
          }
          existing.updateConfig(n.config());
          created.put(n.topicPartition(), existing);
        } catch (IOException e) {
          failures.put(n.topicPartition(), e);
        }
      }
      if (toCreate.stream().anyMatch(n -> stillCheckpointed.contains(n.topicPartition()))) {
        // A deleted namesake's recovery point is still in the checkpoint on disk (writing it without that entry
        // failed): gone first, or replay after a power loss would take this log's records as fsynced up to there.
        try {
          writeCheckpoints();
          stillCheckpointed.clear();
        } catch (IOException e) {
          for (NewLog n : List.copyOf(toCreate)) {
            if (stillCheckpointed.contains(n.topicPartition())) {
              failures.put(n.topicPartition(), e);
              toCreate.remove(n);
            }
          }
        }
      }
      createNew(toCreate, created, failures);
      return new CreatedLogs(created, failures);
    }
  }

  /**
   * Creates the logs of {@code toCreate} in steps, each step for every log before the next (on up to {@code
   * num.recovery.threads.per.data.dir} threads): directory, partition.metadata (unsynced) and empty segment; then
   * the fsync of each partition.metadata; then of each partition directory; then one fsync of the log directory; and
   * only then publishes them. Written before they are fsynced, all of them, the files' creations share the file
   * system's journal commits: with a file written, fsynced and renamed per log (each rename a new commit for the
   * directory fsync after it), 2,000 logs cost three commits each. Under lifecycleLock.
   */
  private void createNew(List<NewLog> toCreate, Map<TopicPartition, PartitionLog> created,
      Map<TopicPartition, IOException> failures) {
    if (toCreate.isEmpty()) {
      return;
    }
    long nowMs = System.currentTimeMillis();
    List<Creation> creations = new ArrayList<>(toCreate.size());
    for (NewLog n : toCreate) {
      creations.add(new Creation(n, dir.resolve(n.topic() + "-" + n.partition())));
    }
    int threads = Math.min(config.recoveryThreads(), creations.size());
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = threads <= 1 ? null : Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "gregor-log-creator-" + next.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    try {
      runEach(creations, c -> c.log = createFiles(c, nowMs), pool);
      // A partition directory and its partition.metadata must be durable before a record of it is acknowledged:
      // journal replay after a power loss skips the records of a partition whose directory is gone, or whose
      // partition.metadata names no topic id or another one, as a deleted topic's.
      runEach(creations, c -> io.syncFile(c.dir.resolve(PARTITION_METADATA)), pool);
      runEach(creations, c -> io.syncDirectory(c.dir), pool);
    } catch (RuntimeException | Error e) {
      for (Creation c : creations) {
        if (c.log != null) {
          c.log.closeAbruptly();
        }
      }
      throw e;
    } finally {
      if (pool != null) {
        pool.shutdown();
      }
    }
    IOException dirFailure = null;
    if (creations.stream().anyMatch(c -> c.failure == null)) {
      try {
        io.syncDirectory(dir); // the new directories' names, all of them at once
      } catch (IOException e) {
        dirFailure = e;
      }
    }
    for (Creation c : creations) {
      TopicPartition tp = c.request.topicPartition();
      IOException failure = c.failure != null ? c.failure : dirFailure;
      if (failure == null) {
        logs.put(tp, c.log);
        created.put(tp, c.log);
        continue;
      }
      // Left on disk unpublished, as a single creation that failed: the next try moves the directory aside.
      if (c.log != null) {
        c.log.closeAbruptly();
      }
      failures.put(tp, failure);
    }
  }

  /** One log being created by {@link #createNew}; its fields are written by one task at a time. */
  private static final class Creation {
    final NewLog request;
    final Path dir;
    PartitionLog log;
    IOException failure;

    Creation(NewLog request, Path dir) {
      this.request = request;
      this.dir = dir;
    }
  }

  /** One step of {@link #createNew} for one log. */
  @FunctionalInterface
  private interface CreationStep {
    void run(Creation creation) throws IOException;
  }

  /** The files of a new log: its directory, its partition.metadata (not fsynced), an empty segment, its epoch. */
  private PartitionLog createFiles(Creation c, long nowMs) throws IOException {
    NewLog n = c.request;
    if (Files.exists(c.dir)) {
      moveAsideLeftover(n.topicPartition(), c.dir);
    }
    Files.createDirectories(c.dir);
    writePartitionMetadata(c.dir, n.topicId(), false);
    PartitionLog log = LogLoader.load(c.dir, n.topic(), n.partition(), n.topicId(), n.config(), env, false,
        new LogLoader.Checkpoints(OptionalLong.empty(), OptionalLong.empty()), nowMs);
    if (n.leaderEpoch() >= 0) {
      try {
        // Here, with the other file creations of the batch, rather than one after the other once it is published.
        log.assignLeaderEpoch(n.leaderEpoch());
      } catch (LogStorageException e) {
        // Created all the same: the caller's own assignLeaderEpoch, or the first append, starts the epoch.
        LOG.warn("{}: cannot record leader epoch {}: {}", log.name(), n.leaderEpoch(), e.getMessage());
      }
    }
    return log;
  }

  /**
   * Runs {@code step} for each creation that has not failed yet, on {@code pool} (the calling thread when null), and
   * returns once all have ended; an {@link IOException} fails its creation. Creating a log is mostly waiting for the
   * disk, and concurrent fsyncs share the file system's journal commits. Another failure (a bug) is thrown once every
   * step has ended.
   */
  private static void runEach(List<Creation> creations, CreationStep step, ExecutorService pool) {
    Runnable[] tasks = new Runnable[creations.size()];
    for (int i = 0; i < tasks.length; i++) {
      Creation c = creations.get(i);
      tasks[i] = () -> {
        if (c.failure != null) {
          return;
        }
        try {
          step.run(c);
        } catch (IOException e) {
          c.failure = e;
        }
      };
    }
    if (pool == null) {
      for (Runnable task : tasks) {
        task.run();
      }
      return;
    }
    List<Future<?>> futures = new ArrayList<>(tasks.length);
    for (Runnable task : tasks) {
      futures.add(pool.submit(task));
    }
    Throwable unexpected = null;
    boolean interrupted = false;
    for (Future<?> f : futures) {
      while (true) {
        try {
          f.get();
          break;
        } catch (ExecutionException e) {
          unexpected = unexpected == null ? e.getCause() : unexpected;
          break;
        } catch (InterruptedException e) {
          interrupted = true; // the steps hold files: wait for every one of them, then report the interrupt
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (unexpected instanceof Error error) {
      throw error;
    }
    if (unexpected != null) {
      throw (RuntimeException) unexpected;
    }
  }

  /**
   * A directory named like a new log but not loaded: a deleted log whose rename failed ({@link #deleteLogs} then
   * leaves it under its name). Loaded into the new log it would serve the deleted partition's records under the new
   * topic id: it goes aside to be deleted like any other, or the creation fails.
   */
  private void moveAsideLeftover(TopicPartition tp, Path partitionDir) throws IOException {
    Path target = deleteTarget(tp);
    try {
      io.renameDirectory(partitionDir, target);
      io.syncDirectory(dir);
    } catch (IOException e) {
      throw new IOException("cannot create the log of " + tp + ": " + partitionDir
          + " is left from a deleted log and cannot be moved aside", e);
    }
    LOG.warn("Moved {}, left from a deleted log, aside to {} before creating the log of {}", partitionDir,
        target.getFileName(), tp);
    if (!closed) {
      scheduler.execute(() -> deleteRecursively(target));
    }
  }

  private Path deleteTarget(TopicPartition tp) {
    return dir.resolve(tp.topic() + "-" + tp.partition() + "." + UUID.randomUUID().toString().replace("-", "")
        + DELETE_SUFFIX);
  }

  /**
   * Removes a partition's log: renames its directory to {@code <topic>-<partition>.<uuid>-delete}, closes it and
   * deletes the files after file.delete.delay.ms. No-op when the log does not exist.
   */
  public void deleteLog(String topic, int partition) throws IOException {
    deleteLogs(List.of(new TopicPartition(topic, partition)));
  }

  /**
   * Removes the logs of {@code partitions} as {@link #deleteLog} does one (those that do not exist are skipped), with
   * one directory fsync and one checkpoint write for all of them: deleting a topic of a thousand partitions costs
   * a few fsyncs, not thousands. Every log is removed even if some step fails; the first failure is thrown at the
   * end (with the others suppressed). A log whose directory could not be renamed is closed under its own name: the
   * next start loads it again, and the broker's metadata deletes it then; a namesake created before that moves it
   * aside first (see {@link #createLog}).
   */
  public void deleteLogs(Collection<TopicPartition> partitions) throws IOException {
    synchronized (lifecycleLock) {
      IOException failure = null;
      List<PartitionLog> renamed = new ArrayList<>();
      boolean removed = false;
      for (TopicPartition tp : partitions) {
        PartitionLog log = logs.remove(tp);
        if (log == null) {
          continue;
        }
        uncleanable.remove(log);
        removed = true;
        log.markDeleted();
        Path target = deleteTarget(tp);
        try {
          io.renameDirectory(log.dir(), target);
        } catch (IOException e) {
          log.closeAbruptly();
          failure = withSuppressed(failure, e);
          continue;
        }
        log.onDirectoryRenamed(target);
        renamed.add(log);
      }
      if (!removed) {
        return;
      }
      if (!renamed.isEmpty()) {
        try {
          io.syncDirectory(dir);
        } catch (IOException e) {
          // The renames happened: finish the deletion as if they were durable (a restart removes the directories
          // under either name), then report the failure.
          failure = withSuppressed(failure, e);
        }
        for (PartitionLog log : renamed) {
          // Its files stay open for file.delete.delay.ms, so responses still being sent from them complete (as Kafka's
          // asyncDelete).
          Path target = log.dir();
          if (closed) {
            log.closeAbruptly();
          } else {
            deletedOpen.add(log);
            scheduler.schedule(() -> {
              if (deletedOpen.remove(log)) {
                log.closeAbruptly();
              }
              deleteRecursively(target);
            }, log.config().fileDeleteDelayMs(), TimeUnit.MILLISECONDS);
          }
        }
      }
      // Their recovery points must not outlive them: a namesake created next would otherwise be taken as fsynced up
      // to there, and journal replay after a power loss would skip what that namesake acknowledged.
      try {
        writeCheckpoints();
        stillCheckpointed.clear();
      } catch (IOException e) {
        failure = withSuppressed(failure, e);
        stillCheckpointed.addAll(partitions); // createLog writes the checkpoints before creating one of them
      }
      if (failure != null) {
        throw failure;
      }
    }
  }

  private static IOException withSuppressed(IOException first, IOException next) {
    if (first == null) {
      return next;
    }
    first.addSuppressed(next);
    return first;
  }

  /** Runs retention on every log now (the scheduler does this every retentionCheckIntervalMs). */
  public void runRetention(long nowMs) {
    for (PartitionLog log : logs.values()) {
      log.runRetention(nowMs);
    }
  }

  private void removeExpiredProducersQuietly() {
    long nowMs = System.currentTimeMillis();
    for (PartitionLog log : logs.values()) {
      try {
        log.removeExpiredProducers(nowMs);
      } catch (RuntimeException e) {
        LOG.error("Expiring idle producers of {} failed", log.name(), e);
      }
    }
  }

  private void runRetentionQuietly() {
    try {
      runRetention(System.currentTimeMillis());
    } catch (RuntimeException e) {
      LOG.error("Retention run in {} failed", dir, e);
    }
  }

  /**
   * Cleans the compacted log that needs it most (highest dirty ratio among those due, see
   * {@link PartitionLog#runCleaner}), leaving out the uncleanable ones; returns whether a pass ran (it cleaned, or
   * it failed and its log is now uncleanable). A log whose pass fails is marked uncleanable (logged once, with the
   * reason) and skipped until it is reloaded or its config changes, as Kafka's cleaner does, so that it cannot stop
   * the cleaning of every other log. The cleaner thread calls this until it returns false; public so tests can run
   * a pass with their own clock.
   */
  public boolean runCleaner(long nowMs) {
    PartitionLog dirtiest = null;
    double dirtiestRatio = -1;
    for (PartitionLog log : logs.values()) {
      if (isUncleanable(log)) {
        continue;
      }
      CleanableRange range = log.cleanableRange(nowMs);
      if (range != null && range.shouldClean(log.config().minCleanableDirtyRatio())
          && range.dirtyRatio() > dirtiestRatio) {
        dirtiest = log;
        dirtiestRatio = range.dirtyRatio();
      }
    }
    if (dirtiest == null) {
      return false;
    }
    LogConfig config = dirtiest.config();
    try {
      return dirtiest.runCleanerOrThrow(nowMs);
    } catch (LogCompactor.FailedException e) {
      uncleanable.put(dirtiest, config);
      LOG.error("{}: cleaning failed; marked uncleanable, the cleaner skips it until it is reloaded or its config "
          + "changes", dirtiest.name(), e.getCause());
      return true;
    }
  }

  /** Whether {@code log} failed a pass with the config it still has (a changed config gets another try). */
  private boolean isUncleanable(PartitionLog log) {
    LogConfig failedWith = uncleanable.get(log);
    if (failedWith == null) {
      return false;
    }
    if (failedWith.equals(log.config())) {
      return true;
    }
    uncleanable.remove(log);
    return false;
  }

  private void runCleanerQuietly() {
    try {
      // Bounded, so that logs that stay due cannot pin the thread.
      for (int i = 0; i <= logs.size() && !closed; i++) {
        if (!runCleaner(System.currentTimeMillis())) {
          return;
        }
      }
    } catch (VirtualMachineError e) {
      LOG.error("Cleaner of {} stops: {}", dir, e.toString());
      throw e;
    } catch (Throwable t) {
      // A task of a ScheduledExecutorService that throws is never run again: log and wait for the next run.
      LOG.error("Cleaner run in {} failed", dir, t);
    }
  }

  private void scheduleSegmentDelete(LogSegment segment, long delayMs) {
    pendingDeletes.add(segment);
    Runnable delete = () -> {
      if (pendingDeletes.remove(segment)) {
        try {
          segment.closeAndDeleteFiles();
        } catch (IOException e) {
          LOG.warn("Deleting segment files {} failed", segment, e);
        }
      }
    };
    if (closed) {
      delete.run();
      return;
    }
    try {
      scheduler.schedule(delete, delayMs, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      delete.run();
    }
  }

  private static void deleteRecursively(Path root) {
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
          Files.deleteIfExists(d);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (NoSuchFileException e) {
      // already gone
    } catch (IOException e) {
      LOG.warn("Deleting {} failed", root, e);
    }
  }

  /**
   * Writes the offset checkpoints (fsynced): recovery points, log start offsets, cleaner offsets. The flusher's
   * checkpoint thread while open, the cleaner (before it swaps cleaned segments in), the closing thread, tests.
   */
  void writeCheckpoints() throws IOException {
    synchronized (checkpointLock) {
      Map<PartitionLog, Long> startOffsets = startOffsetsToCheckpoint();
      Checkpoints now = currentCheckpoints();
      OffsetCheckpointFile.write(dir.resolve(RECOVERY_POINT_CHECKPOINT), now.recoveryPoints(), io);
      writeLogStartOffsets(startOffsets);
      OffsetCheckpointFile.write(dir.resolve(CLEANER_OFFSET_CHECKPOINT), now.cleanerOffsets(), io);
    }
  }

  /** Writes (fsynced) the log-start-offset checkpoint alone: a DeleteRecords request waits for it. */
  void writeLogStartOffsetCheckpoint() throws IOException {
    synchronized (checkpointLock) {
      writeLogStartOffsets(startOffsetsToCheckpoint());
    }
  }

  private void writeLogStartOffsets(Map<PartitionLog, Long> startOffsets) throws IOException {
    Map<TopicPartition, Long> byPartition = new HashMap<>();
    for (Map.Entry<PartitionLog, Long> e : startOffsets.entrySet()) {
      byPartition.put(new TopicPartition(e.getKey().topic(), e.getKey().partition()), e.getValue());
    }
    OffsetCheckpointFile.write(dir.resolve(LOG_START_OFFSET_CHECKPOINT), byPartition, io);
    for (Map.Entry<PartitionLog, Long> e : startOffsets.entrySet()) {
      e.getKey().onLogStartOffsetCheckpointed(e.getValue());
    }
  }

  /**
   * Each log's logStartOffset, once the deletions of the segments below it are durable (see {@link
   * PartitionLog#logStartOffsetToCheckpoint}). A log whose directory cannot be fsynced (it is offline now) keeps
   * the offset its last checkpoint held, or none.
   */
  private Map<PartitionLog, Long> startOffsetsToCheckpoint() {
    Map<PartitionLog, Long> startOffsets = new LinkedHashMap<>();
    for (PartitionLog log : logs.values()) {
      try {
        startOffsets.put(log, log.logStartOffsetToCheckpoint());
      } catch (IOException e) {
        LOG.error("fsync of the directory of {} failed; the log is now offline", log.name(), e);
        if (log.checkpointedLogStartOffset() >= 0) {
          startOffsets.put(log, log.checkpointedLogStartOffset());
        }
      }
    }
    return startOffsets;
  }

  private void writeCheckpointsQuietly() {
    try {
      writeCheckpoints();
    } catch (IOException e) {
      throw new UncheckedIOException("writing checkpoints in " + dir + " failed", e);
    }
  }

  private void throwIfClosed() {
    if (closed) {
      throw new IllegalStateException("log store " + dir + " is closed");
    }
  }

  /**
   * Flushes everything, writes indexes, producer snapshots, epoch and offset checkpoints, and finally the
   * clean-shutdown marker (only if all of that succeeded). Idempotent.
   */
  @Override
  public void close() {
    synchronized (lifecycleLock) {
      if (closed) {
        return;
      }
      closed = true;
      stopCleaner();
      // Not shutdownNow: an interrupt landing in a FileChannel operation closes that channel. A running retention
      // pass or delete ends; the delayed ones are dropped (a restart removes what they would have).
      scheduler.shutdown();
      awaitScheduler();
      flusher.close();
      journal.close();
      boolean clean = closeOnThreads(List.copyOf(logs.values()), System.currentTimeMillis(), config.recoveryThreads());
      for (PartitionLog log : List.copyOf(deletedOpen)) {
        if (deletedOpen.remove(log)) {
          log.closeAbruptly();
        }
      }
      for (LogSegment segment : List.copyOf(pendingDeletes)) {
        if (pendingDeletes.remove(segment)) {
          try {
            segment.closeAndDeleteFiles();
          } catch (IOException e) {
            LOG.warn("Deleting segment files {} failed", segment, e);
          }
        }
      }
      try {
        writeCheckpoints();
        if (clean) {
          io.writeFile(dir.resolve(CLEAN_SHUTDOWN_MARKER), ByteBuffer.allocate(0), true);
        }
      } catch (IOException e) {
        LOG.error("Writing checkpoints or the clean-shutdown marker in {} failed; the next start runs recovery",
            dir, e);
      }
      LOG.info("Closed log store {} ({} logs, {})", dir, logs.size(), clean ? "clean" : "NOT clean");
    }
  }

  /** Asks the flusher for a full flush (fsync every log, checkpoint, recycle the journal) soon (tests). */
  void requestFullFlushForTesting() {
    flusher.requestFullFlush();
  }

  /** The journal's current end (tests). */
  long journalMarkForTesting() {
    return journal.mark();
  }

  /** Returns once the flusher's checkpoint thread finished what was queued on it (tests). */
  void awaitCheckpointerForTesting() throws Exception {
    flusher.awaitCheckpointerForTesting();
  }

  /** Test seam: stops the store's threads and closes files without persisting anything, like a SIGKILL. */
  void closeAbruptlyForTesting() {
    closeWithoutPersisting();
  }

  private void closeWithoutPersisting() {
    synchronized (lifecycleLock) {
      closed = true;
      stopCleaner();
      scheduler.shutdownNow();
      awaitScheduler();
      flusher.abort();
      journal.close();
      for (PartitionLog log : logs.values()) {
        log.closeAbruptly();
      }
    }
  }

  /** Asks running passes to abort and waits for the cleaner thread, without interrupting it. */
  private void stopCleaner() {
    for (PartitionLog log : logs.values()) {
      log.abortCleaning();
    }
    cleaner.shutdown();
    try {
      if (!cleaner.awaitTermination(30, TimeUnit.SECONDS)) {
        LOG.warn("Cleaner of {} did not stop within 30 s", dir);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void awaitScheduler() {
    try {
      if (!scheduler.awaitTermination(30, TimeUnit.SECONDS)) {
        LOG.warn("Scheduler of {} did not stop within 30 s", dir);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
