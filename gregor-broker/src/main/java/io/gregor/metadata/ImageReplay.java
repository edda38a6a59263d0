package io.gregor.metadata;

import java.util.ArrayList;
import java.util.List;

/**
 * Replays a stream of metadata records onto an image through {@link MetadataImage#apply}, a bounded chunk at a time:
 * the one replay path of a snapshot and of the log after it, at start-up. {@code apply} accepts a stream cut anywhere
 * (a topic's partitions and configs may follow its CreateTopic in a later chunk), so the chunks need no alignment.
 * Each {@code apply} copies the image's maps, hence chunks of many records rather than one per batch. Not thread-safe:
 * one loading thread.
 */
final class ImageReplay {

    private static final int RECORDS_PER_APPLY = 100_000;

    private MetadataImage image;
    private final List<MetadataRecord> pending = new ArrayList<>();
    private long pendingLastOffset;

    ImageReplay(MetadataImage base) {
        this.image = base;
        this.pendingLastOffset = base.lastOffset();
    }

    /** Adds the record at {@code offset} (the offset the image will report once it is applied). */
    void add(MetadataRecord record, long offset) {
        pending.add(record);
        pendingLastOffset = offset;
        if (pending.size() >= RECORDS_PER_APPLY) {
            flush();
        }
    }

    /** The image with every added record applied, reporting {@code lastOffset}. */
    MetadataImage finish(long lastOffset) {
        image = image.apply(pending, lastOffset);
        pending.clear();
        return image;
    }

    private void flush() {
        image = image.apply(pending, pendingLastOffset);
        pending.clear();
    }
}
