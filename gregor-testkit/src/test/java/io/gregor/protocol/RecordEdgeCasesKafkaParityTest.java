package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.gregor.testkit.RawClient;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.utils.internals.Crc32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Record- and batch-level edges of the produce and fetch paths compared with Kafka 4.4 (LogValidator,
 * UnifiedLog.fetchOffsetByTimestamp, LogSegment, ReplicaManager.readFromLog).
 */
@Timeout(120)
class RecordEdgeCasesKafkaParityTest extends SharedNodeTest {

    private static ProduceResponseData.PartitionProduceResponse produce(String topic, MemoryRecords records) {
        ProduceRequestData data = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(10_000);
        data.topicData().add(new ProduceRequestData.TopicProduceData().setName(topic).setPartitionData(List.of(
                new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records))));
        try (RawClient client = RawClient.connect(node)) {
            ProduceResponse response = client.send(new ProduceRequest(data, (short) 9));
            return response.data().responses().iterator().next().partitionResponses().get(0);
        }
    }

    private static FetchResponseData.PartitionData fetch(String topic, long offset, int minBytes, int maxWaitMs,
            int partitionMaxBytes) {
        FetchRequestData request = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(maxWaitMs).setMinBytes(minBytes)
                .setMaxBytes(1 << 20).setIsolationLevel((byte) 0).setSessionId(0).setSessionEpoch(-1)
                .setTopics(new ArrayList<>(List.of(new FetchRequestData.FetchTopic().setTopic(topic).setPartitions(
                        new ArrayList<>(List.of(new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(offset)
                                .setPartitionMaxBytes(partitionMaxBytes).setCurrentLeaderEpoch(-1).setLastFetchedEpoch(-1)
                                .setLogStartOffset(-1)))))));
        try (RawClient client = RawClient.connect(node)) {
            FetchResponse response = client.send(ApiKeys.FETCH, (short) 12, request);
            return response.data().responses().get(0).partitions().get(0);
        }
    }


    private static MemoryRecords fixCrc(ByteBuffer b) {
        b.putInt(17, (int) Crc32C.compute(b, 21, b.limit() - 21));
        return MemoryRecords.readableRecords(b);
    }

    private static ByteBuffer copy(MemoryRecords records) {
        ByteBuffer b = ByteBuffer.allocate(records.sizeInBytes());
        b.put(records.buffer().duplicate()).flip();
        return b;
    }

    private static Errors err(ProduceResponseData.PartitionProduceResponse p) {
        return Errors.forCode(p.errorCode());
    }

    /** A one-record batch of exactly {@code size} bytes (uncompressed). */
    private static MemoryRecords batchOfSize(int size, Compression compression) {
        long now = System.currentTimeMillis();
        Random random = new Random(size);
        for (int valueSize = Math.max(0, size - 300); valueSize < size; valueSize++) {
            byte[] value = new byte[valueSize];
            random.nextBytes(value);
            MemoryRecords r = MemoryRecords.withRecords(compression, new SimpleRecord(now, null, value));
            if (r.sizeInBytes() == size) {
                return r;
            }
        }
        throw new AssertionError("no batch of " + size + " bytes");
    }

    /** UnifiedLog.analyzeAndValidateRecords: batchSize > maxMessageSize is MESSAGE_TOO_LARGE; equal is fine. */
    @Test
    void shouldCompareTheBatchSizeWithMaxMessageBytes() throws Exception {
        Clients.createTopic(node, "max-msg", 1, Map.of("max.message.bytes", "2000"));
        assertThat(err(produce("max-msg", batchOfSize(2000, Compression.NONE)))).isEqualTo(Errors.NONE);
        assertThat(err(produce("max-msg", batchOfSize(2001, Compression.NONE)))).isEqualTo(Errors.MESSAGE_TOO_LARGE);
        // Compressed (random bytes do not shrink): the compressed batch's size is what counts.
        assertThat(err(produce("max-msg", batchOfSize(2000, Compression.gzip().build())))).isEqualTo(Errors.NONE);
        assertThat(err(produce("max-msg", batchOfSize(2001, Compression.gzip().build()))))
                .isEqualTo(Errors.MESSAGE_TOO_LARGE);
    }

    /** LogValidator.validateBatch: count 0 / lastOffsetDelta -1 and the control bit are INVALID_RECORD. */
    @Test
    void shouldRefuseEmptyAndControlClientBatches() throws Exception {
        Clients.createTopic(node, "odd-batches", 1, Map.of());
        MemoryRecords one = MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord(System.currentTimeMillis(), "k".getBytes(), "v".getBytes()));
        ByteBuffer empty = ByteBuffer.allocate(61);
        empty.put(one.buffer().duplicate().limit(61)).flip();
        empty.putInt(8, 61 - 12);       // length
        empty.putInt(23, -1);           // lastOffsetDelta
        empty.putInt(57, 0);            // count
        assertThat(err(produce("odd-batches", fixCrc(empty)))).isEqualTo(Errors.INVALID_RECORD);
        ByteBuffer control = copy(one);
        control.putShort(21, (short) (control.getShort(21) | 0x20));
        assertThat(err(produce("odd-batches", fixCrc(control)))).isEqualTo(Errors.INVALID_RECORD);
    }

    /**
     * Attribute bits Kafka does not check (bit 6, delete horizon) are stored; the client's partitionLeaderEpoch is
     * overwritten with the leader's (LogValidator setPartitionLeaderEpoch); a 0-length value stays 0-length and a
     * null value null.
     */
    @Test
    void shouldOverwriteTheLeaderEpochAndKeepValuesAsSent() throws Exception {
        Clients.createTopic(node, "epochs", 1, Map.of());
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord(System.currentTimeMillis(), "k".getBytes(), new byte[0]),
                new SimpleRecord(System.currentTimeMillis(), "k".getBytes(), null));
        ByteBuffer b = copy(records);
        b.putInt(12, 77); // partitionLeaderEpoch (not covered by the CRC)
        assertThat(err(produce("epochs", MemoryRecords.readableRecords(b)))).isEqualTo(Errors.NONE);
        FetchResponseData.PartitionData p = fetch("epochs", 0, 0, 0, 1 << 20);
        RecordBatch batch = ((MemoryRecords) p.records()).batches().iterator().next();
        assertThat(batch.partitionLeaderEpoch()).isNotEqualTo(77);
        List<Record> read = new ArrayList<>();
        batch.forEach(read::add);
        assertThat(read.get(0).hasValue()).isTrue();
        assertThat(read.get(0).valueSize()).isZero();
        assertThat(read.get(1).hasValue()).isFalse();
    }

    /** LogAppendTime topic: log_append_time in the answer, the same timestamp on every record, type LogAppendTime. */
    @Test
    void shouldStampLogAppendTime() throws Exception {
        Clients.createTopic(node, "lat", 1, Map.of("message.timestamp.type", "LogAppendTime"));
        long before = System.currentTimeMillis();
        MemoryRecords records = MemoryRecords.withRecords(Compression.gzip().build(),
                new SimpleRecord(5L, "k".getBytes(), "a".getBytes()), new SimpleRecord(9L, "k".getBytes(), "b".getBytes()));
        ProduceResponseData.PartitionProduceResponse r = produce("lat", records);
        assertThat(err(r)).isEqualTo(Errors.NONE);
        assertThat(r.logAppendTimeMs()).isGreaterThanOrEqualTo(before);
        FetchResponseData.PartitionData p = fetch("lat", 0, 0, 0, 1 << 20);
        RecordBatch batch = ((MemoryRecords) p.records()).batches().iterator().next();
        assertThat(batch.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
        for (Record rec : batch) {
            assertThat(rec.timestamp()).isEqualTo(r.logAppendTimeMs());
        }
    }

    /** A fetch inside a compressed batch returns that batch from its start; a small partition max still one batch. */
    @Test
    void shouldReturnTheWholeCompressedBatchForAnOffsetInsideIt() throws Exception {
        Clients.createTopic(node, "inside", 1, Map.of());
        long now = System.currentTimeMillis();
        SimpleRecord[] recs = new SimpleRecord[10];
        for (int i = 0; i < recs.length; i++) {
            recs[i] = new SimpleRecord(now, ("k" + i).getBytes(), ("value-" + i).getBytes());
        }
        assertThat(err(produce("inside", MemoryRecords.withRecords(Compression.lz4().build(), recs)))).isEqualTo(Errors.NONE);
        FetchResponseData.PartitionData p = fetch("inside", 5, 0, 0, 1);
        RecordBatch batch = ((MemoryRecords) p.records()).batches().iterator().next();
        assertThat(batch.baseOffset()).isZero();
        assertThat(batch.lastOffset()).isEqualTo(9);
    }

    /** fetch.min.bytes equal to what the partition holds answers at once (ReplicaManager: bytesReadable >= minBytes). */
    @Test
    void shouldAnswerAtOnceWhenExactlyMinBytesAreThere() throws Exception {
        Clients.createTopic(node, "min-bytes", 1, Map.of());
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord(System.currentTimeMillis(), "k".getBytes(), "v".getBytes()));
        int size = records.sizeInBytes();
        assertThat(err(produce("min-bytes", records))).isEqualTo(Errors.NONE);
        long start = System.nanoTime();
        FetchResponseData.PartitionData p = fetch("min-bytes", 0, size, 60_000, 1 << 20);
        assertThat(p.records().sizeInBytes()).isEqualTo(size);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    }
    /**
     * DefaultRecord.readHeaders: a negative header key length ("Invalid negative header key size") and a header count
     * larger than the record holds are InvalidRecordException, INVALID_RECORD; null key and null value (a tombstone on
     * a delete-policy topic) are fine.
     */
    @Test
    void shouldRefuseNullHeaderKeysAndHeaderCountsTheRecordDoesNotHold() throws Exception {
        Clients.createTopic(node, "headers", 1, Map.of());
        MemoryRecords one = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(System.currentTimeMillis(),
                "k".getBytes(), "v".getBytes(), new org.apache.kafka.common.header.Header[] {
                    new org.apache.kafka.common.header.internals.RecordHeader("h", "x".getBytes())}));
        int record = 61;
        ByteBuffer nullKey = copy(one);
        assertThat(nullKey.get(record + 9)).isEqualTo((byte) 0x02);
        nullKey.put(record + 9, (byte) 0x01); // header key length -1
        assertThat(err(produce("headers", fixCrc(nullKey)))).isEqualTo(Errors.INVALID_RECORD);
        ByteBuffer manyHeaders = copy(one);
        assertThat(manyHeaders.get(record + 8)).isEqualTo((byte) 0x02);
        manyHeaders.put(record + 8, (byte) 0x7E); // 63 headers
        assertThat(err(produce("headers", fixCrc(manyHeaders)))).isEqualTo(Errors.INVALID_RECORD);
        assertThat(err(produce("headers", MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord(System.currentTimeMillis(), (byte[]) null, (byte[]) null))))).isEqualTo(Errors.NONE);
    }

    /**
     * Kafka 4.4 UnifiedLog.fetchOffsetByTimestamp(MAX_TIMESTAMP) on a log whose records all have timestamp -1
     * (NO_TIMESTAMP, which LogValidator.validateTimestamp lets onto a CreateTime topic): the first segment's
     * readMaxTimestampAndOffsetSoFar() is its empty time index's lastEntry(), (NO_TIMESTAMP, baseOffset); the first
     * batch from there whose maxTimestamp is -1 is the first batch, and its offsetOfMaxTimestamp() (RecordBatch: the
     * first record carrying the batch's max timestamp) is offset 0. Admin.listOffsets(OffsetSpec.maxTimestamp())
     * therefore gets offset 0 and timestamp -1 (offset -1 is Kafka's answer only for an empty log, and would make a
     * tool treat a non-empty partition as empty).
     */
    @Test
    void shouldAnswerMaxTimestampWithOffsetZeroWhenNoRecordHasATimestamp() throws Exception {
        Clients.createTopic(node, "no-timestamps", 1, Map.of());
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord(RecordBatch.NO_TIMESTAMP, "k".getBytes(), "a".getBytes()),
                new SimpleRecord(RecordBatch.NO_TIMESTAMP, "k".getBytes(), "b".getBytes()));
        assertThat(Errors.forCode(produce("no-timestamps", records).errorCode())).isEqualTo(Errors.NONE);
        TopicPartition tp = new TopicPartition("no-timestamps", 0);
        try (Admin admin = Clients.admin(node)) {
            ListOffsetsResult.ListOffsetsResultInfo info =
                    admin.listOffsets(Map.of(tp, OffsetSpec.maxTimestamp())).partitionResult(tp).get();
            assertThat(info.timestamp()).isEqualTo(RecordBatch.NO_TIMESTAMP);
            assertThat(info.offset()).as("MAX_TIMESTAMP offset of a log whose records have no timestamp").isZero();
        }
    }

    /**
     * Kafka 4.4 DelayedFetch.tryComplete counts, for each partition, the bytes stored between the fetch offset and the
     * partition's end (endOffset.positionDiff(fetchOffset), capped at the partition's max bytes) and completes a parked
     * fetch only once they reach min_bytes; otherwise it answers at max_wait_ms. On a topic whose compression.type
     * recompresses what producers send (LogValidator rebuilds the batch), what is stored, not what the producer sent,
     * is what counts. Here the producer sends ~2.6 KB of uncompressed, very compressible records to a gzip topic;
     * about 100 bytes are stored, fewer than the fetch's min_bytes of 1000, so Kafka answers at max_wait_ms (4 s).
     */
    @Test
    void shouldCountStoredBytesNotSentBytesTowardsMinBytes() throws Exception {
        Clients.createTopic(node, "recompress-wait", 1, Map.of("compression.type", "gzip"));
        long now = System.currentTimeMillis();
        SimpleRecord[] recs = new SimpleRecord[20];
        for (int i = 0; i < recs.length; i++) {
            recs[i] = new SimpleRecord(now, null, "a".repeat(120).getBytes());
        }
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE, recs);
        assertThat(records.sizeInBytes()).isGreaterThan(2000);
        long elapsedMs = parkFetchThenProduce("recompress-wait", 1 << 20, records);
        assertThat(elapsedMs).as("a fetch with min_bytes 1000 answered with about 160 stored bytes")
                .isGreaterThanOrEqualTo(3000);
    }

    /**
     * Kafka 4.4 DelayedFetch.tryComplete: "we take the partition fetch size as upper bound when accumulating the
     * bytes": bytesAvailable = min(endOffset.positionDiff(fetchOffset), fetchInfo.maxBytes). A parked fetch whose
     * partition_max_bytes is 100 and min_bytes 1000 is not completed by a 2.6 KB append to that partition (100 bytes
     * counted), and answers at max_wait_ms (with the whole batch, KIP-74).
     */
    @Test
    void shouldCapEachPartitionsBytesAtItsPartitionMaxBytesTowardsMinBytes() throws Exception {
        Clients.createTopic(node, "capped-wait", 1, Map.of());
        long now = System.currentTimeMillis();
        SimpleRecord[] recs = new SimpleRecord[20];
        for (int i = 0; i < recs.length; i++) {
            recs[i] = new SimpleRecord(now, null, "a".repeat(120).getBytes());
        }
        long elapsedMs = parkFetchThenProduce("capped-wait", 100, MemoryRecords.withRecords(Compression.NONE, recs));
        assertThat(elapsedMs).as("min_bytes 1000 with partition_max_bytes 100: Kafka counts at most 100 bytes")
                .isGreaterThanOrEqualTo(3000);
    }

    /**
     * Sends a fetch (offset 0 of an empty partition, min_bytes 1000, max_wait_ms 4000), lets it park, produces
     * {@code records} and returns how long the fetch took to be answered.
     */
    private static long parkFetchThenProduce(String topic, int partitionMaxBytes, MemoryRecords records)
            throws Exception {
        FetchRequestData request = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(4000).setMinBytes(1000)
                .setMaxBytes(1 << 20).setIsolationLevel((byte) 0).setSessionId(0).setSessionEpoch(-1)
                .setTopics(new ArrayList<>(List.of(new FetchRequestData.FetchTopic().setTopic(topic)
                        .setPartitions(new ArrayList<>(List.of(new FetchRequestData.FetchPartition().setPartition(0)
                                .setFetchOffset(0).setPartitionMaxBytes(partitionMaxBytes).setCurrentLeaderEpoch(-1)
                                .setLastFetchedEpoch(-1).setLogStartOffset(-1)))))));
        try (RawClient fetcher = RawClient.connect(node)) {
            org.apache.kafka.common.requests.RequestHeader header = fetcher.nextHeader(ApiKeys.FETCH, (short) 12);
            long start = System.nanoTime();
            fetcher.writeFrame(org.apache.kafka.common.requests.RequestUtils.serialize(header.data(),
                    header.headerVersion(), request, (short) 12));
            // A round trip on another connection, so that the fetch (sent first) has most likely been read and parked
            // (if not, the fetch reads the append itself and the test passes: it can only miss the difference).
            try (Admin admin = Clients.admin(node)) {
                admin.describeTopics(List.of(topic)).allTopicNames().get();
            }
            assertThat(Errors.forCode(produce(topic, records).errorCode())).isEqualTo(Errors.NONE);
            FetchResponse response = (FetchResponse) org.apache.kafka.common.requests.AbstractResponse
                    .parseResponse(fetcher.readFrame(), header);
            assertThat(response.data().responses().get(0).partitions().get(0).records().sizeInBytes()).isPositive();
            return (System.nanoTime() - start) / 1_000_000;
        }
    }
}
