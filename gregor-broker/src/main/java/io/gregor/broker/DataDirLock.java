package io.gregor.broker;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Kafka's {@code .lock} in the data directory: one node per directory, held from before the node reads anything in it
 * until it has closed. A second broker started on the same directory (another port, the same working directory)
 * would otherwise load the same logs, write into them and checkpoint over the first one's files.
 */
final class DataDirLock implements AutoCloseable {
    static final String FILE_NAME = ".lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock, creating the directory if needed; fails (with Kafka's message) when another node holds it. */
    static DataDirLock acquire(Path dir) throws IOException {
        createDirectories(dir);
        FileChannel channel = FileChannel.open(dir.resolve(FILE_NAME), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) { // held by another node of this process
            lock = null;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            throw new IOException("Failed to acquire lock on file " + FILE_NAME + " in " + dir.toAbsolutePath().normalize()
                    + ". A Kafka instance in another process or thread is using this directory.");
        }
        return new DataDirLock(channel, lock);
    }

    /**
     * As Files.createDirectories, with a message that says what is wrong: the JDK's exceptions for
     * these two cases carry only the path. Kafka's LogManager says "<path> is not a readable log directory."
     */
    private static void createDirectories(Path dir) throws IOException {
        try {
            Files.createDirectories(dir);
        } catch (FileAlreadyExistsException e) {
            throw new IOException(dir.toAbsolutePath().normalize() + " is not a readable log directory: it exists and is not a directory", e);
        } catch (AccessDeniedException e) {
            throw new IOException("cannot create log directory " + dir.toAbsolutePath().normalize() + ": permission denied on "
                    + e.getFile(), e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
