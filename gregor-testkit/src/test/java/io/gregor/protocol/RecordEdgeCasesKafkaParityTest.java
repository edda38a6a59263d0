package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.gregor.testkit.RawClient;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
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
}
