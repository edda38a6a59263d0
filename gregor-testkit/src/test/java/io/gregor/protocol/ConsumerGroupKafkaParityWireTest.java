package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gregor.testkit.RawClient;
import io.gregor.testkit.TestNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ConsumerGroupHeartbeatRequest;
import org.apache.kafka.common.requests.ConsumerGroupHeartbeatResponse;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * KIP-848 ConsumerGroupHeartbeat at the wire in corners where Kafka 4.4's coordinator (GroupMetadataManager,
 * CurrentAssignmentBuilder) is the reference. Mostly raw requests, since those cases need a client that misses a response, restarts its
 * coordinator under it, or revokes at a chosen moment; the static-membership case also with the official KafkaConsumer.
 */
@Timeout(120)
class ConsumerGroupKafkaParityWireTest {

    private static final Set<Integer> ALL = Set.of(0, 1, 2, 3, 4, 5);

    private static TestNode start() {
        return TestNode.builder().override("group.initial.rebalance.delay.ms", "0").start();
    }

    private static void awaitCoordinator(TestNode node) {
        try (RawClient client = RawClient.connect(node)) {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                FindCoordinatorResponse r = client.send(new FindCoordinatorRequest.Builder(new FindCoordinatorRequestData()
                        .setKeyType((byte) 0).setCoordinatorKeys(List.of("g"))).build((short) 6));
                return r.data().coordinators().get(0).errorCode() == Errors.NONE.code();
            });
        }
    }

    private static Uuid createTopic(TestNode node, String name) throws Exception {
        Clients.createTopic(node, name, 6, Map.of());
        try (Admin admin = Clients.admin(node)) {
            return admin.describeTopics(List.of(name)).allTopicNames().get().get(name).topicId();
        }
    }

    private static ConsumerGroupHeartbeatResponseData send(RawClient client, ConsumerGroupHeartbeatRequestData data) {
        ConsumerGroupHeartbeatResponse r = client.send(new ConsumerGroupHeartbeatRequest.Builder(data).build((short) 1));
        return r.data();
    }

    private static ConsumerGroupHeartbeatResponseData join(RawClient client, String group, String memberId, String topic,
                                                           int rebalanceTimeoutMs) {
        return send(client, new ConsumerGroupHeartbeatRequestData().setGroupId(group).setMemberId(memberId).setMemberEpoch(0)
                .setRebalanceTimeoutMs(rebalanceTimeoutMs).setSubscribedTopicNames(List.of(topic)).setTopicPartitions(List.of()));
    }

    private static ConsumerGroupHeartbeatResponseData ack(RawClient client, String group, String memberId, int epoch, Uuid topicId,
                                                          Set<Integer> owned) {
        return send(client, new ConsumerGroupHeartbeatRequestData().setGroupId(group).setMemberId(memberId).setMemberEpoch(epoch)
                .setTopicPartitions(owned.isEmpty() ? new ArrayList<>() : new ArrayList<>(List.of(
                        new ConsumerGroupHeartbeatRequestData.TopicPartitions().setTopicId(topicId).setPartitions(new ArrayList<>(owned))))));
    }

    private static ConsumerGroupHeartbeatResponseData ping(RawClient client, String group, String memberId, int epoch) {
        return send(client, new ConsumerGroupHeartbeatRequestData().setGroupId(group).setMemberId(memberId).setMemberEpoch(epoch));
    }

    private static Set<Integer> partitions(ConsumerGroupHeartbeatResponseData r) {
        assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.NONE);
        assertThat(r.assignment()).as("the response carries an assignment").isNotNull();
        Set<Integer> out = new HashSet<>();
        r.assignment().topicPartitions().forEach(t -> out.addAll(t.partitions()));
        return out;
    }

    /**
     * Kafka's onLoaded schedules the rebalance timeout of loaded members that are revoking. After a restart, a
     * member that was revoking and keeps heartbeating without ever revoking is fenced after its rebalance timeout (3 s
     * here), and the member waiting for its partitions gets them.
     */
    @Test
    void shouldFenceAMemberStuckRevokingAcrossACoordinatorRestart() throws Exception {
        try (TestNode node = start()) {
            awaitCoordinator(node);
            Uuid topicId = createTopic(node, "t");
            int bEpoch;
            try (RawClient client = RawClient.connect(node)) {
                assertThat(partitions(join(client, "g", "a", "t", 3_000))).isEqualTo(ALL);
                ConsumerGroupHeartbeatResponseData b = join(client, "g", "b", "t", 3_000);
                bEpoch = b.memberEpoch();
                assertThat(partitions(ack(client, "g", "a", 1, topicId, ALL))).as("a must revoke half").hasSize(3);
            }

            node.restart();
            awaitCoordinator(node);

            try (RawClient client = RawClient.connect(node)) {
                AtomicReference<Set<Integer>> bOwns = new AtomicReference<>(Set.of());
                AtomicReference<Errors> aError = new AtomicReference<>(Errors.NONE);
                AtomicInteger epoch = new AtomicInteger(bEpoch);
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).until(() -> {
                    // a is stuck in its revocation callback while its heartbeat thread carries on.
                    ConsumerGroupHeartbeatResponseData a = ping(client, "g", "a", 1);
                    if (Errors.forCode(a.errorCode()) != Errors.COORDINATOR_LOAD_IN_PROGRESS) {
                        aError.set(Errors.forCode(a.errorCode()));
                    }
                    ConsumerGroupHeartbeatResponseData r = ack(client, "g", "b", epoch.get(), topicId, bOwns.get());
                    if (r.errorCode() == Errors.NONE.code()) {
                        epoch.set(r.memberEpoch());
                        if (r.assignment() != null) {
                            bOwns.set(partitions(r));
                        }
                    }
                    return !bOwns.get().isEmpty();
                });
                assertThat(aError.get()).as("a was fenced").isIn(Errors.UNKNOWN_MEMBER_ID, Errors.FENCED_MEMBER_EPOCH);
            }
        }
    }

    /**
     * Kafka sends the assignment back on a full request (rebalanceTimeoutMs, subscribedTopicNames or
     * subscribedTopicRegex, topicPartitions), which the Java client sends after a failed heartbeat: a member
     * subscribed by regex that missed the response giving it released partitions (same epoch) is told about them.
     */
    @Test
    void shouldSendTheAssignmentBackOnAFullRequestByRegex() throws Exception {
        try (TestNode node = start()) {
            awaitCoordinator(node);
            Uuid topicId = createTopic(node, "rx");
            try (RawClient client = RawClient.connect(node)) {
                assertThat(send(client, new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("a").setMemberEpoch(0)
                        .setRebalanceTimeoutMs(30_000).setSubscribedTopicRegex("rx").setTopicPartitions(List.of())).memberEpoch())
                        .isPositive();
                ConsumerGroupHeartbeatResponseData b = send(client, new ConsumerGroupHeartbeatRequestData().setGroupId("g")
                        .setMemberId("b").setMemberEpoch(0).setRebalanceTimeoutMs(30_000).setSubscribedTopicRegex("rx")
                        .setTopicPartitions(List.of()));
                assertThat(partitions(b)).isEmpty();
                Set<Integer> keep = partitions(ack(client, "g", "a", 1, topicId, ALL));
                assertThat(ack(client, "g", "a", 1, topicId, keep).memberEpoch()).isEqualTo(b.memberEpoch());

                Set<Integer> released = partitions(ping(client, "g", "b", b.memberEpoch())); // lost on the way back
                assertThat(released).hasSize(3);

                ConsumerGroupHeartbeatResponseData full = send(client, new ConsumerGroupHeartbeatRequestData().setGroupId("g")
                        .setMemberId("b").setMemberEpoch(b.memberEpoch()).setRebalanceTimeoutMs(30_000).setSubscribedTopicRegex("rx")
                        .setTopicPartitions(new ArrayList<>()));
                assertThat(partitions(full)).isEqualTo(released);
            }
        }
    }

    /** Kafka: GROUP_ID_NOT_FOUND for a heartbeat (epoch != 0) or a leave naming a group the coordinator does not have. */
    @Test
    void shouldAnswerGroupIdNotFoundForAnUnknownGroup() {
        try (TestNode node = start()) {
            awaitCoordinator(node);
            try (RawClient client = RawClient.connect(node)) {
                assertThat(Errors.forCode(ping(client, "never-created", "m", 4).errorCode())).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
                assertThat(Errors.forCode(ping(client, "never-created", "m", -1).errorCode())).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
            }
        }
    }

    /**
     * Kafka bumps the group epoch when a static member comes back with another subscription than the member it
     * replaces, and strips the topics it no longer subscribes to: the returning member, subscribed to u only, is never
     * given t's partitions, although another member still subscribes to t.
     */
    @Test
    void shouldNotGiveARejoiningStaticMemberPartitionsOfATopicItDropped() throws Exception {
        try (TestNode node = start()) {
            awaitCoordinator(node);
            Uuid t = createTopic(node, "st");
            Uuid u = createTopic(node, "su");
            try (RawClient client = RawClient.connect(node)) {
                ConsumerGroupHeartbeatResponseData s1 = send(client, new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("s1")
                        .setInstanceId("i1").setMemberEpoch(0).setRebalanceTimeoutMs(30_000).setSubscribedTopicNames(List.of("st"))
                        .setTopicPartitions(List.of()));
                assertThat(partitions(s1)).hasSize(6);
                ConsumerGroupHeartbeatResponseData o = send(client, new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("o")
                        .setMemberEpoch(0).setRebalanceTimeoutMs(30_000).setSubscribedTopicNames(List.of("st", "su"))
                        .setTopicPartitions(List.of()));
                assertThat(Errors.forCode(o.errorCode())).isEqualTo(Errors.NONE);
                assertThat(Errors.forCode(send(client, new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("s1")
                        .setInstanceId("i1").setMemberEpoch(-2)).errorCode())).isEqualTo(Errors.NONE);

                ConsumerGroupHeartbeatResponseData s2 = send(client, new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("s2")
                        .setInstanceId("i1").setMemberEpoch(0).setRebalanceTimeoutMs(30_000).setSubscribedTopicNames(List.of("su"))
                        .setTopicPartitions(List.of()));
                assertThat(Errors.forCode(s2.errorCode())).isEqualTo(Errors.NONE);
                assertThat(s2.assignment().topicPartitions()).as("s2 subscribes to su only")
                        .allMatch(tp -> tp.topicId().equals(u) && !tp.topicId().equals(t));
            }
        }
    }

    /**
     * Kafka's throwIfConsumerGroupHeartbeatRequestIsInvalid: a join with a null (not empty) TopicPartitions, an empty
     * RackId, or a blank GroupId is INVALID_REQUEST.
     */
    @Test
    void shouldRefuseInvalidHeartbeatsAsKafkaDoes() throws Exception {
        try (TestNode node = start()) {
            awaitCoordinator(node);
            createTopic(node, "iv");
            try (RawClient client = RawClient.connect(node)) {
                assertThat(Errors.forCode(send(client, new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("m1")
                        .setMemberEpoch(0).setRebalanceTimeoutMs(30_000).setSubscribedTopicNames(List.of("iv")).setTopicPartitions(null))
                        .errorCode())).as("null TopicPartitions on join").isEqualTo(Errors.INVALID_REQUEST);
                assertThat(Errors.forCode(send(client, new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("m2")
                        .setRackId("").setMemberEpoch(0).setRebalanceTimeoutMs(30_000).setSubscribedTopicNames(List.of("iv"))
                        .setTopicPartitions(List.of())).errorCode())).as("empty RackId").isEqualTo(Errors.INVALID_REQUEST);
            }
        }
    }

    /**
     * The same with the official 4.4 KafkaConsumer: a static consumer subscribed to st closes (leave with epoch -2) and
     * its new version, with the same group.instance.id, subscribes to su only, while another consumer subscribes to
     * both. It ends up with su's partitions and never with st's, as in Kafka.
     */
    @Test
    void shouldNotGiveARestartedStaticConsumerTheTopicItDropped() throws Exception {
        try (TestNode node = start()) {
            awaitCoordinator(node);
            createTopic(node, "kt");
            createTopic(node, "ku");
            Map<String, Object> common = Map.of("group.id", "kg", "group.protocol", "consumer");
            Map<String, Object> staticProps = new HashMap<>(common);
            staticProps.put("group.instance.id", "i1");
            try (KafkaConsumer<String, String> other = Clients.consumer(node, common)) {
                try (KafkaConsumer<String, String> first = Clients.consumer(node, staticProps)) {
                    first.subscribe(List.of("kt"));
                    await().atMost(Duration.ofSeconds(30)).until(() -> {
                        first.poll(Duration.ofMillis(100));
                        return first.assignment().size() == 6;
                    });
                    other.subscribe(List.of("kt", "ku"));
                    await().atMost(Duration.ofSeconds(30)).until(() -> {
                        first.poll(Duration.ofMillis(100));
                        other.poll(Duration.ofMillis(100));
                        return other.assignment().size() == 6 && first.assignment().size() == 6;
                    });
                } // closes with a static leave (epoch -2)
                try (KafkaConsumer<String, String> second = Clients.consumer(node, staticProps)) {
                    second.subscribe(List.of("ku"));
                    List<Set<TopicPartition>> seen = new ArrayList<>();
                    Set<TopicPartition> all = new HashSet<>();
                    for (int p = 0; p < 6; p++) {
                        all.add(new TopicPartition("kt", p));
                        all.add(new TopicPartition("ku", p));
                    }
                    // Kafka: other ends with kt, second with its share of ku, every partition consumed by someone.
                    await().atMost(Duration.ofSeconds(30)).until(() -> {
                        other.poll(Duration.ofMillis(100));
                        second.poll(Duration.ofMillis(100));
                        seen.add(Set.copyOf(second.assignment()));
                        Set<TopicPartition> owned = new HashSet<>(other.assignment());
                        owned.addAll(second.assignment());
                        return owned.equals(all) && !second.assignment().isEmpty();
                    });
                    assertThat(seen).as("the restarted consumer, subscribed to ku only, never owns a partition of kt")
                            .allMatch(a -> a.stream().allMatch(tp -> tp.topic().equals("ku")));
                }
            }
        }
    }
}
