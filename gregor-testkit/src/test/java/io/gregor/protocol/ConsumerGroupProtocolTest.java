package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gregor.group.RebalanceEvent;
import io.gregor.testkit.TestNode;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.SubscriptionPattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidRegularExpression;
import org.apache.kafka.clients.admin.MemberToRemove;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * KIP-848 consumer groups with the official 4.4 KafkaConsumer ({@code group.protocol=consumer}):
 * server-side assignment while members come, go and die under a continuous produce load; every
 * record consumed once per group and never by two members at once; committed offsets at the log
 * end; admin describe through ConsumerGroupDescribe; offsets surviving a restart.
 */
@Timeout(120)
class ConsumerGroupProtocolTest {

    private static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.builder().override("group.consumer.min.session.timeout.ms", "1000")
                .override("group.consumer.session.timeout.ms", "4000")
                .override("group.consumer.min.heartbeat.interval.ms", "100")
                .override("group.consumer.heartbeat.interval.ms", "300").start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    /** A group member polling on its own thread, checking that it consumes only partitions it owns. */
    private static GroupMember member(String name, String group, String topic, Ownership ownership) {
        return member(name, group, topic, ownership, null);
    }

    /** With {@code instanceId}, a static member: killing it leaves with epoch -2, so only the session timeout frees its partitions. */
    private static GroupMember member(String name, String group, String topic, Ownership ownership, String instanceId) {
        Map<String, Object> props = new HashMap<>();
        props.put("group.id", group);
        props.put("group.protocol", "consumer");
        if (instanceId != null) {
            props.put("group.instance.id", instanceId);
        }
        return new GroupMember(node, name, topic, ownership, props);
    }


    @Test
    void shouldConsumeEveryRecordOnceWhileMembersJoinLeaveAndDie() throws Exception {
        String topic = "kip848-orders";
        String group = "kip848-group";
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
        GroupMember m1 = member("m1", group, topic, ownership);
        await().atMost(Duration.ofSeconds(30)).until(() -> ownership.ownedBy("m1") == 6);
        GroupMember m2 = member("m2", group, topic, ownership);
        // The 4.4 client leaves with epoch -1 on close even with REMAIN_IN_GROUP unless it is static.
        GroupMember m3 = member("m3", group, topic, ownership, "m3-instance");
        await().atMost(Duration.ofSeconds(30)).until(() ->
                ownership.ownedBy("m1") == 2 && ownership.ownedBy("m2") == 2 && ownership.ownedBy("m3") == 2);

        try (Admin admin = Clients.admin(node)) {
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
            assertThat(d.type()).isEqualTo(GroupType.CONSUMER);
            assertThat(d.partitionAssignor()).isEqualTo("uniform");
            assertThat(d.members()).extracting(MemberDescription::clientId).containsExactlyInAnyOrder("m1", "m2", "m3");
            int assigned = 0;
            for (MemberDescription m : d.members()) {
                assigned += m.assignment().topicPartitions().size();
            }
            assertThat(assigned).isEqualTo(6);
            Collection<GroupListing> groups = admin.listGroups().all().get();
            assertThat(groups).anySatisfy(g -> {
                assertThat(g.groupId()).isEqualTo(group);
                assertThat(g.type()).contains(GroupType.CONSUMER);
            });
        }

        m2.close();
        await().atMost(Duration.ofSeconds(30)).until(() -> ownership.ownedBy("m1") == 3 && ownership.ownedBy("m3") == 3);
        long killedAt = System.currentTimeMillis();
        m3.kill();
        await().atMost(Duration.ofSeconds(30)).until(() -> ownership.ownedBy("m1") == 6);
        assertThat(System.currentTimeMillis() - killedAt).as("partitions move only after the session timeout").isGreaterThan(2500);
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
        // The same rebalances are durable in __gregor_rebalances, where 'gregor groups describe --history' reads them.
        await().atMost(Duration.ofSeconds(20)).until(() -> durableHistory(group).stream().anyMatch(l -> l.contains("MEMBER_LEFT")));
        assertThat(durableHistory(group)).anySatisfy(l -> assertThat(l).contains("MEMBER_JOINED").contains(topic + "-"));
        m1.consumer.close();

        GroupChecks.assertAnotherGroupReadsAll(o -> member("o1", group + "-other", topic, o), total);
    }

    /**
     * {@code Admin.removeMembersFromConsumerGroup} by instance id removes a static member of a KIP-848 group at once (Kafka
     * 4.4's classicGroupLeaveToConsumerGroup): its partitions move to the other member without waiting for the session
     * timeout; an instance id the group does not have is UNKNOWN_MEMBER_ID.
     */
    @Test
    void shouldLetAnAdministratorRemoveAStaticMemberByItsInstanceId() throws Exception {
        String topic = "kip848-remove";
        String group = "kip848-remove-group";
        Clients.createTopic(node, topic, 4, Map.of());
        Ownership ownership = new Ownership();
        GroupMember dynamic = member("dyn", group, topic, ownership);
        GroupMember stuck = member("stuck", group, topic, ownership, "stuck-instance");
        await().atMost(Duration.ofSeconds(30)).until(() -> ownership.ownedBy("dyn") == 2 && ownership.ownedBy("stuck") == 2);
        stuck.stopPolling(); // alive to the group (its heartbeat thread runs) but doing nothing
        try (Admin admin = Clients.admin(node)) {
            var result = admin.removeMembersFromConsumerGroup(group, new RemoveMembersFromConsumerGroupOptions(
                    List.of(new MemberToRemove("stuck-instance"))));
            result.all().get(10, TimeUnit.SECONDS);
            // (The stopped member runs no callbacks, so the shared ownership still names it: ask the member itself.)
            await().atMost(Duration.ofSeconds(30)).until(() -> dynamic.owned.size() == 4);
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
            assertThat(d.members()).extracting(MemberDescription::clientId).doesNotContain("stuck");
            assertThatThrownBy(() -> admin.removeMembersFromConsumerGroup(group, new RemoveMembersFromConsumerGroupOptions(
                    List.of(new MemberToRemove("no-such-instance")))).all().get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(UnknownMemberIdException.class);
        } finally {
            try {
                stuck.consumer.close(Duration.ZERO);
            } catch (KafkaException e) {
                // Removed from the group, its commit on close fails with UNKNOWN_MEMBER_ID, as against Kafka.
            }
            dynamic.stopPolling();
            dynamic.consumer.close();
        }
    }

    /**
     * {@code subscribe(SubscriptionPattern)}: the broker resolves the RE2 pattern, assigns the matching topics only,
     * follows topics created later, and refuses a pattern RE2 lacks (lookahead) with InvalidRegularExpression.
     */
    @Test
    void shouldAssignTheTopicsABrokerSidePatternMatchesIncludingOnesCreatedLater() throws Exception {
        Clients.createTopic(node, "pattern-orders-a", 2, Map.of());
        Clients.createTopic(node, "pattern-orders-b", 1, Map.of());
        Clients.createTopic(node, "pattern-other", 1, Map.of());
        Map<String, Object> props = new HashMap<>(Map.of("group.id", "pattern-group", "group.protocol", "consumer",
                "auto.offset.reset", "earliest"));
        try (KafkaProducer<String, String> producer = Clients.producer(node, Map.of());
             KafkaConsumer<String, String> consumer = Clients.consumer(node, props)) {
            for (String topic : List.of("pattern-orders-a", "pattern-orders-b", "pattern-other")) {
                producer.send(new ProducerRecord<>(topic, "k", topic)).get();
            }
            consumer.subscribe(new SubscriptionPattern("pattern-orders-.*"));
            Set<String> seen = new HashSet<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(r -> seen.add(r.value()));
                return seen.containsAll(List.of("pattern-orders-a", "pattern-orders-b"));
            });
            assertThat(consumer.assignment()).extracting(TopicPartition::topic).containsOnly("pattern-orders-a", "pattern-orders-b");

            Clients.createTopic(node, "pattern-orders-c", 1, Map.of());
            producer.send(new ProducerRecord<>("pattern-orders-c", "k", "pattern-orders-c")).get();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(r -> seen.add(r.value()));
                return seen.contains("pattern-orders-c");
            });
            assertThat(seen).doesNotContain("pattern-other");
        }
        Map<String, Object> lookahead = new HashMap<>(Map.of("group.id", "pattern-refused", "group.protocol", "consumer"));
        try (KafkaConsumer<String, String> consumer = Clients.consumer(node, lookahead)) {
            consumer.subscribe(new SubscriptionPattern("(?=pattern)pattern-.*"));
            assertThatThrownBy(() -> {
                for (int i = 0; i < 100; i++) {
                    consumer.poll(Duration.ofMillis(100));
                }
            }).isInstanceOf(InvalidRegularExpression.class);
        }
    }

    @Test
    void shouldKeepCommittedOffsetsAcrossRestart() throws Exception {
        try (TestNode restartable = TestNode.builder().start()) {
            String topic = "kip848-resume";
            Clients.createTopic(restartable, topic, 3, Map.of());
            try (KafkaProducer<String, String> producer = Clients.producer(restartable, Map.of())) {
                for (int i = 0; i < 30; i++) {
                    producer.send(new ProducerRecord<>(topic, i % 3, null, "v" + i)).get();
                }
            }
            Map<String, Object> props = Map.of("group.id", "kip848-resumer", "group.protocol", "consumer");
            Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
            try (KafkaConsumer<String, String> consumer = Clients.consumer(restartable, props)) {
                consumer.subscribe(List.of(topic));
                int seen = 0;
                long deadline = System.currentTimeMillis() + 30_000;
                while (seen < 30 && System.currentTimeMillis() < deadline) {
                    seen += consumer.poll(Duration.ofMillis(100)).count();
                }
                for (int p = 0; p < 3; p++) {
                    committed.put(new TopicPartition(topic, p), new OffsetAndMetadata(2 + p, "meta-" + p));
                }
                consumer.commitSync(committed);
            }
            restartable.restart();
            try (Admin admin = Clients.admin(restartable)) {
                assertThat(admin.listConsumerGroupOffsets("kip848-resumer").partitionsToOffsetAndMetadata().get()).isEqualTo(committed);
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
                assertThat(first).containsExactlyInAnyOrderEntriesOf(Map.of(0, 2L, 1, 3L, 2, 4L));
            }
        }
    }

    /** The group's lines in the durable rebalance history topic, read with a plain consumer. */
    private static List<String> durableHistory(String group) {
        TopicPartition tp = new TopicPartition("__gregor_rebalances", 0);
        List<String> lines = new java.util.ArrayList<>();
        try (org.apache.kafka.clients.consumer.KafkaConsumer<String, String> c = Clients.consumer(node, Map.of())) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            long deadline = System.currentTimeMillis() + 10_000;
            while (c.position(tp) < end && System.currentTimeMillis() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (group.equals(r.key())) {
                        lines.add(r.value());
                    }
                });
            }
        }
        return lines;
    }
}
