package io.gregor.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KeyValueTest {

    @Test
    void shouldSplitAtFirstEquals() {
        assertThat(KeyValue.parse("trace=a=b")).isEqualTo(new KeyValue("trace", "a=b"));
    }

    @Test
    void shouldAllowEmptyValue() {
        assertThat(KeyValue.parse("k=")).isEqualTo(new KeyValue("k", ""));
    }

    @Test
    void shouldRejectMissingKeyOrEquals() {
        assertThatThrownBy(() -> KeyValue.parse("=v")).hasMessage("'=v' (expected: key=value)");
        assertThatThrownBy(() -> KeyValue.parse("kv")).hasMessage("'kv' (expected: key=value)");
    }
}
