package io.gregor.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gregor.testkit.TestNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.connect.cli.ConnectDistributed;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.Herder;
import org.apache.kafka.connect.runtime.distributed.DistributedHerder;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.source.SourceConnector;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.apache.kafka.connect.util.FutureCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A Kafka Connect 4.4 distributed worker against an in-process Gregor node: it joins its group (the "connect"
 * protocol), keeps its configs, offsets and status in compacted topics it creates, runs a source connector, and a
 * worker started after it finds the connector again and resumes the task from the offset the first one committed.
 */
@Timeout(180)
class KafkaConnectTest {

    private static final int RECORDS = 1000;
    private static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.builder().override("group.initial.rebalance.delay.ms", "0").start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void shouldRunASourceConnectorAndResumeItFromItsCommittedOffsetInANewWorker() throws Exception {
        Connect<DistributedHerder> first = new ConnectDistributed().startConnect(workerConfig());
        try {
            FutureCallback<Herder.Created<ConnectorInfo>> created = new FutureCallback<>();
            first.herder().putConnectorConfig("counting", Map.of("name", "counting", "connector.class", CountingSource.class.getName(),
                    "tasks.max", "1", "topic", "counted"), false, created);
            created.get(60, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(60)).until(() -> endOffset("counted") == RECORDS);
            // Offsets are committed every 200 ms (offset.flush.interval.ms): wait for the last one to be stored.
            await().atMost(Duration.ofSeconds(30)).until(() -> storedOffsets().contains("{\"n\":" + (RECORDS - 1) + "}"));
        } finally {
            first.stop();
        }
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", node.bootstrapServers()))) {
            for (String topic : List.of("connect-configs", "connect-offsets", "connect-status")) {
                ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
                assertThat(admin.describeConfigs(List.of(resource)).all().get().get(resource).get("cleanup.policy").value())
                        .as(topic).isEqualTo("compact");
            }
        }

        Connect<DistributedHerder> second = new ConnectDistributed().startConnect(workerConfig());
        try {
            await().atMost(Duration.ofSeconds(90)).until(() -> running(second.herder()));
            // The task announces where it resumed: right after the last record the first worker wrote.
            await().atMost(Duration.ofSeconds(60)).until(() -> endOffset("counted") == RECORDS + 1);
            assertThat(lastValue("counted")).isEqualTo("resumed at " + RECORDS);
        } finally {
            second.stop();
        }
    }

    private static Map<String, String> workerConfig() {
        Map<String, String> config = new HashMap<>();
        config.put("bootstrap.servers", node.bootstrapServers());
        config.put("group.id", "connect-cluster");
        config.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        config.put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
        config.put("config.storage.topic", "connect-configs");
        config.put("offset.storage.topic", "connect-offsets");
        config.put("status.storage.topic", "connect-status");
        config.put("config.storage.replication.factor", "1");
        config.put("offset.storage.replication.factor", "1");
        config.put("status.storage.replication.factor", "1");
        config.put("offset.flush.interval.ms", "200");
        config.put("listeners", "http://127.0.0.1:0");
        config.put("plugin.discovery", "service_load");
        return config;
    }

    private static boolean running(DistributedHerder herder) {
        try {
            ConnectorStateInfo status = herder.connectorStatus("counting");
            return "RUNNING".equals(status.connector().state()) && !status.tasks().isEmpty()
                    && "RUNNING".equals(status.tasks().get(0).state());
        } catch (RuntimeException notYet) {
            return false;
        }
    }

    private static long endOffset(String topic) throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", node.bootstrapServers()))) {
            if (!admin.listTopics().names().get().contains(topic)) {
                return -1;
            }
            return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset();
        }
    }

    /** The values of every record in connect-offsets, joined. */
    private static String storedOffsets() {
        return String.join("\n", values("connect-offsets"));
    }

    private static String lastValue(String topic) {
        List<String> values = values(topic);
        return values.get(values.size() - 1);
    }

    private static List<String> values(String topic) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", node.bootstrapServers()),
                new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            List<String> values = new ArrayList<>();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
            }
            return values;
        }
    }

    /** Writes records 0..999 to one partition, then nothing; a task started later first writes where it resumed. */
    public static class CountingSource extends SourceConnector {
        private Map<String, String> config;

        @Override
        public void start(Map<String, String> props) {
            config = props;
        }

        @Override
        public Class<? extends Task> taskClass() {
            return CountingTask.class;
        }

        @Override
        public List<Map<String, String>> taskConfigs(int maxTasks) {
            return List.of(config);
        }

        @Override
        public void stop() {
        }

        @Override
        public ConfigDef config() {
            return new ConfigDef().define("topic", ConfigDef.Type.STRING, ConfigDef.Importance.HIGH, "where to write");
        }

        @Override
        public String version() {
            return "1";
        }
    }

    public static class CountingTask extends SourceTask {
        private static final Map<String, String> PARTITION = Map.of("source", "counter");
        private String topic;
        private long next;
        private boolean announce;
        private final CountDownLatch stopped = new CountDownLatch(1);

        @Override
        public String version() {
            return "1";
        }

        @Override
        public void start(Map<String, String> props) {
            topic = props.get("topic");
            Map<String, Object> stored = context.offsetStorageReader().offset(PARTITION);
            next = stored == null ? 0 : ((Number) stored.get("n")).longValue() + 1;
            announce = stored != null;
        }

        @Override
        public List<SourceRecord> poll() throws InterruptedException {
            List<SourceRecord> out = new ArrayList<>();
            if (announce) {
                announce = false;
                out.add(new SourceRecord(PARTITION, Map.of("n", next - 1), topic, 0, Schema.STRING_SCHEMA, "resumed",
                        Schema.STRING_SCHEMA, "resumed at " + next));
                return out;
            }
            if (next >= RECORDS) {
                // Nothing more to write: Connect expects poll to block a while rather than spin, until the task stops.
                stopped.await(50, TimeUnit.MILLISECONDS);
                return null;
            }
            for (int i = 0; i < 100 && next < RECORDS; i++, next++) {
                out.add(new SourceRecord(PARTITION, Map.of("n", next), topic, 0, Schema.STRING_SCHEMA, "k" + next,
                        Schema.STRING_SCHEMA, "v" + next));
            }
            return out;
        }

        @Override
        public void stop() {
            stopped.countDown();
        }
    }
}
