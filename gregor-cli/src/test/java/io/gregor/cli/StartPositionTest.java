package io.gregor.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StartPositionTest {

    private static final long MAY_1_NOON_UTC = 1_714_564_800_000L;

    @Test
    void shouldParseEpochMillis() {
        assertThat(StartPosition.parseTimestampMs("1714564800000")).isEqualTo(MAY_1_NOON_UTC);
    }

    @Test
    void shouldParseIsoForms() {
        assertThat(StartPosition.parseTimestampMs("2024-05-01T12:00:00Z")).isEqualTo(MAY_1_NOON_UTC);
        assertThat(StartPosition.parseTimestampMs("2024-05-01T12:00:00.000Z")).isEqualTo(MAY_1_NOON_UTC);
        assertThat(StartPosition.parseTimestampMs("2024-05-01T14:00:00+02:00")).isEqualTo(MAY_1_NOON_UTC);
        assertThat(StartPosition.parseTimestampMs("2024-05-01t12:00:00z")).isEqualTo(MAY_1_NOON_UTC);
        assertThat(StartPosition.parseTimestampMs("2024-05-01T12:00")).isEqualTo(MAY_1_NOON_UTC);
        assertThat(StartPosition.parseTimestampMs("2024-05-01")).isEqualTo(MAY_1_NOON_UTC - 12 * 3_600_000L);
    }

    @Test
    void shouldRejectAnythingElse() {
        assertThatThrownBy(() -> StartPosition.parseTimestampMs("noon")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--from-timestamp: 'noon' (expected:");
        assertThatThrownBy(() -> StartPosition.parseTimestampMs("99999999999999999999"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
