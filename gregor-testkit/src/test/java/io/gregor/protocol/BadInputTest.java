package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gregor.testkit.RawClient;
import io.gregor.testkit.TestNode;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.IllegalSaslStateException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.SaslAuthenticateRequest;
import org.apache.kafka.common.requests.SaslAuthenticateResponse;
import org.apache.kafka.common.utils.internals.Crc32C;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bad input gets the answer Kafka gives, never takes the broker down, and never damages
 * stored data: after each case, the records written before it read back unchanged.
 */
@Timeout(120)
class BadInputTest {

    private static final String TOPIC = "victim";
    private static TestNode node;

    @BeforeAll
    static void start() throws Exception {
        node = TestNode.builder().override("socket.request.max.bytes", String.valueOf(1 << 20)).start();
        Clients.createTopic(node, TOPIC, 1, Map.of("max.message.bytes", "10000"));
        try (RawClient client = RawClient.connect(node)) {
            assertThat(produce(client, TOPIC, 0, records("good-0", "good-1"))).isEqualTo(Errors.NONE);
        }
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void shouldCloseConnectionOnFrameLargerThanSocketRequestMaxBytes() {
        try (RawClient client = RawClient.connect(node)) {
            client.writeBytes(ByteBuffer.allocate(4).putInt((1 << 20) + 1).array());
            assertThat(client.isClosedByBroker()).isTrue();
        }
        assertStoredDataIntact();
    }

    @Test
    void shouldCloseConnectionOnNegativeFrameLength() {
        try (RawClient client = RawClient.connect(node)) {
            client.writeBytes(ByteBuffer.allocate(4).putInt(-5).array());
            assertThat(client.isClosedByBroker()).isTrue();
        }
        assertStoredDataIntact();
    }

    @Test
    void shouldSurviveRandomBytes() {
        Random random = new Random(42);
        for (int i = 0; i < 20; i++) {
            try (RawClient client = RawClient.connect(node)) {
                byte[] junk = new byte[random.nextInt(2000) + 1];
                random.nextBytes(junk);
                // A plausible small length so the junk is parsed as a request, not rejected by size.
                ByteBuffer frame = ByteBuffer.allocate(4 + junk.length).putInt(junk.length).put(junk);
                client.writeBytes(frame.array());
                assertThat(client.isClosedByBroker()).isTrue();
            }
        }
        assertStoredDataIntact();
    }

    @Test
    void shouldCloseConnectionOnUnknownApiKey() {
        try (RawClient client = RawClient.connect(node)) {
            ByteBuffer header = ByteBuffer.allocate(10);
            header.putShort((short) 999).putShort((short) 0).putInt(7).putShort((short) -1).flip();
            client.writeFrame(header);
            assertThat(client.isClosedByBroker()).isTrue();
        }
        assertStoredDataIntact();
    }

    @Test
    void shouldCloseConnectionOnUnsupportedProduceVersion() {
        try (RawClient client = RawClient.connect(node)) {
            RequestHeader header = client.nextHeader(ApiKeys.PRODUCE, (short) 2);
            ByteBuffer bytes = ByteBuffer.allocate(64);
            bytes.putShort(ApiKeys.PRODUCE.id).putShort((short) 2).putInt(header.correlationId()).putShort((short) -1);
            bytes.putShort((short) 1).putInt(1000).putInt(0).flip();
            client.writeFrame(bytes);
            assertThat(client.isClosedByBroker()).isTrue();
        }
        assertStoredDataIntact();
    }

    @Test
    void shouldAnswerUnknownApiVersionsVersionWithItsRange() {
        try (RawClient client = RawClient.connect(node)) {
            // A header as a newer client writes it (v2: flexible, tagged fields after the client id); the body is not read.
            ByteBuffer header = ByteBuffer.allocate(11);
            header.putShort(ApiKeys.API_VERSIONS.id).putShort((short) 99).putInt(1234).putShort((short) -1).put((byte) 0).flip();
            client.writeFrame(header);
            ByteBuffer response = client.readFrame();
            assertThat(response.getInt()).isEqualTo(1234);
            ApiVersionsResponseData body = new ApiVersionsResponseData(new org.apache.kafka.common.protocol.ByteBufferAccessor(response), (short) 0);
            assertThat(Errors.forCode(body.errorCode())).isEqualTo(Errors.UNSUPPORTED_VERSION);
            assertThat(body.apiKeys().find(ApiKeys.API_VERSIONS.id).maxVersion()).isEqualTo(ApiKeys.API_VERSIONS.latestVersion());
            // The client then retries on the same connection with a version we know.
            ApiVersionsResponse ok = client.send(new ApiVersionsRequest(new ApiVersionsRequestData()
                    .setClientSoftwareName("raw-client").setClientSoftwareVersion("1.0"), (short) 3));
            assertThat(Errors.forCode(ok.data().errorCode())).isEqualTo(Errors.NONE);
        }
    }

    @Test
    void shouldRejectBadClientSoftwareNameWithInvalidRequest() {
        try (RawClient client = RawClient.connect(node)) {
            ApiVersionsResponse r = client.send(new ApiVersionsRequest(new ApiVersionsRequestData()
                    .setClientSoftwareName("bad name!").setClientSoftwareVersion("1.0"), (short) 3));
            assertThat(Errors.forCode(r.data().errorCode())).isEqualTo(Errors.INVALID_REQUEST);
        }
    }

    @Test
    void shouldAnswerRebootstrapRequiredForAnotherClusterId() {
        try (RawClient client = RawClient.connect(node)) {
            ApiVersionsResponse r = client.send(new ApiVersionsRequest(new ApiVersionsRequestData()
                    .setClientSoftwareName("t").setClientSoftwareVersion("1").setClusterId("some-other-cluster").setNodeId(1), (short) 5));
            assertThat(Errors.forCode(r.data().errorCode())).isEqualTo(Errors.REBOOTSTRAP_REQUIRED);
            assertThat(r.data().apiKeys()).isEmpty();
        }
    }

    /**
     * A producer configured for SASL against this PLAINTEXT listener fails at once with Kafka's authentication error
     * (ILLEGAL_SASL_STATE: no enabled mechanisms), not after max.block.ms of connections closing mid-handshake.
     */
    @Test
    void shouldFailASaslClientAtOnceWithKafkasAuthenticationError() {
        long start = System.nanoTime();
        try (KafkaProducer<String, String> producer = Clients.producer(node, Map.of("security.protocol", "SASL_PLAINTEXT",
                "sasl.mechanism", "PLAIN", "max.block.ms", 60_000, "sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p\";"))) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(TOPIC, "k", "v")).get())
                    .satisfiesAnyOf(
                            e -> assertThat(e).isInstanceOf(IllegalSaslStateException.class),
                            e -> assertThat(e).hasCauseInstanceOf(IllegalSaslStateException.class))
                    .hasMessageContaining("Unexpected handshake request with client mechanism PLAIN, enabled mechanisms are []");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("long before max.block.ms").isLessThan(Duration.ofSeconds(30));
        try (RawClient client = RawClient.connect(node)) {
            SaslAuthenticateResponse r = client.send(new SaslAuthenticateRequest.Builder(new SaslAuthenticateRequestData()
                    .setAuthBytes(new byte[0])).build((short) 2));
            assertThat(Errors.forCode(r.data().errorCode())).isEqualTo(Errors.ILLEGAL_SASL_STATE);
            assertThat(r.data().errorMessage()).isEqualTo("SaslAuthenticate request received after successful authentication");
        }
        assertStoredDataIntact();
    }

    @Test
    void shouldRejectBatchWithBadCrcAsCorruptMessage() {
        MemoryRecords records = records("crc");
        ByteBuffer buf = records.buffer();
        int last = buf.limit() - 1;
        buf.put(last, (byte) (buf.get(last) ^ 0x5a));
        try (RawClient client = RawClient.connect(node)) {
            assertThat(produce(client, TOPIC, 0, records)).isEqualTo(Errors.CORRUPT_MESSAGE);
        }
        assertStoredDataIntact();
    }

    @Test
    void shouldRejectOldMagicAsInvalidRecord() {
        MemoryRecords v1 = MemoryRecords.withRecords(RecordBatch.MAGIC_VALUE_V1, 0L, Compression.NONE, TimestampType.CREATE_TIME,
                new SimpleRecord(System.currentTimeMillis(), "k".getBytes(), "v".getBytes()));
        try (RawClient client = RawClient.connect(node)) {
            assertThat(produce(client, TOPIC, 0, v1)).isEqualTo(Errors.INVALID_RECORD);
        }
        assertStoredDataIntact();
    }

    @Test
    void shouldRejectNonZeroBaseOffsetAsInvalidRecord() {
        MemoryRecords records = MemoryRecords.withRecords(17L, Compression.NONE, new SimpleRecord(System.currentTimeMillis(), "v".getBytes()));
        try (RawClient client = RawClient.connect(node)) {
            assertThat(produce(client, TOPIC, 0, records)).isEqualTo(Errors.INVALID_RECORD);
        }
        assertStoredDataIntact();
    }

    @Test
    void shouldRejectInconsistentRecordCountAsInvalidRecord() {
        MemoryRecords records = records("a", "b");
        ByteBuffer buf = records.buffer();
        buf.putInt(DefaultRecordBatch.RECORDS_COUNT_OFFSET, 5);
        // Recompute the CRC so only the count is wrong.
        long crc = Crc32C.compute(buf, 21, buf.limit() - 21);
        buf.putInt(DefaultRecordBatch.CRC_OFFSET, (int) crc);
        try (RawClient client = RawClient.connect(node)) {
            assertThat(produce(client, TOPIC, 0, records)).isEqualTo(Errors.INVALID_RECORD);
        }
        assertStoredDataIntact();
    }

    /** The header consistent with itself but not with the records it holds, compressed or not (Kafka: INVALID_RECORD). */
    @Test
    void shouldRejectBatchHoldingAnotherRecordCountThanItsHeaderSaysAsInvalidRecord() {
        for (Compression codec : List.of(Compression.NONE, Compression.gzip().build(), Compression.zstd().build())) {
            for (int claimed : new int[] {1, 3}) {
                long now = System.currentTimeMillis();
                MemoryRecords records = MemoryRecords.withRecords(codec, new SimpleRecord(now, "a".getBytes()),
                        new SimpleRecord(now, "b".getBytes()));
                ByteBuffer buf = records.buffer();
                buf.putInt(DefaultRecordBatch.LAST_OFFSET_DELTA_OFFSET, claimed - 1);
                buf.putInt(DefaultRecordBatch.RECORDS_COUNT_OFFSET, claimed);
                buf.putInt(DefaultRecordBatch.CRC_OFFSET, (int) Crc32C.compute(buf, 21, buf.limit() - 21));
                try (RawClient client = RawClient.connect(node)) {
                    assertThat(produce(client, TOPIC, 0, records)).as(codec + ", " + claimed).isEqualTo(Errors.INVALID_RECORD);
                }
            }
        }
        assertStoredDataIntact();
    }

    @Test
    void shouldRejectBatchOverMaxMessageBytes() {
        MemoryRecords big = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(System.currentTimeMillis(), new byte[20_000]));
        try (RawClient client = RawClient.connect(node)) {
            assertThat(produce(client, TOPIC, 0, big)).isEqualTo(Errors.MESSAGE_TOO_LARGE);
        }
        assertStoredDataIntact();
    }

    @Test
    void shouldAnswerUnknownTopicOrPartition() {
        try (RawClient client = RawClient.connect(node)) {
            assertThat(produce(client, "no-such-topic", 0, records("x"))).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
            assertThat(produce(client, TOPIC, 7, records("x"))).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        assertStoredDataIntact();
    }

    @Test
    void shouldRejectInvalidAndTooLongTopicNames() {
        try (Admin admin = Clients.admin(node)) {
            for (String bad : List.of("bad/name", "..", "x".repeat(250))) {
                assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic(bad, 1, (short) 1))).all().get())
                        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(InvalidTopicException.class);
            }
            // Kafka 4.4's own words.
            assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("bad name!", 1, (short) 1))).all().get())
                    .cause().hasMessage("Topic name is invalid: 'bad name!' contains one or more characters other than"
                            + " ASCII alphanumerics, '.', '_' and '-'");
        }
    }

    @Test
    void shouldRefuseClientWritesToInternalTopicsAndKeepGroupOffsets() throws Exception {
        String group = "internal-victim";
        Map<TopicPartition, OffsetAndMetadata> committed = Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(1, "m"));
        try (Admin admin = Clients.admin(node)) {
            admin.alterConsumerGroupOffsets(group, committed).all().get();
        }
        try (RawClient client = RawClient.connect(node)) {
            MetadataResponse metadata = client.send(new MetadataRequest.Builder(List.of("__consumer_offsets", TOPIC), false)
                    .build((short) 12));
            MetadataResponseData.MetadataResponseTopic offsetsTopic = metadata.data().topics().find("__consumer_offsets");
            assertThat(offsetsTopic.isInternal()).isTrue();
            assertThat(metadata.data().topics().find(TOPIC).isInternal()).isFalse();
            assertThat(offsetsTopic.partitions()).isNotEmpty();
            for (MetadataResponseData.MetadataResponsePartition p : offsetsTopic.partitions()) {
                ProduceResponseData.PartitionProduceResponse r = produceFull(client, "__consumer_offsets", p.partitionIndex(),
                        records("forged"));
                assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.INVALID_TOPIC_EXCEPTION);
                assertThat(r.errorMessage()).isEqualTo("Cannot append to internal topic __consumer_offsets");
            }
            // The metadata log is not a topic clients can see.
            assertThat(produce(client, "__cluster_metadata", 0, records("forged"))).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        try (Admin admin = Clients.admin(node)) {
            assertThatThrownBy(() -> admin.deleteRecords(Map.of(new TopicPartition("__consumer_offsets", 0),
                    RecordsToDelete.beforeOffset(0))).all().get()).hasCauseInstanceOf(InvalidTopicException.class);
            assertThat(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()).isEqualTo(committed);
            // The coordinator's own appends still go through.
            Map<TopicPartition, OffsetAndMetadata> next = Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(2, "n"));
            admin.alterConsumerGroupOffsets(group, next).all().get();
            assertThat(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()).isEqualTo(next);
        }
    }

    @Test
    void shouldAnswerOffsetOutOfRangeForFetchBeyondLogEnd() {
        FetchRequestData data = new FetchRequestData().setMaxWaitMs(0).setMinBytes(1).setMaxBytes(1 << 20)
                .setSessionId(0).setSessionEpoch(-1).setReplicaId(-1);
        data.topics().add(new FetchRequestData.FetchTopic().setTopic(TOPIC).setPartitions(List.of(
                new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(1_000_000).setPartitionMaxBytes(1 << 20))));
        try (RawClient client = RawClient.connect(node)) {
            FetchResponse response = client.send(new FetchRequest(data, (short) 12));
            FetchResponseData.PartitionData p = response.data().responses().get(0).partitions().get(0);
            assertThat(Errors.forCode(p.errorCode())).isEqualTo(Errors.OFFSET_OUT_OF_RANGE);
            assertThat(p.highWatermark()).isEqualTo(-1);
        }
    }

    @Test
    void shouldRefuseFetchSessionsWeNeverIssued() {
        FetchRequestData data = new FetchRequestData().setMaxWaitMs(0).setMinBytes(1).setMaxBytes(1 << 20)
                .setSessionId(12345).setSessionEpoch(3).setReplicaId(-1);
        try (RawClient client = RawClient.connect(node)) {
            FetchResponse response = client.send(new FetchRequest(data, (short) 12));
            assertThat(Errors.forCode(response.data().errorCode())).isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND);
        }
    }

    @Test
    void shouldAnswerIdempotentDuplicateWithOriginalOffsetAndRejectGap() {
        try (RawClient client = RawClient.connect(node)) {
            InitProducerIdResponse init = client.send(new InitProducerIdRequest.Builder(new InitProducerIdRequestData()
                    .setTransactionalId(null).setTransactionTimeoutMs(60000)).build((short) 4));
            long pid = init.data().producerId();
            short epoch = init.data().producerEpoch();
            MemoryRecords first = idempotent(pid, epoch, 0, "i0", "i1");
            ProduceResponseData.PartitionProduceResponse a = produceFull(client, TOPIC, 0, first);
            assertThat(Errors.forCode(a.errorCode())).isEqualTo(Errors.NONE);
            ProduceResponseData.PartitionProduceResponse dup = produceFull(client, TOPIC, 0, idempotent(pid, epoch, 0, "i0", "i1"));
            assertThat(Errors.forCode(dup.errorCode())).isEqualTo(Errors.NONE);
            assertThat(dup.baseOffset()).isEqualTo(a.baseOffset());
            ProduceResponseData.PartitionProduceResponse gap = produceFull(client, TOPIC, 0, idempotent(pid, epoch, 5, "gap"));
            assertThat(Errors.forCode(gap.errorCode())).isEqualTo(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
        }
    }

    /**
     * One partition's bytes too broken to read as batches (a length field under the batch header's) next to a good
     * one: the bad partition is refused alone and the good one is answered as written, never one error for a request
     * whose other partition was already appended.
     */
    @Test
    void shouldRefuseUnreadableBytesForTheirPartitionAloneAndAnswerTheOthers() throws Exception {
        Clients.createTopic(node, "two-parts", 2, Map.of());
        ByteBuffer garbage = ByteBuffer.allocate(40);
        garbage.putLong(0, 0L).putInt(8, 5); // base offset 0, batch length 5
        garbage.put(16, (byte) 7); // no known magic either
        for (short version : new short[] {5, 9}) {
            ProduceRequestData data = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(10_000);
            data.topicData().add(new ProduceRequestData.TopicProduceData().setName("two-parts").setPartitionData(List.of(
                    new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records("kept-" + version)),
                    new ProduceRequestData.PartitionProduceData().setIndex(1).setRecords(MemoryRecords.readableRecords(garbage.duplicate())))));
            try (RawClient client = RawClient.connect(node)) {
                ProduceResponse response = client.send(new ProduceRequest(data, version));
                List<ProduceResponseData.PartitionProduceResponse> answers = response.data().responses().iterator().next().partitionResponses();
                assertThat(answers).filteredOn(a -> a.index() == 0).singleElement()
                        .satisfies(a -> assertThat(Errors.forCode(a.errorCode())).isEqualTo(Errors.NONE));
                assertThat(answers).filteredOn(a -> a.index() == 1).singleElement()
                        .satisfies(a -> assertThat(Errors.forCode(a.errorCode())).isEqualTo(Errors.INVALID_RECORD));
            }
        }
        try (KafkaConsumer<String, String> consumer = Clients.consumer(node, Map.of())) {
            assertThat(Clients.readAll(consumer, Set.of(new TopicPartition("two-parts", 0)), 2))
                    .extracting(ConsumerRecord::value).containsExactly("kept-5", "kept-9");
        }
    }

    /**
     * acks other than 0, 1 and -1: INVALID_REQUIRED_ACKS for the topics that exist, nothing appended; a topic that does
     * not exist is answered as unknown first, as Kafka's handleProduceRequest does.
     */
    @Test
    void shouldRefuseInvalidAcksAfterAnsweringUnknownTopics() throws Exception {
        Clients.createTopic(node, "acks-two", 1, Map.of());
        ProduceRequestData data = produceData("acks-two", 0, records("never")).setAcks((short) 2);
        data.topicData().add(new ProduceRequestData.TopicProduceData().setName("no-such-topic-acks").setPartitionData(List.of(
                new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records("never")))));
        try (RawClient client = RawClient.connect(node)) {
            ProduceResponse response = client.send(new ProduceRequest(data, (short) 9));
            Map<String, Errors> errors = new java.util.TreeMap<>();
            response.data().responses().forEach(t -> errors.put(t.name(), Errors.forCode(t.partitionResponses().get(0).errorCode())));
            assertThat(errors).containsExactlyEntriesOf(new java.util.TreeMap<>(Map.of(
                    "acks-two", Errors.INVALID_REQUIRED_ACKS, "no-such-topic-acks", Errors.UNKNOWN_TOPIC_OR_PARTITION)));
        }
        try (Admin admin = Clients.admin(node)) {
            TopicPartition tp = new TopicPartition("acks-two", 0);
            assertThat(admin.listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest())).partitionResult(tp).get().offset())
                    .as("nothing appended").isZero();
        }
        assertStoredDataIntact();
    }

    /** Metadata v10-11 carry a topic id field that only v12 may use, and need a name (Kafka's KafkaApis). */
    @Test
    void shouldRefuseAMetadataRequestBeforeV12ThatNamesNoTopicOrATopicId() {
        try (RawClient client = RawClient.connect(node)) {
            for (short version : new short[] {10, 11}) {
                MetadataResponse noName = client.send(ApiKeys.METADATA, version, new MetadataRequestData().setTopics(List.of(
                        new MetadataRequestData.MetadataRequestTopic().setName(null).setTopicId(Uuid.randomUuid()))));
                assertThat(noName.data().topics()).singleElement().satisfies(t -> {
                    assertThat(t.name()).isEmpty();
                    assertThat(Errors.forCode(t.errorCode())).isEqualTo(Errors.INVALID_REQUEST);
                });
                MetadataResponse byId = client.send(ApiKeys.METADATA, version, new MetadataRequestData().setTopics(List.of(
                        new MetadataRequestData.MetadataRequestTopic().setName("t").setTopicId(Uuid.randomUuid()))));
                assertThat(byId.data().topics()).singleElement().satisfies(t ->
                        assertThat(Errors.forCode(t.errorCode())).isEqualTo(Errors.INVALID_REQUEST));
            }
        }
        assertStoredDataIntact();
    }

    /** KIP-360: an idempotent producer may name its id and epoch to bump them, but not one without the other (Kafka). */
    @Test
    void shouldRefuseAnInitProducerIdWithAnIdButNoEpochOrTheReverse() {
        try (RawClient client = RawClient.connect(node)) {
            InitProducerIdResponse first = client.send(new InitProducerIdRequest.Builder(new InitProducerIdRequestData()
                    .setTransactionalId(null).setTransactionTimeoutMs(60000)).build((short) 5));
            long pid = first.data().producerId();
            InitProducerIdResponse bumped = client.send(new InitProducerIdRequest.Builder(new InitProducerIdRequestData()
                    .setTransactionalId(null).setTransactionTimeoutMs(60000).setProducerId(pid).setProducerEpoch((short) 0)).build((short) 5));
            assertThat(Errors.forCode(bumped.data().errorCode())).isEqualTo(Errors.NONE);
            assertThat(bumped.data().producerId()).isNotEqualTo(-1L);
            for (long[] idAndEpoch : new long[][] {{pid, -1}, {-1, 3}}) {
                InitProducerIdResponse half = client.send(new InitProducerIdRequest.Builder(new InitProducerIdRequestData()
                        .setTransactionalId(null).setTransactionTimeoutMs(60000).setProducerId(idAndEpoch[0])
                        .setProducerEpoch((short) idAndEpoch[1])).build((short) 5));
                assertThat(Errors.forCode(half.data().errorCode())).isEqualTo(Errors.INVALID_REQUEST);
                assertThat(half.data().producerId()).isEqualTo(-1L);
            }
        }
    }

    @Test
    void shouldSurviveHundredsOfConnectionsDroppedMidRequest() throws Exception {
        MemoryRecords records = records("never-finished");
        ProduceRequestData data = produceData(TOPIC, 0, records);
        ByteBuffer full = new ProduceRequest(data, (short) 9).serializeWithHeader(new RequestHeader(ApiKeys.PRODUCE, (short) 9, "drop", 1));
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            Socket s = new Socket("127.0.0.1", node.port());
            ByteBuffer partial = ByteBuffer.allocate(4 + full.remaining() / 2);
            partial.putInt(full.remaining());
            partial.put(full.duplicate().limit(full.remaining() / 2));
            s.getOutputStream().write(partial.array());
            sockets.add(s);
        }
        for (Socket s : sockets) {
            s.close();
        }
        assertStoredDataIntact();
    }

    /** The two records written at the start are still there, first in the log, unchanged. */
    private static void assertStoredDataIntact() {
        try (KafkaConsumer<String, String> consumer = Clients.consumer(node, Map.of())) {
            List<ConsumerRecord<String, String>> got = Clients.readAll(consumer, Set.of(new TopicPartition(TOPIC, 0)), 2);
            assertThat(got.get(0).value()).isEqualTo("good-0");
            assertThat(got.get(1).value()).isEqualTo("good-1");
            assertThat(got.get(0).offset()).isZero();
        }
    }

    static MemoryRecords records(String... values) {
        SimpleRecord[] r = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            r[i] = new SimpleRecord(System.currentTimeMillis(), values[i].getBytes());
        }
        return MemoryRecords.withRecords(Compression.NONE, r);
    }

    private static MemoryRecords idempotent(long pid, short epoch, int baseSequence, String... values) {
        SimpleRecord[] r = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            r[i] = new SimpleRecord(System.currentTimeMillis(), values[i].getBytes());
        }
        return MemoryRecords.withIdempotentRecords(Compression.NONE, pid, epoch, baseSequence, r);
    }

    static ProduceRequestData produceData(String topic, int partition, MemoryRecords records) {
        ProduceRequestData data = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(10_000);
        data.topicData().add(new ProduceRequestData.TopicProduceData().setName(topic).setPartitionData(List.of(
                new ProduceRequestData.PartitionProduceData().setIndex(partition).setRecords(records))));
        return data;
    }

    static ProduceResponseData.PartitionProduceResponse produceFull(RawClient client, String topic, int partition, MemoryRecords records) {
        ProduceResponse response = client.send(new ProduceRequest(produceData(topic, partition, records), (short) 9));
        return response.data().responses().iterator().next().partitionResponses().get(0);
    }

    static Errors produce(RawClient client, String topic, int partition, MemoryRecords records) {
        return Errors.forCode(produceFull(client, topic, partition, records).errorCode());
    }

}
