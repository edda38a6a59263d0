package io.gregor.protocol;

import io.gregor.storage.StorageIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * The real file system for the tests of slow and failing disks: while {@link #stall} is set every fsync waits for it
 * (counted in {@link #stalled}), while {@link #appendFailure} is set appends to a segment whose path contains
 * {@link #failingTopic} throw it, while {@link #failJournal} is set the durability journal's writes fail, and while
 * {@link #failForces} is set fsyncs of segments whose path contains {@link #failingTopic} fail.
 */
final class ControlledDisk implements StorageIo {
    volatile CountDownLatch stall;
    final AtomicInteger stalled = new AtomicInteger();
    volatile Error appendFailure;
    volatile String failingTopic = "";
    volatile boolean failJournal;
    volatile boolean failForces;
    /** The channel of each segment appended to whose path contains {@link #failingTopic}. */
    private final Set<FileChannel> failingChannels = ConcurrentHashMap.newKeySet();

    @Override
    public int append(FileRecords segment, MemoryRecords records) throws IOException {
        boolean failing = segment.file().getPath().contains(failingTopic);
        Error e = appendFailure;
        if (e != null && failing) {
            throw e;
        }
        if (failing) {
            failingChannels.add(segment.channel());
        }
        return StorageIo.standard().append(segment, records);
    }

    @Override
    public void force(FileChannel channel) throws IOException {
        CountDownLatch gate = stall;
        if (gate != null) {
            stalled.incrementAndGet();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        if (failForces && failingChannels.contains(channel)) {
            throw new IOException("Input/output error (injected fsync failure)");
        }
        StorageIo.standard().force(channel);
    }

    @Override
    public void write(FileChannel channel, ByteBuffer src, long position) throws IOException {
        if (failJournal) {
            throw new IOException("Input/output error (injected journal write failure)");
        }
        StorageIo.standard().write(channel, src, position);
    }

}
