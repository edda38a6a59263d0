package io.gregor.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The group state machine driven by a fake clock and timer: responses, states and records. */
@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ClassicGroupsTest extends GroupStateMachineTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static JoinGroupRequestData joinRequest(String group, String memberId, String protocolType, String... protocols) {
        JoinGroupRequestData.JoinGroupRequestProtocolCollection c = new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
        for (String p : protocols) {
            c.add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName(p).setMetadata(bytes("meta-" + p)));
        }
        return new JoinGroupRequestData().setGroupId(group).setMemberId(memberId).setProtocolType(protocolType)
                .setSessionTimeoutMs(6000).setRebalanceTimeoutMs(10_000).setProtocols(c);
    }

    private CompletableFuture<JoinGroupResponseData> join(JoinGroupRequestData request) {
        CompletableFuture<JoinGroupResponseData> f = new CompletableFuture<>();
        Effects fx = new Effects();
        sm.joinGroup(fx, now, new RequestMeta((short) 9, "client", "/127.0.0.1"), request, f);
        commit(fx);
        advance(0);
        return f;
    }

    /** KIP-394: the first JoinGroup returns a member id, the second joins with it. */
    private CompletableFuture<JoinGroupResponseData> joinNew(String group, String... protocols) {
        JoinGroupResponseData first = join(joinRequest(group, "", "consumer", protocols)).join();
        assertThat(Errors.forCode(first.errorCode())).isEqualTo(Errors.MEMBER_ID_REQUIRED);
        assertThat(first.memberId()).startsWith("client-");
        return join(joinRequest(group, first.memberId(), "consumer", protocols));
    }

    private CompletableFuture<SyncGroupResponseData> sync(String group, String memberId, int generation, Map<String, String> assignments) {
        SyncGroupRequestData request = new SyncGroupRequestData().setGroupId(group).setMemberId(memberId).setGenerationId(generation);
        assignments.forEach((m, a) -> request.assignments().add(new SyncGroupRequestData.SyncGroupRequestAssignment()
                .setMemberId(m).setAssignment(bytes(a))));
        CompletableFuture<SyncGroupResponseData> f = new CompletableFuture<>();
        Effects fx = new Effects();
        sm.syncGroup(fx, now, new RequestMeta((short) 5, "client", "/127.0.0.1"), request, f);
        commit(fx);
        return f;
    }

    private Errors heartbeat(String group, String memberId, int generation) {
        return Errors.forCode(sm.heartbeat(now, new HeartbeatRequestData().setGroupId(group).setMemberId(memberId)
                .setGenerationId(generation)).errorCode());
    }

    private OffsetCommitResponseData commitOffsets(short version, String group, String memberId, int generation, String metadata) {
        OffsetCommitRequestData request = new OffsetCommitRequestData().setGroupId(group).setMemberId(memberId)
                .setGenerationIdOrMemberEpoch(generation);
        request.topics().add(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("t").setPartitions(List.of(
                new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(42)
                        .setCommittedMetadata(metadata))));
        CompletableFuture<OffsetCommitResponseData> f = new CompletableFuture<>();
        Effects fx = new Effects();
        sm.commitOffsets(fx, now, version, request, (t, p) -> t.equals("t") && p == 0, f);
        commit(fx);
        return f.join();
    }

    private static Errors commitError(OffsetCommitResponseData r) {
        return Errors.forCode(r.topics().get(0).partitions().get(0).errorCode());
    }

    @Test
    void shouldWaitForTheInitialRebalanceDelayThenStabilizeOnLeaderSync() {
        config = GroupConfig.defaults(3000);
        sm = new GroupStateMachine(config, timer, g -> 0);
        CompletableFuture<JoinGroupResponseData> joined = joinNew("g", "range");
        assertThat(sm.groupState("g")).isEqualTo(GroupState.PREPARING_REBALANCE);
        advance(2999);
        assertThat(joined).isNotDone();
        advance(1);
        JoinGroupResponseData r = joined.join();
        assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.NONE);
        assertThat(r.generationId()).isEqualTo(1);
        assertThat(r.leader()).isEqualTo(r.memberId());
        assertThat(r.protocolName()).isEqualTo("range");
        assertThat(r.members()).singleElement().satisfies(m -> assertThat(m.metadata()).isEqualTo(bytes("meta-range")));
        assertThat(sm.groupState("g")).isEqualTo(GroupState.COMPLETING_REBALANCE);

        SyncGroupResponseData s = sync("g", r.memberId(), 1, Map.of(r.memberId(), "a0")).join();
        assertThat(s.assignment()).isEqualTo(bytes("a0"));
        assertThat(sm.groupState("g")).isEqualTo(GroupState.STABLE);
        assertThat(written).singleElement().isInstanceOfSatisfying(GroupRecord.GroupMetadata.class, gm -> {
            assertThat(gm.value().generationId()).isEqualTo(1);
            assertThat(gm.value().members()).singleElement().satisfies(m -> assertThat(m.assignment()).isEqualTo(bytes("a0")));
        });
        assertThat(sm.rebalanceHistory("g")).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo(RebalanceEvent.Reason.MEMBER_JOINED);
            assertThat(e.generationId()).isEqualTo(1);
            assertThat(e.members()).hasSize(1);
        });
    }

    /** Two members in generation 2; returns {leaderId, followerId}. */
    private String[] twoMemberGroup() {
        JoinGroupResponseData a = joinNew("g", "range").join();
        sync("g", a.memberId(), 1, Map.of(a.memberId(), "all")).join();
        CompletableFuture<JoinGroupResponseData> b = joinNew("g", "range");
        assertThat(b).isNotDone();
        assertThat(heartbeat("g", a.memberId(), 1)).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        CompletableFuture<JoinGroupResponseData> a2 = join(joinRequest("g", a.memberId(), "consumer", "range"));
        assertThat(a2.join().generationId()).isEqualTo(2);
        assertThat(a2.join().members()).hasSize(2);
        assertThat(b.join().members()).isEmpty();
        CompletableFuture<SyncGroupResponseData> followerSync = sync("g", b.join().memberId(), 2, Map.of());
        assertThat(followerSync).isNotDone();
        sync("g", a.memberId(), 2, Map.of(a.memberId(), "p0", b.join().memberId(), "p1")).join();
        assertThat(followerSync.join().assignment()).isEqualTo(bytes("p1"));
        return new String[] {a.memberId(), b.join().memberId()};
    }

    @Test
    void shouldHoldFollowerSyncUntilTheLeaderAssigns() {
        twoMemberGroup();
        assertThat(sm.groupState("g")).isEqualTo(GroupState.STABLE);
        assertThat(sm.generationId("g")).isEqualTo(2);
    }

    @Test
    void shouldRemoveAMemberThatMissesItsSessionTimeout() {
        String[] m = twoMemberGroup();
        for (int i = 0; i < 2; i++) {
            advance(2000);
            assertThat(heartbeat("g", m[0], 2)).isEqualTo(Errors.NONE);
        }
        advance(1999);
        assertThat(sm.groupState("g")).isEqualTo(GroupState.STABLE);
        advance(1);
        assertThat(sm.groupState("g")).isEqualTo(GroupState.PREPARING_REBALANCE);
        assertThat(heartbeat("g", m[0], 2)).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        assertThat(heartbeat("g", m[1], 2)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        JoinGroupResponseData r = join(joinRequest("g", m[0], "consumer", "range")).join();
        assertThat(r.generationId()).isEqualTo(3);
        assertThat(r.members()).hasSize(1);
        assertThat(sm.rebalanceHistory("g")).last().satisfies(e -> assertThat(e.reason()).isEqualTo(RebalanceEvent.Reason.SESSION_TIMEOUT));
    }

    /** Kafka 4.4 OffsetMetadataManager.commitOffset: a commit keeps the session alive in Stable and PreparingRebalance. */
    @Test
    void shouldKeepAMemberThatCommitsOffsetsAliveLikeAHeartbeat() {
        JoinGroupResponseData a = joinNew("g", "range").join();
        sync("g", a.memberId(), 1, Map.of(a.memberId(), "all")).join();
        advance(4000);
        assertThat(commitError(commitOffsets((short) 9, "g", a.memberId(), 1, ""))).isEqualTo(Errors.NONE);
        advance(4000); // 8 s after the last heartbeat, 4 s after the commit; session timeout 6 s
        assertThat(sm.groupState("g")).isEqualTo(GroupState.STABLE);
        assertThat(heartbeat("g", a.memberId(), 1)).isEqualTo(Errors.NONE);
        advance(5999);
        assertThat(commitError(commitOffsets((short) 9, "g", "intruder", 1, ""))).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(commitError(commitOffsets((short) 9, "g", a.memberId(), 2, ""))).isEqualTo(Errors.ILLEGAL_GENERATION);
        advance(1);
        assertThat(sm.groupState("g")).as("refused commits extend nothing").isEqualTo(GroupState.EMPTY);
    }

    @Test
    void shouldDropMembersThatDoNotRejoinWithinTheRebalanceTimeout() {
        String[] m = twoMemberGroup();
        Effects fx = new Effects();
        sm.leaveGroup(fx, now, new LeaveGroupRequestData().setGroupId("g"), List.of());
        CompletableFuture<JoinGroupResponseData> rejoin = join(joinRequest("g", m[0], "consumer", "range"));
        assertThat(rejoin).isNotDone();
        advance(5000);
        assertThat(heartbeat("g", m[1], 2)).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        advance(5000);
        assertThat(rejoin.join().generationId()).isEqualTo(3);
        assertThat(rejoin.join().members()).hasSize(1);
        assertThat(sm.rebalanceHistory("g")).last().satisfies(e -> {
            assertThat(e.reason()).isEqualTo(RebalanceEvent.Reason.LEADER_REJOINED);
            assertThat(e.removedMembers()).containsExactly(m[1]);
        });
    }

    @Test
    void shouldEmptyTheGroupWhenTheLastMemberLeaves() {
        JoinGroupResponseData a = joinNew("g", "range").join();
        sync("g", a.memberId(), 1, Map.of(a.memberId(), "x")).join();
        Effects fx = new Effects();
        var response = sm.leaveGroup(fx, now, new LeaveGroupRequestData().setGroupId("g"),
                List.of(new LeaveGroupRequestData.MemberIdentity().setMemberId(a.memberId()), new LeaveGroupRequestData.MemberIdentity().setMemberId("nobody")));
        commit(fx);
        assertThat(response.members()).extracting(x -> Errors.forCode(x.errorCode())).containsExactly(Errors.NONE, Errors.UNKNOWN_MEMBER_ID);
        assertThat(sm.groupState("g")).isEqualTo(GroupState.EMPTY);
        assertThat(sm.generationId("g")).isEqualTo(2);
        assertThat(written).last().isInstanceOfSatisfying(GroupRecord.GroupMetadata.class,
                gm -> assertThat(gm.value().members()).isEmpty());
    }

    @Test
    void shouldAnswerBadInputWithKafkaErrors() {
        assertThat(Errors.forCode(join(joinRequest("", "", "consumer", "range")).join().errorCode())).isEqualTo(Errors.INVALID_GROUP_ID);
        assertThat(Errors.forCode(join(joinRequest("g", "", "consumer", "range").setSessionTimeoutMs(5999)).join().errorCode()))
                .isEqualTo(Errors.INVALID_SESSION_TIMEOUT);
        assertThat(Errors.forCode(join(joinRequest("g", "ghost", "consumer", "range")).join().errorCode())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(Errors.forCode(join(joinRequest("g", "", "consumer")).join().errorCode())).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
        JoinGroupResponseData a = joinNew("g", "range").join();
        sync("g", a.memberId(), 1, Map.of()).join();
        assertThat(Errors.forCode(join(joinRequest("g", "", "connect", "range")).join().errorCode())).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
        assertThat(Errors.forCode(join(joinRequest("g", "", "consumer", "roundrobin")).join().errorCode())).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
        assertThat(heartbeat("g", a.memberId(), 7)).isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(heartbeat("g", "ghost", 1)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(heartbeat("nogroup", "ghost", 1)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(Errors.forCode(sync("g", a.memberId(), 7, Map.of()).join().errorCode())).isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(sm.groupState("g")).isEqualTo(GroupState.STABLE);
        assertThat(written).hasSize(1);
    }

    @Test
    void shouldRefuseMembersBeyondGroupMaxSize() {
        sm = new GroupStateMachine(GroupConfig.defaults(0).withMaxSize(1), timer, g -> 0);
        JoinGroupResponseData a = joinNew("g", "range").join();
        sync("g", a.memberId(), 1, Map.of()).join();
        assertThat(Errors.forCode(join(joinRequest("g", "", "consumer", "range")).join().errorCode())).isEqualTo(Errors.GROUP_MAX_SIZE_REACHED);
    }

    @Test
    void shouldFenceTheOldMemberOfAStaticInstance() {
        JoinGroupResponseData a = join(joinRequest("g", "", "consumer", "range").setGroupInstanceId("i1")).join();
        assertThat(a.memberId()).startsWith("i1-");
        sync("g", a.memberId(), 1, Map.of(a.memberId(), "mine")).join();
        JoinGroupResponseData b = join(joinRequest("g", "", "consumer", "range").setGroupInstanceId("i1")).join();
        assertThat(Errors.forCode(b.errorCode())).isEqualTo(Errors.NONE);
        assertThat(b.generationId()).as("no rebalance for a returning static member").isEqualTo(1);
        assertThat(Errors.forCode(sm.heartbeat(now, new HeartbeatRequestData().setGroupId("g").setMemberId(a.memberId())
                .setGroupInstanceId("i1").setGenerationId(1)).errorCode())).isEqualTo(Errors.FENCED_INSTANCE_ID);
        assertThat(sync("g", b.memberId(), 1, Map.of()).join().assignment()).isEqualTo(bytes("mine"));
    }

    @Test
    void shouldValidateOffsetCommitsLikeKafka() {
        assertThat(commitError(commitOffsets((short) 8, "nogroup", "m", 1, ""))).isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(commitError(commitOffsets((short) 9, "nogroup", "m", 1, ""))).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
        assertThat(commitError(commitOffsets((short) 9, "simple", "", -1, "hello"))).isEqualTo(Errors.NONE);
        assertThat(sm.groupState("simple")).isEqualTo(GroupState.EMPTY);
        JoinGroupResponseData a = joinNew("g", "range").join();
        assertThat(commitError(commitOffsets((short) 9, "g", a.memberId(), 1, ""))).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        sync("g", a.memberId(), 1, Map.of()).join();
        written.clear();
        assertThat(commitError(commitOffsets((short) 9, "g", "", -1, ""))).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(commitError(commitOffsets((short) 9, "g", "intruder", 1, ""))).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(commitError(commitOffsets((short) 9, "g", a.memberId(), 2, ""))).isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(commitError(commitOffsets((short) 9, "g", a.memberId(), 1, "x".repeat(4097)))).isEqualTo(Errors.OFFSET_METADATA_TOO_LARGE);
        assertThat(written).isEmpty();
        assertThat(sm.fetchOffsets("g", null)).isEmpty();
        assertThat(commitError(commitOffsets((short) 9, "g", a.memberId(), 1, "ok"))).isEqualTo(Errors.NONE);
        assertThat(written).singleElement().isEqualTo(new GroupRecord.OffsetCommit("g", "t", 0,
                new GroupRecord.CommittedOffset(42, -1, "ok", now, OptionalLong.empty())));
        assertThat(sm.fetchOffsets("g", null)).containsExactly(new GroupStateMachine.FetchedOffset("t", 0, 42, -1, "ok"));
        assertThat(sm.fetchOffsets("g", Map.of("t", List.of(0, 1)))).extracting(GroupStateMachine.FetchedOffset::offset).containsExactly(42L, -1L);
    }

    @Test
    void shouldRebuildGroupsAndOffsetsByReplayingTheirRecords() {
        String[] m = twoMemberGroup();
        commitOffsets((short) 9, "g", m[0], 2, "meta");
        commitOffsets((short) 9, "simple", "", -1, "");
        Effects fx = new Effects();
        assertThat(sm.deleteGroup(fx, "simple")).isEqualTo(Errors.NONE);
        commit(fx);
        assertThat(sm.groupState("simple")).isNull();

        GroupStateMachine loaded = new GroupStateMachine(config, new FakeGroupTimer(), g -> 0);
        for (GroupRecord r : written) {
            GroupRecord decoded = GroupRecordCodec.decode(ByteBuffer.wrap(GroupRecordCodec.encodeKey(r)),
                    GroupRecordCodec.encodeValue(r) == null ? null : ByteBuffer.wrap(GroupRecordCodec.encodeValue(r)));
            loaded.replay(decoded, now, true);
        }
        loaded.onLoaded(now);
        assertThat(loaded.groupState("g")).isEqualTo(GroupState.STABLE);
        assertThat(loaded.generationId("g")).isEqualTo(2);
        assertThat(loaded.groupState("simple")).isNull();
        assertThat(loaded.fetchOffsets("g", null)).isEqualTo(sm.fetchOffsets("g", null));
        DescribeGroupsResponseData.DescribedGroup before = sm.describeGroup("g");
        DescribeGroupsResponseData.DescribedGroup after = loaded.describeGroup("g");
        assertThat(after).isEqualTo(before);
        assertThat(Errors.forCode(loaded.heartbeat(now, new HeartbeatRequestData().setGroupId("g").setMemberId(m[1])
                .setGenerationId(2)).errorCode())).isEqualTo(Errors.NONE);
    }

    private static final long RETENTION_MS = GroupConfig.defaults(0).offsetsRetentionMs();

    private CompletableFuture<OffsetCommitResponseData> commitOffset(Effects fx, String group, String memberId, int generation,
                                                                     String topic) {
        OffsetCommitRequestData request = new OffsetCommitRequestData().setGroupId(group).setMemberId(memberId)
                .setGenerationIdOrMemberEpoch(generation);
        request.topics().add(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName(topic).setPartitions(List.of(
                new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(7))));
        CompletableFuture<OffsetCommitResponseData> f = new CompletableFuture<>();
        sm.commitOffsets(fx, now, (short) 9, request, (t, p) -> true, f);
        return f;
    }

    private void commitOffset(String group, String memberId, int generation, String topic) {
        Effects fx = new Effects();
        CompletableFuture<OffsetCommitResponseData> f = commitOffset(fx, group, memberId, generation, topic);
        commit(fx);
        assertThat(commitError(f.join())).isEqualTo(Errors.NONE);
    }

    private void expireOffsets() {
        Effects fx = new Effects();
        sm.expireOffsets(fx, now);
        commit(fx);
    }

    private List<String> committedTopics(String group) {
        return sm.fetchOffsets(group, null).stream().map(GroupStateMachine.FetchedOffset::topic).toList();
    }

    @Test
    void shouldExpireStandaloneOffsetsByCommitTimeThenDeleteTheGroup() {
        commitOffset("simple", "", -1, "old");
        advance(RETENTION_MS / 2);
        commitOffset("simple", "", -1, "new");
        advance(RETENTION_MS / 2 - 1);
        expireOffsets();
        assertThat(committedTopics("simple")).containsExactly("new", "old");
        advance(1);
        expireOffsets();
        assertThat(committedTopics("simple")).containsExactly("new");
        assertThat(sm.groupState("simple")).isEqualTo(GroupState.EMPTY);
        advance(RETENTION_MS / 2);
        expireOffsets();
        assertThat(committedTopics("simple")).isEmpty();
        assertThat(sm.groupState("simple")).as("an empty group without offsets is deleted").isNull();
        assertThat(written).contains(new GroupRecord.GroupMetadata("simple", null));
    }

    /**
     * A simple group (standalone commits) whose first classic joiner never comes back with its member id: as in
     * Kafka 4.4 (removePendingMemberAndUpdateClassicGroup only drops the pending member), the group stays, so
     * DeleteGroups deletes it with its offsets and its offsets keep expiring (they were orphaned: fetched, but
     * neither deletable nor expiring).
     */
    @Test
    void shouldKeepASimpleGroupWithOffsetsWhenItsFirstJoinerNeverComesBack() {
        commitOffset("simple", "", -1, "t");
        JoinGroupResponseData first = join(joinRequest("simple", "", "consumer", "range")).join();
        assertThat(Errors.forCode(first.errorCode())).isEqualTo(Errors.MEMBER_ID_REQUIRED);
        advance(config.maxSessionTimeoutMs()); // the pending member's session ends
        assertThat(committedTopics("simple")).containsExactly("t");
        assertThat(sm.groupState("simple")).isEqualTo(GroupState.EMPTY);

        advance(RETENTION_MS);
        expireOffsets();
        assertThat(committedTopics("simple")).as("offsets past offsets.retention.minutes").isEmpty();
        assertThat(sm.groupState("simple")).isNull();
    }

    private void commitStandaloneOffset(short version, String topic, long retentionTimeMs) {
        OffsetCommitRequestData request = new OffsetCommitRequestData().setGroupId("simple").setMemberId("")
                .setGenerationIdOrMemberEpoch(-1).setRetentionTimeMs(retentionTimeMs);
        request.topics().add(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName(topic).setPartitions(List.of(
                new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(7))));
        CompletableFuture<OffsetCommitResponseData> f = new CompletableFuture<>();
        Effects fx = new Effects();
        sm.commitOffsets(fx, now, version, request, (t, p) -> true, f);
        commit(fx);
        assertThat(commitError(f.join())).isEqualTo(Errors.NONE);
    }

    /**
     * Kafka 4.4 OffsetMetadataManager: an OffsetCommit v2-v4 RetentionTimeMs other than -1 gives the
     * offset an expire timestamp (now + retention), and expiry goes by it instead of offsets.retention.minutes.
     */
    @Test
    void shouldExpireAnOffsetAtTheRetentionTimeItsCommitGave() {
        commitStandaloneOffset((short) 2, "hour", 3_600_000L);
        commitStandaloneOffset((short) 2, "long", 2 * RETENTION_MS);
        commitStandaloneOffset((short) 4, "default", -1);
        assertThat(written).extracting(r -> ((GroupRecord.OffsetCommit) r).value().expireTimestampMs())
                .containsExactly(OptionalLong.of(now + 3_600_000L), OptionalLong.of(now + 2 * RETENTION_MS), OptionalLong.empty());
        advance(3_600_000L - 1);
        expireOffsets();
        assertThat(committedTopics("simple")).containsExactly("default", "hour", "long");
        advance(1);
        expireOffsets();
        assertThat(committedTopics("simple")).containsExactly("default", "long");
        advance(RETENTION_MS - 3_600_000L);
        expireOffsets();
        assertThat(committedTopics("simple")).as("past offsets.retention.minutes, kept to its own expire timestamp").containsExactly("long");
        advance(RETENTION_MS);
        expireOffsets();
        assertThat(committedTopics("simple")).isEmpty();
        assertThat(sm.groupState("simple")).isNull();
    }

    @Test
    void shouldWriteTheExpireTimestampOnlyWhenGivenAndReadOffsetsWrittenWithoutIt() {
        GroupRecord.OffsetCommit plain = new GroupRecord.OffsetCommit("g", "t", 3, new GroupRecord.CommittedOffset(42, 5, "m", now,
                OptionalLong.empty()));
        GroupRecord.OffsetCommit expiring = new GroupRecord.OffsetCommit("g", "t", 3, new GroupRecord.CommittedOffset(42, 5, "m", now,
                OptionalLong.of(now + 1000)));
        ByteBuffer v0 = ByteBuffer.allocate(2 + 8 + 4 + 4 + 1 + 8).putShort((short) 0).putLong(42).putInt(5).putInt(1).put((byte) 'm')
                .putLong(now).flip();
        assertThat(GroupRecordCodec.encodeValue(plain)).as("records without an expire timestamp stay version 0").isEqualTo(v0.array());
        ByteBuffer key = ByteBuffer.wrap(GroupRecordCodec.encodeKey(plain));
        assertThat(GroupRecordCodec.decode(key, v0)).isEqualTo(plain);
        assertThat(GroupRecordCodec.decode(key, ByteBuffer.wrap(GroupRecordCodec.encodeValue(expiring)))).isEqualTo(expiring);
    }

    @Test
    void shouldExpireOffsetsOfAnEmptiedGroupCountingFromWhenItBecameEmpty() {
        JoinGroupResponseData a = joinNew("g", "range").join();
        sync("g", a.memberId(), 1, Map.of(a.memberId(), "all")).join();
        commitOffset("g", a.memberId(), 1, "t");
        now += RETENTION_MS; // no timers fire: as if the member kept heartbeating
        expireOffsets();
        assertThat(committedTopics("g")).as("a Stable group with unknown subscriptions keeps its offsets").containsExactly("t");

        Effects fx = new Effects();
        sm.leaveGroup(fx, now, new LeaveGroupRequestData().setGroupId("g"),
                List.of(new LeaveGroupRequestData.MemberIdentity().setMemberId(a.memberId())));
        commit(fx);
        assertThat(sm.groupState("g")).isEqualTo(GroupState.EMPTY);
        advance(RETENTION_MS - 1);
        expireOffsets();
        assertThat(committedTopics("g")).containsExactly("t");
        advance(1);
        expireOffsets();
        assertThat(committedTopics("g")).isEmpty();
        assertThat(sm.groupState("g")).isNull();
    }

    @Test
    void shouldExpireOffsetsOfTopicsAStableConsumerGroupDoesNotSubscribeTo() {
        byte[] subscription = Utils.toArray(ConsumerProtocol.serializeSubscription(
                new ConsumerPartitionAssignor.Subscription(List.of("t"))));
        JoinGroupRequestData request = joinRequest("g", "", "consumer", "range");
        request.protocols().iterator().next().setMetadata(subscription);
        String memberId = join(request).join().memberId();
        JoinGroupResponseData joined = join(request.duplicate().setMemberId(memberId)).join();
        sync("g", memberId, joined.generationId(), Map.of(memberId, "all")).join();
        commitOffset("g", memberId, joined.generationId(), "t");
        commitOffset("g", memberId, joined.generationId(), "unsubscribed");
        now += RETENTION_MS; // no timers fire: as if the member kept heartbeating
        expireOffsets();
        assertThat(committedTopics("g")).containsExactly("t");
        assertThat(sm.groupState("g")).isEqualTo(GroupState.STABLE);
    }

    @Test
    void shouldStartANewRebalanceWhenTheAssignmentCannotBeWritten() {
        JoinGroupResponseData a = joinNew("g", "range").join();
        SyncGroupRequestData request = new SyncGroupRequestData().setGroupId("g").setMemberId(a.memberId()).setGenerationId(1);
        request.assignments().add(new SyncGroupRequestData.SyncGroupRequestAssignment().setMemberId(a.memberId()).setAssignment(bytes("a")));
        CompletableFuture<SyncGroupResponseData> synced = new CompletableFuture<>();
        Effects fx = new Effects();
        sm.syncGroup(fx, now, new RequestMeta((short) 5, "client", "/127.0.0.1"), request, synced);
        Effects next = new Effects();
        fx.writeFailed(Errors.NOT_COORDINATOR, "injected", now, next);
        commit(next);

        assertThatThrownBy(synced::join).hasCauseInstanceOf(NotCoordinatorException.class);
        assertThat(sm.groupState("g")).isEqualTo(GroupState.PREPARING_REBALANCE);
        assertThat(heartbeat("g", a.memberId(), 1)).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        JoinGroupResponseData rejoined = join(joinRequest("g", a.memberId(), "consumer", "range")).join();
        assertThat(rejoined.generationId()).isEqualTo(2);
        assertThat(sync("g", a.memberId(), 2, Map.of(a.memberId(), "b")).join().assignment()).isEqualTo(bytes("b"));
    }

    @Test
    void shouldLeaveNoGroupOrOffsetWhenASimpleCommitCannotBeWritten() {
        Effects fx = new Effects();
        CompletableFuture<OffsetCommitResponseData> f = commitOffset(fx, "simple", "", -1, "t");
        fx.writeFailed(Errors.NOT_COORDINATOR, "injected", now, new Effects());
        assertThatThrownBy(f::join).hasCauseInstanceOf(NotCoordinatorException.class);
        assertThat(sm.groupState("simple")).isNull();
        assertThat(sm.fetchOffsets("simple", null)).isEmpty();
    }

    private CompletableFuture<JoinGroupResponseData> joinAt(short version, JoinGroupRequestData request) {
        CompletableFuture<JoinGroupResponseData> f = new CompletableFuture<>();
        Effects fx = new Effects();
        sm.joinGroup(fx, now, new RequestMeta(version, "client", "/127.0.0.1"), request, f);
        commit(fx);
        advance(0);
        return f;
    }

    /**
     * As Kafka 4.4's describeGroups: outside Stable a member is described without its protocol metadata but with its
     * assignment (kafka-consumer-groups --describe --members --verbose during a rebalance).
     */
    @Test
    void shouldDescribeMembersWithTheirAssignmentDuringARebalance() {
        String[] m = twoMemberGroup();
        CompletableFuture<JoinGroupResponseData> rejoin = join(joinRequest("g", m[0], "consumer", "range"));
        assertThat(rejoin).isNotDone();
        assertThat(sm.groupState("g")).isEqualTo(GroupState.PREPARING_REBALANCE);
        DescribeGroupsResponseData.DescribedGroup d = sm.describeGroup("g");
        assertThat(d.protocolData()).isEmpty();
        assertThat(d.members()).filteredOn(x -> x.memberId().equals(m[1])).singleElement().satisfies(x -> {
            assertThat(x.memberMetadata()).isEmpty();
            assertThat(x.memberAssignment()).isEqualTo(bytes("p1"));
        });
    }

    /**
     * A static leader restarting (a new member id) while the group is Stable, at JoinGroup before v9 (librdkafka,
     * Sarama, kafka-python): as Kafka, it is told the old leader id and no members, so it does not compute an assignment
     * that the Stable group would drop; from v9 it gets skipAssignment instead.
     */
    @Test
    void shouldNotMakeARestartedStaticLeaderComputeAnAssignmentBeforeV9() {
        JoinGroupRequestData request = joinRequest("g", "", "consumer", "range").setGroupInstanceId("i1");
        JoinGroupResponseData first = joinAt((short) 5, request).join();
        assertThat(first.leader()).isEqualTo(first.memberId());
        sync("g", first.memberId(), first.generationId(), Map.of(first.memberId(), "a")).join();
        assertThat(sm.groupState("g")).isEqualTo(GroupState.STABLE);

        JoinGroupResponseData again = joinAt((short) 5, request.duplicate()).join();
        assertThat(Errors.forCode(again.errorCode())).isEqualTo(Errors.NONE);
        assertThat(again.memberId()).isNotEqualTo(first.memberId());
        assertThat(again.generationId()).isEqualTo(first.generationId());
        assertThat(again.leader()).isEqualTo(first.memberId());
        assertThat(again.members()).isEmpty();
    }

    /** Kafka's ClassicGroup.validateMember: an instance id the group does not know is UNKNOWN_MEMBER_ID (rejoin), not fenced. */
    @Test
    void shouldAnswerUnknownMemberForAnUnknownInstanceIdOfAKnownMemberId() {
        String[] m = twoMemberGroup();
        Errors error = Errors.forCode(sm.heartbeat(now, new HeartbeatRequestData().setGroupId("g").setMemberId(m[1])
                .setGroupInstanceId("never-joined").setGenerationId(2)).errorCode());
        assertThat(error).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }
}
