package io.gregor.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A group id moving between the classic protocol and KIP-848 (group.protocol=consumer) while the
 * group is empty, driven by a fake clock and timer: responses, the group left in memory, the
 * records, and what a restart rebuilds from them.
 */
@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GroupProtocolSwitchTest extends GroupStateMachineTest {

    /** A new state machine that replays every record written so far, as a restart loads the log. */
    private GroupStateMachine restart() {
        GroupStateMachine restarted = newStateMachine();
        for (GroupRecord r : written) {
            restarted.replay(r, now, true);
        }
        restarted.onLoaded(now);
        return restarted;
    }

    // ---------------------------------------------------------------- classic

    private JoinGroupResponseData classicJoin(String group, String memberId) {
        JoinGroupRequestData.JoinGroupRequestProtocolCollection c = new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
        c.add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range").setMetadata(new byte[] {1}));
        JoinGroupRequestData request = new JoinGroupRequestData().setGroupId(group).setMemberId(memberId).setProtocolType("consumer")
                .setSessionTimeoutMs(6000).setRebalanceTimeoutMs(10_000).setProtocols(c);
        CompletableFuture<JoinGroupResponseData> f = new CompletableFuture<>();
        Effects fx = new Effects();
        sm.joinGroup(fx, now, new RequestMeta((short) 9, "client", "/127.0.0.1"), request, f);
        commit(fx);
        advance(config.initialRebalanceDelayMs());
        return f.join();
    }

    /** One classic member, Stable at generation 1, that then leaves: the group is Empty with a snapshot written. */
    private void classicGroupThatEmptied(String group) {
        JoinGroupResponseData first = classicJoin(group, "");
        JoinGroupResponseData joined = classicJoin(group, first.memberId());
        assertThat(Errors.forCode(joined.errorCode())).isEqualTo(Errors.NONE);
        SyncGroupRequestData sync = new SyncGroupRequestData().setGroupId(group).setMemberId(joined.memberId())
                .setGenerationId(joined.generationId());
        sync.assignments().add(new SyncGroupRequestData.SyncGroupRequestAssignment().setMemberId(joined.memberId())
                .setAssignment(new byte[] {2}));
        CompletableFuture<SyncGroupResponseData> synced = new CompletableFuture<>();
        Effects fx = new Effects();
        sm.syncGroup(fx, now, new RequestMeta((short) 5, "client", "/127.0.0.1"), sync, synced);
        commit(fx);
        assertThat(Errors.forCode(synced.join().errorCode())).isEqualTo(Errors.NONE);
        Effects leave = new Effects();
        sm.leaveGroup(leave, now, new LeaveGroupRequestData().setGroupId(group), List.of(new LeaveGroupRequestData.MemberIdentity()
                .setMemberId(joined.memberId())));
        commit(leave);
        assertThat(sm.groupState(group)).isEqualTo(GroupState.EMPTY);
        assertThat(written).anyMatch(r -> r instanceof GroupRecord.GroupMetadata m && m.groupId().equals(group) && m.value() != null);
    }

    // ---------------------------------------------------------------- KIP-848

    private Errors consumerHeartbeat(ConsumerGroupHeartbeatRequestData request) {
        Effects fx = new Effects();
        Errors error = Errors.forCode(sm.consumerGroupHeartbeat(fx, now, new RequestMeta((short) 1, "client", "/127.0.0.1"), request)
                .errorCode());
        commit(fx);
        return error;
    }

    private void consumerJoin(String group, String memberId) {
        assertThat(consumerHeartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId(group).setMemberId(memberId).setMemberEpoch(0)
                .setRebalanceTimeoutMs(30_000).setSubscribedTopicNames(List.of("t")).setTopicPartitions(List.of())))
                .isEqualTo(Errors.NONE);
    }

    private void consumerLeave(String group, String memberId) {
        assertThat(consumerHeartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId(group).setMemberId(memberId).setMemberEpoch(-1)))
                .isEqualTo(Errors.NONE);
    }

    private Errors consumerCommit(String group, String memberId, int memberEpoch, long offset) {
        OffsetCommitRequestData request = new OffsetCommitRequestData().setGroupId(group).setMemberId(memberId)
                .setGenerationIdOrMemberEpoch(memberEpoch);
        request.topics().add(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("t").setPartitions(List.of(
                new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(offset))));
        CompletableFuture<OffsetCommitResponseData> f = new CompletableFuture<>();
        Effects fx = new Effects();
        sm.commitOffsets(fx, now, (short) 10, request, (t, p) -> t.equals("t") && p >= 0 && p < 6, f);
        commit(fx);
        return Errors.forCode(f.join().topics().get(0).partitions().get(0).errorCode());
    }

    // ---------------------------------------------------------------- tests

    /**
     * Consumers rolled back to classic, whose first classic joiner dies before coming back with its member id: Kafka
     * keeps the classic group that replaced the empty consumer group, so its offsets stay listed, deletable and
     * expirable (the group used to vanish and leave them orphaned).
     */
    @Test
    void shouldKeepTheReplacingClassicGroupWhenItsFirstJoinerNeverComesBack() {
        consumerJoin("g", "m1");
        assertThat(consumerCommit("g", "m1", 1, 42)).isEqualTo(Errors.NONE);
        consumerLeave("g", "m1");
        CompletableFuture<JoinGroupResponseData> f = new CompletableFuture<>();
        JoinGroupRequestData.JoinGroupRequestProtocolCollection c = new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
        c.add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range").setMetadata(new byte[] {1}));
        Effects fx = new Effects();
        sm.joinGroup(fx, now, new RequestMeta((short) 9, "client", "/127.0.0.1"), new JoinGroupRequestData().setGroupId("g")
                .setMemberId("").setProtocolType("consumer").setSessionTimeoutMs(6000).setRebalanceTimeoutMs(10_000)
                .setProtocols(c), f);
        commit(fx);
        assertThat(Errors.forCode(f.join().errorCode())).isEqualTo(Errors.MEMBER_ID_REQUIRED);
        advance(6000);

        assertThat(sm.fetchOffsets("g", null)).extracting(GroupStateMachine.FetchedOffset::offset).containsExactly(42L);
        assertThat(sm.listGroups(List.of(), List.of())).extracting(g -> g.groupId()).contains("g");
        Effects delete = new Effects();
        assertThat(sm.deleteGroup(delete, "g")).isEqualTo(Errors.NONE);
        commit(delete);
        assertThat(sm.fetchOffsets("g", null)).isEmpty();
    }

    /**
     * Consumers switched back to group.protocol=classic after every KIP-848 member stopped: as in
     * Kafka 4.4 (classicGroupJoinToClassicGroup, whatever group.consumer.migration.policy), the
     * empty consumer group is deleted and a classic group takes its id, with its committed offsets.
     */
    @Test
    void shouldReplaceAnEmptyConsumerGroupWithAClassicGroupKeepingItsOffsets() {
        consumerJoin("g", "m1");
        assertThat(consumerCommit("g", "m1", 1, 42)).isEqualTo(Errors.NONE);
        consumerLeave("g", "m1");
        assertThat(sm.consumerGroup("g").state()).isEqualTo(ConsumerGroup.State.EMPTY);

        JoinGroupResponseData first = classicJoin("g", "");
        assertThat(Errors.forCode(first.errorCode())).isEqualTo(Errors.MEMBER_ID_REQUIRED);
        assertThat(written).contains(new GroupRecord.ConsumerGroupMetadata("g", null));
        assertThat(sm.consumerGroup("g")).isNull();
        JoinGroupResponseData joined = classicJoin("g", first.memberId());
        assertThat(Errors.forCode(joined.errorCode())).isEqualTo(Errors.NONE);
        assertThat(joined.generationId()).isEqualTo(1);
        assertThat(sm.listGroups(List.of(), List.of())).singleElement()
                .satisfies(g -> assertThat(g.groupType()).isEqualTo("classic"));
        assertThat(sm.fetchOffsets("g", null)).extracting(GroupStateMachine.FetchedOffset::offset).containsExactly(42L);

        GroupStateMachine restarted = restart();
        assertThat(restarted.consumerGroup("g")).isNull();
        assertThat(restarted.groupState("g")).isNotNull();
        assertThat(restarted.fetchOffsets("g", null)).extracting(GroupStateMachine.FetchedOffset::offset).containsExactly(42L);
    }

    /** A refused classic join still replaces the empty consumer group: its offsets then keep an empty classic group. */
    @Test
    void shouldKeepTheOffsetsOfAReplacedConsumerGroupInAnEmptyGroupWhenTheClassicJoinIsRefused() {
        consumerJoin("g", "m1");
        assertThat(consumerCommit("g", "m1", 1, 42)).isEqualTo(Errors.NONE);
        consumerLeave("g", "m1");

        assertThat(Errors.forCode(classicJoin("g", "stale-member-id").errorCode())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(sm.consumerGroup("g")).isNull();
        assertThat(sm.groupState("g")).isEqualTo(GroupState.EMPTY);
        assertThat(sm.fetchOffsets("g", null)).extracting(GroupStateMachine.FetchedOffset::offset).containsExactly(42L);
        assertThat(restart().groupState("g")).isEqualTo(GroupState.EMPTY);
    }

    /**
     * Kafka 4.4 maybeDeleteEmptyClassicGroup: a consumer group replacing an empty classic group
     * tombstones its snapshot. Without it, once the consumer group is deleted and compaction has
     * dropped the tombstones, a restart brings the deleted classic group back.
     */
    @Test
    void shouldKeepADeletedGroupDeletedAfterCompactionAndRestart() {
        classicGroupThatEmptied("g");
        int before = written.size();
        consumerJoin("g", "m1");
        assertThat(written.get(before)).as("the classic group's tombstone comes first, as in Kafka")
                .isEqualTo(new GroupRecord.GroupMetadata("g", null));
        consumerLeave("g", "m1");
        Effects delete = new Effects();
        assertThat(sm.deleteGroup(delete, "g")).isEqualTo(Errors.NONE);
        commit(delete);
        assertThat(sm.listGroups(List.of(), List.of())).isEmpty();

        // Compaction after delete.retention.ms: the last record of each key, tombstones dropped.
        Map<String, GroupRecord> lastByKey = new LinkedHashMap<>();
        for (GroupRecord r : written) {
            String key = Arrays.toString(GroupRecordCodec.encodeKey(r));
            lastByKey.remove(key);
            lastByKey.put(key, r);
        }
        GroupStateMachine restarted = newStateMachine();
        for (GroupRecord r : lastByKey.values()) {
            byte[] value = GroupRecordCodec.encodeValue(r);
            if (value != null) {
                restarted.replay(GroupRecordCodec.decode(ByteBuffer.wrap(GroupRecordCodec.encodeKey(r)), ByteBuffer.wrap(value)), now, true);
            }
        }
        restarted.onLoaded(now);
        assertThat(restarted.listGroups(List.of(), List.of())).isEmpty();
    }

    /** No online migration: a classic member cannot join a KIP-848 group that has members (Kafka converts it). */
    @Test
    void shouldRefuseAClassicMemberInAConsumerGroupWithMembers() {
        consumerJoin("g", "m1");
        assertThat(Errors.forCode(classicJoin("g", "").errorCode())).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
        assertThat(sm.consumerGroup("g").members()).containsOnlyKeys("m1");
        assertThat(written).doesNotContain(new GroupRecord.ConsumerGroupMetadata("g", null));
    }
}
