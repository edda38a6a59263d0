package io.gregor.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The dynamic broker config record: its encoding, and how replay builds the image's broker configs. */
class BrokerConfigRecordTest {

    @Test
    void shouldDecodeWhatItEncodesIncludingTheClusterDefaultNameAndARemoval() {
        for (MetadataRecord record : List.of(
                new MetadataRecord.BrokerConfig("", "log.retention.ms", "60000"),
                new MetadataRecord.BrokerConfig("1", "message.max.bytes", null))) {
            assertThat(MetadataRecordCodec.decode(ByteBuffer.wrap(MetadataRecordCodec.encode(record)))).isEqualTo(record);
        }
    }

    @Test
    void shouldRefuseAStringItsShortLengthCannotCarry() {
        MetadataRecord longest = new MetadataRecord.BrokerConfig("", "custom.key", "x".repeat(Short.MAX_VALUE));
        assertThat(MetadataRecordCodec.decode(ByteBuffer.wrap(MetadataRecordCodec.encode(longest)))).isEqualTo(longest);
        // One byte more would be written as a negative length and read back as null (a removal on replay).
        assertThatThrownBy(() -> MetadataRecordCodec.encode(
                new MetadataRecord.BrokerConfig("", "custom.key", "x".repeat(Short.MAX_VALUE + 1))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldKeepEachResourcesConfigsApartAndForgetARemovedKey() {
        MetadataImage image = MetadataImage.EMPTY.apply(List.of(
                new MetadataRecord.BrokerConfig("", "log.retention.ms", "60000"),
                new MetadataRecord.BrokerConfig("", "min.insync.replicas", "1"),
                new MetadataRecord.BrokerConfig("1", "log.retention.ms", "120000")), 2);

        MetadataImage after = image.apply(List.of(
                new MetadataRecord.BrokerConfig("", "log.retention.ms", null),
                new MetadataRecord.BrokerConfig("1", "log.retention.ms", null)), 4);

        assertThat(image.brokerConfigs(MetadataImage.CLUSTER_DEFAULT))
                .isEqualTo(Map.of("log.retention.ms", "60000", "min.insync.replicas", "1"));
        assertThat(image.brokerConfigs("1")).isEqualTo(Map.of("log.retention.ms", "120000"));
        assertThat(after.brokerConfigs(MetadataImage.CLUSTER_DEFAULT)).isEqualTo(Map.of("min.insync.replicas", "1"));
        assertThat(after.brokerConfigs("1")).isEmpty();
        assertThat(after.brokerConfigs("2")).isEmpty();
    }
}
