package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gregor.testkit.RawClient;
import io.gregor.testkit.TestNode;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What a produce makes the broker hold while it waits for its fsync. */
@Timeout(120)
class ProduceMemoryTest {

    /**
     * An acks=all produce must not keep its records in memory while it waits: Kafka's
     * {@code KafkaApis.handleProduceRequest} calls {@code produceRequest.clearPartitionRecords()} right after
     * {@code ReplicaManager.appendRecords} ("if the request is put into the purgatory ... we clear its data here in
     * order to let GC reclaim its memory since it is already appended to log"), and {@code KafkaRequestHandler} then
     * calls {@code request.releaseBuffer()}; and since its {@code Processor} mutes a connection from a complete
     * request until that request's response is sent, a client's further pipelined requests are not even read.
     * Gregor reads and appends up to five pipelined acks=all requests per connection while the first waits, so each
     * must give its frame back once appended, or a disk slow to fsync would make every producer connection pin five
     * requests of up to {@code socket.request.max.bytes}. Scaled down here: five pipelined ~4 MiB requests on one
     * connection, with fsyncs stalled.
     */
    @Test
    void shouldNotHoldAppendedRecordsWhileAnAcksAllProduceWaitsForItsFsync() throws Exception {
        ControlledDisk disk = new ControlledDisk();
        int partitions = 4;
        int requests = 5;
        try (TestNode node = TestNode.builder().storageIo(disk).start();
             Admin admin = Clients.admin(node)) {
            Clients.createTopic(node, "held", partitions, Map.of());
            ByteBuffer frames = pipelinedProduces(node, "held", partitions, requests);
            System.gc();
            long before = directBytes();
            CountDownLatch gate = new CountDownLatch(1);
            disk.stall = gate;
            byte[] all = new byte[frames.remaining()];
            frames.get(all);
            long heldWhileWaiting;
            try (RawClient client = RawClient.connect(node)) {
                // Written from another thread: with Kafka's muting the later requests are not read until the first
                // is answered, so this write may block.
                Thread writer = new Thread(() -> client.writeBytes(all), "pipelining-producer");
                writer.setDaemon(true);
                writer.start();
                // Wait until the first request is appended everywhere (its partitions' offsets moved).
                await().atMost(Duration.ofSeconds(30)).until(() -> endOffsets(admin, "held", partitions) >= partitions);
                await().atMost(Duration.ofSeconds(10)).until(() -> disk.stalled.get() > 0);
                long held = 0;
                for (int i = 0; i < 5; i++) {
                    System.gc();
                    held = directBytes() - before;
                }
                long requestBytes = all.length / requests;
                heldWhileWaiting = held;
            } finally {
                disk.stall = null;
                gate.countDown();
            }
            // (Not a leak: once the answers are written the frames are released.)
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                System.gc();
                assertThat(directBytes() - before).isLessThan(all.length / requests);
            });
            long requestBytes = all.length / requests;
            assertThat(heldWhileWaiting)
                    .as("bytes of appended acks=all requests still held while they wait for their fsync "
                            + "(one request is %,d bytes, all %d are %,d)", requestBytes, requests, all.length)
                    .isLessThan(requestBytes);
        }
    }

    private static ByteBuffer pipelinedProduces(TestNode node, String topic, int partitions, int requests) {
        Random random = new Random(42);
        List<ByteBuffer> bodies = new ArrayList<>();
        int size = 0;
        try (RawClient headers = RawClient.connect(node)) {
            for (int r = 0; r < requests; r++) {
                ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(60_000);
                List<ProduceRequestData.PartitionProduceData> parts = new ArrayList<>();
                for (int p = 0; p < partitions; p++) {
                    byte[] value = new byte[1_000_000]; // incompressible, just under message.max.bytes
                    random.nextBytes(value);
                    parts.add(new ProduceRequestData.PartitionProduceData().setIndex(p)
                            .setRecords(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(value))));
                }
                data.topicData().add(new ProduceRequestData.TopicProduceData().setName(topic).setPartitionData(parts));
                RequestHeader header = new RequestHeader(ApiKeys.PRODUCE, (short) 9, "pipeliner", r + 1);
                ByteBuffer body = new ProduceRequest(data, (short) 9).serializeWithHeader(header);
                bodies.add(body);
                size += 4 + body.remaining();
            }
        }
        ByteBuffer all = ByteBuffer.allocate(size);
        for (ByteBuffer b : bodies) {
            all.putInt(b.remaining()).put(b);
        }
        return all.flip();
    }

    private static long endOffsets(Admin admin, String topic, int partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> specs = new java.util.HashMap<>();
        for (int p = 0; p < partitions; p++) {
            specs.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        long sum = 0;
        for (var info : admin.listOffsets(specs).all().get().values()) {
            sum += info.offset();
        }
        return sum;
    }

    /** Direct memory in use by Netty's allocator (where the broker's network buffers come from), else the JDK's. */
    static long directBytes() {
        long jdk = 0;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                jdk = pool.getMemoryUsed();
            }
        }
        long netty = ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider m ? m.metric().usedDirectMemory() : -1;
        return netty >= 0 ? netty : jdk;
    }
}
