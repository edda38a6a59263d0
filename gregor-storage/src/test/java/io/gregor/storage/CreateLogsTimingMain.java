package io.gregor.storage;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * Times creating args[1] logs in a fresh store under args[0] with {@link LogStore#createLogs} (ONEBYONE set in the
 * environment: one {@link LogStore#createLog} each), counting the fsyncs and the time spent in them; -Dthreads sets
 * num.recovery.threads.per.data.dir (2). Not a test: run it by hand on the machine whose numbers you report.
 */
public final class CreateLogsTimingMain {
  private CreateLogsTimingMain() {
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int n = Integer.parseInt(args[1]);
    AtomicLong fileSyncs = new AtomicLong();
    AtomicLong fileSyncNanos = new AtomicLong();
    AtomicLong dirSyncs = new AtomicLong();
    AtomicLong dirSyncNanos = new AtomicLong();
    AtomicLong writes = new AtomicLong();
    StorageIo io = new StorageIo() {
      @Override
      public int append(FileRecords segment, MemoryRecords records) throws java.io.IOException {
        return StorageIo.standard().append(segment, records);
      }

      @Override
      public void force(FileChannel channel) throws java.io.IOException {
        StorageIo.standard().force(channel);
      }

      @Override
      public void write(FileChannel channel, ByteBuffer src, long position) throws java.io.IOException {
        StorageIo.standard().write(channel, src, position);
      }

      @Override
      public void writeFile(Path target, ByteBuffer content, boolean sync) throws java.io.IOException {
        long t0 = System.nanoTime();
        StorageIo.standard().writeFile(target, content, sync);
        writes.incrementAndGet();
        if (sync) {
          fileSyncs.incrementAndGet();
          fileSyncNanos.addAndGet(System.nanoTime() - t0);
        }
      }

      @Override
      public void syncFile(Path f) throws java.io.IOException {
        long t0 = System.nanoTime();
        StorageIo.standard().syncFile(f);
        fileSyncs.incrementAndGet();
        fileSyncNanos.addAndGet(System.nanoTime() - t0);
      }

      @Override
      public void syncDirectory(Path d) throws java.io.IOException {
        long t0 = System.nanoTime();
        StorageIo.standard().syncDirectory(d);
        dirSyncs.incrementAndGet();
        dirSyncNanos.addAndGet(System.nanoTime() - t0);
      }
    };
    Files.createDirectories(dir);
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults().withRecoveryThreads(Integer.getInteger("threads", 2)), io, topic -> LogConfig.defaults())) {
      Uuid id = Uuid.randomUuid();
      long t0 = System.nanoTime();
      java.util.List<LogStore.NewLog> logs = new java.util.ArrayList<>();
      for (int p = 0; p < n; p++) {
        logs.add(new LogStore.NewLog("big", p, id, LogConfig.defaults()));
      }
      if (System.getenv("ONEBYONE") != null) {
        for (LogStore.NewLog l : logs) {
          store.createLog(l.topic(), l.partition(), l.topicId(), l.config());
        }
      } else {
        LogStore.CreatedLogs created = store.createLogs(logs);
        if (created.logs().size() != n) {
          throw new IllegalStateException("created " + created.logs().size() + ", failures " + created.failures());
        }
      }
      long t1 = System.nanoTime();
      System.out.printf("created %d logs in %d ms; whole-file writes %d, of them fsynced %d (%d ms); directory "
              + "fsyncs %d (%d ms)%n", n, (t1 - t0) / 1_000_000, writes.get(), fileSyncs.get(),
          fileSyncNanos.get() / 1_000_000, dirSyncs.get(), dirSyncNanos.get() / 1_000_000);
    }
  }
}
