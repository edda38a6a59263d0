package io.gregor.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a clean close of the store (SIGTERM) costs. Kafka 4.4's {@code LogManager.shutdown} closes the logs of a
 * directory on a pool of {@code num.recovery.threads.per.data.dir} threads ({@code log-closing-<dir>}), each
 * {@code log.flush(true); log.close()}, so that a broker with thousands of partitions stops within a stop timeout
 * (Docker's default is 10 s, after which a SIGKILL makes the next start a recovery).
 */
class CleanCloseCostTest {

  @TempDir
  Path dir;

  private static final class Recording implements StorageIo {
    final List<String> syncedWrites = new CopyOnWriteArrayList<>();
    final Set<String> closingThreads = ConcurrentHashMap.newKeySet();

    @Override
    public void writeFile(Path target, ByteBuffer content, boolean sync) throws IOException {
      if (sync) {
        syncedWrites.add(target.getFileName().toString());
        if (target.getFileName().toString().endsWith(".snapshot")) {
          closingThreads.add(Thread.currentThread().getName()); // written by each log's close
        }
      }
      StorageIo.standard().writeFile(target, content, sync);
    }
  }

  private static final int LOGS = 40;

  private void populate() throws Exception {
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), StorageIo.standard(), t -> LogConfig.defaults())) {
      Uuid id = Uuid.randomUuid();
      for (int p = 0; p < LOGS; p++) {
        PartitionLog log = store.createLog("idle", p, id, LogConfig.defaults());
        log.appendAsLeader(StorageTestSupport.batch(System.currentTimeMillis(), "a", "b"), 0, System.currentTimeMillis());
      }
    }
  }

  /**
   * The logs are closed on {@code num.recovery.threads.per.data.dir} threads, as Kafka's {@code LogManager.shutdown}
   * does, not one after the other on the thread that closes the store.
   */
  @Test
  void cleanCloseUsesTheRecoveryThreads() throws Exception {
    populate();
    Recording io = new Recording();
    LogStore store = LogStore.open(dir, StoreConfig.defaults().withRecoveryThreads(2), io, t -> LogConfig.defaults());
    io.closingThreads.clear();
    store.close();
    assertThat(io.closingThreads).as("threads that wrote the producer snapshots while closing %d logs with 2 recovery threads", LOGS)
        .hasSizeGreaterThanOrEqualTo(2);
  }
}
