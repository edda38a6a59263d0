package io.gregor.storage;

import static io.gregor.storage.StorageTestSupport.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** {@link OffsetMap}: sizing to the dirty range and the budget, and the 90% fill limit. */
class OffsetMapTest {
  private static ByteBuffer key(String s) {
    return ByteBuffer.wrap(bytes(s));
  }

  @Test
  void shouldSizeTheMapToTheDirtyRangeWithinTheBudget() {
    // A tiny topic does not get the whole 128 MiB default: 10 offsets need 10 keys, at 90% load 13 slots.
    assertThat(OffsetMap.forRange(128L << 20, 10).slots()).isEqualTo(13);
    assertThat(OffsetMap.forRange(1024, 1_000_000).slots()).isEqualTo(1024 / OffsetMap.BYTES_PER_SLOT);
    assertThat(OffsetMap.forRange(1024, 0).slots()).isEqualTo(3);
  }

  @Test
  void shouldKeepTheLatestOffsetPerKeyUntilFull() {
    OffsetMap map = OffsetMap.forRange(1024, 1_000_000); // 42 slots, full at 37 keys
    for (int i = 0; i < 37; i++) {
      assertThat(map.isFull()).isFalse();
      map.put(key("k" + i), i);
    }
    assertThat(map.isFull()).isTrue();
    map.put(key("k3"), 100); // a key it has still moves on
    assertThat(map.get(key("k3"))).isEqualTo(100);
    assertThat(map.get(key("k36"))).isEqualTo(36);
    assertThat(map.get(key("absent"))).isEqualTo(-1);
    assertThat(map.size()).isEqualTo(37);
    assertThatThrownBy(() -> map.put(key("new"), 101)).isInstanceOf(IllegalStateException.class);
  }
}
