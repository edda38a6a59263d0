package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gregor.testkit.RawClient;
import io.gregor.testkit.TestNode;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.ListConfigResourcesOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ConsumerGroupHeartbeatResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * KIP-848 group configs (resource type GROUP, {@code kafka-configs --entity-type groups}) through the 4.4 Admin client:
 * set, described with their sources, validated against the broker's bounds, listed, kept across a restart, and applied
 * to the group's members: the heartbeat interval they are given and the session timeout that removes them.
 */
@Timeout(120)
class GroupConfigsTest {

    private static final String SESSION = "consumer.session.timeout.ms";
    private static final String HEARTBEAT = "consumer.heartbeat.interval.ms";

    private static TestNode node;
    private static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        // Lower bounds than Kafka's (45 s and 5 s) so that a group's own session timeout can be seen to work quickly;
        // the broker-wide defaults stay at 45 s and 5 s.
        node = TestNode.builder()
                .override("group.consumer.min.session.timeout.ms", "1000")
                .override("group.consumer.min.heartbeat.interval.ms", "100")
                .start();
        admin = Clients.admin(node);
        admin.createTopics(List.of(new NewTopic("grouped", 2, (short) 1))).all().get();
    }

    @AfterAll
    static void stop() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        node.close();
    }

    @Test
    void shouldSetDescribeListAndDeleteAGroupsConfigsAndKeepThemAcrossARestart() throws Exception {
        ConfigResource group = group("configured");
        assertThat(entry(group, SESSION).value()).isEqualTo("45000");
        assertThat(entry(group, SESSION).source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);

        alter(group, set(SESSION, "50000"), set(HEARTBEAT, "6000"));

        assertThat(entry(group, SESSION).value()).isEqualTo("50000");
        assertThat(entry(group, SESSION).source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_GROUP_CONFIG);
        assertThat(entry(group, SESSION).synonyms()).extracting(ConfigEntry.ConfigSynonym::name)
                .containsExactly(SESSION, "group.consumer.session.timeout.ms");
        assertThat(entry(group, HEARTBEAT).value()).isEqualTo("6000");
        assertThat(listed(ConfigResource.Type.GROUP)).contains(group);

        node.restart();
        try (Admin restarted = Clients.admin(node)) {
            Config config = restarted.describeConfigs(List.of(group)).all().get().get(group);
            assertThat(config.get(SESSION).value()).isEqualTo("50000");
            assertThat(config.get(HEARTBEAT).value()).isEqualTo("6000");

            restarted.incrementalAlterConfigs(Map.of(group, List.of(new AlterConfigOp(new ConfigEntry(SESSION, ""),
                    AlterConfigOp.OpType.DELETE)))).all().get();
            Config after = restarted.describeConfigs(List.of(group)).all().get().get(group);
            assertThat(after.get(SESSION).value()).isEqualTo("45000");
            assertThat(after.get(SESSION).source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);
            assertThat(after.get(HEARTBEAT).value()).isEqualTo("6000");
        }
    }

    @Test
    void shouldRefuseValuesOutsideTheBrokersBoundsUnknownKeysAndTheDefaultGroup() throws Exception {
        ConfigResource group = group("refused");
        assertThatThrownBy(() -> alter(group, set(SESSION, "70000")))
                .hasCauseInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("consumer.session.timeout.ms must be in the range 1000 to 60000 inclusive.");
        assertThatThrownBy(() -> alter(group, set(HEARTBEAT, "soon")))
                .hasCauseInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("Invalid value soon for configuration consumer.heartbeat.interval.ms: Not a number of type INT");
        assertThatThrownBy(() -> alter(group, set("session.timeout.ms", "50000")))
                .hasCauseInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("Unknown group config name: session.timeout.ms");
        assertThatThrownBy(() -> alter(group, set(SESSION, "2000"), set(HEARTBEAT, "3000")))
                .hasCauseInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("consumer.session.timeout.ms must be greater than consumer.heartbeat.interval.ms");
        alter(group, set(HEARTBEAT, "6000"));
        // APPEND is for LIST configs, whether or not the key has a value already.
        assertThatThrownBy(() -> alter(group, new AlterConfigOp(new ConfigEntry(HEARTBEAT, "6000"), AlterConfigOp.OpType.APPEND)))
                .hasCauseInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("Can't APPEND to key consumer.heartbeat.interval.ms because its type is not LIST.");
        alter(group, new AlterConfigOp(new ConfigEntry(HEARTBEAT, ""), AlterConfigOp.OpType.DELETE));
        assertThatThrownBy(() -> alter(group(""), set(SESSION, "50000")))
                .hasCauseInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("Default group resources are not allowed.");
        assertThat(entry(group, SESSION).value()).isEqualTo("45000");
        assertThat(listed(ConfigResource.Type.GROUP)).doesNotContain(group);
    }

    @Test
    void shouldListThisBrokerItsLoggersAndEveryTopic() throws Exception {
        Collection<ConfigResource> all = admin.listConfigResources(Set.of(), new ListConfigResourcesOptions()).all().get();
        assertThat(all).contains(new ConfigResource(ConfigResource.Type.BROKER, "1"),
                new ConfigResource(ConfigResource.Type.BROKER_LOGGER, "1"),
                new ConfigResource(ConfigResource.Type.TOPIC, "grouped"));
        assertThat(listed(ConfigResource.Type.CLIENT_METRICS)).isEmpty();
    }

    @Test
    void shouldGiveMembersTheGroupsHeartbeatIntervalAndRemoveThemAfterTheGroupsSessionTimeout() throws Exception {
        String groupId = "short-sessions";
        alter(group(groupId), set(SESSION, "2000"), set(HEARTBEAT, "500"));
        try (RawClient client = RawClient.connect(node)) {
            String memberId = Uuid.randomUuid().toString();
            // Clients find the coordinator first (which creates __consumer_offsets); join once it has loaded.
            admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get();
            ConsumerGroupHeartbeatResponse joined = await().atMost(Duration.ofSeconds(30)).until(() -> client.send(
                    ApiKeys.CONSUMER_GROUP_HEARTBEAT, ApiKeys.CONSUMER_GROUP_HEARTBEAT.latestVersion(false),
                    new ConsumerGroupHeartbeatRequestData().setGroupId(groupId).setMemberId(memberId).setMemberEpoch(0)
                            .setRebalanceTimeoutMs(10_000).setSubscribedTopicNames(List.of("grouped")).setTopicPartitions(List.of())),
                    r -> ((ConsumerGroupHeartbeatResponse) r).data().errorCode() != Errors.COORDINATOR_NOT_AVAILABLE.code());

            assertThat(Errors.forCode(joined.data().errorCode())).isEqualTo(Errors.NONE);
            assertThat(joined.data().heartbeatIntervalMs()).isEqualTo(500);
            assertThat(members(groupId)).isEqualTo(1);
            // The member never heartbeats again: the group's 2 s session removes it (the broker's 45 s would not, here).
            await().atMost(Duration.ofSeconds(20)).until(() -> members(groupId) == 0);
        }
    }

    private static int members(String groupId) throws Exception {
        return admin.describeConsumerGroups(List.of(groupId)).all().get().get(groupId).members().size();
    }

    private static ConfigResource group(String name) {
        return new ConfigResource(ConfigResource.Type.GROUP, name);
    }

    private static AlterConfigOp set(String key, String value) {
        return new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET);
    }

    private static void alter(ConfigResource resource, AlterConfigOp... ops) throws Exception {
        admin.incrementalAlterConfigs(Map.of(resource, List.of(ops))).all().get();
    }

    private static ConfigEntry entry(ConfigResource resource, String key) throws Exception {
        return admin.describeConfigs(List.of(resource), new DescribeConfigsOptions().includeSynonyms(true)).all().get()
                .get(resource).get(key);
    }

    private static Collection<ConfigResource> listed(ConfigResource.Type type) throws Exception {
        return admin.listConfigResources(Set.of(type), new ListConfigResourcesOptions()).all().get();
    }
}
