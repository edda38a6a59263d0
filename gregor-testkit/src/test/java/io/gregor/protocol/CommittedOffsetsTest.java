package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gregor.group.GroupCoordinator;
import io.gregor.storage.LogStorageException;
import io.gregor.testkit.RawClient;
import io.gregor.testkit.TestNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteGroupsRequest;
import org.apache.kafka.common.requests.DeleteGroupsResponse;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.HeartbeatResponse;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.JoinGroupResponse;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetCommitResponse;
import org.apache.kafka.common.requests.OffsetDeleteRequest;
import org.apache.kafka.common.requests.OffsetDeleteResponse;
import org.apache.kafka.common.requests.OffsetFetchRequest;
import org.apache.kafka.common.requests.OffsetFetchResponse;
import org.apache.kafka.common.requests.SyncGroupRequest;
import org.apache.kafka.common.requests.SyncGroupResponse;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.MetadataResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Committed offsets when the topic goes away or {@code __consumer_offsets} cannot be written: a
 * deleted topic's offsets are gone for good (Kafka's onPartitionsDeleted), and a failed write
 * answers Kafka's error and leaves the last committed offset in place.
 */
@Timeout(120)
class CommittedOffsetsTest {

    private static Map<TopicPartition, OffsetAndMetadata> committed(Admin admin, String group) throws Exception {
        return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    }

    @Test
    void shouldForgetTheOffsetsOfADeletedTopicAlsoAfterRestartAndWhenItIsCreatedAgain() throws Exception {
        try (TestNode node = TestNode.start()) {
            Clients.createTopic(node, "doomed", 2, Map.of());
            Clients.createTopic(node, "kept", 1, Map.of());
            TopicPartition doomed0 = new TopicPartition("doomed", 0);
            TopicPartition doomed1 = new TopicPartition("doomed", 1);
            TopicPartition kept = new TopicPartition("kept", 0);
            try (KafkaConsumer<String, String> consumer = Clients.consumer(node, Map.of("group.id", "offsets-of-deleted",
                    "enable.auto.commit", "false"))) {
                consumer.assign(List.of(doomed0, doomed1, kept));
                consumer.commitSync(Map.of(doomed0, new OffsetAndMetadata(5), doomed1, new OffsetAndMetadata(6),
                        kept, new OffsetAndMetadata(7)));
            }
            try (Admin admin = Clients.admin(node)) {
                assertThat(committed(admin, "offsets-of-deleted")).containsOnlyKeys(doomed0, doomed1, kept);

                admin.deleteTopics(List.of("doomed")).all().get();
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                        assertThat(committed(admin, "offsets-of-deleted")).containsOnlyKeys(kept));

                Clients.createTopic(node, "doomed", 2, Map.of());
                assertThat(committed(admin, "offsets-of-deleted")).as("the new topic starts without committed offsets")
                        .containsOnlyKeys(kept);
            }

            node.restart();

            try (Admin admin = Clients.admin(node)) {
                Map<TopicPartition, OffsetAndMetadata> afterRestart = committed(admin, "offsets-of-deleted");
                assertThat(afterRestart).containsOnlyKeys(kept);
                assertThat(afterRestart.get(kept).offset()).isEqualTo(7);
            }
        }
    }

    @Test
    void shouldAnswerNotCoordinatorAndKeepTheLastOffsetWhenTheCommitCannotBeWritten() throws Exception {
        try (TestNode node = TestNode.start(); RawClient client = RawClient.connect(node)) {
            Clients.createTopic(node, "t", 1, Map.of());
            awaitCoordinator(client, "unwritable");
            assertThat(commit(client, "unwritable", 5)).isEqualTo(Errors.NONE);

            node.node().groupCoordinator().injectAppendFault(p -> {
                throw new LogStorageException("injected: disk full");
            });
            // Kafka maps KAFKA_STORAGE_ERROR on a coordinator write to NOT_COORDINATOR.
            assertThat(commit(client, "unwritable", 10)).isEqualTo(Errors.NOT_COORDINATOR);
            assertThat(fetch(client, "unwritable")).isEqualTo(5);

            node.node().groupCoordinator().injectAppendFault(p -> {
            });
            assertThat(fetch(client, "unwritable")).isEqualTo(5);
            assertThat(commit(client, "unwritable", 11)).isEqualTo(Errors.NONE);
            assertThat(fetch(client, "unwritable")).isEqualTo(11);
        }
    }

    @Test
    void shouldStartANewRebalanceWhenTheAssignmentCannotBeWritten() throws Exception {
        try (TestNode node = TestNode.builder().override("group.initial.rebalance.delay.ms", "0").start();
             RawClient client = RawClient.connect(node)) {
            Clients.createTopic(node, "t", 1, Map.of());
            awaitCoordinator(client, "unsynced");
            JoinGroupResponse first = client.send(new JoinGroupRequest.Builder(join("unsynced", "")).build((short) 9));
            assertThat(first.error()).isEqualTo(Errors.MEMBER_ID_REQUIRED);
            JoinGroupResponseData joined = ((JoinGroupResponse) client.send(new JoinGroupRequest.Builder(
                    join("unsynced", first.data().memberId())).build((short) 9))).data();
            assertThat(joined.generationId()).isEqualTo(1);

            node.node().groupCoordinator().injectAppendFault(p -> {
                throw new LogStorageException("injected: disk full");
            });
            SyncGroupResponse synced = client.send(new SyncGroupRequest.Builder(new SyncGroupRequestData().setGroupId("unsynced")
                    .setMemberId(joined.memberId()).setGenerationId(1).setAssignments(List.of(
                            new SyncGroupRequestData.SyncGroupRequestAssignment().setMemberId(joined.memberId())
                                    .setAssignment(new byte[] {1})))).build((short) 5));
            assertThat(synced.error()).isEqualTo(Errors.NOT_COORDINATOR);
            node.node().groupCoordinator().injectAppendFault(p -> {
            });

            HeartbeatResponse heartbeat = client.send(new HeartbeatRequest.Builder(new HeartbeatRequestData().setGroupId("unsynced")
                    .setMemberId(joined.memberId()).setGenerationId(1)).build((short) 4));
            assertThat(heartbeat.error()).as("the unwritten generation is not Stable").isEqualTo(Errors.REBALANCE_IN_PROGRESS);
            JoinGroupResponseData rejoined = ((JoinGroupResponse) client.send(new JoinGroupRequest.Builder(
                    join("unsynced", joined.memberId())).build((short) 9))).data();
            assertThat(rejoined.generationId()).isEqualTo(2);
        }
    }

    /**
     * Kafka 4.4 takes "" as a group id for commits, offset fetches and DeleteGroups (only null is refused), but not for
     * OffsetDelete, JoinGroup, Heartbeat, SyncGroup or LeaveGroup (INVALID_GROUP_ID); compared with Kafka by
     * bench/wire-diff.sh.
     */
    @Test
    void shouldCommitFetchAndDeleteTheEmptyGroupIdAsKafkaDoes() throws Exception {
        try (TestNode node = TestNode.start(); RawClient client = RawClient.connect(node)) {
            Clients.createTopic(node, "t", 1, Map.of());
            awaitCoordinator(client, "");
            assertThat(commit(client, "", 7)).isEqualTo(Errors.NONE);
            assertThat(fetch(client, "")).isEqualTo(7);
            // ...but no member can be in it: Heartbeat (as SyncGroup and LeaveGroup) refuses it, as Kafka.
            HeartbeatResponse heartbeat = client.send(new HeartbeatRequest.Builder(new HeartbeatRequestData().setGroupId("")
                    .setGenerationId(1).setMemberId("m")).build((short) 4));
            assertThat(Errors.forCode(heartbeat.data().errorCode())).isEqualTo(Errors.INVALID_GROUP_ID);
            OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection topics = new OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection();
            topics.add(new OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName("t").setPartitions(List.of(
                    new OffsetDeleteRequestData.OffsetDeleteRequestPartition().setPartitionIndex(0))));
            OffsetDeleteResponse deleteOffsets = client.send(new OffsetDeleteRequest.Builder(new OffsetDeleteRequestData().setGroupId("")
                    .setTopics(topics)).build((short) 0));
            assertThat(Errors.forCode(deleteOffsets.data().errorCode())).isEqualTo(Errors.INVALID_GROUP_ID);
            DeleteGroupsResponse deleted = client.send(new DeleteGroupsRequest.Builder(new DeleteGroupsRequestData()
                    .setGroupsNames(List.of(""))).build((short) 2));
            assertThat(Errors.forCode(deleted.data().results().find("").errorCode())).isEqualTo(Errors.NONE);
            assertThat(fetch(client, "")).isEqualTo(-1);
        }
    }

    private static void awaitCoordinator(RawClient client, String group) {
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            FindCoordinatorResponse r = client.send(new FindCoordinatorRequest.Builder(new FindCoordinatorRequestData()
                    .setKeyType((byte) 0).setCoordinatorKeys(List.of(group))).build((short) 6));
            return r.data().coordinators().get(0).errorCode() == Errors.NONE.code();
        });
    }

    private static JoinGroupRequestData join(String group, String memberId) {
        JoinGroupRequestData.JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
        protocols.add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range").setMetadata(new byte[] {1}));
        return new JoinGroupRequestData().setGroupId(group).setMemberId(memberId).setProtocolType("consumer")
                .setSessionTimeoutMs(10_000).setRebalanceTimeoutMs(10_000).setProtocols(protocols);
    }

    /** A simple commit (no member, generation -1) of partition t-0. */
    private static Errors commit(RawClient client, String group, long offset) {
        return commit(client, group, "t", offset);
    }

    /** A simple commit (no member, generation -1) of partition 0 of {@code topic}. */
    private static Errors commit(RawClient client, String group, String topic, long offset) {
        OffsetCommitResponse r = client.send(OffsetCommitRequest.Builder.forTopicNames(new OffsetCommitRequestData().setGroupId(group)
                .setMemberId("").setGenerationIdOrMemberEpoch(-1).setTopics(List.of(
                        new OffsetCommitRequestData.OffsetCommitRequestTopic().setName(topic).setPartitions(List.of(
                                new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(offset))))))
                .build((short) 9));
        return Errors.forCode(r.data().topics().get(0).partitions().get(0).errorCode());
    }

    private static long fetch(RawClient client, String group) {
        return fetch(client, group, "t");
    }

    private static long fetch(RawClient client, String group, String topic) {
        OffsetFetchResponse r = client.send(OffsetFetchRequest.Builder.forTopicNames(new OffsetFetchRequestData().setGroups(List.of(
                new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId(group).setTopics(List.of(
                        new OffsetFetchRequestData.OffsetFetchRequestTopics().setName(topic).setPartitionIndexes(List.of(0)))))), false)
                .build((short) 9));
        return r.data().groups().get(0).topics().get(0).partitions().get(0).committedOffset();
    }

    @Test
    void shouldAutoCreateTheOffsetsTopicAsTheGroupCoordinatorWould() throws Exception {
        // A consumer of __consumer_offsets (kafka-console-consumer --topic __consumer_offsets on a fresh node) asks
        // Metadata to create it: as in Kafka, it gets the coordinator's partitions and compaction, not num.partitions
        // and time retention that would delete committed offsets.
        try (TestNode fresh = TestNode.start(); RawClient client = RawClient.connect(fresh); Admin admin = Clients.admin(fresh)) {
            MetadataRequestData request = new MetadataRequestData().setAllowAutoTopicCreation(true);
            request.topics().add(new MetadataRequestData.MetadataRequestTopic().setName("__consumer_offsets"));
            MetadataResponse response = client.send(ApiKeys.METADATA, (short) 12, request);
            assertThat(Errors.forCode(response.data().topics().iterator().next().errorCode())).isEqualTo(Errors.NONE);
            TopicDescription description = admin.describeTopics(List.of("__consumer_offsets")).allTopicNames().get()
                    .get("__consumer_offsets");
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "__consumer_offsets");
            Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
            assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
            assertThat(description.partitions()).hasSize(50);
            assertThat(description.isInternal()).isTrue();
        }
    }

    /** OffsetCommit v10 (topic ids) refused for the coordinator answers each topic by its id, as Kafka's getErrorResponse. */
    @Test
    void shouldNameTopicsByIdInAV10CommitRefusedForTheCoordinator() throws Exception {
        try (TestNode node = TestNode.start(); RawClient client = RawClient.connect(node)) {
            Clients.createTopic(node, "t", 1, Map.of());
            Uuid id;
            try (Admin admin = Clients.admin(node)) {
                id = admin.describeTopics(List.of("t")).allTopicNames().get().get("t").topicId();
            }
            // No FindCoordinator yet: __consumer_offsets does not exist.
            OffsetCommitRequestData data = new OffsetCommitRequestData().setGroupId("early").setGenerationIdOrMemberEpoch(-1)
                    .setTopics(List.of(new OffsetCommitRequestData.OffsetCommitRequestTopic().setTopicId(id).setPartitions(List.of(
                            new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(3)))));
            OffsetCommitResponse response = client.send(OffsetCommitRequest.Builder.forTopicIdsOrNames(data).build((short) 10));
            assertThat(response.data().topics()).singleElement().satisfies(t -> {
                assertThat(t.topicId()).isEqualTo(id);
                assertThat(Errors.forCode(t.partitions().get(0).errorCode()))
                        .isIn(Errors.COORDINATOR_NOT_AVAILABLE, Errors.NOT_COORDINATOR);
            });
        }
    }

    /** Two groups on different partitions of __consumer_offsets (with 2 of them), named by the caller's prefix. */
    private static List<String> groupsOnTwoPartitions(GroupCoordinator coordinator, String a, String prefix) {
        String b = prefix;
        for (int i = 0; coordinator.partitionFor(a) == coordinator.partitionFor(b); i++) {
            b = prefix + "-" + i;
        }
        return List.of(a, b);
    }

    /**
     * As Kafka's GroupCoordinatorService.deleteGroups (one write per __consumer_offsets partition): a partition that
     * cannot be written fails its own groups, and a group on another partition is deleted and answered NONE.
     */
    @Test
    void shouldAnswerEachGroupOfDeleteGroupsFromItsOwnPartition() throws Exception {
        try (TestNode node = TestNode.builder().override("offsets.topic.num.partitions", "2").start();
             RawClient client = RawClient.connect(node); Admin admin = Clients.admin(node)) {
            admin.createTopics(List.of(new NewTopic("t", 1, (short) 1))).all().get();
            GroupCoordinator coordinator = node.node().groupCoordinator();
            List<String> groups = groupsOnTwoPartitions(coordinator, "healthy", "broken");
            String healthy = groups.get(0);
            String broken = groups.get(1);
            for (String g : groups) {
                awaitCoordinator(client, g);
                assertThat(commit(client, g, 5)).isEqualTo(Errors.NONE);
            }
            int brokenPartition = coordinator.partitionFor(broken);
            coordinator.injectAppendFault(p -> {
                if (p == brokenPartition) {
                    throw new LogStorageException("injected: log directory failed");
                }
            });
            DeleteGroupsResponse response = client.send(new DeleteGroupsRequest.Builder(new DeleteGroupsRequestData()
                    .setGroupsNames(List.of(broken, healthy))).build((short) 2));
            assertThat(Errors.forCode(response.data().results().find(broken).errorCode())).isEqualTo(Errors.NOT_COORDINATOR);
            assertThat(Errors.forCode(response.data().results().find(healthy).errorCode())).isEqualTo(Errors.NONE);
            assertThat(fetch(client, healthy)).isEqualTo(-1);
            assertThat(fetch(client, broken)).isEqualTo(5);
        }
    }

    /**
     * A deleted topic's offsets are forgotten on every partition that can be written, even when another cannot (one
     * write per partition, as Kafka's onPartitionsDeleted): a topic created again under the name starts afresh there.
     */
    @Test
    void shouldForgetADeletedTopicsOffsetsOnEveryWritablePartition() throws Exception {
        try (TestNode node = TestNode.builder().override("offsets.topic.num.partitions", "2").start();
             RawClient client = RawClient.connect(node); Admin admin = Clients.admin(node)) {
            admin.createTopics(List.of(new NewTopic("doomed", 1, (short) 1))).all().get();
            GroupCoordinator coordinator = node.node().groupCoordinator();
            List<String> groups = groupsOnTwoPartitions(coordinator, "group-a", "group-b");
            for (String g : groups) {
                awaitCoordinator(client, g);
                assertThat(commit(client, g, "doomed", 5)).isEqualTo(Errors.NONE);
            }
            AtomicInteger failed = new AtomicInteger(-1);
            coordinator.injectAppendFault(p -> {
                if (failed.compareAndSet(-1, p)) {
                    throw new LogStorageException("injected: one failed write");
                }
            });
            admin.deleteTopics(List.of("doomed")).all().get();
            await().atMost(Duration.ofSeconds(20)).until(() -> failed.get() >= 0);
            String other = coordinator.partitionFor(groups.get(0)) == failed.get() ? groups.get(1) : groups.get(0);
            admin.createTopics(List.of(new NewTopic("doomed", 1, (short) 1))).all().get();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(fetch(client, other, "doomed")).as("%s's offset of the re-created topic", other).isEqualTo(-1));
        }
    }
}
