package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.gregor.testkit.TestNode;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ElectionNotNeededException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** ElectLeaders through Admin.electLeaders, what {@code kafka-leader-election} sends. */
@Timeout(60)
class ElectLeadersTest {

    @Test
    void shouldAnswerThatNoElectionIsNeededWhereTheOnlyReplicaLeads() throws Exception {
        try (TestNode node = TestNode.start(); Admin admin = Clients.admin(node)) {
            Clients.createTopic(node, "led", 2, Map.of());
            TopicPartition p0 = new TopicPartition("led", 0);
            TopicPartition p1 = new TopicPartition("led", 1);
            TopicPartition missing = new TopicPartition("led", 5);
            for (ElectionType type : ElectionType.values()) {
                Map<TopicPartition, Optional<Throwable>> results =
                        admin.electLeaders(type, Set.of(p0, p1, missing)).partitions().get();
                assertThat(results).containsOnlyKeys(p0, p1, missing);
                assertThat(results.get(p0)).containsInstanceOf(ElectionNotNeededException.class);
                assertThat(results.get(p1)).containsInstanceOf(ElectionNotNeededException.class);
                assertThat(results.get(missing)).containsInstanceOf(UnknownTopicOrPartitionException.class);
                assertThat(results.get(missing).get()).hasMessage("No such partition as led-5");
                // Every partition (a null set): only partitions that needed an election are listed.
                assertThat(admin.electLeaders(type, null).partitions().get()).isEmpty();
            }
        }
    }
}
