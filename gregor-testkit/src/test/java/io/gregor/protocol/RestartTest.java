package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gregor.testkit.RawClient;
import io.gregor.testkit.TestNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A restarted node keeps every topic, topic id, config, record and idempotent producer state. */
@Timeout(120)
class RestartTest {

    /**
     * As Kafka's .lock: a second node started on a data directory a running node uses is refused before it reads or
     * writes anything there, and the first node's topics are untouched; once the first stops, the directory is free.
     */
    @Test
    void shouldRefuseASecondNodeOnADataDirectoryInUse() throws Exception {
        try (TestNode first = TestNode.start()) {
            Clients.createTopic(first, "kept", 1, Map.of());
            assertThatThrownBy(() -> TestNode.builder().dataDir(first.dataDir()).start())
                    .hasRootCauseMessage("Failed to acquire lock on file .lock in " + first.dataDir().toAbsolutePath().normalize()
                            + ". A Kafka instance in another process or thread is using this directory.");
            try (Admin admin = Clients.admin(first)) {
                assertThat(admin.listTopics().names().get()).contains("kept");
            }
            first.stop();
            try (TestNode second = TestNode.builder().dataDir(first.dataDir()).start(); Admin admin = Clients.admin(second)) {
                assertThat(admin.listTopics().names().get()).contains("kept");
            }
        }
    }

    @Test
    void shouldKeepTopicsConfigsAndRecordsAcrossRestart() throws Exception {
        try (TestNode node = TestNode.start()) {
            Clients.createTopic(node, "kept", 3, Map.of("retention.ms", "123456789", "cleanup.policy", "delete"));
            Clients.createTopic(node, "deleted-before-restart", 1, Map.of());
            Uuid idBefore;
            try (Admin admin = Clients.admin(node)) {
                idBefore = admin.describeTopics(List.of("kept")).allTopicNames().get().get("kept").topicId();
                admin.deleteTopics(List.of("deleted-before-restart")).all().get();
            }
            List<String> sent = new ArrayList<>();
            try (KafkaProducer<String, String> producer = Clients.producer(node, Map.of("acks", "all"))) {
                for (int i = 0; i < 1000; i++) {
                    String v = "r" + i;
                    sent.add(v);
                    producer.send(new ProducerRecord<>("kept", i % 3, null, v));
                }
                producer.flush();
            }

            node.restart();

            try (Admin admin = Clients.admin(node)) {
                assertThat(admin.listTopics().names().get()).contains("kept").doesNotContain("deleted-before-restart");
                TopicDescription d = admin.describeTopics(List.of("kept")).allTopicNames().get().get("kept");
                assertThat(d.topicId()).isEqualTo(idBefore);
                assertThat(d.partitions()).hasSize(3);
                ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, "kept");
                Config config = admin.describeConfigs(List.of(res)).all().get().get(res);
                assertThat(config.get("retention.ms").value()).isEqualTo("123456789");
            }
            try (KafkaConsumer<String, String> consumer = Clients.consumer(node, Map.of())) {
                Set<TopicPartition> tps = Set.of(new TopicPartition("kept", 0), new TopicPartition("kept", 1), new TopicPartition("kept", 2));
                List<ConsumerRecord<String, String>> got = Clients.readAll(consumer, tps, sent.size());
                assertThat(got).extracting(ConsumerRecord::value).containsExactlyInAnyOrderElementsOf(sent);
            }
            // New writes continue at the old log end offset.
            try (KafkaProducer<String, String> producer = Clients.producer(node, Map.of())) {
                long offset = producer.send(new ProducerRecord<>("kept", 0, null, "after")).get().offset();
                assertThat(offset).isEqualTo(334);
            }
        }
    }

    /**
     * A topic of hundreds of partitions, whose logs are created together (see LogStore.createLogs), is answered only
     * once every partition can be written and read, and keeps every acknowledged record across a restart.
     */
    @Test
    void shouldServeEveryPartitionOfALargeTopicAfterCreationAndRestart() throws Exception {
        int partitions = 300;
        try (TestNode node = TestNode.start()) {
            Clients.createTopic(node, "wide", partitions, Map.of());
            List<String> sent = new ArrayList<>();
            Set<TopicPartition> tps = new java.util.HashSet<>();
            // No retries: a partition whose log was not there yet would fail its send, not be hidden by a retry.
            try (KafkaProducer<String, String> producer = Clients.producer(node, Map.of("acks", "all", "retries", 0,
                    "enable.idempotence", false))) {
                for (int p = 0; p < partitions; p++) {
                    String v = "p" + p;
                    sent.add(v);
                    tps.add(new TopicPartition("wide", p));
                    assertThat(producer.send(new ProducerRecord<>("wide", p, null, v)).get().offset()).isZero();
                }
            }
            try (KafkaConsumer<String, String> consumer = Clients.consumer(node, Map.of())) {
                assertThat(Clients.readAll(consumer, tps, sent.size())).extracting(ConsumerRecord::value)
                        .containsExactlyInAnyOrderElementsOf(sent);
            }

            node.restart();

            try (Admin admin = Clients.admin(node)) {
                assertThat(admin.describeTopics(List.of("wide")).allTopicNames().get().get("wide").partitions())
                        .hasSize(partitions);
            }
            try (KafkaConsumer<String, String> consumer = Clients.consumer(node, Map.of())) {
                assertThat(Clients.readAll(consumer, tps, sent.size())).extracting(ConsumerRecord::value)
                        .containsExactlyInAnyOrderElementsOf(sent);
            }
            try (KafkaProducer<String, String> producer = Clients.producer(node, Map.of("acks", "all"))) {
                assertThat(producer.send(new ProducerRecord<>("wide", partitions - 1, null, "after")).get().offset())
                        .isEqualTo(1);
            }
        }
    }

    @Test
    void shouldRecognizeIdempotentDuplicateAfterRestart() throws Exception {
        try (TestNode node = TestNode.start()) {
            Clients.createTopic(node, "idem", 1, Map.of());
            long pid;
            long firstOffset;
            MemoryRecords batch;
            try (RawClient client = RawClient.connect(node)) {
                InitProducerIdResponse init = client.send(new InitProducerIdRequest.Builder(new InitProducerIdRequestData()
                        .setTransactionalId(null).setTransactionTimeoutMs(60000)).build((short) 4));
                pid = init.data().producerId();
                BadInputTest.produce(client, "idem", 0, BadInputTest.records("plain"));
                batch = MemoryRecords.withIdempotentRecords(Compression.NONE, pid, (short) 0, 0,
                        new SimpleRecord(System.currentTimeMillis(), "once".getBytes()));
                firstOffset = BadInputTest.produceFull(client, "idem", 0, batch).baseOffset();
            }
            node.restart();
            try (RawClient client = RawClient.connect(node)) {
                MemoryRecords again = MemoryRecords.withIdempotentRecords(Compression.NONE, pid, (short) 0, 0,
                        new SimpleRecord(System.currentTimeMillis(), "once".getBytes()));
                ProduceResponseData.PartitionProduceResponse r = BadInputTest.produceFull(client, "idem", 0, again);
                assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.NONE);
                assertThat(r.baseOffset()).isEqualTo(firstOffset);
                // A fresh producer id after restart never collides with the one handed out before.
                InitProducerIdResponse init = client.send(new InitProducerIdRequest.Builder(new InitProducerIdRequestData()
                        .setTransactionalId(null).setTransactionTimeoutMs(60000)).build((short) 4));
                assertThat(init.data().producerId()).isGreaterThan(pid);
            }
        }
    }

    /**
     * The metadata log is the only record of every topic: after a restart it must keep its own settings (no retention,
     * no time roll), or a week later the retention pass deleted it and the next start found no topics and deleted
     * every topic's data.
     */
    @Test
    void shouldKeepEveryTopicAWeekAfterARestart() throws Exception {
        try (TestNode node = TestNode.start()) {
            Clients.createTopic(node, "precious", 1, Map.of("retention.ms", "-1")); // its own data is kept forever
            try (KafkaProducer<String, String> producer = Clients.producer(node, Map.of())) {
                producer.send(new ProducerRecord<>("precious", "k", "kept")).get();
            }
            node.restart();
            node.node().logStore().runRetention(System.currentTimeMillis() + Duration.ofDays(8).toMillis());
            node.restart();
            try (Admin admin = Clients.admin(node)) {
                assertThat(admin.listTopics().names().get()).contains("precious");
            }
            try (KafkaConsumer<String, String> consumer = Clients.consumer(node, Map.of())) {
                assertThat(Clients.readAll(consumer, Set.of(new TopicPartition("precious", 0)), 1))
                        .extracting(ConsumerRecord::value).containsExactly("kept");
            }
        }
    }
}
