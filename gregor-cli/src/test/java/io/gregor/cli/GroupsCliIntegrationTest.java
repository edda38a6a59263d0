package io.gregor.cli;

import static io.gregor.cli.Gregor.ok;
import static io.gregor.cli.Gregor.userError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code gregor groups ...} through the Kafka protocol against one in-JVM Gregor node, with
 * groups made by real {@link KafkaConsumer}s (classic protocol) that join, consume, commit and
 * leave, so the rebalance history has something to tell.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class GroupsCliIntegrationTest extends SharedNodeCliTest {

    private static void produce(String topic, int partitions, int perPartition) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            for (int p = 0; p < partitions; p++) {
                for (int i = 0; i < perPartition; i++) {
                    producer.send(new ProducerRecord<>(topic, p, null, "v" + i));
                }
            }
            producer.flush();
        }
    }

    /** A group member polling on its own thread (the consumer's only user) and committing what it read. */
    private static final class Member implements AutoCloseable {
        private final KafkaConsumer<String, String> consumer;
        private final Thread thread;
        private volatile boolean running = true;
        final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();
        final AtomicLong consumed = new AtomicLong();

        Member(String group, String clientId, String topic) {
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
            props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
            props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
            props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "300");
            props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            consumer = new KafkaConsumer<>(props);
            thread = new Thread(() -> run(topic), "member-" + clientId);
            thread.start();
        }

        private void run(String topic) {
            try {
                consumer.subscribe(List.of(topic));
                while (running) {
                    ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(100));
                    consumed.addAndGet(records.count());
                    if (!records.isEmpty()) {
                        consumer.commitSync();
                    }
                    Set<TopicPartition> now = consumer.assignment();
                    assigned.retainAll(now);
                    assigned.addAll(now);
                }
            } finally {
                consumer.close();
            }
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join();
        }
    }

    @Test
    void shouldListDescribeAndExplainRebalancesOfAGroup() throws Exception {
        ok(gregor("topics", "create", "orders", "--partitions", "3"));
        produce("orders", 3, 10);

        try (Member first = new Member("shop", "consumer-1", "orders")) {
            await().atMost(Duration.ofSeconds(30)).until(() -> first.consumed.get() == 30 && first.assigned.size() == 3);
            Member second = new Member("shop", "consumer-2", "orders");
            await().atMost(Duration.ofSeconds(30)).until(() -> second.assigned.size() + first.assigned.size() == 3
                    && !second.assigned.isEmpty());
            second.close();
            await().atMost(Duration.ofSeconds(30)).until(() -> first.assigned.size() == 3);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(ok(gregor("groups", "describe", "shop")).outLines().get(0)).contains("State: Stable"));

            assertThat(ok(gregor("groups", "list")).outLines()).contains("shop");
            assertThat(ok(gregor("groups", "list", "--state", "stable")).outLines())
                    .anyMatch(l -> l.matches("shop +Stable"));
            assertThat(ok(gregor("groups", "list", "--state", "Empty")).outLines()).noneMatch(l -> l.startsWith("shop"));

            List<String> describe = ok(gregor("groups", "describe", "shop")).outLines();
            assertThat(describe.get(0)).matches("Group: shop\tState: Stable\tType: Classic\tAssignor: range"
                    + "\tCoordinator: \\d+ \\(127\\.0\\.0\\.1:" + node.port() + "\\)\tMembers: 1");
            assertThat(describe.get(2)).matches("TOPIC +PARTITION +CURRENT-OFFSET +LOG-END-OFFSET +LAG +CONSUMER-ID +HOST +CLIENT-ID");
            assertThat(describe.subList(3, 6)).allMatch(l -> l.matches("orders +[0-2] +10 +10 +0 +consumer-1-\\S+ +/\\S+ +consumer-1"));

            List<String> members = ok(gregor("groups", "describe", "shop", "--members")).outLines();
            assertThat(members.get(2)).matches("CONSUMER-ID +HOST +CLIENT-ID +#PARTITIONS +ASSIGNMENT");
            assertThat(members.get(3)).matches("consumer-1-\\S+ +/\\S+ +consumer-1 +3 +orders-0,orders-1,orders-2");

            List<String> history = ok(gregor("groups", "describe", "shop", "--history")).outLines();
            List<String> events = history.subList(2, history.size());
            assertThat(events).as(String.join("\n", history)).hasSizeGreaterThanOrEqualTo(3);
            assertThat(events.get(0)).matches("\\d{4}-\\d\\d-\\d\\dT\\S+Z gen 1 MEMBER_JOINED \\(.*\\) -> "
                    + "consumer-1: orders-0,orders-1,orders-2");
            assertThat(events).anyMatch(l -> l.matches(".* gen \\d+ MEMBER_JOINED \\(.*\\) -> consumer-1: \\S+; consumer-2: \\S+"));
            assertThat(events.get(events.size() - 1)).matches(".* gen \\d+ MEMBER_LEFT \\(member consumer-2-\\S+ left; "
                    + "client reason: .*\\) -> consumer-1: orders-0,orders-1,orders-2");

            assertThat(userError(gregor("groups", "reset-offsets", "shop", "--topic", "orders", "--to-earliest")).err())
                    .isEqualTo("error: group 'shop' is Stable with 1 member(s) (expected: Empty; stop its consumers before resetting offsets)\n");
        }

        assertThat(ok(gregor("groups", "reset-offsets", "shop", "--topic", "orders", "--to-offset", "4", "--dry-run")).outLines())
                .as("--dry-run, as Kafka users type it, is the default").last().isEqualTo(
                        "Dry run: nothing committed; add --execute to commit these offsets.");
        assertThat(userError(gregor("groups", "reset-offsets", "shop", "--topic", "orders", "--to-offset", "4", "--dry-run",
                "--execute")).err()).isEqualTo("error: --dry-run and --execute cannot be used together\n");
        List<String> dryRun = ok(gregor("groups", "reset-offsets", "shop", "--topic", "orders", "--to-offset", "4")).outLines();
        assertThat(dryRun).containsExactly("TOPIC   PARTITION  CURRENT-OFFSET  NEW-OFFSET", "orders  0          10              4",
                "orders  1          10              4", "orders  2          10              4",
                "Dry run: nothing committed; add --execute to commit these offsets.");
        assertThat(ok(gregor("groups", "describe", "shop")).outLines().get(3)).matches("orders +0 +10 +10 +0 +- +- +-");

        ok(gregor("groups", "reset-offsets", "shop", "--topic", "orders", "--to-earliest", "--execute"));
        List<String> reset = ok(gregor("groups", "describe", "shop")).outLines();
        assertThat(reset.get(0)).contains("State: Empty").contains("Members: 0");
        assertThat(reset.subList(3, 6)).allMatch(l -> l.matches("orders +[0-2] +0 +10 +10 +- +- +-"));
        assertThat(ok(gregor("groups", "describe", "shop", "--history")).outLines())
                .last().asString().matches(".* MEMBER_LEFT \\(member consumer-1-\\S+ left; .*\\) -> no members");

        assertThat(ok(gregor("groups", "delete", "shop")).out()).isEqualTo("Deleted group shop.\n");
        assertThat(userError(gregor("groups", "describe", "shop")).err()).isEqualTo("error: group 'shop' does not exist\n");
    }

    @Test
    void shouldPrintOneLineForMistakes() {
        assertThat(userError(gregor("groups", "describe", "nope")).err()).isEqualTo("error: group 'nope' does not exist\n");
        assertThat(userError(gregor("groups", "delete", "nope")).err()).isEqualTo("error: group 'nope' does not exist\n");
        assertThat(userError(gregor("groups", "list", "--state", "Sleepy")).err()).startsWith("error: --state: 'Sleepy' (expected one of: ");
        assertThat(userError(gregor("groups", "reset-offsets", "nope", "--topic", "missing", "--to-latest")).err())
                .isEqualTo("error: Topic 'missing' does not exist.\n");
        assertThat(userError(gregor("groups", "reset-offsets", "nope", "--topic", "t", "--to-latest", "--to-earliest")).err())
                .startsWith("error: ");
        assertThat(userError(gregor("groups", "reset-offsets", "nope", "--topic", "t", "--to-datetime", "yesterday")).err())
                .isEqualTo("error: --to-datetime: 'yesterday' (expected: epoch milliseconds or ISO-8601 such as 2024-05-01T12:00:00Z)\n");
    }

    @Test
    void shouldPrintHelpForEveryGroupsCommand() {
        for (String sub : List.of("list", "describe", "delete", "reset-offsets")) {
            Gregor.Result help = Gregor.run("groups", sub, "--help");
            assertThat(help.exitCode()).as(help.toString()).isZero();
            assertThat(help.out()).startsWith("Usage: gregor groups " + sub);
        }
    }

    @Test
    void shouldFormatHistoryRecordsAndKeepUnreadableOnesAsTheyAre() {
        String json = "{\"group\":\"g\",\"time\":\"2026-11-25T17:40:01Z\",\"startedMs\":1,\"completedMs\":2,\"generation\":3,"
                + "\"reason\":\"MEMBER_LEFT\",\"detail\":\"consumer-2 left: the \\\"consumer\\\" is being closed\","
                + "\"protocolType\":\"consumer\",\"removed\":[],\"members\":[{\"memberId\":\"m1\",\"clientId\":\"consumer-1\","
                + "\"groupInstanceId\":null,\"partitions\":[\"orders-10\",\"orders-2\"]},{\"memberId\":\"m3\","
                + "\"clientId\":\"consumer-3\",\"groupInstanceId\":null,\"partitions\":[]},{\"memberId\":\"m4\","
                + "\"clientId\":\"connect-1\",\"groupInstanceId\":null,\"assignmentBytes\":12}]}";

        assertThat(RebalanceHistory.format(json)).isEqualTo("2026-11-25T17:40:01Z gen 3 MEMBER_LEFT (consumer-2 left: the "
                + "\"consumer\" is being closed) -> consumer-1: orders-2,orders-10; consumer-3: (none); connect-1: 12 bytes");
        assertThat(RebalanceHistory.format("not json")).isEqualTo("not json");
    }
}
