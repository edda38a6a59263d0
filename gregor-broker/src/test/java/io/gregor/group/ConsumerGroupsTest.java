package io.gregor.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.gregor.metadata.MetadataImage;
import io.gregor.metadata.MetadataRecord;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** KIP-848 consumer groups driven by a fake clock and timer: responses, epochs and records. */
@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ConsumerGroupsTest {

    private static final Uuid TOPIC_ID = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ");

    private final Map<String, GroupTimer.Task> tasks = new TreeMap<>();
    private final Map<String, Long> deadlines = new TreeMap<>();
    private final GroupTimer timer = new GroupTimer() {
        @Override
        public void schedule(String key, long deadlineMs, Task task) {
            tasks.put(key, task);
            deadlines.put(key, deadlineMs);
        }

        @Override
        public void cancel(String key) {
            tasks.remove(key);
            deadlines.remove(key);
        }
    };
    private final MetadataImage image = MetadataImage.EMPTY.apply(FakeGroupTimer.topicRecords("t", TOPIC_ID, 6), 1);
    private GroupStateMachine sm = new GroupStateMachine(GroupConfig.defaults(0), timer, g -> 0, () -> image);
    private final List<GroupRecord> written = new ArrayList<>();
    private long now = 1_000_000;

    private void commit(Effects fx) {
        for (GroupRecord r : fx.records()) {
            sm.replay(r, now, false);
            written.add(r);
        }
        fx.completeAll();
    }

    private void advance(long ms) {
        now += ms;
        for (String key : List.copyOf(deadlines.keySet())) {
            Long deadline = deadlines.get(key);
            if (deadline != null && deadline <= now) {
                GroupTimer.Task task = tasks.remove(key);
                deadlines.remove(key);
                Effects fx = new Effects();
                task.run(now, fx);
                commit(fx);
            }
        }
    }

    private ConsumerGroupHeartbeatResponseData heartbeat(ConsumerGroupHeartbeatRequestData request) {
        Effects fx = new Effects();
        ConsumerGroupHeartbeatResponseData r = sm.consumerGroupHeartbeat(fx, now, new RequestMeta((short) 1, "client", "/127.0.0.1"), request);
        commit(fx);
        return r;
    }

    private ConsumerGroupHeartbeatResponseData join(String memberId, String assignor) {
        return heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId(memberId).setMemberEpoch(0)
                .setRebalanceTimeoutMs(30_000).setSubscribedTopicNames(List.of("t")).setServerAssignor(assignor)
                .setTopicPartitions(List.of()));
    }

    private ConsumerGroupHeartbeatResponseData ack(String memberId, int epoch, Set<Integer> owned) {
        return heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId(memberId).setMemberEpoch(epoch)
                .setTopicPartitions(List.of(new ConsumerGroupHeartbeatRequestData.TopicPartitions().setTopicId(TOPIC_ID)
                        .setPartitions(new ArrayList<>(owned)))));
    }

    private static Set<Integer> partitions(ConsumerGroupHeartbeatResponseData r) {
        assertThat(r.assignment()).isNotNull();
        return r.assignment().topicPartitions().isEmpty() ? Set.of() : Set.copyOf(r.assignment().topicPartitions().get(0).partitions());
    }

    @Test
    void shouldAssignEverythingToTheFirstMemberThenRevokeBeforeReassigning() {
        ConsumerGroupHeartbeatResponseData a = join("a", null);
        assertThat(Errors.forCode(a.errorCode())).isEqualTo(Errors.NONE);
        assertThat(a.memberEpoch()).isEqualTo(1);
        assertThat(partitions(a)).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5);
        assertThat(written).anyMatch(r -> r instanceof GroupRecord.ConsumerGroupMetadata);

        ConsumerGroupHeartbeatResponseData b = join("b", null);
        assertThat(b.memberEpoch()).isEqualTo(2);
        assertThat(partitions(b)).as("b's partitions are still a's").isEmpty();

        ConsumerGroupHeartbeatResponseData revoke = ack("a", 1, Set.of(0, 1, 2, 3, 4, 5));
        assertThat(revoke.memberEpoch()).as("epoch waits for the revocation").isEqualTo(1);
        Set<Integer> keep = partitions(revoke);
        assertThat(keep).hasSize(3);

        ConsumerGroupHeartbeatResponseData stillEmpty = ack("b", 2, Set.of());
        assertThat(stillEmpty.assignment() == null || partitions(stillEmpty).isEmpty()).isTrue();

        ConsumerGroupHeartbeatResponseData revoked = ack("a", 1, keep);
        assertThat(revoked.memberEpoch()).isEqualTo(2);
        ConsumerGroupHeartbeatResponseData got = ack("b", 2, Set.of());
        assertThat(partitions(got)).hasSize(3).doesNotContainAnyElementsOf(keep);
        assertThat(sm.consumerGroup("g").state()).isEqualTo(ConsumerGroup.State.STABLE);
    }

    @Test
    void shouldFenceWrongEpochsAndUnknownMembers() {
        join("a", null);
        assertThat(Errors.forCode(ack("a", 5, Set.of()).errorCode())).isEqualTo(Errors.FENCED_MEMBER_EPOCH);
        assertThat(Errors.forCode(ack("x", 1, Set.of()).errorCode())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(Errors.forCode(join("c", "sticky").errorCode())).isEqualTo(Errors.UNSUPPORTED_ASSIGNOR);
        // Lost response: after a revoked and moved to epoch 2, its previous epoch 1 is accepted
        // only with owned partitions inside its current assignment.
        join("b", null);
        Set<Integer> keep = partitions(ack("a", 1, Set.of(0, 1, 2, 3, 4, 5)));
        assertThat(ack("a", 1, keep).memberEpoch()).isEqualTo(2);
        assertThat(Errors.forCode(ack("a", 1, keep).errorCode())).isEqualTo(Errors.NONE);
        assertThat(Errors.forCode(ack("a", 1, Set.of(0, 1, 2, 3, 4, 5)).errorCode())).isEqualTo(Errors.FENCED_MEMBER_EPOCH);
    }

    private Errors commitOffset(String memberId, int epoch, int... partitions) {
        OffsetCommitRequestData.OffsetCommitRequestTopic topic = new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("t");
        for (int p : partitions) {
            topic.partitions().add(new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(p).setCommittedOffset(42));
        }
        OffsetCommitRequestData request = new OffsetCommitRequestData().setGroupId("g").setMemberId(memberId)
                .setGenerationIdOrMemberEpoch(epoch).setTopics(List.of(topic));
        Effects fx = new Effects();
        CompletableFuture<OffsetCommitResponseData> future = new CompletableFuture<>();
        sm.commitOffsets(fx, now, (short) 10, request, (t, p) -> t.equals("t") && p >= 0 && p < 6, future);
        commit(fx);
        Set<Errors> errors = new HashSet<>();
        future.join().topics().forEach(t -> t.partitions().forEach(p -> errors.add(Errors.forCode(p.errorCode()))));
        assertThat(errors).hasSize(1);
        return errors.iterator().next();
    }

    @Test
    void shouldAcceptOlderEpochCommitOnlyForPartitionsStillHeldSinceThen() {
        join("a", null);
        join("b", null);
        Set<Integer> keep = partitions(ack("a", 1, Set.of(0, 1, 2, 3, 4, 5)));
        Set<Integer> moved = new HashSet<>(Set.of(0, 1, 2, 3, 4, 5));
        moved.removeAll(keep);
        assertThat(ack("a", 1, keep).memberEpoch()).isEqualTo(2);
        assertThat(partitions(ack("b", 2, Set.of()))).isEqualTo(moved);
        int kept = keep.iterator().next();
        int lost = moved.iterator().next();

        // KIP-1251: a's commit at epoch 1 crossed the heartbeat that moved it to 2; it still holds
        // the partition, assigned at epoch 1, so the commit stands.
        assertThat(commitOffset("a", 1, kept)).isEqualTo(Errors.NONE);
        // A partition it gave up is b's now: a zombie commit from epoch 1 must not overwrite it,
        // and one such partition fails the whole request, as in Kafka.
        assertThat(commitOffset("a", 1, kept, lost)).isEqualTo(Errors.STALE_MEMBER_EPOCH);
        // b got its partitions at epoch 2: older epochs cannot commit them, newer ones nothing.
        assertThat(commitOffset("b", 1, lost)).isEqualTo(Errors.STALE_MEMBER_EPOCH);
        assertThat(commitOffset("a", 3, kept)).isEqualTo(Errors.STALE_MEMBER_EPOCH);
        assertThat(commitOffset("b", 2, lost)).isEqualTo(Errors.NONE);
        assertThat(written).filteredOn(r -> r instanceof GroupRecord.OffsetCommit)
                .extracting(r -> ((GroupRecord.OffsetCommit) r).partition()).containsExactly(kept, lost);
        // OffsetFetch takes only the current epoch (the client retries with its new one).
        assertThat(sm.validateOffsetFetch("g", "a", 1)).isEqualTo(Errors.STALE_MEMBER_EPOCH);
        assertThat(sm.validateOffsetFetch("g", "a", 2)).isEqualTo(Errors.NONE);
    }

    @Test
    void shouldReadMemberAssignmentsWrittenBeforeAssignmentEpochsAtTheirMemberEpoch() {
        java.nio.ByteBuffer v0 = java.nio.ByteBuffer.allocate(2 + 4 + 4 + 1 + 4 + 16 + 4 + 4 + 4);
        v0.putShort((short) 0).putInt(3).putInt(1).put((byte) 0).putInt(1)
                .putLong(TOPIC_ID.getMostSignificantBits()).putLong(TOPIC_ID.getLeastSignificantBits()).putInt(1).putInt(4).putInt(0).flip();
        GroupRecord.ConsumerMemberAssignment r = new GroupRecord.ConsumerMemberAssignment("g", "a", ConsumerGroupMember.NOTHING);
        GroupRecord decoded = GroupRecordCodec.decode(java.nio.ByteBuffer.wrap(GroupRecordCodec.encodeKey(r)), v0);
        GroupRecord.CurrentAssignment c = ((GroupRecord.ConsumerMemberAssignment) decoded).value();
        assertThat(c.assigned().partitions()).isEqualTo(Map.of(TOPIC_ID, Set.of(4)));
        assertThat(c.assignmentEpochs().epochOf(TOPIC_ID, 4)).isEqualTo(3);
    }

    @Test
    void shouldRemoveMemberWhenSessionExpires() {
        join("a", null);
        join("b", null);
        advance(44_000);
        ack("a", 1, Set.of(0, 1, 2, 3, 4, 5));
        advance(2_000);
        assertThat(sm.consumerGroup("g").members()).containsOnlyKeys("a");
        assertThat(sm.rebalanceHistory("g")).extracting(RebalanceEvent::reason).contains(RebalanceEvent.Reason.SESSION_TIMEOUT);
        assertThat(sm.consumerGroup("g").targetOf("a").size()).isEqualTo(6);
    }

    /**
     * Kafka 4.4 consumerGroupStaticMemberGroupLeave: a static member leaving temporarily (epoch -2)
     * keeps its partitions for when it comes back, but those it was revoking go to their new owner
     * at once instead of waiting for its return or its session timeout.
     */
    @Test
    void shouldReleaseThePartitionsAStaticMemberWasRevokingWhenItLeavesTemporarily() {
        assertThat(partitions(heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("a").setInstanceId("i1")
                .setMemberEpoch(0).setRebalanceTimeoutMs(30_000).setSubscribedTopicNames(List.of("t")).setTopicPartitions(List.of()))))
                .hasSize(6);
        ConsumerGroupHeartbeatResponseData b = join("b", null);
        Set<Integer> keep = partitions(ack("a", 1, Set.of(0, 1, 2, 3, 4, 5)));
        assertThat(keep).as("a keeps half and must revoke the rest").hasSize(3);

        // a's consumer closes before acknowledging the revocation.
        assertThat(Errors.forCode(heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("a").setInstanceId("i1")
                .setMemberEpoch(-2)).errorCode())).isEqualTo(Errors.NONE);
        assertThat(written).last().isInstanceOfSatisfying(GroupRecord.ConsumerMemberAssignment.class, r -> {
            assertThat(r.value().memberEpoch()).isEqualTo(-2);
            assertThat(r.value().pendingRevocation().isEmpty()).isTrue();
            assertThat(r.value().assigned().size()).isEqualTo(3);
        });
        Set<Integer> got = partitions(ack("b", b.memberEpoch(), Set.of()));
        assertThat(got).hasSize(3).doesNotContainAnyElementsOf(keep);

        // a comes back under a new member id with the partitions it kept.
        ConsumerGroupHeartbeatResponseData back = heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("a2")
                .setInstanceId("i1").setMemberEpoch(0).setRebalanceTimeoutMs(30_000).setSubscribedTopicNames(List.of("t"))
                .setTopicPartitions(List.of()));
        assertThat(Errors.forCode(back.errorCode())).isEqualTo(Errors.NONE);
        assertThat(partitions(back)).isEqualTo(keep);
        assertThat(sm.consumerGroup("g").members()).containsOnlyKeys("a2", "b");
    }

    @Test
    void shouldUseTheGroupsOwnSessionTimeoutAndHeartbeatIntervalClampedToTheBrokersBounds() {
        // Set while the broker allowed wider bounds: 90 s and 1 s; today's bounds are 45-60 s and 5-15 s.
        MetadataImage withConfigs = image.apply(List.of(new MetadataRecord.GroupConfig("g", "consumer.session.timeout.ms", "90000"),
                new MetadataRecord.GroupConfig("g", "consumer.heartbeat.interval.ms", "1000"),
                new MetadataRecord.GroupConfig("other", "consumer.heartbeat.interval.ms", "7000")), 2);
        sm = new GroupStateMachine(GroupConfig.defaults(0), timer, g -> 0, () -> withConfigs);

        assertThat(join("a", null).heartbeatIntervalMs()).isEqualTo(5_000);
        join("b", null);
        advance(59_000);
        ack("a", 1, Set.of(0, 1, 2, 3, 4, 5));
        assertThat(sm.consumerGroup("g").members()).containsOnlyKeys("a", "b");
        advance(2_000);
        assertThat(sm.consumerGroup("g").members()).containsOnlyKeys("a");
        assertThat(heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("other").setMemberId("c").setMemberEpoch(0)
                .setRebalanceTimeoutMs(30_000).setSubscribedTopicNames(List.of("t")).setTopicPartitions(List.of()))
                .heartbeatIntervalMs()).isEqualTo(7_000);
    }

    /**
     * Kafka evaluates subscribed regexes with RE2J, in time linear in the topic name: a pattern that backtracks
     * polynomially in java.util.regex (over a 60-character topic name, for hours) must not stall the coordinator, and
     * the constructs RE2 lacks (lookaround, backreferences) are INVALID_REGULAR_EXPRESSION, as in Kafka.
     */
    @Test
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldMatchRegexSubscriptionsInLinearTimeAndRefuseWhatRe2Lacks() {
        Uuid longId = Uuid.randomUuid();
        MetadataImage withLongName = image.apply(FakeGroupTimer.topicRecords("a".repeat(60), longId, 1), 2);
        sm = new GroupStateMachine(GroupConfig.defaults(0), timer, g -> 0, () -> withLongName);

        ConsumerGroupHeartbeatResponseData joined = heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("g")
                .setMemberId("a").setMemberEpoch(0).setRebalanceTimeoutMs(30_000).setSubscribedTopicRegex("(.*a){10}b")
                .setTopicPartitions(List.of()));
        assertThat(Errors.forCode(joined.errorCode())).isEqualTo(Errors.NONE);
        assertThat(sm.consumerGroup("g").members()).containsOnlyKeys("a");

        for (String unsupported : List.of("(?=a)a+", "(a)\\1")) {
            ConsumerGroupHeartbeatResponseData refused = heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("g2")
                    .setMemberId("b").setMemberEpoch(0).setRebalanceTimeoutMs(30_000).setSubscribedTopicRegex(unsupported)
                    .setTopicPartitions(List.of()));
            assertThat(Errors.forCode(refused.errorCode())).as(unsupported).isEqualTo(Errors.INVALID_REGULAR_EXPRESSION);
            assertThat(refused.errorMessage()).startsWith("SubscribedTopicRegex `" + unsupported + "` is not a valid regular expression: ");
        }
    }

    @Test
    void shouldFenceAMemberWhoseStoredRegexRe2CannotCompileSoThatItRejoinsAndIsRefused() {
        ConsumerGroupHeartbeatResponseData joined = heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("g")
                .setMemberId("m").setMemberEpoch(0).setRebalanceTimeoutMs(30_000).setSubscribedTopicRegex("t")
                .setTopicPartitions(List.of()));
        assertThat(partitions(joined)).hasSize(6);
        // As a Gregor that compiled subscriptions with java.util.regex (which accepted lookaround) stored it.
        sm.replay(new GroupRecord.ConsumerMemberSubscription("g", "m", new GroupRecord.MemberSubscription(null, null, "client",
                "/127.0.0.1", List.of(), "(?=t)t", null, 30_000)), now, false);
        assertThat(ConsumerGroups.subscribedTopics(sm.consumerGroup("g").members().get("m").subscription(), image)).isEmpty();

        ConsumerGroupHeartbeatResponseData fenced = heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("g")
                .setMemberId("m").setMemberEpoch(joined.memberEpoch()));
        assertThat(Errors.forCode(fenced.errorCode())).isEqualTo(Errors.FENCED_MEMBER_EPOCH);
        ConsumerGroupHeartbeatResponseData rejoined = heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("g")
                .setMemberId("m").setMemberEpoch(0).setRebalanceTimeoutMs(30_000).setSubscribedTopicRegex("(?=t)t")
                .setTopicPartitions(List.of()));
        assertThat(Errors.forCode(rejoined.errorCode())).isEqualTo(Errors.INVALID_REGULAR_EXPRESSION);
    }

    /** RE2 refuses counted repetitions whose nested counts multiply past 1000; RE2J would build them (or run out of heap). */
    @Test
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldRefuseNestedRepetitionsPastRe2sBound() {
        for (String regex : List.of("((a{999}){999}){999}", "(a{999}){2}", "(x(a{10}){10}){11}")) {
            ConsumerGroupHeartbeatResponseData refused = heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("g3")
                    .setMemberId("r").setMemberEpoch(0).setRebalanceTimeoutMs(30_000).setSubscribedTopicRegex(regex)
                    .setTopicPartitions(List.of()));
            assertThat(Errors.forCode(refused.errorCode())).as(regex).isEqualTo(Errors.INVALID_REGULAR_EXPRESSION);
            assertThat(refused.errorMessage()).as(regex).endsWith("bad repetition operator.");
        }
        for (String regex : List.of("a{500}b{500}", "(a{10}){100}", "[{(]{999}t", "\\({999}t")) {
            ConsumerGroupHeartbeatResponseData accepted = heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("g4")
                    .setMemberId("ok-" + regex.length()).setMemberEpoch(0).setRebalanceTimeoutMs(30_000)
                    .setSubscribedTopicRegex(regex).setTopicPartitions(List.of()));
            assertThat(Errors.forCode(accepted.errorCode())).as(regex).isEqualTo(Errors.NONE);
        }
    }

    @Test
    void shouldSplitByRangeOrUniformly() {
        Map<String, ServerAssignor.MemberSpec> members = new TreeMap<>();
        Uuid other = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAg");
        members.put("a", new ServerAssignor.MemberSpec(Set.of(TOPIC_ID, other), GroupRecord.Assignment.EMPTY));
        members.put("b", new ServerAssignor.MemberSpec(Set.of(TOPIC_ID, other), GroupRecord.Assignment.EMPTY));
        Map<Uuid, Integer> counts = Map.of(TOPIC_ID, 3, other, 3);
        Map<String, GroupRecord.Assignment> range = ServerAssignor.RANGE.assign(members, counts);
        assertThat(range.get("a").partitions()).isEqualTo(Map.of(TOPIC_ID, Set.of(0, 1), other, Set.of(0, 1)));
        assertThat(range.get("b").partitions()).isEqualTo(Map.of(TOPIC_ID, Set.of(2), other, Set.of(2)));
        Map<String, GroupRecord.Assignment> uniform = ServerAssignor.UNIFORM.assign(members, counts);
        assertThat(uniform.get("a").size()).isEqualTo(3);
        assertThat(uniform.get("b").size()).isEqualTo(3);
        assertThat(uniform.get("a").intersects(uniform.get("b"))).isFalse();
    }

    @Test
    void shouldRebuildEqualStateByReplayingTheRecords() {
        join("a", null);
        join("b", "range");
        ack("a", 1, Set.of(0, 1, 2, 3, 4, 5));
        GroupStateMachine replayed = new GroupStateMachine(GroupConfig.defaults(0), timer, g -> 0, () -> image);
        for (GroupRecord r : written) {
            GroupRecord decoded = GroupRecordCodec.decode(java.nio.ByteBuffer.wrap(GroupRecordCodec.encodeKey(r)),
                    GroupRecordCodec.encodeValue(r) == null ? null : java.nio.ByteBuffer.wrap(GroupRecordCodec.encodeValue(r)));
            assertThat(decoded).isEqualTo(r);
            replayed.replay(decoded, now, true);
        }
        ConsumerGroup a = sm.consumerGroup("g");
        ConsumerGroup b = replayed.consumerGroup("g");
        assertThat(b.groupEpoch()).isEqualTo(a.groupEpoch());
        assertThat(b.assignmentEpoch()).isEqualTo(a.assignmentEpoch());
        assertThat(b.members()).isEqualTo(a.members());
        assertThat(b.targetOf("a")).isEqualTo(a.targetOf("a"));
        assertThat(b.targetOf("b")).isEqualTo(a.targetOf("b"));
    }

    private void commitOffset(String memberId, int memberEpoch, String topic) {
        OffsetCommitRequestData request = new OffsetCommitRequestData().setGroupId("g").setMemberId(memberId)
                .setGenerationIdOrMemberEpoch(memberEpoch);
        request.topics().add(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName(topic).setPartitions(List.of(
                new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(7))));
        CompletableFuture<OffsetCommitResponseData> f = new CompletableFuture<>();
        Effects fx = new Effects();
        sm.commitOffsets(fx, now, (short) 10, request, (t, p) -> true, f);
        commit(fx);
        assertThat(Errors.forCode(f.join().topics().get(0).partitions().get(0).errorCode())).isEqualTo(Errors.NONE);
    }

    private List<String> committedTopics() {
        Effects fx = new Effects();
        sm.expireOffsets(fx, now);
        commit(fx);
        return sm.fetchOffsets("g", null).stream().map(GroupStateMachine.FetchedOffset::topic).toList();
    }

    @Test
    void shouldExpireOffsetsOfUnsubscribedTopicsByCommitTimeThenDeleteTheEmptyGroup() {
        long retentionMs = GroupConfig.defaults(0).offsetsRetentionMs();
        int epoch = join("a", null).memberEpoch();
        commitOffset("a", epoch, "t");
        commitOffset("a", epoch, "gone");
        now += retentionMs - 1; // no timers fire: as if the member kept heartbeating
        assertThat(committedTopics()).containsExactly("gone", "t");
        now += 1;
        assertThat(committedTopics()).as("Kafka: a consumer group's unsubscribed offsets expire even while it has members")
                .containsExactly("t");

        heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("a").setMemberEpoch(-1));
        assertThat(sm.consumerGroup("g").members()).isEmpty();
        assertThat(committedTopics()).as("empty: retention counts from the commit, which is old enough").isEmpty();
        assertThat(sm.consumerGroup("g")).isNull();
        assertThat(written).contains(new GroupRecord.ConsumerGroupMetadata("g", null));
    }

    @Test
    void shouldKeepAnEmptyConsumerGroupWhileItsOffsetsAreRecent() {
        long retentionMs = GroupConfig.defaults(0).offsetsRetentionMs();
        join("a", null);
        heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("a").setMemberEpoch(-1));
        commitOffset("", -1, "t");
        advance(retentionMs - 1);
        assertThat(committedTopics()).containsExactly("t");
        assertThat(sm.consumerGroup("g")).isNotNull();
        advance(1);
        assertThat(committedTopics()).isEmpty();
        assertThat(sm.consumerGroup("g")).isNull();
    }

    @Test
    void shouldDeleteEveryGroupsOffsetsOfADeletedTopic() {
        int epoch = join("a", null).memberEpoch();
        commitOffset("a", epoch, "t");
        commitOffset("a", epoch, "other");
        Effects fx = new Effects();
        sm.onTopicsDeleted(fx, Set.of("t"));
        commit(fx);
        assertThat(sm.fetchOffsets("g", null)).extracting(GroupStateMachine.FetchedOffset::topic).containsExactly("other");
        assertThat(sm.fetchOffsets("g", Map.of("t", List.of(0)))).extracting(GroupStateMachine.FetchedOffset::offset).containsExactly(-1L);
    }
}
