package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gregor.testkit.RawClient;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * ApiVersions as Kafka 4.4 answers it at the edges: the features a v3 client can take, a header that does not parse,
 * and the v5 cluster and node id check.
 */
@Timeout(120)
class ApiVersionsEdgesTest extends SharedNodeTest {

    private static ApiVersionsResponse apiVersions(RawClient client, short version, ApiVersionsRequestData data) {
        return client.send(new ApiVersionsRequest(data.setClientSoftwareName("gregor-test").setClientSoftwareVersion("1.0"), version));
    }

    /**
     * KIP-1022 / KAFKA-17492: Kafka answers ApiVersions v3 (and below) without the features whose minimum supported
     * level is 0 (ApiVersionsResponse.maybeFilterSupportedFeatureKeys with alterFeatureLevel0 = version < 4, from
     * KafkaApis.handleApiVersionsRequest), because clients that send v3 (e.g. kafka-clients 3.8) throw
     * IllegalArgumentException in NodeApiVersions' SupportedVersionRange(min 0) and cannot use the connection.
     */
    @Test
    void shouldNotAdvertiseASupportedFeatureWithMinVersionZeroAtApiVersionsV3() {
        try (RawClient client = RawClient.connect(node)) {
            ApiVersionsResponseData v3 = apiVersions(client, (short) 3, new ApiVersionsRequestData()).data();
            assertThat(Errors.forCode(v3.errorCode())).isEqualTo(Errors.NONE);
            assertThat(v3.supportedFeatures())
                    .as("v3 supported features (an old client rejects a min version of 0)")
                    .allSatisfy(f -> assertThat(f.minVersion()).as(f.name()).isGreaterThanOrEqualTo((short) 1));
            // v4+ clients promise to handle 0: there Kafka lists group.version 0..1.
            ApiVersionsResponseData v4 = apiVersions(client, (short) 4, new ApiVersionsRequestData()).data();
            assertThat(v4.supportedFeatures().find("group.version")).isNotNull();
        }
    }

    /**
     * An ApiVersions frame whose request header cannot be parsed (here 8 bytes: key, version 0, correlation id, and no
     * client id) is an InvalidRequestException in Kafka's RequestHeader.parse, which Processor.processCompletedReceives
     * turns into closing the connection (not an UNSUPPORTED_VERSION answer: v0 is supported).
     */
    @Test
    void shouldCloseTheConnectionForAnApiVersionsRequestWhoseHeaderDoesNotParse() {
        try (RawClient client = RawClient.connect(node)) {
            ByteBuffer header = ByteBuffer.allocate(8);
            header.putShort(ApiKeys.API_VERSIONS.id).putShort((short) 0).putInt(4321).flip();
            client.writeFrame(header);
            assertThatThrownBy(client::readFrame).as("no answer: the connection is closed").isInstanceOf(UncheckedIOException.class);
        }
    }

    /**
     * KIP-1242 (ApiVersions v5): Kafka's check is clusterId != null && (clusterId differs || nodeId != brokerId)
     * (KafkaApis.handleApiVersionsRequest), so a matching cluster id with a node id of -2 (valid: isValid only pairs
     * a null cluster id with -1) is REBOOTSTRAP_REQUIRED.
     */
    @Test
    void shouldAnswerRebootstrapRequiredForANegativeNodeIdOtherThanMinusOne() {
        try (RawClient client = RawClient.connect(node)) {
            MetadataResponse metadata = client.send(new MetadataRequest(new MetadataRequestData().setTopics(null), (short) 12));
            String clusterId = metadata.clusterId();
            ApiVersionsResponseData r = apiVersions(client, (short) 5,
                    new ApiVersionsRequestData().setClusterId(clusterId).setNodeId(-2)).data();
            assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.REBOOTSTRAP_REQUIRED);
        }
    }
}
