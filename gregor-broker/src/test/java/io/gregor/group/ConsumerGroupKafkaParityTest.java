package io.gregor.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.gregor.metadata.MetadataImage;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * KIP-848 consumer groups in corners where Kafka 4.4's group coordinator (GroupMetadataManager,
 * CurrentAssignmentBuilder) is the reference, driven by a fake clock and {@link FakeGroupTimer}.
 */
@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ConsumerGroupKafkaParityTest extends GroupStateMachineTest {

    private static final int REBALANCE_TIMEOUT_MS = 30_000;

    /** The coordinator restarts: a new state machine (and timer) replays every record written so far. */
    private void restart() {
        timer = new FakeGroupTimer();
        sm = newStateMachine();
        for (GroupRecord r : written) {
            sm.replay(GroupRecordCodec.decode(ByteBuffer.wrap(GroupRecordCodec.encodeKey(r)),
                    GroupRecordCodec.encodeValue(r) == null ? null : ByteBuffer.wrap(GroupRecordCodec.encodeValue(r))), now, true);
        }
        sm.onLoaded(now);
    }

    private ConsumerGroupHeartbeatResponseData heartbeat(ConsumerGroupHeartbeatRequestData request) {
        Effects fx = new Effects();
        ConsumerGroupHeartbeatResponseData r = sm.consumerGroupHeartbeat(fx, now, new RequestMeta((short) 1, "client", "/127.0.0.1"), request);
        commit(fx);
        return r;
    }

    private ConsumerGroupHeartbeatResponseData join(String memberId) {
        return heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId(memberId).setMemberEpoch(0)
                .setRebalanceTimeoutMs(REBALANCE_TIMEOUT_MS).setSubscribedTopicNames(List.of("t")).setTopicPartitions(List.of()));
    }

    private ConsumerGroupHeartbeatResponseData joinByRegex(String memberId) {
        return heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId(memberId).setMemberEpoch(0)
                .setRebalanceTimeoutMs(REBALANCE_TIMEOUT_MS).setSubscribedTopicRegex("t").setTopicPartitions(List.of()));
    }

    /** A heartbeat reporting the partitions the member owns. */
    private ConsumerGroupHeartbeatResponseData ack(String memberId, int epoch, Set<Integer> owned) {
        return heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId(memberId).setMemberEpoch(epoch)
                .setTopicPartitions(topicPartitions(owned)));
    }

    /** A heartbeat carrying only the group, member id and epoch (what the Java client sends when nothing changed). */
    private ConsumerGroupHeartbeatResponseData ping(String memberId, int epoch) {
        return heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId(memberId).setMemberEpoch(epoch));
    }

    private static List<ConsumerGroupHeartbeatRequestData.TopicPartitions> topicPartitions(Set<Integer> owned) {
        return owned.isEmpty() ? new ArrayList<>() : new ArrayList<>(List.of(new ConsumerGroupHeartbeatRequestData.TopicPartitions()
                .setTopicId(TOPIC_ID).setPartitions(new ArrayList<>(owned))));
    }

    private static Set<Integer> partitions(ConsumerGroupHeartbeatResponseData r) {
        assertThat(r.assignment()).as("the response carries an assignment").isNotNull();
        return r.assignment().topicPartitions().isEmpty() ? Set.of() : Set.copyOf(r.assignment().topicPartitions().get(0).partitions());
    }

    private static final Set<Integer> ALL = Set.of(0, 1, 2, 3, 4, 5);

    /**
     * Kafka 4.4 GroupMetadataManager.onLoaded schedules the rebalance timeout of every loaded member in
     * UNREVOKED_PARTITIONS: a member that was revoking when the coordinator restarted and keeps heartbeating without
     * ever giving up its partitions is fenced, and the new owner gets them.
     */
    @Test
    void shouldStillFenceAMemberThatNeverRevokesAfterTheCoordinatorRestarts() {
        join("a");
        ConsumerGroupHeartbeatResponseData b = join("b");
        Set<Integer> keep = partitions(ack("a", 1, ALL));
        assertThat(keep).as("a must give up half").hasSize(3);

        restart();

        // a's consumer is stuck in its revocation callback, but its background thread keeps heartbeating.
        for (int i = 0; i < 14; i++) {
            advance(5_000);
            ping("a", 1);
            ping("b", b.memberEpoch());
        }
        assertThat(sm.consumerGroup("g").members())
                .as("70 s after the restart, a (rebalance timeout 30 s) is fenced, as Kafka fences it")
                .doesNotContainKey("a");
    }

    /**
     * Kafka 4.4 consumerGroupHeartbeat sends the assignment back on any full request, which it recognises by
     * rebalanceTimeoutMs != -1, (subscribedTopicNames != null || subscribedTopicRegex != null) and
     * topicPartitions != null: a member subscribed by regex that lost the response giving it partitions (same epoch:
     * they were released by another member) and resends a full request, as the Java client does after a failed
     * heartbeat, learns of them (else the coordinator counts them as its own and nobody consumes them).
     */
    @Test
    void shouldSendTheAssignmentBackOnAFullRequestFromAMemberSubscribedByRegex() {
        assertThat(partitions(joinByRegex("a"))).isEqualTo(ALL);
        ConsumerGroupHeartbeatResponseData b = joinByRegex("b");
        assertThat(partitions(b)).as("b's partitions are still a's").isEmpty();
        Set<Integer> keep = partitions(ack("a", 1, ALL));
        assertThat(ack("a", 1, keep).memberEpoch()).isEqualTo(b.memberEpoch());

        ConsumerGroupHeartbeatResponseData released = ping("b", b.memberEpoch());
        assertThat(partitions(released)).hasSize(3); // this response is lost (request timeout)

        // The client resets its heartbeat state and sends every field.
        ConsumerGroupHeartbeatResponseData full = heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("b")
                .setMemberEpoch(b.memberEpoch()).setRebalanceTimeoutMs(REBALANCE_TIMEOUT_MS).setSubscribedTopicRegex("t")
                .setTopicPartitions(new ArrayList<>()));
        assertThat(Errors.forCode(full.errorCode())).isEqualTo(Errors.NONE);
        assertThat(full.assignment()).as("Kafka answers a full request with the member's assignment").isNotNull();
        assertThat(partitions(full)).isEqualTo(partitions(released));
    }

    /**
     * Kafka 4.4 maybeReconcile reschedules the rebalance timeout whenever a heartbeat leaves the member in
     * UNREVOKED_PARTITIONS with a changed state: a member that acknowledged one revocation and is at once asked to
     * revoke more (the target moved on meanwhile) gets a fresh rebalance timeout for the new revocation, and is not
     * fenced at the first revocation's deadline.
     */
    @Test
    void shouldRestartTheRebalanceTimeoutWhenARevokedMemberMustRevokeAgain() {
        join("a");
        join("b");
        Set<Integer> keep = partitions(ack("a", 1, ALL)); // a must revoke 3: its rebalance timeout starts now
        assertThat(keep).hasSize(3);
        advance(1_000);
        join("c"); // the target moves on: a will keep 2
        advance(27_000);
        ConsumerGroupHeartbeatResponseData again = ack("a", 1, keep); // 28 s: a has revoked the first 3, in time
        assertThat(Errors.forCode(again.errorCode())).isEqualTo(Errors.NONE);
        Set<Integer> keep2 = partitions(again);
        assertThat(keep2).as("a must now revoke one more").hasSize(2);

        advance(4_000); // 32 s after the first revocation, 4 s after the second one
        assertThat(sm.consumerGroup("g").members()).as("a's new revocation has a whole rebalance timeout").containsKey("a");
        ConsumerGroupHeartbeatResponseData done = ack("a", 1, keep2);
        assertThat(Errors.forCode(done.errorCode())).isEqualTo(Errors.NONE);
        assertThat(done.memberEpoch()).isEqualTo(sm.consumerGroup("g").groupEpoch());
    }

    /**
     * Kafka 4.4: a heartbeat with a non-zero epoch, and a leave (epoch -1 or -2), for a group the coordinator does not
     * have fail with GROUP_ID_NOT_FOUND (getOrMaybeCreateConsumerGroup with createIfNotExists false, consumerGroup()).
     */
    @Test
    void shouldAnswerGroupIdNotFoundForAnUnknownGroup() {
        ConsumerGroupHeartbeatResponseData hb = heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("nope").setMemberId("m")
                .setMemberEpoch(3));
        assertThat(Errors.forCode(hb.errorCode())).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
        ConsumerGroupHeartbeatResponseData leave = heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("nope").setMemberId("m")
                .setMemberEpoch(-1));
        assertThat(Errors.forCode(leave.errorCode())).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
    }
    /**
     * Kafka 4.4: a static member that comes back (epoch 0, same instance id, new member id) with another subscription
     * than the member it replaces changes the group's subscriptions (hasMemberSubscriptionChanged compares it with the
     * replaced member), so the group epoch is bumped and a new target computed; its assignment is also stripped of the
     * topics it no longer subscribes to (CurrentAssignmentBuilder, enforceSubscriptionConsistency): even while another
     * member still subscribes to the dropped topic, the member never gets its partitions (a rolling deploy of static
     * consumers that drops a topic).
     */
    @Test
    void shouldRecomputeTheTargetWhenAStaticMemberRejoinsWithAnotherSubscription() {
        Uuid uId = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAg");
        MetadataImage twoTopics = image.apply(FakeGroupTimer.topicRecords("u", uId, 6), 2);
        sm = new GroupStateMachine(config, timer, g -> 0, () -> twoTopics);

        ConsumerGroupHeartbeatResponseData s = heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("s1")
                .setInstanceId("i1").setMemberEpoch(0).setRebalanceTimeoutMs(REBALANCE_TIMEOUT_MS).setSubscribedTopicNames(List.of("t"))
                .setTopicPartitions(List.of()));
        assertThat(Errors.forCode(s.errorCode())).isEqualTo(Errors.NONE);
        heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("o").setMemberEpoch(0)
                .setRebalanceTimeoutMs(REBALANCE_TIMEOUT_MS).setSubscribedTopicNames(List.of("t", "u")).setTopicPartitions(List.of()));
        assertThat(sm.consumerGroup("g").targetOf("s1").partitions()).containsOnlyKeys(TOPIC_ID);

        // s1's process stops (static leave), and its new version, subscribed to u only, comes back as s2.
        heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("s1").setInstanceId("i1").setMemberEpoch(-2));
        int epochBefore = sm.consumerGroup("g").groupEpoch();
        ConsumerGroupHeartbeatResponseData back = heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("s2")
                .setInstanceId("i1").setMemberEpoch(0).setRebalanceTimeoutMs(REBALANCE_TIMEOUT_MS).setSubscribedTopicNames(List.of("u"))
                .setTopicPartitions(List.of()));
        assertThat(Errors.forCode(back.errorCode())).isEqualTo(Errors.NONE);
        assertThat(back.assignment().topicPartitions()).as("no partition of t, which s2 does not subscribe to")
                .allMatch(tp -> tp.topicId().equals(uId));
        assertThat(sm.consumerGroup("g").groupEpoch()).as("the group's subscriptions changed: new epoch").isGreaterThan(epochBefore);
        assertThat(sm.consumerGroup("g").targetOf("s2").partitions()).as("s2's target is on u").doesNotContainKey(TOPIC_ID);
    }

    /**
     * Kafka 4.4 throwIfConsumerGroupHeartbeatRequestIsInvalid: a join (epoch 0) must carry an empty, not null,
     * TopicPartitions; RackId, like GroupId, MemberId and InstanceId, must not be empty or blank (trimmed).
     */
    @Test
    void shouldRefuseTheRequestsKafkaRefusesAsInvalid() {
        ConsumerGroupHeartbeatResponseData nullOwned = heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("m1")
                .setMemberEpoch(0).setRebalanceTimeoutMs(REBALANCE_TIMEOUT_MS).setSubscribedTopicNames(List.of("t")).setTopicPartitions(null));
        assertThat(Errors.forCode(nullOwned.errorCode())).as("null TopicPartitions on join").isEqualTo(Errors.INVALID_REQUEST);
        ConsumerGroupHeartbeatResponseData emptyRack = heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("m2")
                .setRackId("").setMemberEpoch(0).setRebalanceTimeoutMs(REBALANCE_TIMEOUT_MS).setSubscribedTopicNames(List.of("t"))
                .setTopicPartitions(List.of()));
        assertThat(Errors.forCode(emptyRack.errorCode())).as("empty RackId").isEqualTo(Errors.INVALID_REQUEST);
        ConsumerGroupHeartbeatResponseData blankGroup = heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("  ").setMemberId("m3")
                .setMemberEpoch(0).setRebalanceTimeoutMs(REBALANCE_TIMEOUT_MS).setSubscribedTopicNames(List.of("t"))
                .setTopicPartitions(List.of()));
        assertThat(Errors.forCode(blankGroup.errorCode())).as("blank GroupId").isEqualTo(Errors.INVALID_REQUEST);
        assertThat(sm.consumerGroup("  ")).isNull();
    }
}
