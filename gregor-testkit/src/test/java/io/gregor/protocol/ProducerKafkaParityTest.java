package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gregor.testkit.RawClient;
import io.gregor.testkit.TestNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The idempotent producer path as Kafka 4.4 behaves: producer-id expiry on its own check interval, InitProducerId when
 * no id can be reserved, and transactional batches without a transaction coordinator.
 */
@Timeout(120)
class ProducerKafkaParityTest {

    private static List<ProducerState> producers(Admin admin, TopicPartition tp) throws Exception {
        return admin.describeProducers(List.of(tp)).partitionResult(tp).get().activeProducers();
    }

    /**
     * Kafka 4.4 removes idle producer ids every {@code producer.id.expiration.check.interval.ms} (a broker property,
     * default 600000, defined in TransactionLogConfig; LogManager schedules
     * {@code UnifiedLog.removeExpiredProducers} at that interval, and ProducerStateManager.isProducerExpired says
     * {@code now - lastTimestamp >= producer.id.expiration.ms}). A broker started with
     * {@code producer.id.expiration.ms=2000} and {@code producer.id.expiration.check.interval.ms=500} (what Kafka's own
     * TransactionsExpirationTest/ProducerIdExpirationTest set) forgets an idle idempotent producer within about 2.5 s:
     * DescribeProducers no longer lists it, whatever the retention check interval.
     */
    @Test
    void shouldExpireAnIdleProducerAtTheProducerIdExpirationCheckInterval() throws Exception {
        try (TestNode node = TestNode.builder()
                .override("producer.id.expiration.ms", "2000")
                .override("producer.id.expiration.check.interval.ms", "500")
                .start()) {
            Clients.createTopic(node, "expiring", 1, Map.of());
            TopicPartition tp = new TopicPartition("expiring", 0);
            try (KafkaProducer<String, String> producer = Clients.producer(node, Map.of());
                    Admin admin = Clients.admin(node)) {
                producer.send(new ProducerRecord<>("expiring", 0, "k", "v")).get();
                assertThat(producers(admin, tp)).hasSize(1);

                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                        .untilAsserted(() -> assertThat(producers(admin, tp))
                                .as("idle producer after producer.id.expiration.ms=2000 checked every 500 ms")
                                .isEmpty());

                // What the producer gets next, as in Kafka: its state is gone, so its next sequence is accepted.
                assertThat(producer.send(new ProducerRecord<>("expiring", 0, "k", "again")).get().offset())
                        .isEqualTo(1);
            }
        }
    }

    /**
     * Kafka 4.4 never answers InitProducerId with a non-retriable error because it cannot hand out a producer id right
     * now: RPCProducerIdManager.generateProducerId throws COORDINATOR_LOAD_IN_PROGRESS ("Producer ID block is full.
     * Waiting for next block"; its comment: "Return COORDINATOR_LOAD_IN_PROGRESS rather than REQUEST_TIMED_OUT since
     * older clients treat the error as fatal when it should be retriable"). The Java producer's InitProducerIdHandler
     * re-enqueues on a retriable error and turns any other unexpected error into a fatal error: every send of that
     * producer fails until the application re-creates it. So while the next id block cannot be persisted (a full
     * disk, which the broker rides out), InitProducerId answers a retriable error, and a producer that starts then
     * sends once the disk has room again.
     */
    @Test
    void shouldAnswerInitProducerIdWithARetriableErrorWhenNoProducerIdCanBeReserved() throws Exception {
        DiskFullTest.FullDisk disk = new DiskFullTest.FullDisk();
        try (TestNode node = TestNode.builder().storageIo(disk).start()) {
            Clients.createTopic(node, "ids", 1, Map.of());
            disk.full.set(true);
            try (RawClient client = RawClient.connect(node)) {
                InitProducerIdResponse init = client.send(new InitProducerIdRequest.Builder(new InitProducerIdRequestData()
                        .setTransactionalId(null).setTransactionTimeoutMs(60000)).build((short) 4));
                Errors error = Errors.forCode(init.data().errorCode());
                assertThat(error.exception())
                        .as("InitProducerId answered %s while no producer id block can be persisted", error)
                        .isInstanceOf(RetriableException.class);
            }
            try (KafkaProducer<String, String> producer = Clients.producer(node, Map.of())) {
                Future<RecordMetadata> sent = producer.send(new ProducerRecord<>("ids", 0, "k", "v"));
                // While no id can be reserved the send waits (the producer retries InitProducerId) ...
                await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                        .until(() -> !sent.isDone());
                disk.full.set(false);
                // ... and completes once the disk has room again.
                assertThat(sent.get().offset()).isZero();
            }
        }
    }

    /**
     * Kafka 4.4 never appends a transactional batch for a transaction its coordinator does not know: with
     * {@code transaction.partition.verification.enable=true} (the default) ReplicaManager.handleProduceAppend collects
     * the transactional batches and asks the transaction coordinator to verify (or, from Produce v12, add) the
     * partition for the request's transactional id before appending; for a transactional id the coordinator has no
     * state for, TransactionCoordinator answers INVALID_PRODUCER_ID_MAPPING and the partition's answer is an error with
     * nothing written. Gregor has no transaction coordinator (InitProducerId with a transactional id is refused), so no
     * transaction can exist and every transactional batch gets that answer: an appended one would be a transaction
     * never committed or aborted.
     */
    @Test
    void shouldRefuseATransactionalBatchForATransactionThatWasNeverInitialized() throws Exception {
        try (TestNode node = TestNode.start()) {
            Clients.createTopic(node, "txn", 1, Map.of());
            try (RawClient client = RawClient.connect(node)) {
                InitProducerIdResponse init = client.send(new InitProducerIdRequest.Builder(new InitProducerIdRequestData()
                        .setTransactionalId(null).setTransactionTimeoutMs(60000)).build((short) 4));
                long pid = init.data().producerId();
                MemoryRecords batch = MemoryRecords.withTransactionalRecords(Compression.NONE, pid, (short) 0, 0,
                        new SimpleRecord(System.currentTimeMillis(), "in-a-transaction".getBytes()));
                ProduceRequestData data = BadInputTest.produceData("txn", 0, batch).setTransactionalId("never-initialized");
                ProduceResponse response = client.send(new ProduceRequest(data, (short) 9));
                ProduceResponseData.PartitionProduceResponse pr =
                        response.data().responses().iterator().next().partitionResponses().get(0);
                assertThat(Errors.forCode(pr.errorCode()))
                        .as("transactional batch for an unknown transactional id")
                        .isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
            }
            try (Admin admin = Clients.admin(node)) {
                TopicPartition tp = new TopicPartition("txn", 0);
                assertThat(admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset())
                        .as("log end offset").isZero();
            }
        }
    }
}
