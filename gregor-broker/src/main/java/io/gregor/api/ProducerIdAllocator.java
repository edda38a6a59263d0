package io.gregor.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Hands out producer ids for InitProducerId. Ids are reserved in blocks whose upper bound is
 * persisted (and fsynced) before any id of the block is used, so a restart never reuses an id a
 * producer may still hold. Thread-safe (synchronized; the file write happens once per block).
 */
public final class ProducerIdAllocator {

    private static final long BLOCK = 1000;

    private final Path file;
    private long next;
    private long reservedUpTo;

    public ProducerIdAllocator(Path file) {
        this.file = file;
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
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(java.nio.ByteBuffer.wrap(Long.toString(upTo).getBytes(StandardCharsets.UTF_8)));
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            reservedUpTo = upTo;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reserve producer ids in " + file, e);
        }
    }
}
