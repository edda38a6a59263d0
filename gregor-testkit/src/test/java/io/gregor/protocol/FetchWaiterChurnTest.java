package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gregor.testkit.RawClient;
import io.gregor.testkit.TestNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Parked fetches leave nothing behind once answered, however many partitions they named over the broker's life. */
@Timeout(120)
class FetchWaiterChurnTest {

    static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.builder().override("log.segment.delete.delay.ms", "0").start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    /**
     * Kafka 4.4: DelayedOperationPurgatory keeps a watcher list per key only while it holds operations
     * (Watchers are removed once empty, removeKeyIfEmpty, and purgeCompleted drops completed ones). A client that long
     * polls a real partition together with a partition of a topic that does not exist (a Fetch before v13 names
     * topics) must not leave an entry per unknown name behind: 300 such fetches naming 300 unknown topics leave
     * no entry for them once every fetch was answered.
     */
    @Test
    void longPollsNamingUnknownTopicsLeaveNoWaiterEntries() throws Exception {
        Clients.createTopic(node, "churn-known", 1, Map.of());
        try (RawClient client = RawClient.connect(node)) {
            for (int i = 0; i < 300; i++) {
                FetchRequestData req = FetchLimitsTest.fetch(1, 1, 1 << 20,
                        FetchLimitsTest.topic("churn-known", FetchLimitsTest.partition(0, 0)),
                        FetchLimitsTest.topic("churn-unknown-" + i, FetchLimitsTest.partition(0, 0)));
                FetchResponse f = client.send(ApiKeys.FETCH, (short) 12, req);
                assertThat(f.data().errorCode()).isEqualTo(Errors.NONE.code());
            }
        }
        long left = node.node().fetchWaiters().waitingPartitions().stream().filter(tp -> tp.topic().startsWith("churn-unknown-")).count();
        assertThat(left).as("fetch-waiter entries left for 300 unknown topics, every fetch answered").isZero();
    }

    /**
     * As above, the way it happens: topics are created and deleted in a loop while a consumer whose client fetches by
     * name (Fetch v12 and older: librdkafka, Sarama, kafka-python, older Java clients) still has a deleted topic in its
     * fetch until its metadata refresh. Kafka 4.4 completes those fetches and drops the watcher lists
     * (DelayedOperationPurgatory.Watchers.tryCompleteWatched/purgeCompleted then removeKeyIfEmpty); each of the 30
     * deleted topics here must not leave a per-partition entry behind once its fetch was answered.
     */
    @Test
    void longPollsNamingDeletedTopicsLeaveNoWaiterEntries() throws Exception {
        Clients.createTopic(node, "churn-alive", 1, Map.of());
        try (Admin admin = Clients.admin(node); RawClient client = RawClient.connect(node)) {
            for (int i = 0; i < 30; i++) {
                String topic = "churn-gone-" + i;
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
                await().atMost(Duration.ofSeconds(10)).until(() -> node.node().logStore().log(topic, 0).isPresent());
                admin.deleteTopics(List.of(topic)).all().get();
                await().atMost(Duration.ofSeconds(10)).until(() -> node.node().logStore().log(topic, 0).isEmpty());
                // The consumer's fetch still names the topic it has not yet learnt is gone.
                FetchResponse f = client.send(ApiKeys.FETCH, (short) 12, FetchLimitsTest.fetch(1, 1, 1 << 20,
                        FetchLimitsTest.topic("churn-alive", FetchLimitsTest.partition(0, 0)),
                        FetchLimitsTest.topic(topic, FetchLimitsTest.partition(0, 0))));
                assertThat(f.data().errorCode()).isEqualTo(Errors.NONE.code());
            }
        }
        assertThat(node.node().fetchWaiters().waitingPartitions().stream().filter(tp -> tp.topic().startsWith("churn-gone-")))
                .as("fetch-waiter entries of deleted topics, every fetch answered").isEmpty();
    }
}
