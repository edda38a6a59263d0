package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.gregor.testkit.RawClient;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.utils.internals.Crc32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Produce answers and stored batches compared with Kafka 4.4's (KafkaApis.handleProduceRequest,
 * ReplicaManager.appendRecords, UnifiedLog.append / analyzeAndValidateRecords, LogValidator). Each test names the
 * Kafka code whose behaviour it pins.
 */
@Timeout(120)
class ProduceKafkaParityTest extends SharedNodeTest {

    private static final int CRC = 17;
    private static final int LAST_OFFSET_DELTA = 23;
    private static final short VERSION = 9;

    private static long latest(String topic, int partition) throws Exception {
        try (Admin admin = Clients.admin(node)) {
            TopicPartition tp = new TopicPartition(topic, partition);
            return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset();
        }
    }

    private static ProduceRequestData.PartitionProduceData partition(int index, MemoryRecords records) {
        return new ProduceRequestData.PartitionProduceData().setIndex(index).setRecords(records);
    }

    private static ProduceResponseData send(short acks, String transactionalId, String topic,
            ProduceRequestData.PartitionProduceData... partitions) {
        ProduceRequestData data = new ProduceRequestData().setAcks(acks).setTimeoutMs(10_000)
                .setTransactionalId(transactionalId);
        data.topicData().add(new ProduceRequestData.TopicProduceData().setName(topic).setPartitionData(List.of(partitions)));
        try (RawClient client = RawClient.connect(node)) {
            ProduceResponse response = client.send(new ProduceRequest(data, VERSION));
            return response.data();
        }
    }

    private static ProduceResponseData.PartitionProduceResponse sendOne(String topic, MemoryRecords records) {
        return send((short) 1, null, topic, partition(0, records)).responses().iterator().next().partitionResponses().get(0);
    }

    private static Errors error(ProduceResponseData.PartitionProduceResponse p) {
        return Errors.forCode(p.errorCode());
    }

    private static ByteBuffer copy(MemoryRecords records) {
        ByteBuffer src = records.buffer();
        ByteBuffer b = ByteBuffer.allocate(src.remaining());
        b.put(src.duplicate()).flip();
        return b;
    }

    private static MemoryRecords withCrcFixed(ByteBuffer b) {
        b.putInt(CRC, (int) Crc32C.compute(b, 21, b.limit() - 21));
        return MemoryRecords.readableRecords(b);
    }

    private static SimpleRecord rec(long ts, String value) {
        return new SimpleRecord(ts, "k".getBytes(), value.getBytes());
    }

    /**
     * KafkaApis.handleProduceRequest: when any partition of the request holds a transactional batch and the request
     * has no transactionalId, the WHOLE request is answered TRANSACTIONAL_ID_AUTHORIZATION_FAILED
     * (sendErrorResponseMaybeThrottle, before any partition is looked at) and nothing is appended anywhere.
     */
    @Test
    void shouldFailTheWholeRequestWhenATransactionalBatchComesWithoutATransactionalId() throws Exception {
        Clients.createTopic(node, "txn-less", 2, Map.of());
        long now = System.currentTimeMillis();
        MemoryRecords transactional = MemoryRecords.withTransactionalRecords(Compression.NONE, 1000L, (short) 0, 0,
                rec(now, "t"));
        MemoryRecords plain = MemoryRecords.withRecords(Compression.NONE, rec(now, "p"));
        ProduceResponseData response = send((short) 1, null, "txn-less", partition(0, transactional), partition(1, plain));
        List<ProduceResponseData.PartitionProduceResponse> parts =
                response.responses().iterator().next().partitionResponses();
        assertThat(parts).extracting(p -> Errors.forCode(p.errorCode()))
                .containsOnly(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
        assertThat(latest("txn-less", 1)).as("the non-transactional partition of the refused request").isZero();
    }

    /**
     * UnifiedLog.append: "check messages size does not exceed config.segmentSize" — a batch larger than the topic's
     * segment.bytes (but within max.message.bytes) is refused with RecordBatchTooLargeException, RECORD_LIST_TOO_LARGE.
     */
    @Test
    void shouldRefuseABatchLargerThanTheSegmentSize() throws Exception {
        Clients.createTopic(node, "small-segments", 1,
                Map.of("segment.bytes", String.valueOf(1024 * 1024), "max.message.bytes", String.valueOf(4 * 1024 * 1024)));
        byte[] value = new byte[1_500_000];
        new Random(1).nextBytes(value);
        MemoryRecords big = MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord(System.currentTimeMillis(), null, value));
        assertThat(error(sendOne("small-segments", big))).isEqualTo(Errors.RECORD_LIST_TOO_LARGE);
        assertThat(latest("small-segments", 0)).isZero();
    }

    /**
     * KafkaApis.handleProduceRequest sorts out unknown partitions (metadataCache.contains) and bad records
     * (ProduceRequest.validateRecords: magic other than 2) before ReplicaManager.appendRecords looks at the acks;
     * INVALID_REQUIRED_ACKS is only given to the partitions that got that far.
     */
    @Test
    void shouldAnswerUnknownPartitionsBeforeInvalidAcks() throws Exception {
        Clients.createTopic(node, "acks-order", 1, Map.of());
        long now = System.currentTimeMillis();
        MemoryRecords good = MemoryRecords.withRecords(Compression.NONE, rec(now, "v"));
        ProduceResponseData response = send((short) 2, null, "acks-order", partition(0, good), partition(7, good));
        List<ProduceResponseData.PartitionProduceResponse> parts =
                response.responses().iterator().next().partitionResponses();
        assertThat(parts).filteredOn(p -> p.index() == 0).extracting(p -> Errors.forCode(p.errorCode()))
                .containsExactly(Errors.INVALID_REQUIRED_ACKS);
        assertThat(parts).filteredOn(p -> p.index() == 7).extracting(p -> Errors.forCode(p.errorCode()))
                .containsExactly(Errors.UNKNOWN_TOPIC_OR_PARTITION);
    }

    /** As above: ProduceRequest.validateRecords (magic 2 only: INVALID_RECORD) runs before the acks are looked at. */
    @Test
    void shouldAnswerBadRecordsBeforeInvalidAcks() throws Exception {
        Clients.createTopic(node, "acks-order-magic", 1, Map.of());
        MemoryRecords magicOne = MemoryRecords.withRecords(RecordBatch.MAGIC_VALUE_V1, Compression.NONE,
                rec(System.currentTimeMillis(), "v"));
        ProduceResponseData bad = send((short) 2, null, "acks-order-magic", partition(0, magicOne));
        assertThat(Errors.forCode(bad.responses().iterator().next().partitionResponses().get(0).errorCode()))
                .isEqualTo(Errors.INVALID_RECORD);
    }

    /**
     * KafkaApis.handleProduceRequest collects the partitions into a map (authorizedRequestInfo: TopicIdPartition ->
     * MemoryRecords): a partition named twice in one request is appended once, with the last records given for it,
     * and answered once.
     */
    @Test
    void shouldAppendAPartitionNamedTwiceInOneRequestOnce() throws Exception {
        Clients.createTopic(node, "twice", 1, Map.of());
        long now = System.currentTimeMillis();
        ProduceResponseData response = send((short) 1, null, "twice",
                partition(0, MemoryRecords.withRecords(Compression.NONE, rec(now, "first"))),
                partition(0, MemoryRecords.withRecords(Compression.NONE, rec(now, "second"))));
        assertThat(response.responses().iterator().next().partitionResponses()).hasSize(1);
        assertThat(latest("twice", 0)).isEqualTo(1);
    }

    /**
     * UnifiedLog.analyzeAndValidateRecords checks a client batch's baseOffset (must be 0: InvalidRecordException,
     * INVALID_RECORD) before its size and its CRC.
     */
    @Test
    void shouldCheckTheBaseOffsetBeforeTheCrc() throws Exception {
        Clients.createTopic(node, "base-offset-first", 1, Map.of());
        ByteBuffer b = copy(MemoryRecords.withRecords(5L, Compression.NONE, rec(System.currentTimeMillis(), "v")));
        b.put(b.limit() - 1, (byte) (b.get(b.limit() - 1) ^ 1)); // CRC no longer matches
        assertThat(error(sendOne("base-offset-first", MemoryRecords.readableRecords(b)))).isEqualTo(Errors.INVALID_RECORD);
    }

    /**
     * ByteBufferLogInputStream.nextBatchSize returns null (no further batch) for fewer than 12 trailing bytes, so
     * ProduceRequest.validateRecords sees exactly one batch and UnifiedLog.trimInvalidBytes drops the rest: Kafka
     * stores the batch.
     */
    @Test
    void shouldStoreABatchFollowedByFewerBytesThanABatchHeaderAsKafkaDoes() throws Exception {
        Clients.createTopic(node, "trailing", 1, Map.of());
        ByteBuffer one = copy(MemoryRecords.withRecords(Compression.NONE, rec(System.currentTimeMillis(), "v")));
        ByteBuffer padded = ByteBuffer.allocate(one.remaining() + 4);
        padded.put(one.duplicate()).putInt(0).flip();
        assertThat(error(sendOne("trailing", MemoryRecords.readableRecords(padded)))).isEqualTo(Errors.NONE);
        assertThat(latest("trailing", 0)).isEqualTo(1);
    }

    /**
     * LogValidator.validateTimestamp on a LogAppendTime topic: a client batch typed LogAppendTime is refused with one
     * KIP-467 record error per record ("Producer should not set timestamp type to LogAppendTime."), which the Java
     * producer reports per record.
     */
    @Test
    void shouldNameEachRecordOfAClientLogAppendTimeBatchOnALogAppendTimeTopic() throws Exception {
        Clients.createTopic(node, "lat-topic", 1, Map.of("message.timestamp.type", "LogAppendTime"));
        long now = System.currentTimeMillis();
        MemoryRecords lat = MemoryRecords.withRecords(RecordBatch.MAGIC_VALUE_V2, 0L, Compression.NONE,
                TimestampType.LOG_APPEND_TIME, rec(now, "a"), rec(now, "b"));
        ProduceResponseData.PartitionProduceResponse p = sendOne("lat-topic", lat);
        assertThat(error(p)).isEqualTo(Errors.INVALID_TIMESTAMP);
        assertThat(p.recordErrors()).extracting(ProduceResponseData.BatchIndexAndErrorMessage::batchIndex)
                .containsExactly(0, 1);
    }

    /**
     * DefaultRecord.readFrom (kafka-clients 4.4, which the broker's LogValidator and every consumer use) reads a key
     * length below -1 as a null key (Utils.readBytes returns null for any negative length): Kafka stores such a record
     * and consumers read it with a null key.
     */
    @Test
    void shouldAcceptAKeyLengthBelowMinusOneAsANullKeyAsKafkaDoes() throws Exception {
        Clients.createTopic(node, "neg-key", 1, Map.of());
        ByteBuffer b = copy(MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord(System.currentTimeMillis(), null, "v".getBytes())));
        int keyLength = 61 + 4; // record length, attributes, timestampDelta 0, offsetDelta 0: one byte each
        assertThat(b.get(keyLength)).isEqualTo((byte) 1); // zigzag -1: null
        b.put(keyLength, (byte) 3); // zigzag -2
        assertThat(error(sendOne("neg-key", withCrcFixed(b)))).isEqualTo(Errors.NONE);
        try (KafkaConsumer<String, String> consumer = Clients.consumer(node, Map.of())) {
            List<ConsumerRecord<String, String>> read =
                    Clients.readAll(consumer, Set.of(new TopicPartition("neg-key", 0)), 1);
            assertThat(read).extracting(ConsumerRecord::key).containsExactly((String) null);
            assertThat(read).extracting(ConsumerRecord::value).containsExactly("v");
        }
    }
}
