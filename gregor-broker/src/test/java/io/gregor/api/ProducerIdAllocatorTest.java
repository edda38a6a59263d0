package io.gregor.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.gregor.storage.StorageIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProducerIdAllocatorTest {

    @TempDir
    Path dir;

    /** The real file system, recording each whole-file write and whether it was to be synced. */
    private static final class RecordingIo implements StorageIo {
        final List<String> writes = new ArrayList<>();

        @Override
        public void writeFile(Path target, ByteBuffer content, boolean sync) throws IOException {
            writes.add(target.getFileName() + (sync ? " synced" : " unsynced"));
            StorageIo.standard().writeFile(target, content, sync);
        }
    }

    @Test
    void shouldReserveEachBlockDurablyBeforeHandingOutItsIdsAndNeverReuseOneAfterARestart() {
        RecordingIo io = new RecordingIo();
        Path file = dir.resolve("producer-id-block");
        Set<Long> ids = new HashSet<>();
        ProducerIdAllocator first = new ProducerIdAllocator(file, io);
        for (int i = 0; i < 1500; i++) {
            ids.add(first.nextProducerId());
        }
        // Two blocks, each written through the synced path (file and directory fsynced) before its first id.
        assertThat(io.writes).containsExactly("producer-id-block synced", "producer-id-block synced");
        ProducerIdAllocator restarted = new ProducerIdAllocator(file, io);
        for (int i = 0; i < 1500; i++) {
            assertThat(ids.add(restarted.nextProducerId())).as("a fresh id after the restart").isTrue();
        }
    }
}
