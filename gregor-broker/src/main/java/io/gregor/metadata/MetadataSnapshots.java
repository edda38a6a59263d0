package io.gregor.metadata;

import io.gregor.storage.StorageIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * The metadata snapshots in the metadata log's directory: a {@link MetadataImage} written as the records that rebuild
 * it ({@link MetadataImage#forEachRecord}), in the log's own record format, so that loading one is the replay of a
 * log ({@link ImageReplay}) and not a second format. Named as Kafka's KRaft snapshots, by the offset they cover:
 * {@code <endOffset %020d>-<epoch %010d>.checkpoint}, where endOffset is the first log offset NOT in the snapshot.
 *
 * <pre>
 * +--------------------------------------------------------------------------------+
 * | v2 record batch, uncompressed, CRC'd: records with a null key whose value is   |
 * | a {@link MetadataRecordCodec} encoding; offsets 0..n-1 across batches           |
 * | ... (a batch is cut every {@value #BATCH_BYTES} bytes)                          |
 * +--------------------------------------------------------------------------------+
 * | footer batch: one record, key "footer",                                        |
 * |   value = endOffset: int64 | epoch: int32 | recordCount: int64                  |
 * +--------------------------------------------------------------------------------+
 * </pre>
 *
 * A snapshot is written whole to a temporary file, fsynced, renamed and its directory fsynced ({@link
 * StorageIo#writeFile}); a file without its footer, with bytes after it, a bad CRC or a record that does not replay
 * is corrupt. Threads: written and deleted by the {@link SnapshotGenerator} thread, read once at start-up before it
 * starts.
 */
public final class MetadataSnapshots {

    /** A snapshot file found in the directory. */
    public record SnapshotFile(Path path, long endOffset, int epoch, long sizeInBytes, long lastModifiedMs) {
    }

    /** A snapshot that does not read back whole. */
    public static final class CorruptSnapshotException extends Exception {
        CorruptSnapshotException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static final String SUFFIX = ".checkpoint";
    static final String SKIPPED_SUFFIX = ".skipped";
    private static final Pattern NAME = Pattern.compile("(\\d{20})-(\\d{10})\\.checkpoint");
    private static final byte[] FOOTER_KEY = "footer".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final int BATCH_BYTES = 512 * 1024;
    private static final int FOOTER_BYTES = 8 + 4 + 8;

    private final Path dir;
    private final StorageIo io;

    public MetadataSnapshots(Path dir, StorageIo io) {
        this.dir = dir;
        this.io = io;
    }

    public static String fileName(long endOffset, int epoch) {
        return String.format("%020d-%010d%s", endOffset, epoch, SUFFIX);
    }

    /** The snapshots in the directory, oldest (lowest end offset) first; temporary files are not listed. */
    public List<SnapshotFile> list() throws IOException {
        List<SnapshotFile> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path p : ds) {
                Matcher m = NAME.matcher(p.getFileName().toString());
                if (!m.matches()) {
                    continue;
                }
                try {
                    out.add(new SnapshotFile(p, Long.parseLong(m.group(1)), Integer.parseInt(m.group(2)), Files.size(p),
                            Files.getLastModifiedTime(p).toMillis()));
                } catch (java.nio.file.NoSuchFileException gone) {
                    // deleted meanwhile
                }
            }
        }
        out.sort(Comparator.comparingLong(SnapshotFile::endOffset).thenComparingInt(SnapshotFile::epoch));
        return out;
    }

    /**
     * Writes {@code image} as the snapshot ending at {@code image.lastOffset() + 1}: a temporary file, fsynced, renamed,
     * directory fsynced. Replaces a snapshot of that name.
     */
    public Path write(MetadataImage image, int epoch, long nowMs) throws IOException {
        long endOffset = image.lastOffset() + 1;
        BatchWriter batches = new BatchWriter(nowMs);
        image.forEachRecord(batches);
        batches.flush();
        ByteBuffer footer = ByteBuffer.allocate(FOOTER_BYTES).putLong(endOffset).putInt(epoch).putLong(batches.count).flip();
        batches.out.add(MemoryRecords.withRecords(batches.count, Compression.NONE,
                new SimpleRecord(nowMs, FOOTER_KEY, footer.array())).buffer());
        int size = 0;
        for (ByteBuffer b : batches.out) {
            size += b.remaining();
        }
        ByteBuffer content = ByteBuffer.allocate(size);
        for (ByteBuffer b : batches.out) {
            content.put(b);
        }
        content.flip();
        Path target = dir.resolve(fileName(endOffset, epoch));
        io.writeFile(target, content, true);
        return target;
    }

    /** Encodes records into batches of about {@link #BATCH_BYTES}, numbered from offset 0. */
    private static final class BatchWriter implements Consumer<MetadataRecord> {
        final List<ByteBuffer> out = new ArrayList<>();
        private final List<SimpleRecord> pending = new ArrayList<>();
        private final long nowMs;
        private int pendingBytes;
        long count;

        BatchWriter(long nowMs) {
            this.nowMs = nowMs;
        }

        @Override
        public void accept(MetadataRecord record) {
            byte[] value = MetadataRecordCodec.encode(record);
            pending.add(new SimpleRecord(nowMs, null, value));
            pendingBytes += value.length;
            if (pendingBytes >= BATCH_BYTES) {
                flush();
            }
        }

        void flush() {
            if (pending.isEmpty()) {
                return;
            }
            out.add(MemoryRecords.withRecords(count, Compression.NONE, pending.toArray(new SimpleRecord[0])).buffer());
            count += pending.size();
            pending.clear();
            pendingBytes = 0;
        }
    }

    /** The image {@code file} holds, replayed onto the empty image; it reports {@code endOffset - 1} as its last offset. */
    public MetadataImage read(SnapshotFile file) throws IOException, CorruptSnapshotException {
        try (FileRecords records = FileRecords.open(file.path().toFile(), false)) {
            ImageReplay replay = new ImageReplay(MetadataImage.EMPTY);
            long lastOffset = file.endOffset() - 1;
            long position = 0;
            long count = 0;
            ByteBuffer footer = null;
            for (FileChannelRecordBatch batch : records.batches()) {
                if (footer != null) {
                    throw new CorruptSnapshotException(file.path() + ": a batch after the footer at position " + position, null);
                }
                batch.ensureValid();
                position += batch.sizeInBytes();
                for (Record record : batch) {
                    if (record.hasKey()) {
                        footer = record.value();
                    } else if (footer != null) {
                        throw new CorruptSnapshotException(file.path() + ": a record after the footer", null);
                    } else {
                        replay.add(MetadataRecordCodec.decode(record.value()), lastOffset);
                        count++;
                    }
                }
            }
            if (footer == null || footer.remaining() != FOOTER_BYTES) {
                throw new CorruptSnapshotException(file.path() + ": no footer after " + position + " of "
                        + records.sizeInBytes() + " bytes (a torn or truncated file)", null);
            }
            if (position != records.sizeInBytes()) {
                throw new CorruptSnapshotException(file.path() + ": " + (records.sizeInBytes() - position)
                        + " bytes after the footer", null);
            }
            long endOffset = footer.getLong();
            int epoch = footer.getInt();
            long recordCount = footer.getLong();
            if (endOffset != file.endOffset() || epoch != file.epoch() || recordCount != count) {
                throw new CorruptSnapshotException(file.path() + ": footer says end offset " + endOffset + ", epoch " + epoch
                        + ", " + recordCount + " records (expected: " + file.endOffset() + ", " + file.epoch() + ", " + count + ")",
                        null);
            }
            return replay.finish(lastOffset);
        } catch (RuntimeException e) {
            // A bad CRC or batch header (KafkaException), a record the codec or the image refuses: not to be trusted.
            throw new CorruptSnapshotException(file.path() + ": " + e, e);
        }
    }

    /**
     * Renames a snapshot the start-up could not use to {@code <name>.skipped}, kept for the operator: listed no more,
     * it cannot count as one of the two newest snapshots the trimming keeps the log for.
     */
    public void setAside(SnapshotFile file) throws IOException {
        Files.move(file.path(), file.path().resolveSibling(file.path().getFileName() + SKIPPED_SUFFIX),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        io.syncDirectory(dir);
    }

    /** Deletes a snapshot file; no fsync (one that comes back after a crash is older than the kept ones). */
    public void delete(SnapshotFile file) throws IOException {
        Files.deleteIfExists(file.path());
    }
}
