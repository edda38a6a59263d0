package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gregor.testkit.RawClient;
import io.gregor.testkit.TestNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeGroupsRequest;
import org.apache.kafka.common.requests.DescribeGroupsResponse;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.HeartbeatResponse;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.JoinGroupResponse;
import org.apache.kafka.common.requests.LeaveGroupRequest;
import org.apache.kafka.common.requests.LeaveGroupResponse;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetCommitResponse;
import org.apache.kafka.common.requests.OffsetFetchRequest;
import org.apache.kafka.common.requests.OffsetFetchResponse;
import org.apache.kafka.common.requests.SyncGroupRequest;
import org.apache.kafka.common.requests.SyncGroupResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Group APIs at the wire, where the official client would hide the error codes: each bad
 * request gets Kafka's code and leaves the group and its offsets as they were.
 */
@Timeout(60)
class ConsumerGroupWireTest {

    private static TestNode node;

    @BeforeAll
    static void start() throws Exception {
        node = TestNode.builder().override("group.initial.rebalance.delay.ms", "0").override("group.max.size", "1").start();
        Clients.createTopic(node, "t", 1, Map.of());
        try (RawClient client = RawClient.connect(node)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                FindCoordinatorResponse r = client.send(new FindCoordinatorRequest.Builder(new FindCoordinatorRequestData()
                        .setKeyType((byte) 0).setCoordinatorKeys(List.of("warm-up"))).build((short) 6));
                return r.data().coordinators().get(0).errorCode() == Errors.NONE.code();
            });
        }
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static JoinGroupRequestData join(String group, String memberId, String protocolType, String protocol) {
        JoinGroupRequestData.JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
        protocols.add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName(protocol).setMetadata(new byte[] {1, 2}));
        return new JoinGroupRequestData().setGroupId(group).setMemberId(memberId).setProtocolType(protocolType)
                .setSessionTimeoutMs(10_000).setRebalanceTimeoutMs(10_000).setProtocols(protocols);
    }

    /** One member in generation 1, Stable; returns its member id. */
    private static String stableMember(RawClient client, String group) {
        JoinGroupResponse first = client.send(new JoinGroupRequest.Builder(join(group, "", "consumer", "range")).build((short) 9));
        assertThat(first.error()).isEqualTo(Errors.MEMBER_ID_REQUIRED);
        JoinGroupResponseData joined = ((JoinGroupResponse) client.send(new JoinGroupRequest.Builder(
                join(group, first.data().memberId(), "consumer", "range")).build((short) 9))).data();
        assertThat(joined.errorCode()).isZero();
        assertThat(joined.generationId()).isEqualTo(1);
        SyncGroupResponse synced = client.send(new SyncGroupRequest.Builder(new SyncGroupRequestData().setGroupId(group)
                .setMemberId(joined.memberId()).setGenerationId(1).setProtocolType("consumer").setProtocolName("range")
                .setAssignments(List.of(new SyncGroupRequestData.SyncGroupRequestAssignment().setMemberId(joined.memberId())
                        .setAssignment(new byte[] {9})))).build((short) 5));
        assertThat(synced.data().assignment()).containsExactly(9);
        return joined.memberId();
    }

    private static Errors commit(RawClient client, String group, String memberId, int generation, short version) {
        OffsetCommitResponse r = client.send(OffsetCommitRequest.Builder.forTopicNames(new OffsetCommitRequestData().setGroupId(group)
                .setMemberId(memberId).setGenerationIdOrMemberEpoch(generation).setTopics(List.of(
                        new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("t").setPartitions(List.of(
                                new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(7))))))
                .build(version));
        return Errors.forCode(r.data().topics().get(0).partitions().get(0).errorCode());
    }

    @Test
    void shouldAnswerBadGroupRequestsWithKafkaErrors() {
        try (RawClient client = RawClient.connect(node)) {
            String member = stableMember(client, "wire");
            // As in Kafka, group.max.size is checked before the protocols: a new group shows the protocol error.
            assertThat(((JoinGroupResponse) client.send(new JoinGroupRequest.Builder(join("wire", "", "connect", "range")).build((short) 9))).error())
                    .isEqualTo(Errors.GROUP_MAX_SIZE_REACHED);
            assertThat(((JoinGroupResponse) client.send(new JoinGroupRequest.Builder(join("wire-new", "", "", "range")).build((short) 9))).error())
                    .isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
            assertThat(((JoinGroupResponse) client.send(new JoinGroupRequest.Builder(join("wire", "", "consumer", "range")).build((short) 9))).error())
                    .isEqualTo(Errors.GROUP_MAX_SIZE_REACHED);
            assertThat(((HeartbeatResponse) client.send(new HeartbeatRequest.Builder(new HeartbeatRequestData().setGroupId("wire")
                    .setMemberId(member).setGenerationId(5)).build((short) 4))).error()).isEqualTo(Errors.ILLEGAL_GENERATION);
            assertThat(((HeartbeatResponse) client.send(new HeartbeatRequest.Builder(new HeartbeatRequestData().setGroupId("wire")
                    .setMemberId("ghost").setGenerationId(1)).build((short) 0))).error()).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
            assertThat(commit(client, "wire", "ghost", 1, (short) 9)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
            assertThat(commit(client, "wire", "", -1, (short) 2)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
            assertThat(commit(client, "wire", member, 2, (short) 9)).isEqualTo(Errors.ILLEGAL_GENERATION);
            OffsetFetchResponse fetched = client.send(OffsetFetchRequest.Builder.forTopicNames(new OffsetFetchRequestData().setGroups(List.of(
                    new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("wire").setTopics(null))), false).build((short) 9));
            assertThat(fetched.data().groups().get(0).topics()).as("no bad commit stored anything").isEmpty();
            assertThat(commit(client, "wire", member, 1, (short) 9)).isEqualTo(Errors.NONE);
            assertThat(((HeartbeatResponse) client.send(new HeartbeatRequest.Builder(new HeartbeatRequestData().setGroupId("wire")
                    .setMemberId(member).setGenerationId(1)).build((short) 4))).error()).isEqualTo(Errors.NONE);

            LeaveGroupResponse left = client.send(new LeaveGroupRequest.Builder("wire", List.of(
                    new LeaveGroupRequestData.MemberIdentity().setMemberId(member),
                    new LeaveGroupRequestData.MemberIdentity().setMemberId("ghost"))).build((short) 5));
            assertThat(left.data().members()).extracting(m -> Errors.forCode(m.errorCode()))
                    .containsExactly(Errors.NONE, Errors.UNKNOWN_MEMBER_ID);
            assertThat(commit(client, "wire", "", -1, (short) 9)).as("simple commits are allowed once empty").isEqualTo(Errors.NONE);
        }
    }

    @Test
    void shouldServeOldAndBatchedVersions() {
        try (RawClient client = RawClient.connect(node)) {
            FindCoordinatorResponse batched = client.send(new FindCoordinatorRequest.Builder(new FindCoordinatorRequestData()
                    .setKeyType((byte) 0).setCoordinatorKeys(List.of("a", "b"))).build((short) 4));
            assertThat(batched.data().coordinators()).extracting(FindCoordinatorResponseData.Coordinator::nodeId)
                    .containsExactly(node.node().nodeId(), node.node().nodeId());
            FindCoordinatorResponse txn = client.send(new FindCoordinatorRequest.Builder(new FindCoordinatorRequestData()
                    .setKeyType((byte) 1).setCoordinatorKeys(List.of("tx"))).build((short) 6));
            assertThat(txn.data().coordinators().get(0).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
            assertThat(txn.data().coordinators().get(0).errorMessage()).contains("no transaction coordinator");
            FindCoordinatorResponse v0 = client.send(new FindCoordinatorRequest.Builder(new FindCoordinatorRequestData()
                    .setKey("old")).build((short) 0));
            assertThat(v0.data().port()).isEqualTo(node.port());

            // JoinGroup v0-3 admits a new member directly (no KIP-394 round trip).
            JoinGroupResponse old = client.send(new JoinGroupRequest.Builder(join("old", "", "consumer", "range")).build((short) 0));
            assertThat(old.error()).isEqualTo(Errors.NONE);
            assertThat(old.data().generationId()).isEqualTo(1);
            LeaveGroupResponse left = client.send(new LeaveGroupRequest.Builder("old", List.of(
                    new LeaveGroupRequestData.MemberIdentity().setMemberId(old.data().memberId()))).build((short) 0));
            assertThat(left.error()).isEqualTo(Errors.NONE);

            DescribeGroupsResponse v5 = client.send(new DescribeGroupsRequest.Builder(new DescribeGroupsRequestData()
                    .setGroups(List.of("missing"))).build((short) 5));
            assertThat(v5.data().groups().get(0).groupState()).isEqualTo("Dead");
            assertThat(v5.data().groups().get(0).errorCode()).isZero();
            DescribeGroupsResponse v6 = client.send(new DescribeGroupsRequest.Builder(new DescribeGroupsRequestData()
                    .setGroups(List.of("missing", "old"))).build((short) 6));
            assertThat(v6.data().groups().get(0).errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
            assertThat(v6.data().groups().get(1).groupState()).isEqualTo("Empty");
        }
    }
}
