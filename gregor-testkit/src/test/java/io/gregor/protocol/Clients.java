package io.gregor.protocol;

import io.gregor.testkit.TestNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Official kafka-clients 4.4 clients configured against a test node. */
final class Clients {

    private Clients() {
    }

    static Admin admin(TestNode node) {
        return Admin.create(Map.of("bootstrap.servers", node.bootstrapServers(), "default.api.timeout.ms", "20000",
                "request.timeout.ms", "10000"));
    }

    static KafkaProducer<String, String> producer(TestNode node, Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", node.bootstrapServers());
        props.put("key.serializer", StringSerializer.class.getName());
        props.put("value.serializer", StringSerializer.class.getName());
        props.put("delivery.timeout.ms", 30000);
        props.put("request.timeout.ms", 10000);
        props.put("linger.ms", 1);
        props.putAll(extra);
        return new KafkaProducer<>(props);
    }

    static KafkaProducer<byte[], byte[]> bytesProducer(TestNode node, Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", node.bootstrapServers());
        props.put("key.serializer", ByteArraySerializer.class.getName());
        props.put("value.serializer", ByteArraySerializer.class.getName());
        props.put("delivery.timeout.ms", 30000);
        props.put("request.timeout.ms", 10000);
        props.putAll(extra);
        return new KafkaProducer<>(props);
    }

    /** A consumer without a group: assign() + seek(), as issue 2 asks. */
    static KafkaConsumer<String, String> consumer(TestNode node, Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", node.bootstrapServers());
        props.put("key.deserializer", StringDeserializer.class.getName());
        props.put("value.deserializer", StringDeserializer.class.getName());
        props.put("enable.auto.commit", false);
        props.put("auto.offset.reset", "earliest");
        props.putAll(extra);
        return new KafkaConsumer<>(props);
    }

    static KafkaConsumer<byte[], byte[]> bytesConsumer(TestNode node, Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", node.bootstrapServers());
        props.put("key.deserializer", ByteArrayDeserializer.class.getName());
        props.put("value.deserializer", ByteArrayDeserializer.class.getName());
        props.put("enable.auto.commit", false);
        props.put("auto.offset.reset", "earliest");
        props.putAll(extra);
        return new KafkaConsumer<>(props);
    }

    static void createTopic(TestNode node, String name, int partitions, Map<String, String> configs)
            throws ExecutionException, InterruptedException {
        try (Admin admin = admin(node)) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs))).all().get();
        }
    }

    /** Reads from the beginning of each given partition until {@code expected} records have arrived. */
    static <K, V> List<ConsumerRecord<K, V>> readAll(KafkaConsumer<K, V> consumer, Set<TopicPartition> partitions, int expected) {
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        List<ConsumerRecord<K, V>> out = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 60_000;
        while (out.size() < expected && System.currentTimeMillis() < deadline) {
            for (ConsumerRecord<K, V> r : consumer.poll(Duration.ofMillis(200))) {
                out.add(r);
            }
        }
        return out;
    }
}
