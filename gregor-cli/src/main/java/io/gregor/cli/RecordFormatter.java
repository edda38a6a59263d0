package io.gregor.cli;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Turns a consumed record into its output line: the fields asked for, in the fixed order
 * timestamp, partition, offset, headers, key, value, joined by the separator. Keys, values and
 * header values are decoded as UTF-8; a null key or value prints as {@code null}, as
 * kafka-console-consumer does. Headers print as {@code k=v,k=v}.
 */
record RecordFormatter(boolean timestamp, boolean partition, boolean offset, boolean headers, boolean key, String separator) {

    String format(ConsumerRecord<byte[], byte[]> record) {
        StringBuilder line = new StringBuilder();
        if (timestamp) {
            line.append(record.timestamp()).append(separator);
        }
        if (partition) {
            line.append(record.partition()).append(separator);
        }
        if (offset) {
            line.append(record.offset()).append(separator);
        }
        if (headers) {
            appendHeaders(line, record);
            line.append(separator);
        }
        if (key) {
            line.append(text(record.key())).append(separator);
        }
        line.append(text(record.value()));
        return line.toString();
    }

    private static void appendHeaders(StringBuilder line, ConsumerRecord<byte[], byte[]> record) {
        boolean first = true;
        for (Header header : record.headers()) {
            if (!first) {
                line.append(',');
            }
            first = false;
            line.append(header.key());
            if (header.value() != null) {
                line.append('=').append(new String(header.value(), StandardCharsets.UTF_8));
            }
        }
    }

    private static String text(byte[] bytes) {
        return bytes == null ? "null" : new String(bytes, StandardCharsets.UTF_8);
    }
}
