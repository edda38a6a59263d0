package io.gregor.metadata;

import io.gregor.storage.OffsetOutOfRangeException;
import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the node's first {@link MetadataImage} at start-up, as Kafka's metadata loader does: the newest snapshot that
 * reads back whole, then the log's records from its end offset on, batch by batch. A corrupt or torn snapshot is
 * skipped (WARN, and renamed {@code .skipped} so that the trimming never counts it) for the one before it; without a usable snapshot the whole log is replayed, which is possible only
 * while the log still starts at offset 0. Otherwise the node refuses to start: an image missing topics would make the
 * replica manager delete their data. Runs once, on the starting thread, before the controller and the snapshot
 * generator start.
 */
public final class MetadataLoader {

    private static final Logger log = LoggerFactory.getLogger(MetadataLoader.class);

    /** The loaded image, the end offset of the snapshot it started from (0: none) and the bytes replayed after it. */
    public record Loaded(MetadataImage image, long snapshotEndOffset, long bytesSinceSnapshot) {
    }

    private MetadataLoader() {
    }

    public static Loaded load(MetadataLog metadataLog, MetadataSnapshots snapshots) throws IOException, OffsetOutOfRangeException {
        long logStart = metadataLog.logStartOffset();
        long logEnd = metadataLog.endOffset();
        List<MetadataSnapshots.SnapshotFile> files = snapshots.list();
        for (int i = files.size() - 1; i >= 0; i--) {
            MetadataSnapshots.SnapshotFile file = files.get(i);
            if (file.endOffset() < logStart) {
                break; // older ones are further below the log: a trim was interrupted before it deleted them
            }
            if (file.endOffset() > logEnd) {
                log.warn("Skipping metadata snapshot {} (renamed to .skipped): it ends past the metadata log's end offset {}",
                        file.path(), logEnd);
                snapshots.setAside(file);
                continue;
            }
            MetadataImage image;
            try {
                image = snapshots.read(file);
            } catch (MetadataSnapshots.CorruptSnapshotException e) {
                log.warn("Skipping metadata snapshot that does not read back whole (renamed to .skipped): {}", e.getMessage());
                snapshots.setAside(file);
                continue;
            }
            MetadataLog.Replayed replayed = metadataLog.replay(image, file.endOffset());
            log.info("Loaded metadata snapshot {} and {} bytes of metadata log records after it", file.path().getFileName(),
                    replayed.sizeInBytes());
            return new Loaded(replayed.image(), file.endOffset(), replayed.sizeInBytes());
        }
        if (logStart > 0) {
            throw new IllegalStateException("the metadata log starts at offset " + logStart + " and no metadata snapshot in "
                    + metadataLog.dir() + " covers it (expected: a snapshot with an end offset in [" + logStart + ", " + logEnd
                    + "] that reads back whole); refusing to start with topics missing");
        }
        MetadataLog.Replayed replayed = metadataLog.replay(MetadataImage.EMPTY, 0);
        return new Loaded(replayed.image(), 0, replayed.sizeInBytes());
    }
}
