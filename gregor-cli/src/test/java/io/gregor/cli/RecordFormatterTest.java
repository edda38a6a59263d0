package io.gregor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class RecordFormatterTest {

    private static ConsumerRecord<byte[], byte[]> record(String key, String value, RecordHeaders headers) {
        return new ConsumerRecord<>("t", 2, 41, 1_700_000_000_000L, TimestampType.CREATE_TIME, -1, -1,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8), headers, Optional.empty());
    }

    @Test
    void shouldPrintOnlyValueByDefault() {
        RecordFormatter formatter = new RecordFormatter(false, false, false, false, false, "\t");

        assertThat(formatter.format(record("k", "héllo", new RecordHeaders()))).isEqualTo("héllo");
    }

    @Test
    void shouldPrintFieldsInFixedOrder() {
        RecordHeaders headers = new RecordHeaders();
        headers.add(new RecordHeader("a", "1".getBytes(StandardCharsets.UTF_8)));
        headers.add(new RecordHeader("b", (byte[]) null));
        RecordFormatter formatter = new RecordFormatter(true, true, true, true, true, "|");

        assertThat(formatter.format(record("k", "v", headers))).isEqualTo("1700000000000|2|41|a=1,b|k|v");
    }

    @Test
    void shouldPrintNullKeyAndValueAsNull() {
        RecordFormatter formatter = new RecordFormatter(false, false, false, true, true, "\t");

        assertThat(formatter.format(record(null, null, new RecordHeaders()))).isEqualTo("\tnull\tnull");
    }
}
