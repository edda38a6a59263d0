package io.gregor.storage;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the active segments of busy logs zero-filled ahead of their data, on one thread per {@link LogStore}
 * (see {@link PartitionLog#preallocateAhead}). On ext4 an fdatasync after an append that grew the file must commit a
 * journal transaction for the new size and blocks; after an append into space written and synced beforehand it only
 * writes the data. The zeros cost a second write of the same volume, off the acknowledgement path, which is why only
 * logs that flush before acks and take steady traffic get them.
 *
 * <p>Threads: {@link #request} from appending threads; the work runs on the preallocator thread.
 */
final class SegmentPreallocator implements AutoCloseable {
  /** A segment gets preallocated space once it holds this much data: idle partitions never do. */
  static final int MIN_SEGMENT_BYTES = 1 << 20;
  /** Prepared space kept ahead of the data; refilled once it falls below half. */
  static final int AHEAD_BYTES = 4 << 20;
  /** Zero-filled and synced at a time, so the syncs of zeros stay short next to the flusher's. */
  static final int PIECE_BYTES = 256 << 10;

  private final ExecutorService thread;
  private final Set<PartitionLog> queued = ConcurrentHashMap.newKeySet();
  private volatile boolean stopped;

  SegmentPreallocator(String name) {
    this.thread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    });
  }

  /** Asks for one more piece of prepared space for {@code log}'s active segment (at most one request queued). */
  void request(PartitionLog log) {
    if (queued.add(log)) {
      try {
        thread.execute(() -> {
          queued.remove(log);
          if (!stopped) {
            log.preallocateAhead();
          }
        });
      } catch (RejectedExecutionException e) {
        queued.remove(log); // closing
      }
    }
  }

  /**
   * Drops queued requests and waits for the piece being written, so no zeros land after the logs close. Never
   * interrupts: an interrupt during a write would close the segment's channel under the log.
   */
  @Override
  public void close() {
    stopped = true;
    thread.shutdown();
    try {
      thread.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
