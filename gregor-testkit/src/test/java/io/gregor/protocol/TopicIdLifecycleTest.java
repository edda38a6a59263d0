package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gregor.testkit.TestNode;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicCollection;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.UnknownTopicIdException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Topic ids through delete, re-create and restart, as Kafka 4.4 gives them. */
@Timeout(120)
class TopicIdLifecycleTest {

    /**
     * Kafka: a re-created topic gets a new id (ReplicationControlManager.createTopic draws a fresh Uuid); the old id is
     * unknown to Metadata (UNKNOWN_TOPIC_ID, Admin.describeTopics by id) and DeleteTopics; ids survive restarts.
     */
    @Test
    void shouldGiveAReCreatedTopicANewIdAndForgetTheOldOneAcrossRestarts() throws Exception {
        try (TestNode node = TestNode.start()) {
            Uuid oldId;
            Uuid newId;
            try (Admin admin = Clients.admin(node)) {
                Clients.createTopic(node, "again", 2, Map.of());
                oldId = admin.describeTopics(List.of("again")).allTopicNames().get().get("again").topicId();
                admin.deleteTopics(List.of("again")).all().get();
                Clients.createTopic(node, "again", 3, Map.of());
                newId = admin.describeTopics(List.of("again")).allTopicNames().get().get("again").topicId();
                assertThat(newId).isNotEqualTo(oldId);
            }
            node.restart();
            try (Admin admin = Clients.admin(node)) {
                assertThat(admin.describeTopics(TopicCollection.ofTopicIds(List.of(newId))).allTopicIds().get().get(newId).partitions())
                        .hasSize(3);
                assertThatThrownBy(() -> admin.describeTopics(TopicCollection.ofTopicIds(List.of(oldId))).allTopicIds().get())
                        .hasCauseInstanceOf(UnknownTopicIdException.class);
                assertThatThrownBy(() -> admin.deleteTopics(TopicCollection.ofTopicIds(List.of(oldId))).all().get())
                        .hasCauseInstanceOf(UnknownTopicIdException.class);
            }
        }
    }
}
