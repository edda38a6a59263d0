package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gregor.testkit.TestNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Segment rolling, retention and the log start offset against Kafka 4.4 ({@code UnifiedLog.deleteOldSegments},
 * {@code LogSegment.shouldRoll}, {@code LogConfig}), through the real clients. The node checks retention every 100 ms.
 */
@Timeout(120)
class RetentionKafkaParityTest {
    private static final long DAY = 24 * 3_600_000L;
    private static TestNode node;
    private static Admin admin;

    @BeforeAll
    static void start() {
        node = TestNode.builder().override("log.retention.check.interval.ms", "100").start();
        admin = Clients.admin(node);
    }

    @AfterAll
    static void stop() {
        admin.close();
        node.close();
    }

    /**
     * {@code retention.bytes=0} empties the log, the active segment included. Kafka 4.4's
     * {@code UnifiedLog.deleteRetentionSizeBreachedSegments} starts from {@code diff = size - retention.bytes} and deletes
     * each segment, oldest first and the active one too, while {@code diff - segment.size() >= 0}; {@code
     * deletableSegments} only skips a last segment that is empty, and {@code deleteSegments} rolls first when every
     * segment goes. So with 0 every record is deleted at the next retention check, without waiting for a later append
     * to roll, and ListOffsets EARLIEST equals the log end offset (as after {@code retention.ms} expiry).
     */
    @Test
    void retentionBytesZeroShouldDeleteTheActiveSegmentToo() throws Exception {
        String topic = "retention-bytes-zero";
        TopicPartition tp = new TopicPartition(topic, 0);
        Clients.createTopic(node, topic, 1, Map.of("retention.bytes", "0"));
        try (KafkaProducer<String, String> producer = Clients.producer(node, Map.of("linger.ms", 0))) {
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>(topic, 0, "k" + i, "v" + i)).get();
            }
        }

        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(earliest(tp)).as("ListOffsets EARLIEST").isEqualTo(5L));
        assertThat(logDirSize(tp)).as("DescribeLogDirs partition size").isZero();
    }

    /**
     * {@code segment.jitter.ms} makes a segment roll up to that much before {@code segment.ms}. Kafka 4.4: each segment
     * gets {@code rollJitterMs = LogConfig.randomSegmentJitter()}, uniform in [0, min(segment.jitter.ms, segment.ms)),
     * and {@code LogSegment.shouldRoll} rolls when {@code timeWaitedForRoll(now, batchMaxTimestamp) > segment.ms -
     * rollJitterMs}. Here the second record's timestamp is {@code segment.ms - 1} after the first's: Kafka rolls unless
     * the random jitter is 0 or 1 ms (a chance of 2 in 6*10^8), so the partition has two segments.
     */
    @Test
    void segmentJitterMsShouldRollASegmentBeforeSegmentMs() throws Exception {
        String topic = "segment-jitter";
        long segmentMs = 7 * DAY;
        Clients.createTopic(node, topic, 1, Map.of("segment.ms", String.valueOf(segmentMs),
                "segment.jitter.ms", String.valueOf(segmentMs), "retention.ms", "-1"));
        long first = System.currentTimeMillis() - segmentMs;
        try (KafkaProducer<String, String> producer = Clients.producer(node, Map.of("linger.ms", 0))) {
            producer.send(new ProducerRecord<>(topic, 0, first, "k", "first")).get();
            producer.send(new ProducerRecord<>(topic, 0, first + segmentMs - 1, "k", "second")).get();
        }

        assertThat(segmentFiles(topic + "-0")).as("segments of %s-0", topic).hasSize(2);
    }

    /**
     * A value out of range is named as Kafka's ConfigDef parsed it: {@code ConfigDef.Range.ensureValid} throws {@code
     * new ConfigException(name, parsedValue, "Value must be at least " + min)}, so {@code segment.bytes=+1000} is refused
     * with "Invalid value 1000 for configuration segment.bytes: Value must be at least 1048576" (the leading '+' and any
     * surrounding blanks are gone).
     */
    @Test
    void outOfRangeErrorShouldNameTheParsedValue() {
        assertThatThrownBy(() -> Clients.createTopic(node, "segment-bytes-plus", 1, Map.of("segment.bytes", "+1000")))
                .hasCauseInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("Invalid value 1000 for configuration segment.bytes: Value must be at least 1048576");
        assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("retention-ms-blank", 1, (short) 1)
                        .configs(Map.of("retention.ms", " -2 ")))).all().get())
                .hasCauseInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("Invalid value -2 for configuration retention.ms: Value must be at least -1");
    }

    /**
     * {@code log.retention.hours=-1} (or {@code log.retention.minutes=-1}), the usual way to keep records forever, means
     * no time limit. Kafka 4.4's {@code AbstractKafkaConfig.logRetentionTimeMillis()} takes log.retention.ms, else
     * minutes * 60000, else hours * 3600000, and returns -1 for any negative result; that -1 is what topics inherit as
     * retention.ms, so a new topic takes writes and keeps even month-old records.
     */
    @Test
    void logRetentionHoursMinusOneShouldMeanUnlimitedRetention() throws Exception {
        try (TestNode forever = TestNode.builder().override("log.retention.hours", "-1").start();
                Admin foreverAdmin = Clients.admin(forever)) {
            String topic = "kept-forever";
            TopicPartition tp = new TopicPartition(topic, 0);
            Clients.createTopic(forever, topic, 1, Map.of());
            try (KafkaProducer<String, String> producer = Clients.producer(forever,
                    Map.of("linger.ms", 0, "delivery.timeout.ms", 15000, "request.timeout.ms", 5000))) {
                producer.send(new ProducerRecord<>(topic, 0, System.currentTimeMillis() - 30 * DAY, "k", "old")).get();
            }
            assertThat(foreverAdmin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset())
                    .isEqualTo(1);
            ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            assertThat(foreverAdmin.describeConfigs(List.of(r)).all().get().get(r).get("retention.ms").value())
                    .isEqualTo("-1");
        }
    }

    /**
     * Kafka 4.4 gives {@code log.retention.ms} and {@code log.retention.bytes} no validator (ServerLogConfigs /
     * LogConfig.SERVER_CONFIG_DEF define them as plain LONGs): any negative value means "no limit"
     * ({@code logRetentionTimeMillis()} turns a negative time into -1; {@code deleteRetentionSizeBreachedSegments} skips
     * any negative size). A broker configured with both at -2 starts and serves, and the same value set dynamically
     * on the cluster-wide broker defaults is accepted.
     */
    @Test
    void negativeBrokerRetentionBelowMinusOneShouldMeanUnlimited() throws Exception {
        try (TestNode unlimited = TestNode.builder().override("log.retention.ms", "-2")
                .override("log.retention.bytes", "-2").start()) {
            Clients.createTopic(unlimited, "unlimited", 1, Map.of());
            try (KafkaProducer<String, String> producer = Clients.producer(unlimited,
                    Map.of("linger.ms", 0, "delivery.timeout.ms", 15000, "request.timeout.ms", 5000))) {
                producer.send(new ProducerRecord<>("unlimited", 0, "k", "v")).get();
            }
            try (Admin unlimitedAdmin = Clients.admin(unlimited)) {
                ConfigResource defaults = new ConfigResource(ConfigResource.Type.BROKER, "");
                unlimitedAdmin.incrementalAlterConfigs(Map.of(defaults, List.of(new AlterConfigOp(
                        new ConfigEntry("log.retention.ms", "-5"), AlterConfigOp.OpType.SET)))).all().get();
                ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, "unlimited");
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(unlimitedAdmin.describeConfigs(
                        List.of(r)).all().get().get(r).get("retention.ms").value()).isEqualTo("-1"));
            }
        }
    }

    private static long earliest(TopicPartition tp) throws Exception {
        return admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).partitionResult(tp).get().offset();
    }

    private static long logDirSize(TopicPartition tp) throws Exception {
        return admin.describeLogDirs(List.of(1)).allDescriptions().get().get(1).values().iterator().next()
                .replicaInfos().get(tp).size();
    }

    private static List<Path> segmentFiles(String partitionDir) throws IOException {
        try (Stream<Path> s = Files.list(node.dataDir().resolve(partitionDir))) {
            return s.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList();
        }
    }
}
