package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gregor.group.RebalanceEvent;
import io.gregor.testkit.TestNode;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.GroupSubscribedToTopicException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Classic consumer groups with the official 4.4 KafkaConsumer ({@code group.protocol=classic}):
 * partitions shared within a group while members come, go and die under a continuous produce
 * load; every record consumed exactly once per group; committed offsets at the log end; admin
 * operations; and groups and offsets surviving a broker restart.
 */
@Timeout(150)
class ConsumerGroupTest {

    private static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.builder().override("group.initial.rebalance.delay.ms", "0").start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    /** A group member polling on its own thread, checking that it consumes only partitions it owns. */
    private static GroupMember member(String name, String group, String assignor, String topic, Ownership ownership) {
        return member(name, group, assignor, List.of(topic), ownership);
    }

    private static GroupMember member(String name, String group, String assignor, List<String> topics, Ownership ownership) {
        Map<String, Object> props = new HashMap<>();
        props.put("group.id", group);
        props.put("group.protocol", "classic");
        props.put("partition.assignment.strategy", assignor);
        props.put("session.timeout.ms", 6000);
        props.put("heartbeat.interval.ms", 1000);
        return new GroupMember(node, name, topics, ownership, props);
    }


    /** Every client-side assignor of kafka-clients works unchanged: the coordinator only relays their assignments. */
    @ParameterizedTest
    @ValueSource(strings = {"RangeAssignor", "RoundRobinAssignor", "StickyAssignor", "CooperativeStickyAssignor"})
    void shouldConsumeEveryRecordOnceWhileMembersJoinLeaveAndDie(String assignor) throws Exception {
        String topic = "orders-" + assignor;
        String group = "g-" + assignor;
        String assignorClass = "org.apache.kafka.clients.consumer." + assignor;
        Clients.createTopic(node, topic, 6, Map.of());
        Ownership ownership = new Ownership();
        AtomicBoolean producing = new AtomicBoolean(true);
        AtomicLong produced = new AtomicLong();
        Thread producerThread = new Thread(() -> {
            try (KafkaProducer<String, String> producer = Clients.producer(node, Map.of("acks", "all"))) {
                long i = 0;
                while (producing.get()) {
                    producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i)).get();
                    produced.incrementAndGet();
                    i++;
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "producer");
        producerThread.start();
        GroupMember m1 = member("m1", group, assignorClass, topic, ownership);
        await().atMost(Duration.ofSeconds(30)).until(() -> ownership.ownedBy("m1") == 6);
        GroupMember m2 = member("m2", group, assignorClass, topic, ownership);
        GroupMember m3 = member("m3", group, assignorClass, topic, ownership);
        await().atMost(Duration.ofSeconds(40)).until(() ->
                ownership.ownedBy("m1") == 2 && ownership.ownedBy("m2") == 2 && ownership.ownedBy("m3") == 2);
        Set<TopicPartition> m1Before = ownership.partitionsOf("m1");
        Set<TopicPartition> m3Before = ownership.partitionsOf("m3");
        m2.close();
        await().atMost(Duration.ofSeconds(40)).until(() -> ownership.ownedBy("m1") == 3 && ownership.ownedBy("m3") == 3);
        if (assignor.contains("Sticky")) {
            // What users pick sticky for: only the leaver's partitions move.
            assertThat(ownership.partitionsOf("m1")).as("m1 keeps its partitions").containsAll(m1Before);
            assertThat(ownership.partitionsOf("m3")).as("m3 keeps its partitions").containsAll(m3Before);
        }
        long killedAt = System.currentTimeMillis();
        m3.kill();
        await().atMost(Duration.ofSeconds(40)).until(() -> ownership.ownedBy("m1") == 6);
        assertThat(System.currentTimeMillis() - killedAt).as("partitions move only after the session timeout").isGreaterThan(4000);
        producing.set(false);
        producerThread.join(30_000);
        long total = produced.get();
        assertThat(total).isPositive();
        await().atMost(Duration.ofSeconds(30)).until(() -> ownership.count.get() >= total);
        m1.stopPolling();
        assertThat(ownership.violations).isEmpty();
        assertThat(ownership.count.get()).isEqualTo(total);

        assertThat(GroupChecks.assertCommittedAtLogEnd(node, topic, 6, group)).isEqualTo(total);
        List<RebalanceEvent> history = node.node().groupCoordinator().rebalanceHistory(group).get(10, TimeUnit.SECONDS);
        assertThat(history).extracting(RebalanceEvent::reason).contains(RebalanceEvent.Reason.MEMBER_JOINED,
                RebalanceEvent.Reason.MEMBER_LEFT, RebalanceEvent.Reason.SESSION_TIMEOUT);
        m1.consumer.close();

        // A second group reads everything on its own.
        GroupChecks.assertAnotherGroupReadsAll(o -> member("o1", group + "-other", assignorClass, topic, o), total);
    }

    @Test
    void shouldSpreadPartitionsOfSeveralTopicsEvenlyWithRoundRobin() throws Exception {
        // Range would give one member 2 + 2 of these and the other 1 + 1.
        Clients.createTopic(node, "rr-a", 3, Map.of());
        Clients.createTopic(node, "rr-b", 3, Map.of());
        Ownership ownership = new Ownership();
        String assignor = "org.apache.kafka.clients.consumer.RoundRobinAssignor";
        try (GroupMember m1 = member("m1", "g-rr", assignor, List.of("rr-a", "rr-b"), ownership);
             GroupMember m2 = member("m2", "g-rr", assignor, List.of("rr-a", "rr-b"), ownership)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> ownership.ownedBy("m1") == 3 && ownership.ownedBy("m2") == 3);
            for (String m : List.of("m1", "m2")) {
                assertThat(ownership.partitionsOf(m)).extracting(TopicPartition::topic).as("%s holds both topics", m)
                        .contains("rr-a", "rr-b");
            }
        }
        assertThat(ownership.violations).isEmpty();
    }

    @Test
    void shouldAdministerGroupsWithTheAdminClient() throws Exception {
        String topic = "admin-groups";
        String other = "admin-groups-other";
        Clients.createTopic(node, topic, 2, Map.of());
        Clients.createTopic(node, other, 1, Map.of());
        try (KafkaProducer<String, String> producer = Clients.producer(node, Map.of())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, i % 2, null, "v" + i)).get();
            }
        }
        String group = "admin-group";
        try (Admin admin = Clients.admin(node)) {
            // A simple commit (no membership) for the topic the group will not subscribe to.
            admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition(other, 0), new OffsetAndMetadata(0))).all().get();
            Ownership ownership = new Ownership();
            GroupMember member = member("a1", group, "org.apache.kafka.clients.consumer.RangeAssignor", topic, ownership);
            await().atMost(Duration.ofSeconds(30)).until(() -> ownership.count.get() >= 10);

            Collection<GroupListing> groups = admin.listGroups().all().get();
            assertThat(groups).anySatisfy(g -> {
                assertThat(g.groupId()).isEqualTo(group);
                assertThat(g.groupState()).contains(GroupState.STABLE);
            });
            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
            assertThat(description.groupState()).isEqualTo(GroupState.STABLE);
            assertThat(description.partitionAssignor()).isEqualTo("range");
            assertThat(description.members()).hasSize(1);
            assertThat(description.members().iterator().next().clientId()).isEqualTo("a1");
            assertThat(description.members().iterator().next().assignment().topicPartitions())
                    .containsExactlyInAnyOrder(new TopicPartition(topic, 0), new TopicPartition(topic, 1));

            assertThat(admin.deleteConsumerGroups(List.of(group)).all()).failsWithin(Duration.ofSeconds(10))
                    .withThrowableThat().withCauseInstanceOf(GroupNotEmptyException.class);
            assertThat(admin.deleteConsumerGroupOffsets(group, Set.of(new TopicPartition(topic, 0))).all())
                    .failsWithin(Duration.ofSeconds(10)).withThrowableThat().withCauseInstanceOf(GroupSubscribedToTopicException.class);
            admin.deleteConsumerGroupOffsets(group, Set.of(new TopicPartition(other, 0))).all().get();
            assertThat(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get())
                    .containsOnlyKeys(new TopicPartition(topic, 0), new TopicPartition(topic, 1));

            member.close();
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    admin.describeConsumerGroups(List.of(group)).all().get().get(group).groupState() == GroupState.EMPTY);
            admin.deleteConsumerGroups(List.of(group)).all().get();
            assertThat(admin.listGroups().all().get()).noneMatch(g -> g.groupId().equals(group));
            assertThat(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()).isEmpty();
        }
    }

    @Test
    void shouldKeepGroupsAndOffsetsAcrossRestartAndResumeAtCommittedOffset() throws Exception {
        try (TestNode restartable = TestNode.builder().override("group.initial.rebalance.delay.ms", "0").start()) {
            String topic = "resume";
            Clients.createTopic(restartable, topic, 3, Map.of());
            try (KafkaProducer<String, String> producer = Clients.producer(restartable, Map.of())) {
                for (int i = 0; i < 90; i++) {
                    producer.send(new ProducerRecord<>(topic, i % 3, null, "v" + i)).get();
                }
            }
            Map<String, Object> props = Map.of("group.id", "resumer", "group.protocol", "classic", "session.timeout.ms", 6000,
                    "heartbeat.interval.ms", 1000);
            Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
            try (KafkaConsumer<String, String> consumer = Clients.consumer(restartable, props)) {
                consumer.subscribe(List.of(topic));
                int seen = 0;
                long deadline = System.currentTimeMillis() + 30_000;
                while (seen < 30 && System.currentTimeMillis() < deadline) {
                    seen += consumer.poll(Duration.ofMillis(100)).count();
                }
                for (int p = 0; p < 3; p++) {
                    committed.put(new TopicPartition(topic, p), new OffsetAndMetadata(5 + p, "meta-" + p));
                }
                consumer.commitSync(committed);
            }
            restartable.restart();
            try (Admin admin = Clients.admin(restartable)) {
                assertThat(admin.listGroups().all().get()).anyMatch(g -> g.groupId().equals("resumer"));
                Map<TopicPartition, OffsetAndMetadata> after = admin.listConsumerGroupOffsets("resumer").partitionsToOffsetAndMetadata().get();
                assertThat(after).isEqualTo(committed);
            }
            try (KafkaConsumer<String, String> consumer = Clients.consumer(restartable, props)) {
                consumer.subscribe(List.of(topic));
                Map<Integer, Long> first = new HashMap<>();
                long deadline = System.currentTimeMillis() + 30_000;
                while (first.size() < 3 && System.currentTimeMillis() < deadline) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                        first.putIfAbsent(r.partition(), r.offset());
                    }
                }
                assertThat(first).containsExactlyInAnyOrderEntriesOf(Map.of(0, 5L, 1, 6L, 2, 7L));
            }
        }
    }
}
