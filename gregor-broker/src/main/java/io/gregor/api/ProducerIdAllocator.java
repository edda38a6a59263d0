package io.gregor.api;

import io.gregor.storage.StorageIo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Hands out producer ids for InitProducerId. Ids are reserved in blocks whose upper bound is
 * persisted (and fsynced, with its directory) before any id of the block is used, so a restart never reuses an id a
 * producer may still hold. Thread-safe (synchronized; the file write happens once per block).
 */
public final class ProducerIdAllocator {

    private static final long BLOCK = 1000;

    private final Path file;
    private final StorageIo io;
    private long next;
    private long reservedUpTo;

    public ProducerIdAllocator(Path file, StorageIo io) {
        this.file = file;
        this.io = io;
        try {
            if (Files.exists(file)) {
                String s = Files.readString(file, StandardCharsets.UTF_8).trim();
                long v = Long.parseLong(s);
                this.next = v;
                this.reservedUpTo = v;
            }
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("cannot read producer id block file " + file + ": " + e.getMessage(), e);
        }
    }

    public synchronized long nextProducerId() {
        if (next >= reservedUpTo) {
            reserve(next + BLOCK);
        }
        return next++;
    }

    private void reserve(long upTo) {
        try {
            // Written to a temporary file, fsynced, renamed over the old one and the directory fsynced: after a power
            // loss the file never goes back to an earlier bound (an id handed out twice could make a new producer's
            // first batch look like an old one's duplicate, acknowledged and never written).
            io.writeFile(file, ByteBuffer.wrap(Long.toString(upTo).getBytes(StandardCharsets.UTF_8)), true);
            reservedUpTo = upTo;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reserve producer ids in " + file, e);
        }
    }
}
