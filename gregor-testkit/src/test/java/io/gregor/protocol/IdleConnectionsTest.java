package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gregor.testkit.RawClient;
import io.gregor.testkit.TestNode;
import java.io.DataInputStream;
import java.io.EOFException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code connections.max.idle.ms}: the broker closes a connection that has been silent that long, as Kafka does, but
 * never one whose request is still waiting for its answer; clients reconnect and carry on.
 */
@Timeout(120)
class IdleConnectionsTest {

    private static final long IDLE_MS = 400;

    private static TestNode node;
    private static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        node = TestNode.builder().override("connections.max.idle.ms", String.valueOf(IDLE_MS)).start();
        admin = Clients.admin(node);
        admin.createTopics(List.of(new NewTopic("quiet", 1, (short) 1), new NewTopic("never-written", 1, (short) 1),
                new NewTopic("large", 1, (short) 1))).all().get();
    }

    @AfterAll
    static void stop() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        node.close();
    }

    @Test
    void shouldCloseAConnectionThatStaysSilent() {
        try (RawClient client = RawClient.connect(node)) {
            ApiVersionsResponse answer = client.send(new ApiVersionsRequest.Builder().build((short) 3));
            assertThat(Errors.forCode(answer.data().errorCode())).isEqualTo(Errors.NONE);
            long silentFrom = System.nanoTime();

            assertThat(client.isClosedByBroker()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - silentFrom)).isGreaterThanOrEqualTo(Duration.ofMillis(IDLE_MS - 50));
        }
    }

    @Test
    void shouldAnswerALongPollThatOutlastsTheIdleTimeBeforeClosing() {
        FetchRequestData.FetchTopic topic = new FetchRequestData.FetchTopic().setTopicId(topicId("never-written"))
                .setPartitions(List.of(new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0)
                        .setPartitionMaxBytes(1 << 20)));
        long maxWaitMs = IDLE_MS * 4;
        FetchRequestData data = new FetchRequestData().setMaxWaitMs((int) maxWaitMs).setMinBytes(1).setMaxBytes(1 << 20)
                .setSessionId(0).setSessionEpoch(-1).setReplicaId(-1).setTopics(List.of(topic));
        try (RawClient client = RawClient.connect(node)) {
            long sent = System.nanoTime();
            FetchResponse response = client.send(new FetchRequest(data, (short) 16));

            assertThat(Duration.ofNanos(System.nanoTime() - sent)).isGreaterThanOrEqualTo(Duration.ofMillis(maxWaitMs - 50));
            assertThat(Errors.forCode(response.data().errorCode())).isEqualTo(Errors.NONE);
            assertThat(response.data().responses()).singleElement().satisfies(t ->
                    assertThat(Errors.forCode(t.partitions().get(0).errorCode())).isEqualTo(Errors.NONE));
            assertThat(client.isClosedByBroker()).isTrue();
        }
    }

    @Test
    void shouldSendALargeResponseToAReaderThatTakesLongerThanTheIdleTimeToReadIt() throws Exception {
        // 20 MB: more than the kernel's socket buffers can take at once (4 MB each way here), so the broker still
        // holds part of the response when the first idle period ends.
        int records = 20;
        try (KafkaProducer<byte[], byte[]> producer = Clients.bytesProducer(node, Map.of())) {
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>("large", 0, null, new byte[1_000_000])).get();
            }
        }
        FetchRequestData.FetchTopic topic = new FetchRequestData.FetchTopic().setTopicId(topicId("large"))
                .setPartitions(List.of(new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0)
                        .setPartitionMaxBytes(32 << 20)));
        FetchRequestData data = new FetchRequestData().setMaxWaitMs(0).setMinBytes(1).setMaxBytes(32 << 20)
                .setSessionId(0).setSessionEpoch(-1).setReplicaId(-1).setTopics(List.of(topic));
        RequestHeader header = new RequestHeader(ApiKeys.FETCH, (short) 16, "slow-reader", 1);
        ByteBuffer request = new FetchRequest(data, (short) 16).serializeWithHeader(header);
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(16 * 1024);
            socket.connect(new InetSocketAddress("127.0.0.1", node.port()));
            socket.getOutputStream().write(ByteBuffer.allocate(4 + request.remaining()).putInt(request.remaining()).put(request).array());
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] response = new byte[in.readInt()];
            long started = System.nanoTime();
            for (int read = 0; read < response.length; ) {
                int chunk = Math.min(2 << 20, response.length - read);
                try {
                    in.readFully(response, read, chunk);
                } catch (EOFException e) {
                    throw new AssertionError("the broker closed the connection within bytes " + read + ".." + (read + chunk)
                            + " of " + response.length, e);
                }
                read += chunk;
                // A slow reader, on purpose: it pauses for half an idle period after each 2 MB, so the response
                // takes several periods to arrive; as in Kafka, only a whole period without progress closes it.
                LockSupport.parkNanos(Duration.ofMillis(IDLE_MS / 2).toNanos());
            }
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThan(Duration.ofMillis(IDLE_MS * 2));
            FetchResponse parsed = (FetchResponse) AbstractResponse.parseResponse(ByteBuffer.wrap(response), header);
            assertThat(parsed.data().responses().get(0).partitions().get(0).highWatermark()).isEqualTo(records);
        }
    }

    @Test
    void shouldLetClientsCarryOnAcrossIdleClosedConnections() throws Exception {
        TopicPartition tp = new TopicPartition("quiet", 0);
        try (KafkaProducer<String, String> producer = Clients.producer(node, Map.of());
             KafkaConsumer<String, String> consumer = Clients.consumer(node, Map.of())) {
            long first = producer.send(new ProducerRecord<>("quiet", 0, "k", "before")).get().offset();
            // The broker closes the producer's connections once they are idle; the producer sees them go.
            await().atMost(Duration.ofSeconds(30)).until(() -> closedConnections(producer.metrics()) >= 1);
            long second = producer.send(new ProducerRecord<>("quiet", 0, "k", "after")).get().offset();

            consumer.assign(List.of(tp));
            consumer.seek(tp, first);
            List<ConsumerRecord<String, String>> records = Clients.readAll(consumer, Set.of(tp), 2);
            assertThat(second).isEqualTo(first + 1);
            assertThat(records).extracting(ConsumerRecord::value).containsExactly("before", "after");
        }
    }

    private static double closedConnections(Map<MetricName, ? extends Metric> metrics) {
        return metrics.entrySet().stream()
                .filter(e -> e.getKey().name().equals("connection-close-total") && e.getKey().group().equals("producer-metrics"))
                .mapToDouble(e -> (double) e.getValue().metricValue()).sum();
    }

    private static Uuid topicId(String name) {
        try {
            return admin.describeTopics(List.of(name)).allTopicNames().get().get(name).topicId();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

}
