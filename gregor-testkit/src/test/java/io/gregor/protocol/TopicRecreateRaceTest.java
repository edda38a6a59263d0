package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.gregor.testkit.RawClient;
import io.gregor.testkit.TestNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A topic deleted and re-created under the same name while requests naming the old topic id are in flight. */
@Timeout(120)
class TopicRecreateRaceTest {

    /**
     * Kafka 4.4 checks the topic id of a Produce (v13+, by topic id) against the partition it appends to:
     * {@code ReplicaManager.getPartitionOrException(TopicIdPartition)} (called by {@code appendToLocalLog}) throws
     * UnknownTopicIdException when the hosted partition's topic id is not the request's, so a batch sent to a deleted
     * topic is never appended to the topic re-created under its name; the producer is answered UNKNOWN_TOPIC_ID.
     *
     * <p>Here the request's first topic is slow to append (gzip recompression), so the topic named second is deleted
     * and re-created while the request, which resolved the old id, is still running; where the machine is too slow for
     * that ordering the test is skipped rather than passed.
     */
    @Test
    void shouldNotAppendABatchSentToADeletedTopicIdToTheTopicReCreatedUnderItsName() throws Exception {
        MetadataCrashTest.HoldingDisk disk = new MetadataCrashTest.HoldingDisk();
        try (TestNode node = TestNode.builder().storageIo(disk).start(); Admin admin = Clients.admin(node)) {
            // A topic whose every append is slow (gzip recompression of ~1 MB batches), without holding any lock
            // the deletion needs: the request spends seconds on it before it reaches the topic named after it.
            Clients.createTopic(node, "slow", SLOW_PARTITIONS, Map.of("compression.type", "gzip", "max.message.bytes", "4000000"));
            Clients.createTopic(node, "reborn", 1, Map.of());
            Uuid slowId = admin.describeTopics(List.of("slow")).allTopicNames().get().get("slow").topicId();
            Uuid oldId = admin.describeTopics(List.of("reborn")).allTopicNames().get().get("reborn").topicId();

            ProduceRequestData data = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(30_000);
            ProduceRequestData.TopicProduceData slow = new ProduceRequestData.TopicProduceData().setTopicId(slowId);
            for (int p = 0; p < SLOW_PARTITIONS; p++) {
                slow.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(p).setRecords(textBatch(p, 64)));
            }
            data.topicData().add(slow);
            data.topicData().add(new ProduceRequestData.TopicProduceData().setTopicId(oldId).setPartitionData(List.of(
                    new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(BadInputTest.records("sent-to-the-deleted-topic")))));
            // Held at its first append: from here on the request has resolved its topic ids.
            disk.holdAppendTo = "slow-0";
            try (RawClient client = RawClient.connect(node)) {
                CompletableFuture<ProduceResponse> answer = CompletableFuture.supplyAsync(() -> client.send(ApiKeys.PRODUCE, (short) 13, data));
                assertThat(disk.reached.await(30, TimeUnit.SECONDS)).isTrue();
                disk.release.countDown();
                long t0 = System.nanoTime();
                admin.deleteTopics(List.of("reborn")).all().get();
                Clients.createTopic(node, "reborn", 1, Map.of());
                long recreatedMs = (System.nanoTime() - t0) / 1_000_000;
                Uuid newId = admin.describeTopics(List.of("reborn")).allTopicNames().get().get("reborn").topicId();
                assertThat(newId).isNotEqualTo(oldId);
                Assumptions.assumeFalse(answer.isDone(),
                        "the request had finished before 'reborn' was re-created (" + recreatedMs + " ms)");

                ProduceResponse response = answer.get(60, TimeUnit.SECONDS);
                ProduceResponseData.TopicProduceResponse old = response.data().responses().find("", oldId);
                Errors error = Errors.forCode(old.partitionResponses().get(0).errorCode());
                List<String> inNewTopic = new ArrayList<>();
                try (KafkaConsumer<String, String> consumer = Clients.consumer(node, Map.of())) {
                    TopicPartition tp = new TopicPartition("reborn", 0);
                    consumer.assign(List.of(tp));
                    consumer.seekToBeginning(List.of(tp));
                    long end = consumer.endOffsets(List.of(tp)).get(tp);
                    while (consumer.position(tp) < end) {
                        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                            inNewTopic.add(r.value());
                        }
                    }
                }
                assertThat(inNewTopic).as("records of the re-created topic %s (the batch sent to the deleted topic id %s was answered %s)",
                        newId, oldId, error).isEmpty();
                assertThat(error).isEqualTo(Errors.UNKNOWN_TOPIC_ID);
            }
        }
    }

    private static final int SLOW_PARTITIONS = 40;

    /** {@code count} x 16 KiB of text-like values, uncompressed: a gzip topic has work to do recompressing them. */
    static org.apache.kafka.common.record.internal.MemoryRecords textBatch(int seed, int count) {
        java.util.Random random = new java.util.Random(seed);
        org.apache.kafka.common.record.internal.SimpleRecord[] records = new org.apache.kafka.common.record.internal.SimpleRecord[count];
        for (int i = 0; i < records.length; i++) {
            byte[] value = new byte[16 * 1024];
            for (int j = 0; j < value.length; j++) {
                value[j] = (byte) ('a' + random.nextInt(20));
            }
            records[i] = new org.apache.kafka.common.record.internal.SimpleRecord(System.currentTimeMillis(), value);
        }
        return org.apache.kafka.common.record.internal.MemoryRecords.withRecords(
                org.apache.kafka.common.compress.Compression.NONE, records);
    }
}
