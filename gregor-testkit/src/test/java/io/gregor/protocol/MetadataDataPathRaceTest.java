package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gregor.testkit.TestNode;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Metadata changes (topic deletion, CreateTopics, CreatePartitions, DeleteRecords) racing the data path: fetch responses
 * still being written to a slow reader, appends stalled on a disk, and the controller thread that applies metadata to
 * the logs.
 */
@Timeout(180)
class MetadataDataPathRaceTest {

    private static final int RECORD_BYTES = 512 * 1024;

    private static Admin patientAdmin(TestNode node) {
        // No retries by the client behind the test's back: a slow answer must show as slow, not as TopicExists.
        return Admin.create(Map.of("bootstrap.servers", node.bootstrapServers(), "default.api.timeout.ms", "120000",
                "request.timeout.ms", "120000"));
    }

    private static byte[] value(int i) {
        byte[] v = new byte[RECORD_BYTES];
        Arrays.fill(v, (byte) (i * 7 + 1));
        v[0] = (byte) i;
        return v;
    }

    private static void produceBig(TestNode node, String topic, int count) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = Clients.bytesProducer(node, Map.of("acks", "1", "max.request.size", 2_000_000,
                "batch.size", RECORD_BYTES + 1024, "linger.ms", 0, "compression.type", "none"))) {
            for (int i = 0; i < count; i++) {
                p.send(new ProducerRecord<>(topic, 0, null, value(i))).get();
            }
        }
    }

    /** A connection with a small receive window whose reader reads only when told. */
    private static final class SlowReader implements AutoCloseable {
        final Socket socket = new Socket();
        final DataInputStream in;
        final OutputStream out;
        RequestHeader header;

        SlowReader(TestNode node) throws IOException {
            socket.setReceiveBufferSize(16 * 1024); // before connect: the window stays small
            socket.connect(new InetSocketAddress("127.0.0.1", node.port()));
            socket.setSoTimeout(30_000);
            in = new DataInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        /** Sends a Fetch v12 (by name) of {@code topic}-0 from offset 0 asking for up to 64 MiB. */
        void sendFetch(String topic) throws IOException {
            short version = 12;
            header = new RequestHeader(ApiKeys.FETCH, version, "slow-reader", 1);
            FetchRequestData body = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(0).setMinBytes(0)
                    .setMaxBytes(64 << 20).setIsolationLevel((byte) 0).setSessionId(0).setSessionEpoch(-1);
            body.topics().add(new FetchRequestData.FetchTopic().setTopic(topic).setPartitions(List.of(
                    new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0).setPartitionMaxBytes(64 << 20)
                            .setCurrentLeaderEpoch(-1).setLogStartOffset(-1).setLastFetchedEpoch(-1))));
            ByteBuffer payload = RequestUtils.serialize(header.data(), header.headerVersion(), body, version);
            ByteBuffer frame = ByteBuffer.allocate(4 + payload.remaining()).putInt(payload.remaining()).put(payload);
            out.write(frame.array());
            out.flush();
        }

        /** Reads the frame's size and its first bytes: the broker has begun writing the response. */
        byte[] startReading(int[] size) throws IOException {
            size[0] = in.readInt();
            byte[] frame = new byte[size[0]];
            in.readFully(frame, 0, 1024);
            return frame;
        }

        /** Reads the rest of the frame (slowly: it has been waiting in the broker); the failure when it cannot. */
        FetchResponse finish(byte[] frame) {
            try {
                in.readFully(frame, 1024, frame.length - 1024);
            } catch (IOException e) {
                throw new AssertionError("the fetch response was cut off after the broker had started sending it: " + e, e);
            }
            return (FetchResponse) AbstractResponse.parseResponse(ByteBuffer.wrap(frame), header);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static void assertRecordsAreThoseProduced(FetchResponse response, int atLeast) {
        FetchResponseData.PartitionData pd = response.data().responses().get(0).partitions().get(0);
        assertThat(Errors.forCode(pd.errorCode())).isEqualTo(Errors.NONE);
        Records records = (Records) pd.records();
        List<Record> read = new ArrayList<>();
        records.batches().forEach(b -> b.forEach(read::add));
        assertThat(read.size()).isGreaterThanOrEqualTo(atLeast);
        for (Record r : read) {
            byte[] v = new byte[r.valueSize()];
            r.value().get(v);
            assertThat(v).as("record at offset %d", r.offset()).isEqualTo(value((int) r.offset()));
        }
    }

    /**
     * Kafka 4.4 deletes a deleted topic's logs asynchronously: {@code LogManager.asyncDelete} only renames the
     * partition directory to {@code <topic>-<partition>.<uuid>-delete} ({@code renameDir(..., shouldReinitialize =
     * false)}) and queues the log in {@code logsToBeDeleted}; its file handles are closed and its files deleted by
     * {@code LogManager.deleteLogs} only after {@code file.delete.delay.ms} (60 s). A fetch response already being
     * written (a zero-copy {@code FileRecords} slice of a segment) to a slow consumer therefore completes with the
     * bytes it was answered with.
     *
     * <p>The test reads the first
     * kilobyte of the 16 MiB response (so the broker has begun writing it), deletes the topic, waits for the deletion
     * to be answered, then reads the rest.
     */
    @Test
    void fetchResponseBeingWrittenToASlowReaderShouldCompleteWhenItsTopicIsDeleted() throws Exception {
        try (TestNode node = TestNode.start(); Admin admin = patientAdmin(node)) {
            admin.createTopics(List.of(new NewTopic("doomed", 1, (short) 1).configs(Map.of("max.message.bytes", "2000000"))))
                    .all().get();
            produceBig(node, "doomed", 32); // 16 MiB: far more than the socket buffers hold
            try (SlowReader reader = new SlowReader(node)) {
                reader.sendFetch("doomed");
                int[] size = new int[1];
                byte[] frame = reader.startReading(size);
                assertThat(size[0]).isGreaterThan(16 << 20);
                admin.deleteTopics(List.of("doomed")).all().get(60, TimeUnit.SECONDS);
                FetchResponse response = reader.finish(frame);
                assertRecordsAreThoseProduced(response, 32);
            }
        }
    }

    /**
     * As Kafka 4.4's {@code UnifiedLog.deleteSegments} / {@code LocalLog.deleteSegmentFiles}: segments removed by
     * DeleteRecords (or retention) are renamed {@code .deleted} and closed and deleted only after
     * {@code file.delete.delay.ms}, so a fetch response still being written from them completes.
     */
    @Test
    void fetchResponseBeingWrittenToASlowReaderShouldCompleteWhenDeleteRecordsRemovesItsSegment() throws Exception {
        try (TestNode node = TestNode.start(); Admin admin = patientAdmin(node)) {
            admin.createTopics(List.of(new NewTopic("trimmed", 1, (short) 1).configs(Map.of("max.message.bytes", "2000000",
                    "segment.bytes", String.valueOf(16 << 20))))).all().get();
            produceBig(node, "trimmed", 40); // segment 0 holds ~31 records (16 MiB), the rest roll into segment 1
            try (SlowReader reader = new SlowReader(node)) {
                reader.sendFetch("trimmed");
                int[] size = new int[1];
                byte[] frame = reader.startReading(size);
                assertThat(size[0]).isGreaterThan(15 << 20);
                admin.deleteRecords(Map.of(new TopicPartition("trimmed", 0), RecordsToDelete.beforeOffset(40)))
                        .all().get(60, TimeUnit.SECONDS);
                assertThat(admin.listOffsets(Map.of(new TopicPartition("trimmed", 0),
                        org.apache.kafka.clients.admin.OffsetSpec.earliest())).all().get()
                        .get(new TopicPartition("trimmed", 0)).offset()).isEqualTo(40);
                FetchResponse response = reader.finish(frame);
                assertRecordsAreThoseProduced(response, 30);
            }
        }
    }

    /** Where the node's controller thread is (its io.gregor frames): the node runs in this JVM. */
    private static String controllerStack() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            if (e.getKey().getName().startsWith("gregor-controller")) {
                for (StackTraceElement f : e.getValue()) {
                    if (f.getClassName().startsWith("io.gregor")) {
                        sb.append("\n    ").append(f);
                    }
                }
            }
        }
        return sb.toString();
    }

    /**
     * Kafka 4.4's controller decides one command at a time: a CreatePartitions queued behind the DeleteTopics of its
     * topic is refused UNKNOWN_TOPIC_OR_PARTITION ({@code ReplicationControlManager.createPartitions}), and no log of the
     * deleted topic is created (the deletion is held in its directory rename on the controller thread, so the
     * CreatePartitions is queued behind it).
     */
    @Test
    void createPartitionsQueuedBehindTheDeletionOfItsTopicIsRefusedAndCreatesNoLog() throws Exception {
        MetadataCrashTest.HoldingDisk disk = new MetadataCrashTest.HoldingDisk();
        try (TestNode node = TestNode.builder().storageIo(disk).start(); Admin admin = patientAdmin(node)) {
            admin.createTopics(List.of(new NewTopic("victim", 2, (short) 1))).all().get();
            disk.holdRenameOf = "victim-0";
            KafkaFuture<Void> deletion = admin.deleteTopics(List.of("victim")).all();
            KafkaFuture<Void> growth;
            try {
                assertThat(disk.reached.await(30, TimeUnit.SECONDS)).isTrue();
                growth = admin.createPartitions(Map.of("victim", NewPartitions.increaseTo(4))).all();
            } finally {
                disk.release.countDown();
            }
            deletion.get(30, TimeUnit.SECONDS);
            assertThatThrownBy(() -> growth.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
            assertThat(liveDirsOf(node.dataDir(), "victim")).isEmpty();
            assertThat(admin.listTopics().names().get()).doesNotContain("victim");
        }
    }

    /** The other order: a DeleteTopics queued behind the CreatePartitions of its topic removes every log, the new ones too. */
    @Test
    void deleteTopicsQueuedBehindCreatePartitionsRemovesTheNewPartitionsToo() throws Exception {
        MetadataCrashTest.HoldingDisk disk = new MetadataCrashTest.HoldingDisk();
        try (TestNode node = TestNode.builder().storageIo(disk).start(); Admin admin = patientAdmin(node)) {
            admin.createTopics(List.of(new NewTopic("grower", 2, (short) 1))).all().get();
            disk.holdMetadataFileOf = "grower-2";
            KafkaFuture<Void> growth = admin.createPartitions(Map.of("grower", NewPartitions.increaseTo(4))).all();
            KafkaFuture<Void> deletion;
            try {
                assertThat(disk.reached.await(30, TimeUnit.SECONDS)).isTrue();
                deletion = admin.deleteTopics(List.of("grower")).all();
            } finally {
                disk.release.countDown();
            }
            growth.get(30, TimeUnit.SECONDS);
            deletion.get(30, TimeUnit.SECONDS);
            assertThat(liveDirsOf(node.dataDir(), "grower")).isEmpty();
            admin.createTopics(List.of(new NewTopic("grower", 1, (short) 1))).all().get();
            assertThat(admin.describeTopics(List.of("grower")).allTopicNames().get().get("grower").partitions()).hasSize(1);
        }
    }

    /**
     * Kafka 4.4 ({@code GroupCoordinatorService.onPartitionsDeleted}, called by the broker's metadata publisher) deletes
     * every group's committed offsets of a deleted topic, so a group does not resume a topic re-created under the name
     * at the old topic's offsets. Expected to pass.
     */
    @Test
    void committedOffsetsOfADeletedTopicDoNotCarryOverToItsNamesake() throws Exception {
        try (TestNode node = TestNode.start(); Admin admin = patientAdmin(node)) {
            admin.createTopics(List.of(new NewTopic("cycle", 1, (short) 1))).all().get();
            TopicPartition tp = new TopicPartition("cycle", 0);
            admin.alterConsumerGroupOffsets("g", Map.of(tp, new OffsetAndMetadata(5))).all().get();
            assertThat(admin.listConsumerGroupOffsets("g").partitionsToOffsetAndMetadata().get()).containsKey(tp);
            admin.deleteTopics(List.of("cycle")).all().get();
            admin.createTopics(List.of(new NewTopic("cycle", 1, (short) 1))).all().get();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(admin.listConsumerGroupOffsets("g").partitionsToOffsetAndMetadata().get()).doesNotContainKey(tp));
        }
    }

    /**
     * Kafka 4.4's {@code ReplicaManager.getPartitionOrError}: a partition the metadata image has but this broker has not
     * (yet) created is {@code HostedPartition.None if metadataCache.contains(tp)} → NOT_LEADER_OR_FOLLOWER ("forces
     * clients to refresh metadata"); UNKNOWN_TOPIC_OR_PARTITION is only for a partition the metadata does not know.
     *
     * <p>Here the creation of {@code late-3}'s log is held while Metadata already lists the topic.
     */
    @Test
    void produceToAPublishedPartitionWhoseLogIsNotCreatedYetIsNotLeaderOrFollower() throws Exception {
        MetadataCrashTest.HoldingDisk disk = new MetadataCrashTest.HoldingDisk();
        try (TestNode node = TestNode.builder().storageIo(disk).start(); Admin admin = patientAdmin(node)) {
            disk.holdMetadataFileOf = "late-3";
            KafkaFuture<Void> creation = admin.createTopics(List.of(new NewTopic("late", 4, (short) 1))).all();
            try {
                assertThat(disk.reached.await(30, TimeUnit.SECONDS)).isTrue();
                try (io.gregor.testkit.RawClient client = io.gregor.testkit.RawClient.connect(node)) {
                    org.apache.kafka.common.message.MetadataResponseData md = ((org.apache.kafka.common.requests.MetadataResponse)
                            client.send(ApiKeys.METADATA, (short) 12, new org.apache.kafka.common.message.MetadataRequestData()
                                    .setTopics(List.of(new org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic()
                                            .setName("late"))).setAllowAutoTopicCreation(false))).data();
                    assertThat(Errors.forCode(md.topics().find("late").errorCode())).isEqualTo(Errors.NONE);
                    org.apache.kafka.common.message.ProduceRequestData data = new org.apache.kafka.common.message.ProduceRequestData()
                            .setAcks((short) 1).setTimeoutMs(30_000);
                    data.topicData().add(new org.apache.kafka.common.message.ProduceRequestData.TopicProduceData().setName("late")
                            .setPartitionData(List.of(new org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData()
                                    .setIndex(3).setRecords(BadInputTest.records("early")))));
                    org.apache.kafka.common.requests.ProduceResponse response = client.send(ApiKeys.PRODUCE, (short) 12, data);
                    Errors error = Errors.forCode(response.data().responses().iterator().next().partitionResponses().get(0).errorCode());
                    assertThat(error).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
                }
            } finally {
                disk.release.countDown();
            }
            creation.get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Kafka 4.4 keeps a deleted topic's log open until {@code file.delete.delay.ms} after {@code LogManager.asyncDelete}
     * renamed it, and answers each ListOffsets partition on its own ({@code ReplicaManager.fetchOffset}: an exception
     * becomes that partition's error, {@code Errors.forException}). A ListOffsets by timestamp that is looking through a
     * segment while the topic is deleted is answered from the old log, or UNKNOWN_TOPIC_OR_PARTITION once it is gone;
     * never UNKNOWN_SERVER_ERROR.
     *
     * <p>A race, not made deterministic: two threads send
     * ListOffsets (each lookup walks ~40,000 batch headers of an unindexed segment, tens of ms) without pause while the
     * topic is deleted, up to 5 attempts; the test fails at the first answer that is neither NONE nor
     * UNKNOWN_TOPIC_OR_PARTITION, and passes (as on Kafka) if no attempt hits the window.
     */
    @Test
    void listOffsetsByTimestampRacingTopicDeletionIsNeverUnknownServerError() throws Exception {
        try (TestNode node = TestNode.start(); Admin admin = patientAdmin(node)) {
            List<Errors> seen = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int attempt = 0; attempt < 5 && seen.stream().allMatch(MetadataDataPathRaceTest::acceptable); attempt++) {
                String topic = "scan-" + attempt;
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of("index.interval.bytes",
                        String.valueOf(Integer.MAX_VALUE))))).all().get();
                long lastTimestamp;
                try (KafkaProducer<String, String> p = Clients.producer(node, Map.of("acks", "1", "batch.size", 1, "linger.ms", 0))) {
                    long ts = 1_000_000;
                    for (int i = 0; i < 40_000; i++) {
                        p.send(new ProducerRecord<>(topic, 0, ts + i, null, "v"));
                    }
                    p.flush();
                    lastTimestamp = ts + 39_999;
                }
                java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
                List<Thread> askers = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    Thread asker = new Thread(() -> {
                        try (io.gregor.testkit.RawClient client = io.gregor.testkit.RawClient.connect(node)) {
                            while (!stop.get()) {
                                org.apache.kafka.common.message.ListOffsetsRequestData body = new org.apache.kafka.common.message.ListOffsetsRequestData()
                                        .setReplicaId(-1).setIsolationLevel((byte) 0);
                                body.topics().add(new org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic().setName(topic)
                                        .setPartitions(List.of(new org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition()
                                                .setPartitionIndex(0).setTimestamp(lastTimestamp).setCurrentLeaderEpoch(-1))));
                                org.apache.kafka.common.requests.ListOffsetsResponse r = client.send(ApiKeys.LIST_OFFSETS, (short) 9, body);
                                Errors e = Errors.forCode(r.data().topics().get(0).partitions().get(0).errorCode());
                                seen.add(e);
                                if (e != Errors.NONE) {
                                    return;
                                }
                            }
                        } catch (RuntimeException e) {
                            seen.add(Errors.NETWORK_EXCEPTION); // the connection was closed
                        }
                    });
                    asker.start();
                    askers.add(asker);
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() >= 2);
                admin.deleteTopics(List.of(topic)).all().get();
                for (Thread asker : askers) {
                    asker.join(30_000);
                }
                stop.set(true);
            }
            assertThat(seen).as("ListOffsets answers while the topic was deleted").allMatch(MetadataDataPathRaceTest::acceptable);
        }
    }

    /**
     * Kafka 4.4: a Produce racing the deletion of its topic either appends (before {@code Partition.delete} took the
     * leader-ISR write lock) and is answered NONE, or finds no leader log / no partition and is answered
     * NOT_LEADER_OR_FOLLOWER or UNKNOWN_TOPIC_OR_PARTITION ({@code ReplicaManager.getPartitionOrError},
     * {@code Partition.appendRecordsToLeader}); KAFKA_STORAGE_ERROR is only for an offline log directory.
     *
     * <p>A race, not made deterministic: two threads produce (acks=1, v12 by name) without pause while the topic
     * is deleted, up to 5 attempts; passes if no attempt hits the window.
     */
    @Test
    void produceRacingTopicDeletionIsNeverAStorageError() throws Exception {
        try (TestNode node = TestNode.start(); Admin admin = patientAdmin(node)) {
            List<Errors> seen = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int attempt = 0; attempt < 5 && seen.stream().allMatch(e -> acceptable(e) || e == Errors.UNKNOWN_TOPIC_ID); attempt++) {
                String topic = "gone-" + attempt;
                // gzip recompression of each ~256 KiB batch happens before the append takes the log's lock: a window
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of("compression.type", "gzip",
                        "max.message.bytes", "4000000")))).all().get();
                List<Thread> producers = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    Thread producer = new Thread(() -> {
                        try (io.gregor.testkit.RawClient client = io.gregor.testkit.RawClient.connect(node)) {
                            while (true) {
                                org.apache.kafka.common.message.ProduceRequestData data = new org.apache.kafka.common.message.ProduceRequestData()
                                        .setAcks((short) 1).setTimeoutMs(30_000);
                                data.topicData().add(new org.apache.kafka.common.message.ProduceRequestData.TopicProduceData().setName(topic)
                                        .setPartitionData(List.of(new org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData()
                                                .setIndex(0).setRecords(TopicRecreateRaceTest.textBatch(42, 16)))));
                                org.apache.kafka.common.requests.ProduceResponse r = client.send(ApiKeys.PRODUCE, (short) 12, data);
                                Errors e = Errors.forCode(r.data().responses().iterator().next().partitionResponses().get(0).errorCode());
                                seen.add(e);
                                if (e != Errors.NONE) {
                                    return;
                                }
                            }
                        } catch (RuntimeException e) {
                            seen.add(Errors.NETWORK_EXCEPTION);
                        }
                    });
                    producer.start();
                    producers.add(producer);
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() >= 2);
                admin.deleteTopics(List.of(topic)).all().get();
                for (Thread producer : producers) {
                    producer.join(30_000);
                }
            }
            assertThat(seen.stream().filter(e -> e != Errors.NONE).toList()).as("Produce answers while the topic was deleted")
                    .allMatch(e -> acceptable(e) || e == Errors.UNKNOWN_TOPIC_ID);
        }
    }

    private static boolean acceptable(Errors e) {
        return e == Errors.NONE || e == Errors.UNKNOWN_TOPIC_OR_PARTITION || e == Errors.NOT_LEADER_OR_FOLLOWER;
    }

    /** The partition directories of {@code topic} that are not being deleted. */
    private static List<String> liveDirsOf(Path dataDir, String topic) throws IOException {
        try (Stream<Path> s = Files.list(dataDir)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(topic + "-") && !n.endsWith("-delete")).toList();
        }
    }
}
