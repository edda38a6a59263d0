package io.gregor.protocol;

import static io.gregor.protocol.FetchLimitsTest.fetch;
import static io.gregor.protocol.FetchLimitsTest.partition;
import static io.gregor.protocol.FetchLimitsTest.topic;
import static org.assertj.core.api.Assertions.assertThat;

import io.gregor.testkit.RawClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Read-path answers compared with Apache Kafka 4.4 (KafkaApis, ReplicaManager, FetchManager, Partition). */
@Timeout(60)
class ReadPathKafkaParityTest extends SharedNodeTest {

    private static void produce(String topic, int count) throws Exception {
        FetchLimitsTest.produce(node, topic, 0, count);
    }

    private static Errors listOffsetsError(RawClient client, String topic, short version, long timestamp) {
        ListOffsetsRequestData request = new ListOffsetsRequestData().setReplicaId(-1);
        request.topics().add(new ListOffsetsRequestData.ListOffsetsTopic().setName(topic).setPartitions(new ArrayList<>(List.of(
                new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0).setTimestamp(timestamp).setCurrentLeaderEpoch(-1)))));
        ListOffsetsResponse response = client.send(ApiKeys.LIST_OFFSETS, version, request);
        return Errors.forCode(response.data().topics().get(0).partitions().get(0).errorCode());
    }

    /**
     * Kafka's ReplicaManager.fetchOffset answers UNSUPPORTED_VERSION for a negative timestamp that is not a special
     * value of the request's version (isListOffsetsTimestampUnsupported: -3 from v7, -4 from v8, -5 from v9, -6 from
     * v11, any other negative value never).
     */
    @Test
    void shouldRefuseASpecialTimestampTheRequestVersionDoesNotHave() throws Exception {
        Clients.createTopic(node, "special-ts", 1, Map.of());
        produce("special-ts", 2);
        try (RawClient client = RawClient.connect(node)) {
            assertThat(listOffsetsError(client, "special-ts", (short) 6, ListOffsetsRequest.MAX_TIMESTAMP))
                    .as("MAX_TIMESTAMP at v6").isEqualTo(Errors.UNSUPPORTED_VERSION);
            assertThat(listOffsetsError(client, "special-ts", (short) 7, ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP))
                    .as("EARLIEST_LOCAL at v7").isEqualTo(Errors.UNSUPPORTED_VERSION);
            assertThat(listOffsetsError(client, "special-ts", (short) 8, ListOffsetsRequest.LATEST_TIERED_TIMESTAMP))
                    .as("LATEST_TIERED at v8").isEqualTo(Errors.UNSUPPORTED_VERSION);
            assertThat(listOffsetsError(client, "special-ts", (short) 10, ListOffsetsRequest.EARLIEST_PENDING_UPLOAD_TIMESTAMP))
                    .as("EARLIEST_PENDING_UPLOAD at v10").isEqualTo(Errors.UNSUPPORTED_VERSION);
            assertThat(listOffsetsError(client, "special-ts", (short) 11, -7L))
                    .as("an undefined negative timestamp").isEqualTo(Errors.UNSUPPORTED_VERSION);
        }
    }

    /**
     * Kafka's FetchManager.newContext: an epoch other than 0 / -1 makes the request incremental, and with sessionId 0
     * (no such session) that is FETCH_SESSION_ID_NOT_FOUND, not INVALID_FETCH_SESSION_EPOCH.
     */
    @Test
    void shouldAnswerAnIncrementalFetchWithoutSessionIdAsSessionNotFound() throws Exception {
        Clients.createTopic(node, "session-zero", 1, Map.of());
        try (RawClient client = RawClient.connect(node)) {
            FetchRequestData request = fetch(0, 0, 1 << 20, topic("session-zero", partition(0, 0))).setSessionId(0).setSessionEpoch(3);
            FetchResponse response = client.send(ApiKeys.FETCH, (short) 12, request);
            assertThat(response.error()).isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND);
        }
    }

    /**
     * Kafka's FetchManager.newContext: epoch 0 is a full fetch whatever the session id (the session named is closed,
     * if it exists, and the fetch is served), which is what the Java client sends after a session error
     * (FetchMetadata.nextCloseExisting).
     */
    @Test
    void shouldServeAFullFetchThatClosesASessionItDoesNotKnow() throws Exception {
        Clients.createTopic(node, "session-close", 1, Map.of());
        produce("session-close", 1);
        try (RawClient client = RawClient.connect(node)) {
            FetchRequestData request = fetch(0, 0, 1 << 20, topic("session-close", partition(0, 0))).setSessionId(1234).setSessionEpoch(0);
            FetchResponse response = client.send(ApiKeys.FETCH, (short) 12, request);
            assertThat(response.error()).isEqualTo(Errors.NONE);
            assertThat(response.data().responses()).singleElement()
                    .satisfies(t -> assertThat(t.partitions().get(0).records().sizeInBytes()).isGreaterThan(0));
        }
    }

    /**
     * Kafka's KafkaApis.handleFetchRequest sets an unknown topic or partition aside ("erroneous") before
     * ReplicaManager.fetchMessages, so it does not make the fetch answer early: the other partitions still long-poll
     * for max_wait_ms.
     */
    @Test
    void shouldStillLongPollWhenOnePartitionIsUnknown() throws Exception {
        Clients.createTopic(node, "long-poll-known", 1, Map.of());
        try (RawClient client = RawClient.connect(node)) {
            long start = System.nanoTime();
            FetchResponse response = client.send(ApiKeys.FETCH, (short) 12, fetch(2000, 1, 1 << 20,
                    topic("long-poll-known", partition(0, 0)), topic("long-poll-no-such-topic", partition(0, 0))));
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(response.data().responses()).anySatisfy(t -> assertThat(t.partitions().get(0).errorCode())
                    .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code()));
            assertThat(elapsedMs).as("waited for max_wait_ms as Kafka").isGreaterThanOrEqualTo(1500);
        }
    }

    /**
     * Kafka's KafkaApis.handleFetchRequest caps min_bytes at the (capped) max_bytes: fetchMinBytes =
     * min(minBytes, fetchMaxBytes). With max_bytes 0 the fetch answers at once, nothing to wait for.
     */
    @Test
    void shouldNotWaitForMoreThanMaxBytes() throws Exception {
        Clients.createTopic(node, "min-over-max", 1, Map.of());
        try (RawClient client = RawClient.connect(node)) {
            long start = System.nanoTime();
            FetchResponse response = client.send(ApiKeys.FETCH, (short) 12, fetch(3000, 1, 0, topic("min-over-max", partition(0, 0))));
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(response.error()).isEqualTo(Errors.NONE);
            assertThat(elapsedMs).as("min_bytes 1 capped to max_bytes 0: no wait").isLessThan(1500);
        }
    }

    /**
     * Kafka's Partition.readRecords checks last_fetched_epoch (v12+) for every fetch: an epoch newer than any in the
     * leader-epoch cache has no end offset, and the partition answers OFFSET_OUT_OF_RANGE.
     */
    @Test
    void shouldRefuseALastFetchedEpochTheLogNeverHad() throws Exception {
        Clients.createTopic(node, "last-fetched-epoch", 1, Map.of());
        produce("last-fetched-epoch", 1);
        try (RawClient client = RawClient.connect(node)) {
            FetchRequestData.FetchPartition p = partition(0, 1).setLastFetchedEpoch(5);
            FetchResponse response = client.send(ApiKeys.FETCH, (short) 12, fetch(0, 0, 1 << 20, topic("last-fetched-epoch", p)));
            FetchResponseData.PartitionData pd = response.data().responses().get(0).partitions().get(0);
            assertThat(Errors.forCode(pd.errorCode())).isEqualTo(Errors.OFFSET_OUT_OF_RANGE);
        }
    }
    /**
     * Kafka's KafkaApis.handleFetchRequest (maybeConvertFetchedData): a partition of a topic whose compression.type is
     * zstd answers UNSUPPORTED_COMPRESSION_TYPE to Fetch versions below 10, which predate zstd (KIP-110).
     */
    @Test
    void shouldRefuseZstdTopicsToFetchVersionsBeforeTen() throws Exception {
        Clients.createTopic(node, "zstd-topic", 1, Map.of("compression.type", "zstd"));
        produce("zstd-topic", 1);
        try (RawClient client = RawClient.connect(node)) {
            FetchResponse response = client.send(ApiKeys.FETCH, (short) 9, fetch(0, 0, 1 << 20, topic("zstd-topic", partition(0, 0))));
            FetchResponseData.PartitionData pd = response.data().responses().get(0).partitions().get(0);
            assertThat(Errors.forCode(pd.errorCode())).isEqualTo(Errors.UNSUPPORTED_COMPRESSION_TYPE);
        }
    }

    /**
     * Kafka's Partition.fetchRecords / followerReplicaOrThrow: a fetch from replica_id >= 0 that is not a replica of
     * the partition answers NOT_LEADER_OR_FOLLOWER (UNKNOWN_LEADER_EPOCH when it names a current leader epoch), and
     * reads nothing.
     */
    @Test
    void shouldRefuseAFollowerFetchFromABrokerThatIsNotAReplica() throws Exception {
        Clients.createTopic(node, "not-a-follower", 1, Map.of());
        produce("not-a-follower", 1);
        try (RawClient client = RawClient.connect(node)) {
            FetchResponse response = client.send(ApiKeys.FETCH, (short) 12,
                    fetch(0, 0, 1 << 20, topic("not-a-follower", partition(0, 0))).setReplicaId(7));
            FetchResponseData.PartitionData pd = response.data().responses().get(0).partitions().get(0);
            assertThat(Errors.forCode(pd.errorCode())).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
            assertThat(pd.records().sizeInBytes()).isZero();
        }
    }
    /**
     * Kafka's DelayedFetch.tryComplete counts the bytes between each fetch offset and the partition's end: an append
     * that lands while the fetch is being parked completes it only when min_bytes is reached: on a busy partition a
     * fetch with a large min_bytes does not answer at once with a few records.
     */
    @Test
    void shouldKeepWaitingForMinBytesWhileSmallRecordsTrickleIn() throws Exception {
        Clients.createTopic(node, "trickle", 1, Map.of());
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread writer = new Thread(() -> {
            try (KafkaProducer<String, String> producer = Clients.producer(node, Map.of("acks", "1", "linger.ms", 0))) {
                while (!stop.get()) {
                    producer.send(new ProducerRecord<>("trickle", 0, "k", "v")).get();
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        writer.start();
        try (RawClient client = RawClient.connect(node)) {
            org.awaitility.Awaitility.await().until(() -> {
                FetchResponse r = client.send(ApiKeys.FETCH, (short) 12, fetch(0, 0, 1 << 20, topic("trickle", partition(0, 0))));
                return r.data().responses().get(0).partitions().get(0).highWatermark() > 100;
            });
            for (int i = 0; i < 10; i++) {
                FetchResponse first = client.send(ApiKeys.FETCH, (short) 12, fetch(0, 0, 1 << 20, topic("trickle", partition(0, 0))));
                long end = first.data().responses().get(0).partitions().get(0).highWatermark();
                long start = System.nanoTime();
                FetchResponse response = client.send(ApiKeys.FETCH, (short) 12,
                        fetch(1500, 50 << 20, 60 << 20, topic("trickle", partition(0, end))));
                long elapsedMs = (System.nanoTime() - start) / 1_000_000;
                int bytes = response.data().responses().get(0).partitions().get(0).records().sizeInBytes();
                assertThat(elapsedMs).as("fetch %d answered with %d bytes of the 50 MiB min_bytes", i, bytes)
                        .isGreaterThanOrEqualTo(1000);
            }
        } finally {
            stop.set(true);
            writer.join();
        }
    }
}
