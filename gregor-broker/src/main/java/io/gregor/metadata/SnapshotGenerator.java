package io.gregor.metadata;

import io.gregor.broker.NodeConfig;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots the published {@link MetadataImage} and trims the metadata log below the snapshots, as Kafka's
 * SnapshotGenerator and KafkaMetadataLog cleaning do. A snapshot is written once
 * {@code metadata.log.max.record.bytes.between.snapshots} bytes of batches were committed since the last one, or
 * {@code metadata.log.max.snapshot.interval.ms} after it when records were committed since (0 disables the timer).
 *
 * <p>Trimming, after each snapshot: snapshots older than the newest two go, oldest first, while the log and the
 * snapshots together are over {@code metadata.max.retention.bytes} or the oldest is older than
 * {@code metadata.max.retention.ms} (negative: no limit; both soft limits, as in Kafka); the log start offset then moves
 * to the oldest snapshot kept, deleting the segments wholly below it. Unlike Kafka, the log always reaches back to the
 * second-newest snapshot, so a newest snapshot that does not read back at start-up costs a longer replay, never the
 * node.
 *
 * <p>Owner: the "gregor-metadata-snapshot" thread; the controller hands it each published image ({@link
 * #onPublished}), immutable, so writing a large snapshot never holds the controller thread.
 */
public final class SnapshotGenerator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SnapshotGenerator.class);

    /** The four keys, with Kafka's names; validated by {@link NodeConfig}. */
    public record Policy(long maxBytesBetweenSnapshots, long maxIntervalMs, long retentionBytes, long retentionMs) {

        public static Policy from(NodeConfig config) {
            return new Policy(config.longValue("metadata.log.max.record.bytes.between.snapshots", 1, Long.MAX_VALUE),
                    config.longValue("metadata.log.max.snapshot.interval.ms", 0, Long.MAX_VALUE),
                    config.longValue("metadata.max.retention.bytes", Long.MIN_VALUE, Long.MAX_VALUE),
                    config.longValue("metadata.max.retention.ms", Long.MIN_VALUE, Long.MAX_VALUE));
        }
    }

    private final Policy policy;
    private final MetadataLog metadataLog;
    private final MetadataSnapshots snapshots;
    private final ScheduledExecutorService thread;
    // Generator thread only:
    private MetadataImage latest;
    private long bytesSinceSnapshot;
    /** The end offset of the newest snapshot; 0 before the first. */
    private long snapshotEndOffset;
    private long lastSnapshotMs;
    private ScheduledFuture<?> timer;

    public SnapshotGenerator(int nodeId, Policy policy, MetadataLog metadataLog, MetadataSnapshots snapshots) {
        this.policy = policy;
        this.metadataLog = metadataLog;
        this.snapshots = snapshots;
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "gregor-metadata-snapshot-" + nodeId);
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.thread = executor;
    }

    /** Starts from what the node loaded; snapshots at once if the log after the snapshot is already over the limit. */
    public void start(MetadataLoader.Loaded loaded) {
        long nowMs = System.currentTimeMillis();
        run(() -> {
            latest = loaded.image();
            bytesSinceSnapshot = loaded.bytesSinceSnapshot();
            snapshotEndOffset = loaded.snapshotEndOffset();
            lastSnapshotMs = nowMs;
            maybeSnapshot(nowMs);
        });
    }

    /** The controller published {@code image}, whose last commit took {@code sizeInBytes} bytes of log; any thread. */
    public void onPublished(MetadataImage image, int sizeInBytes) {
        run(() -> {
            latest = image;
            bytesSinceSnapshot += sizeInBytes;
            maybeSnapshot(System.currentTimeMillis());
        });
    }

    private void run(Runnable task) {
        try {
            thread.execute(task);
        } catch (RejectedExecutionException closed) {
            // shutting down: the log holds every record, the next start replays them
        }
    }

    private void maybeSnapshot(long nowMs) {
        if (latest == null || latest.lastOffset() + 1 <= snapshotEndOffset) {
            return; // nothing committed since the newest snapshot
        }
        boolean bytesDue = bytesSinceSnapshot >= policy.maxBytesBetweenSnapshots();
        boolean timeDue = policy.maxIntervalMs() > 0 && nowMs - lastSnapshotMs >= policy.maxIntervalMs();
        if (bytesDue || timeDue) {
            snapshot(nowMs);
        } else if (policy.maxIntervalMs() > 0 && timer == null) {
            long delayMs = Math.max(0, lastSnapshotMs + policy.maxIntervalMs() - nowMs);
            timer = thread.schedule(() -> {
                timer = null;
                maybeSnapshot(System.currentTimeMillis());
            }, delayMs, TimeUnit.MILLISECONDS);
        }
    }

    private void snapshot(long nowMs) {
        MetadataImage image = latest;
        // Whatever happens, wait for another interval's worth before trying again (a full disk would fail each time).
        bytesSinceSnapshot = 0;
        lastSnapshotMs = nowMs;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        long startNs = System.nanoTime();
        try {
            snapshots.write(image, 0, nowMs); // the metadata log's batches all carry epoch 0: no election ever ran
        } catch (IOException | RuntimeException e) {
            log.error("Writing the metadata snapshot at offset {} failed; the metadata log keeps every record meanwhile",
                    image.lastOffset() + 1, e);
            return;
        }
        snapshotEndOffset = image.lastOffset() + 1;
        log.info("Wrote metadata snapshot {} ({} topics) in {} ms", MetadataSnapshots.fileName(snapshotEndOffset, 0),
                image.topicsByName().size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs));
        try {
            trim(nowMs);
        } catch (Exception e) {
            log.error("Trimming the metadata log below its snapshots failed; it is tried again after the next snapshot", e);
        }
    }

    /** Deletes old snapshots and the log below the oldest one kept (see the class comment). */
    private void trim(long nowMs) throws Exception {
        List<MetadataSnapshots.SnapshotFile> all = snapshots.list();
        long logStart = metadataLog.logStartOffset();
        int first = 0;
        while (first < all.size() && all.get(first).endOffset() < logStart) {
            first++; // below the log already: a trim that was interrupted before it deleted them
        }
        if (all.size() - first < 2) {
            deleteBefore(all, first);
            return;
        }
        long totalBytes = metadataLog.sizeInBytes();
        for (int i = first; i < all.size(); i++) {
            totalBytes += all.get(i).sizeInBytes();
        }
        boolean moved = false;
        while (first < all.size() - 2 && overRetention(totalBytes, all.get(first), nowMs)) {
            totalBytes -= all.get(first).sizeInBytes();
            first++;
            moved = true;
        }
        long newStart = all.get(first).endOffset();
        if (newStart > logStart && (moved || overRetention(totalBytes, all.get(first), nowMs))) {
            metadataLog.trimBefore(newStart); // durable before any snapshot below it goes
            log.info("Metadata log now starts at offset {} (was {})", newStart, logStart);
        }
        deleteBefore(all, first);
    }

    private boolean overRetention(long totalBytes, MetadataSnapshots.SnapshotFile oldest, long nowMs) {
        return policy.retentionBytes() >= 0 && totalBytes > policy.retentionBytes()
                || policy.retentionMs() >= 0 && nowMs - oldest.lastModifiedMs() > policy.retentionMs();
    }

    private void deleteBefore(List<MetadataSnapshots.SnapshotFile> all, int first) throws IOException {
        for (int i = 0; i < first; i++) {
            snapshots.delete(all.get(i));
        }
    }

    @Override
    public void close() {
        ExecutorService t = thread;
        t.shutdown();
        try {
            t.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
