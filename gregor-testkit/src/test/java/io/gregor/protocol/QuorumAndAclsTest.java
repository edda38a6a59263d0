package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gregor.testkit.RawClient;
import io.gregor.testkit.TestNode;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.SecurityDisabledException;
import org.apache.kafka.common.message.DescribeQuorumResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeQuorumRequest;
import org.apache.kafka.common.requests.DescribeQuorumResponse;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Admin.describeMetadataQuorum ({@code kafka-metadata-quorum describe}) on the quorum of one, and the ACL APIs
 * ({@code kafka-acls}) answered as Kafka answers them with no authorizer configured.
 */
@Timeout(60)
class QuorumAndAclsTest {

    @Test
    void shouldDescribeTheNodeAsTheOnlyVoterAndLeaderWithTheHighWatermarkFollowingTheMetadataLog() throws Exception {
        try (TestNode node = TestNode.start(); Admin admin = Clients.admin(node)) {
            QuorumInfo before = admin.describeMetadataQuorum().quorumInfo().get();
            assertThat(before.leaderId()).isEqualTo(1);
            assertThat(before.observers()).isEmpty();
            assertThat(before.voters()).singleElement().satisfies(voter -> {
                assertThat(voter.replicaId()).isEqualTo(1);
                assertThat(voter.replicaDirectoryId()).isEqualTo(Uuid.ZERO_UUID);
                assertThat(voter.logEndOffset()).isGreaterThanOrEqualTo(before.highWatermark());
                assertThat(voter.lastFetchTimestamp()).isPresent();
                assertThat(voter.lastCaughtUpTimestamp()).isPresent();
            });
            assertThat(before.highWatermark()).isPositive(); // the broker's registration and the cluster defaults

            Clients.createTopic(node, "quorum-grows", 3, Map.of());

            QuorumInfo after = admin.describeMetadataQuorum().quorumInfo().get();
            assertThat(after.highWatermark()).isGreaterThan(before.highWatermark());
            assertThat(after.voters().get(0).logEndOffset()).isGreaterThanOrEqualTo(after.highWatermark());
            assertThat(after.leaderEpoch()).isEqualTo(before.leaderEpoch());
        }
    }

    @Test
    void shouldAnswerEveryVersionOfDescribeQuorumAndRefuseOtherPartitions() {
        try (TestNode node = TestNode.start(); RawClient client = RawClient.connect(node)) {
            for (short v = ApiKeys.DESCRIBE_QUORUM.oldestVersion(); v <= ApiKeys.DESCRIBE_QUORUM.latestVersion(); v++) {
                DescribeQuorumResponse response = client.send(ApiKeys.DESCRIBE_QUORUM, v,
                        DescribeQuorumRequest.singletonRequest(new TopicPartition("__cluster_metadata", 0)));
                DescribeQuorumResponseData.TopicData topic = response.data().topics().get(0);
                assertThat(topic.topicName()).isEqualTo("__cluster_metadata");
                DescribeQuorumResponseData.PartitionData partition = topic.partitions().get(0);
                assertThat(partition.errorCode()).as("v%d", v).isEqualTo(Errors.NONE.code());
                assertThat(partition.leaderId()).isEqualTo(1);
                assertThat(partition.currentVoters()).extracting(DescribeQuorumResponseData.ReplicaState::replicaId)
                        .containsExactly(1);
                assertThat(partition.highWatermark()).isPositive();

                DescribeQuorumResponse other = client.send(ApiKeys.DESCRIBE_QUORUM, v,
                        DescribeQuorumRequest.singletonRequest(new TopicPartition("__cluster_metadata", 1)));
                assertThat(other.data().topics().get(0).partitions().get(0).errorCode())
                        .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
            }
        }
    }

    @Test
    void shouldRefuseEveryAclOperationWithSecurityDisabled() throws Exception {
        try (TestNode node = TestNode.start(); Admin admin = Clients.admin(node)) {
            AclBinding readForAlice = new AclBinding(new ResourcePattern(ResourceType.TOPIC, "t", PatternType.LITERAL),
                    new AccessControlEntry("User:alice", "*", AclOperation.READ, AclPermissionType.ALLOW));

            assertThatThrownBy(() -> admin.describeAcls(AclBindingFilter.ANY).values().get())
                    .hasCauseInstanceOf(SecurityDisabledException.class)
                    .hasMessageContaining("No Authorizer is configured.");
            assertThatThrownBy(() -> admin.createAcls(List.of(readForAlice)).all().get())
                    .hasCauseInstanceOf(SecurityDisabledException.class)
                    .hasMessageContaining("No Authorizer is configured.");
            assertThatThrownBy(() -> admin.deleteAcls(List.of(AclBindingFilter.ANY)).all().get())
                    .hasCauseInstanceOf(SecurityDisabledException.class)
                    .hasMessageContaining("No Authorizer is configured.");
        }
    }
}
