package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.gregor.testkit.RawClient;
import io.gregor.testkit.TestNode;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.DescribeAclsRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A smoke test over everything we advertise: for every API key and every version in our
 * ApiVersions answer, a request with default field values gets a well-formed response of that
 * version (an error code is fine), never a dropped connection. This catches handlers that set
 * a response field the negotiated version does not have.
 */
@Timeout(120)
class AllApisAllVersionsTest {

    @Test
    void shouldAnswerEveryAdvertisedVersionOfEveryApi() {
        try (TestNode node = TestNode.start()) {
            List<ApiVersionsResponseData.ApiVersion> advertised = new ArrayList<>();
            try (RawClient client = RawClient.connect(node)) {
                ApiVersionsResponse r = client.send(ApiKeys.API_VERSIONS, (short) 3, new ApiVersionsRequestData()
                        .setClientSoftwareName("sweep").setClientSoftwareVersion("1"));
                r.data().apiKeys().forEach(advertised::add);
            }
            assertThat(advertised).hasSizeGreaterThan(10);
            List<String> failures = new ArrayList<>();
            for (ApiVersionsResponseData.ApiVersion range : advertised) {
                ApiKeys key = ApiKeys.forId(range.apiKey());
                for (short v = range.minVersion(); v <= range.maxVersion(); v++) {
                    if (key == ApiKeys.PRODUCE && v < 3) {
                        continue; // advertised for librdkafka's sake, refused like Kafka does
                    }
                    ApiMessage body = ApiMessageType.fromApiKey(key.id).newRequest();
                    if (body instanceof ProduceRequestData produce) {
                        produce.setAcks((short) 1); // acks=0 would get no answer by design
                    }
                    if (body instanceof DescribeAclsRequestData describeAcls) {
                        // Its defaults are UNKNOWN filters, which Kafka fails to parse and closes the connection on.
                        describeAcls.setResourceTypeFilter(ResourceType.ANY.code())
                                .setPatternTypeFilter(PatternType.ANY.code())
                                .setOperation(AclOperation.ANY.code())
                                .setPermissionType(AclPermissionType.ANY.code());
                    }
                    try (RawClient client = RawClient.connect(node)) {
                        AbstractResponse response = client.send(key, v, body);
                        if (response.apiKey() != key) {
                            failures.add(key + " v" + v + ": answered as " + response.apiKey());
                        }
                    } catch (RuntimeException e) {
                        failures.add(key + " v" + v + ": " + e);
                    }
                }
            }
            assertThat(failures).isEmpty();
        }
    }
}
