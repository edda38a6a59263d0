package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Produce and consume through the official 4.4 clients, as a user would. */
@Timeout(120)
class ProduceConsumeTest extends SharedNodeTest {

    @ParameterizedTest
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void shouldReadBackKeysValuesHeadersAndTimestampsWithEveryCodec(String codec) throws Exception {
        String topic = "codec-" + codec;
        Clients.createTopic(node, topic, 1, Map.of());
        long baseTs = System.currentTimeMillis() - 10_000;
        List<ProducerRecord<String, String>> sent = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            ProducerRecord<String, String> r = new ProducerRecord<>(topic, 0, baseTs + i, i % 7 == 0 ? null : "key-" + i, "value-" + i);
            r.headers().add(new RecordHeader("h" + (i % 3), ("hv-" + i).getBytes(StandardCharsets.UTF_8)));
            sent.add(r);
        }
        try (KafkaProducer<String, String> producer = Clients.producer(node, Map.of("compression.type", codec, "acks", "all"))) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (ProducerRecord<String, String> r : sent) {
                acks.add(producer.send(r));
            }
            for (int i = 0; i < acks.size(); i++) {
                assertThat(acks.get(i).get().offset()).isEqualTo(i);
            }
        }
        try (KafkaConsumer<String, String> consumer = Clients.consumer(node, Map.of())) {
            List<ConsumerRecord<String, String>> got = Clients.readAll(consumer, Set.of(new TopicPartition(topic, 0)), sent.size());
            assertThat(got).hasSize(sent.size());
            for (int i = 0; i < sent.size(); i++) {
                ConsumerRecord<String, String> r = got.get(i);
                assertThat(r.offset()).isEqualTo(i);
                assertThat(r.key()).isEqualTo(sent.get(i).key());
                assertThat(r.value()).isEqualTo(sent.get(i).value());
                assertThat(r.timestamp()).isEqualTo(baseTs + i);
                assertThat(r.timestampType()).isEqualTo(TimestampType.CREATE_TIME);
                assertThat(r.headers().toArray()).containsExactly(sent.get(i).headers().toArray());
            }
        }
    }

    @Test
    void shouldStoreBatchesWithTheTopicsCompressionType() throws Exception {
        String topic = "topic-gzip";
        Clients.createTopic(node, topic, 1, Map.of("compression.type", "gzip"));
        List<String> values = new ArrayList<>();
        try (KafkaProducer<String, String> producer = Clients.producer(node, Map.of("compression.type", "none", "acks", "all"))) {
            for (int i = 0; i < 200; i++) {
                values.add(i + "-" + "a".repeat(1000));
                producer.send(new ProducerRecord<>(topic, 0, "k" + i, values.get(i)));
            }
            producer.flush();
        }
        try (KafkaConsumer<String, String> consumer = Clients.consumer(node, Map.of())) {
            List<ConsumerRecord<String, String>> got = Clients.readAll(consumer, Set.of(new TopicPartition(topic, 0)), values.size());
            assertThat(got).extracting(ConsumerRecord::value).containsExactlyElementsOf(values);
        }
        // ~200 KB sent uncompressed; stored gzipped, the log is a small fraction of that.
        try (Admin admin = Clients.admin(node)) {
            long size = admin.describeLogDirs(List.of(1)).allDescriptions().get().get(1).values()
                    .iterator().next().replicaInfos().get(new TopicPartition(topic, 0)).size();
            assertThat(size).isPositive().isLessThan(200 * 1000 / 5);
        }
    }

    @Test
    void shouldKeepOrderWithinEachPartition() throws Exception {
        String topic = "ordering";
        Clients.createTopic(node, topic, 3, Map.of());
        int perPartition = 3000;
        try (KafkaProducer<String, String> producer = Clients.producer(node, Map.of("acks", "1", "linger.ms", 5))) {
            for (int i = 0; i < perPartition; i++) {
                for (int p = 0; p < 3; p++) {
                    producer.send(new ProducerRecord<>(topic, p, null, p + ":" + i));
                }
            }
            producer.flush();
        }
        try (KafkaConsumer<String, String> consumer = Clients.consumer(node, Map.of())) {
            Set<TopicPartition> tps = Set.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1), new TopicPartition(topic, 2));
            List<ConsumerRecord<String, String>> got = Clients.readAll(consumer, tps, 3 * perPartition);
            assertThat(got).hasSize(3 * perPartition);
            int[] next = new int[3];
            for (ConsumerRecord<String, String> r : got) {
                assertThat(r.value()).isEqualTo(r.partition() + ":" + next[r.partition()]);
                assertThat(r.offset()).isEqualTo(next[r.partition()]);
                next[r.partition()]++;
            }
        }
    }

    @Test
    void shouldRoundTripOneMebibyteMessages() throws Exception {
        String topic = "large";
        Clients.createTopic(node, topic, 1, Map.of("max.message.bytes", String.valueOf(3 << 20)));
        byte[] value = new byte[1 << 20];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) (i * 31 + 7);
        }
        try (KafkaProducer<byte[], byte[]> producer = Clients.bytesProducer(node, Map.of("max.request.size", 3 << 20))) {
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(topic, 0, new byte[] {(byte) i}, value)).get();
            }
        }
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.bytesConsumer(node, Map.of())) {
            List<ConsumerRecord<byte[], byte[]>> got = Clients.readAll(consumer, Set.of(new TopicPartition(topic, 0)), 3);
            assertThat(got).hasSize(3);
            for (int i = 0; i < 3; i++) {
                assertThat(got.get(i).key()).containsExactly((byte) i);
                assertThat(Arrays.equals(got.get(i).value(), value)).isTrue();
            }
        }
    }

    @Test
    void shouldRejectMessageOverMaxMessageBytes() throws Exception {
        String topic = "small-max";
        Clients.createTopic(node, topic, 1, Map.of("max.message.bytes", "1000"));
        try (KafkaProducer<byte[], byte[]> producer = Clients.bytesProducer(node, Map.of("retries", 0))) {
            Future<RecordMetadata> f = producer.send(new ProducerRecord<>(topic, 0, null, new byte[5000]));
            assertThatThrownBy(f::get).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(RecordTooLargeException.class);
            // The topic still takes records within its limit.
            assertThat(producer.send(new ProducerRecord<>(topic, 0, null, new byte[100])).get().offset()).isEqualTo(0);
        }
    }

    @Test
    void shouldAutoCreateTopicOnFirstProduce() throws Exception {
        String topic = "auto-created";
        try (KafkaProducer<String, String> producer = Clients.producer(node, Map.of())) {
            RecordMetadata md = producer.send(new ProducerRecord<>(topic, "k", "v")).get();
            assertThat(md.offset()).isEqualTo(0);
        }
        try (Admin admin = Clients.admin(node)) {
            assertThat(admin.listTopics().names().get()).contains(topic);
            assertThat(admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()).hasSize(1);
        }
    }

    @Test
    void shouldAnswerAcksZeroOneAndAll() throws Exception {
        String topic = "acks";
        Clients.createTopic(node, topic, 1, Map.of());
        for (String acks : List.of("0", "1", "all")) {
            Map<String, Object> extra = new HashMap<>();
            extra.put("acks", acks);
            if (!acks.equals("all")) {
                extra.put("enable.idempotence", false);
            }
            try (KafkaProducer<String, String> producer = Clients.producer(node, extra)) {
                for (int i = 0; i < 100; i++) {
                    producer.send(new ProducerRecord<>(topic, 0, acks, "v" + i));
                }
                producer.flush();
            }
        }
        try (KafkaConsumer<String, String> consumer = Clients.consumer(node, Map.of())) {
            List<ConsumerRecord<String, String>> got = Clients.readAll(consumer, Set.of(new TopicPartition(topic, 0)), 300);
            assertThat(got).hasSize(300);
            assertThat(got.stream().filter(r -> r.key().equals("0")).count()).isEqualTo(100);
        }
    }

    @Test
    void shouldListOffsetsByEarliestLatestTimestampAndMaxTimestamp() throws Exception {
        String topic = "list-offsets";
        Clients.createTopic(node, topic, 1, Map.of());
        long base = System.currentTimeMillis() - 60_000;
        try (KafkaProducer<String, String> producer = Clients.producer(node, Map.of())) {
            for (int i = 0; i < 50; i++) {
                // Timestamps rise by 1 s per record, except record 30 which carries the maximum.
                long ts = i == 30 ? base + 100_000 : base + i * 1000L;
                producer.send(new ProducerRecord<>(topic, 0, ts, null, "v" + i)).get();
            }
        }
        TopicPartition tp = new TopicPartition(topic, 0);
        try (Admin admin = Clients.admin(node)) {
            assertThat(admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).partitionResult(tp).get().offset()).isEqualTo(0);
            assertThat(admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset()).isEqualTo(50);
            ListOffsetsResult.ListOffsetsResultInfo max = admin.listOffsets(Map.of(tp, OffsetSpec.maxTimestamp())).partitionResult(tp).get();
            assertThat(max.offset()).isEqualTo(30);
            assertThat(max.timestamp()).isEqualTo(base + 100_000);
        }
        try (KafkaConsumer<String, String> consumer = Clients.consumer(node, Map.of())) {
            Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(Map.of(tp, base + 10_500));
            assertThat(found.get(tp).offset()).isEqualTo(11);
            assertThat(found.get(tp).timestamp()).isEqualTo(base + 11_000);
            Map<TopicPartition, OffsetAndTimestamp> none = consumer.offsetsForTimes(Map.of(tp, base + 1_000_000));
            assertThat(none.get(tp)).isNull();
        }
    }

    @Test
    void shouldWakeLongPollingConsumerWhenRecordArrives() throws Exception {
        String topic = "long-poll";
        Clients.createTopic(node, topic, 1, Map.of());
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<String, String> consumer = Clients.consumer(node, Map.of("fetch.max.wait.ms", 8_000));
             KafkaProducer<String, String> producer = Clients.producer(node, Map.of())) {
            consumer.assign(List.of(tp));
            consumer.seekToEnd(List.of(tp));
            assertThat(consumer.position(tp)).isZero();
            assertThat(consumer.poll(Duration.ofMillis(300)).count()).isZero();
            producer.send(new ProducerRecord<>(topic, 0, null, "wake")).get();
            long start = System.nanoTime();
            List<String> values = new ArrayList<>();
            while (values.isEmpty() && System.nanoTime() - start < 15_000_000_000L) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> values.add(r.value()));
            }
            assertThat(values).containsExactly("wake");
            // A long poll of 8 s must be answered by the append, not by its timeout.
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void shouldStampLogAppendTimeWhenTopicAsksForIt() throws Exception {
        String topic = "log-append-time";
        Clients.createTopic(node, topic, 1, Map.of("message.timestamp.type", "LogAppendTime"));
        long before = System.currentTimeMillis();
        long ackedTs;
        try (KafkaProducer<String, String> producer = Clients.producer(node, Map.of())) {
            ackedTs = producer.send(new ProducerRecord<>(topic, 0, 12345L, null, "x")).get().timestamp();
        }
        assertThat(ackedTs).isBetween(before, System.currentTimeMillis());
        try (KafkaConsumer<String, String> consumer = Clients.consumer(node, Map.of())) {
            ConsumerRecord<String, String> r = Clients.readAll(consumer, Set.of(new TopicPartition(topic, 0)), 1).get(0);
            assertThat(r.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
            assertThat(r.timestamp()).isEqualTo(ackedTs);
        }
    }
}
