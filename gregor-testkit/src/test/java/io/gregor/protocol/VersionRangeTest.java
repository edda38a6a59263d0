package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.gregor.testkit.RawClient;
import io.gregor.testkit.TestNode;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.CreateTopicsResponse;
import org.apache.kafka.common.requests.DeleteTopicsResponse;
import org.apache.kafka.common.requests.DescribeConfigsResponse;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every version we advertise of the core APIs works, not just the newest the Java client
 * picks: librdkafka, Go, Python and JavaScript clients negotiate much older ones (header v1,
 * non-flexible encodings, topic names instead of ids). Each case is a real round trip.
 */
@Timeout(60)
class VersionRangeTest {

    private static final String TOPIC = "versions";
    private static TestNode node;
    private static Uuid topicId;

    @BeforeAll
    static void start() throws Exception {
        node = TestNode.start();
        Clients.createTopic(node, TOPIC, 1, Map.of());
        try (Admin admin = Clients.admin(node)) {
            topicId = admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC).topicId();
        }
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    /** The versions the broker itself advertises for {@code key}. */
    private static Stream<Short> advertised(ApiKeys key, int floor) {
        try (RawClient client = RawClient.connect(node == null ? startForDiscovery() : node)) {
            ApiVersionsResponse r = client.send(ApiKeys.API_VERSIONS, (short) 3, new ApiVersionsRequestData()
                    .setClientSoftwareName("versions-test").setClientSoftwareVersion("1"));
            ApiVersionsResponseData.ApiVersion v = r.data().apiKeys().find(key.id);
            return IntStream.rangeClosed(Math.max(floor, v.minVersion()), v.maxVersion()).mapToObj(i -> (short) i);
        }
    }

    private static TestNode startForDiscovery() {
        node = TestNode.start();
        return node;
    }

    static Stream<Short> apiVersionsVersions() {
        return advertised(ApiKeys.API_VERSIONS, 0);
    }

    static Stream<Short> metadataVersions() {
        return advertised(ApiKeys.METADATA, 0);
    }

    static Stream<Short> produceVersions() {
        // v0-2 are advertised for librdkafka's sake (KAFKA-18659) but refused, as Kafka does.
        return advertised(ApiKeys.PRODUCE, 3);
    }

    static Stream<Short> fetchVersions() {
        return advertised(ApiKeys.FETCH, 0);
    }

    static Stream<Short> listOffsetsVersions() {
        return advertised(ApiKeys.LIST_OFFSETS, 0);
    }

    static Stream<Short> createTopicsVersions() {
        return advertised(ApiKeys.CREATE_TOPICS, 0);
    }

    static Stream<Short> initProducerIdVersions() {
        return advertised(ApiKeys.INIT_PRODUCER_ID, 0);
    }

    static Stream<Short> describeConfigsVersions() {
        return advertised(ApiKeys.DESCRIBE_CONFIGS, 0);
    }

    @ParameterizedTest
    @MethodSource("apiVersionsVersions")
    void shouldAnswerApiVersionsAtEveryVersion(short version) {
        ApiVersionsRequestData body = new ApiVersionsRequestData();
        if (version >= 3) {
            body.setClientSoftwareName("versions-test").setClientSoftwareVersion("1");
        }
        try (RawClient client = RawClient.connect(node)) {
            ApiVersionsResponse r = client.send(ApiKeys.API_VERSIONS, version, body);
            assertThat(Errors.forCode(r.data().errorCode())).isEqualTo(Errors.NONE);
            assertThat(r.data().apiKeys().find(ApiKeys.FETCH.id)).isNotNull();
        }
    }

    @ParameterizedTest
    @MethodSource("metadataVersions")
    void shouldDescribeTopicWithMetadataAtEveryVersion(short version) {
        MetadataRequestData body = new MetadataRequestData();
        body.topics().add(new MetadataRequestData.MetadataRequestTopic().setName(TOPIC));
        if (version >= 4) {
            body.setAllowAutoTopicCreation(false);
        }
        try (RawClient client = RawClient.connect(node)) {
            MetadataResponse r = client.send(ApiKeys.METADATA, version, body);
            MetadataResponseData.MetadataResponseTopic t = r.data().topics().find(TOPIC);
            assertThat(t).isNotNull();
            assertThat(Errors.forCode(t.errorCode())).isEqualTo(Errors.NONE);
            assertThat(t.partitions()).hasSize(1);
            assertThat(t.partitions().get(0).leaderId()).isEqualTo(1);
            assertThat(r.data().brokers()).hasSize(1);
            if (version >= 10) {
                assertThat(t.topicId()).isEqualTo(topicId);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("produceVersions")
    void shouldProduceAndReadBackAtEveryProduceVersion(short version) {
        String value = "produce-v" + version;
        ProduceRequestData body = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(10_000);
        ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData()
                .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData().setIndex(0)
                        .setRecords(BadInputTest.records(value))));
        if (version >= 13) {
            topic.setTopicId(topicId);
        } else {
            topic.setName(TOPIC);
        }
        body.topicData().add(topic);
        try (RawClient client = RawClient.connect(node)) {
            ProduceResponse r = client.send(ApiKeys.PRODUCE, version, body);
            ProduceResponseData.PartitionProduceResponse p = r.data().responses().iterator().next().partitionResponses().get(0);
            assertThat(Errors.forCode(p.errorCode())).isEqualTo(Errors.NONE);
            assertThat(readValueAt(client, p.baseOffset())).isEqualTo(value);
        }
    }

    @ParameterizedTest
    @MethodSource("fetchVersions")
    void shouldFetchAtEveryFetchVersion(short version) {
        String value = "fetch-v" + version;
        long offset;
        try (RawClient client = RawClient.connect(node)) {
            offset = BadInputTest.produceFull(client, TOPIC, 0, BadInputTest.records(value)).baseOffset();
        }
        FetchRequestData body = new FetchRequestData().setMaxWaitMs(100).setMinBytes(1).setReplicaId(-1);
        if (version >= 3) {
            body.setMaxBytes(1 << 20);
        }
        if (version >= 7) {
            body.setSessionId(0).setSessionEpoch(-1);
        }
        FetchRequestData.FetchTopic topic = new FetchRequestData.FetchTopic().setPartitions(List.of(
                new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(offset).setPartitionMaxBytes(1 << 20)));
        if (version >= 13) {
            topic.setTopicId(topicId);
        } else {
            topic.setTopic(TOPIC);
        }
        body.topics().add(topic);
        try (RawClient client = RawClient.connect(node)) {
            FetchResponse r = client.send(ApiKeys.FETCH, version, body);
            assertThat(Errors.forCode(r.data().errorCode())).isEqualTo(Errors.NONE);
            FetchResponseData.PartitionData p = r.data().responses().get(0).partitions().get(0);
            assertThat(Errors.forCode(p.errorCode())).isEqualTo(Errors.NONE);
            assertThat(p.highWatermark()).isGreaterThan(offset);
            assertThat(firstValueAtOrAfter((MemoryRecords) p.records(), offset)).isEqualTo(value);
        }
    }

    @ParameterizedTest
    @MethodSource("listOffsetsVersions")
    void shouldListLatestOffsetAtEveryVersion(short version) {
        long end;
        try (RawClient client = RawClient.connect(node)) {
            end = BadInputTest.produceFull(client, TOPIC, 0, BadInputTest.records("lo")).baseOffset() + 1;
        }
        ListOffsetsRequestData body = new ListOffsetsRequestData().setReplicaId(-1);
        body.topics().add(new ListOffsetsRequestData.ListOffsetsTopic().setName(TOPIC).setPartitions(List.of(
                new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0).setTimestamp(-1))));
        try (RawClient client = RawClient.connect(node)) {
            ListOffsetsResponse r = client.send(ApiKeys.LIST_OFFSETS, version, body);
            var p = r.data().topics().get(0).partitions().get(0);
            assertThat(Errors.forCode(p.errorCode())).isEqualTo(Errors.NONE);
            assertThat(p.offset()).isGreaterThanOrEqualTo(end);
        }
    }

    @ParameterizedTest
    @MethodSource("createTopicsVersions")
    void shouldCreateAndDeleteTopicsAtEveryVersion(short version) {
        String name = "created-v" + version;
        CreateTopicsRequestData body = new CreateTopicsRequestData().setTimeoutMs(10_000);
        body.topics().add(new CreateTopicsRequestData.CreatableTopic().setName(name).setNumPartitions(2).setReplicationFactor((short) 1));
        try (RawClient client = RawClient.connect(node)) {
            CreateTopicsResponse r = client.send(ApiKeys.CREATE_TOPICS, version, body);
            assertThat(Errors.forCode(r.data().topics().find(name).errorCode())).isEqualTo(Errors.NONE);
            // DeleteTopics: the same relative position in its own range (v1..6 against v2..7).
            short deleteVersion = (short) Math.min(ApiKeys.DELETE_TOPICS.latestVersion(), Math.max(1, version - 1));
            DeleteTopicsRequestData del = new DeleteTopicsRequestData().setTimeoutMs(10_000);
            if (deleteVersion >= 6) {
                del.topics().add(new DeleteTopicsRequestData.DeleteTopicState().setName(name));
            } else {
                del.setTopicNames(List.of(name));
            }
            DeleteTopicsResponse d = client.send(ApiKeys.DELETE_TOPICS, deleteVersion, del);
            assertThat(Errors.forCode(d.data().responses().find(name).errorCode())).isEqualTo(Errors.NONE);
        }
    }

    @ParameterizedTest
    @MethodSource("initProducerIdVersions")
    void shouldHandOutProducerIdsAtEveryVersion(short version) {
        try (RawClient client = RawClient.connect(node)) {
            InitProducerIdResponse r = client.send(ApiKeys.INIT_PRODUCER_ID, version,
                    new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(60_000));
            assertThat(Errors.forCode(r.data().errorCode())).isEqualTo(Errors.NONE);
            assertThat(r.data().producerId()).isNotNegative();
        }
    }

    @ParameterizedTest
    @MethodSource("describeConfigsVersions")
    void shouldDescribeTopicConfigsAtEveryVersion(short version) {
        DescribeConfigsRequestData body = new DescribeConfigsRequestData();
        body.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource()
                .setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName(TOPIC).setConfigurationKeys(null));
        try (RawClient client = RawClient.connect(node)) {
            DescribeConfigsResponse r = client.send(ApiKeys.DESCRIBE_CONFIGS, version, body);
            var result = r.data().results().get(0);
            assertThat(Errors.forCode(result.errorCode())).isEqualTo(Errors.NONE);
            assertThat(result.configs()).anySatisfy(c -> assertThat(c.name()).isEqualTo("retention.ms"));
        }
    }

    private static String readValueAt(RawClient client, long offset) {
        FetchRequestData body = new FetchRequestData().setMaxWaitMs(0).setMinBytes(1).setMaxBytes(1 << 20)
                .setSessionId(0).setSessionEpoch(-1).setReplicaId(-1);
        body.topics().add(new FetchRequestData.FetchTopic().setTopic(TOPIC).setPartitions(List.of(
                new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(offset).setPartitionMaxBytes(1 << 20))));
        FetchResponse r = client.send(ApiKeys.FETCH, (short) 12, body);
        return firstValueAtOrAfter((MemoryRecords) r.data().responses().get(0).partitions().get(0).records(), offset);
    }

    private static String firstValueAtOrAfter(MemoryRecords records, long offset) {
        for (RecordBatch batch : records.batches()) {
            for (Record record : batch) {
                if (record.offset() >= offset) {
                    byte[] b = new byte[record.valueSize()];
                    record.value().get(b);
                    return new String(b);
                }
            }
        }
        return null;
    }
}
