package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.gregor.testkit.RawClient;
import io.gregor.testkit.TestNode;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreateTopicsResponse;
import org.apache.kafka.common.requests.MetadataResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Metadata and topic admin answers compared with Kafka 4.4's (ControllerApis, ReplicationControlManager, KafkaApis).
 */
@Timeout(120)
class MetadataAdminParityTest extends SharedNodeTest {

    private static CreateTopicsRequestData.CreatableTopic topic(String name, int partitions) {
        return new CreateTopicsRequestData.CreatableTopic().setName(name).setNumPartitions(partitions).setReplicationFactor((short) 1);
    }

    private static CreateTopicsResponseData create(RawClient client, boolean validateOnly, CreateTopicsRequestData.CreatableTopic... topics) {
        CreateTopicsRequestData d = new CreateTopicsRequestData().setTimeoutMs(30000).setValidateOnly(validateOnly);
        for (CreateTopicsRequestData.CreatableTopic t : topics) {
            d.topics().add(t);
        }
        CreateTopicsResponse r = client.send(ApiKeys.CREATE_TOPICS, ApiKeys.CREATE_TOPICS.latestVersion(), d);
        return r.data();
    }

    private static MetadataResponseData metadata(RawClient client, short version, boolean autoCreate, String... names) {
        MetadataRequestData d = new MetadataRequestData().setAllowAutoTopicCreation(version < 4 || autoCreate);
        List<MetadataRequestData.MetadataRequestTopic> topics = new ArrayList<>();
        for (String n : names) {
            topics.add(new MetadataRequestData.MetadataRequestTopic().setName(n));
        }
        d.setTopics(topics);
        MetadataResponse r = client.send(ApiKeys.METADATA, version, d);
        return r.data();
    }

    /**
     * Kafka's ControllerApis.createTopics takes __cluster_metadata out of the topics it lets the controller create and
     * answers it TOPIC_AUTHORIZATION_FAILED; it never becomes a topic.
     */
    @Test
    void createTopicsRefusesTheClusterMetadataTopic() {
        // Its own node: on Gregor this request replaces the node's metadata log.
        try (TestNode own = TestNode.start(); RawClient client = RawClient.connect(own)) {
            CreateTopicsResponseData r = create(client, false, topic("__cluster_metadata", 1));
            assertThat(r.topics().find("__cluster_metadata").errorCode()).isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code());
            MetadataResponseData md = metadata(client, (short) 12, false, "__cluster_metadata");
            assertThat(md.topics().find("__cluster_metadata").errorCode()).isNotEqualTo(Errors.NONE.code());
        }
    }

    /**
     * The same request, then a restart: refused as Kafka refuses the name (TOPIC_AUTHORIZATION_FAILED), the node's
     * metadata log is untouched and every topic created before is still there.
     */
    @Test
    void createTopicsOfTheClusterMetadataTopicLosesNoTopicAcrossARestart() {
        try (TestNode own = TestNode.start()) {
            try (RawClient client = RawClient.connect(own)) {
                assertThat(create(client, false, topic("survivor", 2)).topics().find("survivor").errorCode())
                        .isEqualTo(Errors.NONE.code());
                create(client, false, topic("__cluster_metadata", 1));
            }
            own.restart();
            try (RawClient client = RawClient.connect(own)) {
                MetadataResponseData md = metadata(client, (short) 12, false, "survivor");
                assertThat(md.topics().find("survivor").errorCode()).isEqualTo(Errors.NONE.code());
                assertThat(md.topics().find("survivor").partitions()).hasSize(2);
            }
        }
    }

    /**
     * A client asking Metadata about __cluster_metadata (e.g. a console consumer given that topic) with auto-creation
     * allowed: auto-creation never makes that topic (as Kafka's CreateTopics refuses it), so nothing is lost across a restart.
     */
    @Test
    void metadataAutoCreationOfTheClusterMetadataTopicLosesNoTopicAcrossARestart() {
        try (TestNode own = TestNode.start()) {
            try (RawClient client = RawClient.connect(own)) {
                assertThat(create(client, false, topic("survivor2", 1)).topics().find("survivor2").errorCode())
                        .isEqualTo(Errors.NONE.code());
                metadata(client, (short) 12, true, "__cluster_metadata");
            }
            own.restart();
            try (RawClient client = RawClient.connect(own)) {
                MetadataResponseData md = metadata(client, (short) 12, false, "survivor2", "__cluster_metadata");
                assertThat(md.topics().find("survivor2").errorCode()).isEqualTo(Errors.NONE.code());
                assertThat(md.topics().find("__cluster_metadata").errorCode()).isNotEqualTo(Errors.NONE.code());
            }
        }
    }

    /**
     * Kafka's ReplicationControlManager.createTopics checks name collisions against the topics that existed before the
     * request: two names of one request that differ only in '.' vs '_' are both created.
     */
    @Test
    void createTopicsCreatesBothCollidingNamesOfOneRequest() {
        try (RawClient client = RawClient.connect(node)) {
            CreateTopicsResponseData r = create(client, false, topic("coll.one", 1), topic("coll_one", 1));
            assertThat(r.topics().find("coll.one").errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(r.topics().find("coll_one").errorCode()).isEqualTo(Errors.NONE.code());
        }
    }

    /** Kafka's validate-only CreateTopics answers with the topic id it would have given (a random, non-zero one). */
    @Test
    void validateOnlyCreateTopicsAnswersWithATopicId() {
        try (RawClient client = RawClient.connect(node)) {
            CreateTopicsResponseData r = create(client, true, topic("validate-only-id", 2));
            CreateTopicsResponseData.CreatableTopicResult t = r.topics().find("validate-only-id");
            assertThat(t.errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(t.topicId()).isNotEqualTo(Uuid.ZERO_UUID);
        }
    }

    /** Kafka's KafkaApis.handleTopicMetadataRequest collects the requested names into a set: a name given twice is answered once. */
    @Test
    void metadataAnswersATopicNamedTwiceOnce() {
        try (RawClient client = RawClient.connect(node)) {
            create(client, false, topic("md-twice", 1));
            for (short v = 1; v <= ApiKeys.METADATA.latestVersion(); v++) {
                MetadataResponseData md = metadata(client, v, false, "md-twice", "md-twice", "md-unknown", "md-unknown");
                List<String> names = new ArrayList<>();
                md.topics().forEach(t -> names.add(t.name()));
                assertThat(names).as("Metadata v" + v).containsExactlyInAnyOrder("md-twice", "md-unknown");
            }
        }
    }

    /** By topic id (v12+) Kafka's KafkaApis collects the ids into a set too: an id given twice is answered once. */
    @Test
    void metadataAnswersATopicIdGivenTwiceOnce() {
        try (RawClient client = RawClient.connect(node)) {
            create(client, false, topic("md-twice-id", 1));
            Uuid id = metadata(client, (short) 12, false, "md-twice-id").topics().find("md-twice-id").topicId();
            Uuid unknown = Uuid.randomUuid();
            MetadataRequestData byId = new MetadataRequestData().setAllowAutoTopicCreation(false).setTopics(new ArrayList<>(List.of(
                    new MetadataRequestData.MetadataRequestTopic().setTopicId(id),
                    new MetadataRequestData.MetadataRequestTopic().setTopicId(id),
                    new MetadataRequestData.MetadataRequestTopic().setTopicId(unknown),
                    new MetadataRequestData.MetadataRequestTopic().setTopicId(unknown))));
            MetadataResponse r = client.send(ApiKeys.METADATA, (short) 12, byId);
            List<Uuid> ids = new ArrayList<>();
            r.data().topics().forEach(t -> ids.add(t.topicId()));
            assertThat(ids).as("Metadata v12 by id").containsExactlyInAnyOrder(id, unknown);
        }
    }

    /**
     * Kafka's KafkaApis.getTopicMetadata answers a topic that does not exist with isInternal = Topic.isInternal(name):
     * __transaction_state, which is never created here, is flagged internal next to its UNKNOWN_TOPIC_OR_PARTITION.
     */
    @Test
    void metadataFlagsAnUnknownInternalTopicAsInternal() {
        try (RawClient client = RawClient.connect(node)) {
            for (short v = 4; v <= ApiKeys.METADATA.latestVersion(); v++) { // v1-3 always allow auto-creation
                MetadataResponseData md = metadata(client, v, false, "__transaction_state");
                MetadataResponseData.MetadataResponseTopic t = md.topics().find("__transaction_state");
                assertThat(t.errorCode()).as("Metadata v" + v).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                assertThat(t.isInternal()).as("Metadata v" + v).isTrue();
            }
        }
    }

    /**
     * Kafka's AutoTopicCreationManager.creatableTopic creates __transaction_state with the transaction log's own spec
     * (transaction.state.log.num.partitions, default 50, and the coordinator's compacted configs), or not at all when
     * its replication factor cannot be met; never as a plain default topic (Metadata v1-3 always allow auto-creation).
     * Without a transaction coordinator it is not created at all.
     */
    @Test
    void metadataAutoCreationDoesNotMakeAPlainTransactionStateTopic() {
        try (TestNode own = TestNode.start(); RawClient client = RawClient.connect(own)) {
            metadata(client, (short) 1, true, "__transaction_state");
            MetadataResponseData md = metadata(client, (short) 12, false, "__transaction_state");
            MetadataResponseData.MetadataResponseTopic t = md.topics().find("__transaction_state");
            if (t.errorCode() == Errors.NONE.code()) {
                assertThat(t.partitions()).as("__transaction_state partitions").hasSize(50);
            }
        }
    }
}
