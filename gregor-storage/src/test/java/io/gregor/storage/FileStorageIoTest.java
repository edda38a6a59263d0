package io.gregor.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real file system's durability steps report their failures instead of pretending a name is durable. */
class FileStorageIoTest {
  @TempDir
  Path dir;

  @Test
  void aDirectorySyncThatFailsIsReported() {
    // Before, any failure to open or fsync the directory was swallowed: a file's name could be taken as durable
    // (a journal file about to hold acknowledged records, a renamed-away deleted log) when it was not.
    assertThatThrownBy(() -> FileStorageIo.forceDirectory(dir.resolve("gone"))).isInstanceOf(IOException.class);
  }

  @Test
  void aSyncedFileWriteLeavesTheNewContentUnderItsName() throws IOException {
    Path target = dir.resolve("checkpoint");
    Files.writeString(target, "old");
    FileStorageIo.INSTANCE.writeFile(target, ByteBuffer.wrap("new".getBytes(StandardCharsets.UTF_8)), true);
    assertThat(Files.readString(target)).isEqualTo("new");
    assertThat(dir.resolve("checkpoint.tmp")).doesNotExist();
  }
}
