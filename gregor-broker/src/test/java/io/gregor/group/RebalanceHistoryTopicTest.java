package io.gregor.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RebalanceHistoryTopicTest {

    private static byte[] consumerAssignment(TopicPartition... partitions) {
        ByteBuffer buffer = ConsumerProtocol.serializeAssignment(new ConsumerPartitionAssignor.Assignment(List.of(partitions)));
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    @Test
    void shouldWriteOneJsonLineWithDecodedPartitionsWhenProtocolIsConsumer() {
        RebalanceEvent event = new RebalanceEvent(1_000, RebalanceEvent.Reason.MEMBER_LEFT, "member m2 left; client reason: \"bye\"\n",
                3, 1_764_092_401_000L, List.of("m2"), List.of(
                new RebalanceEvent.MemberAssignment("m1", null, "consumer-1",
                        consumerAssignment(new TopicPartition("orders", 0), new TopicPartition("orders", 1))),
                new RebalanceEvent.MemberAssignment("m3", "static-3", "consumer-3", new byte[0])));

        String json = RebalanceHistoryTopic.toJson(new Effects.CompletedRebalance("shop", "consumer", event), 5_000);

        assertThat(json).isEqualTo("{\"group\":\"shop\",\"time\":\"2025-11-25T17:40:01Z\",\"startedMs\":1000,"
                + "\"completedMs\":1764092401000,\"generation\":3,\"reason\":\"MEMBER_LEFT\","
                + "\"detail\":\"member m2 left; client reason: \\\"bye\\\"\\n\",\"protocolType\":\"consumer\",\"removed\":[\"m2\"],"
                + "\"members\":[{\"memberId\":\"m1\",\"clientId\":\"consumer-1\",\"groupInstanceId\":null,"
                + "\"partitions\":[\"orders-0\",\"orders-1\"]},{\"memberId\":\"m3\",\"clientId\":\"consumer-3\","
                + "\"groupInstanceId\":\"static-3\",\"partitions\":[]}]}");
    }

    @Test
    void shouldGiveTheAssignmentSizeWhenProtocolIsNotConsumerAndTheWriteTimeWhenNeverCompleted() {
        RebalanceEvent event = new RebalanceEvent(1_000, RebalanceEvent.Reason.SESSION_TIMEOUT, "", 2, -1, List.of(), List.of(
                new RebalanceEvent.MemberAssignment("w1", null, "connect-1", new byte[] {1, 2, 3})));

        String json = RebalanceHistoryTopic.toJson(new Effects.CompletedRebalance("workers", "connect", event), 0);

        assertThat(json).contains("\"time\":\"1970-01-01T00:00:00Z\"").contains("\"assignmentBytes\":3}").doesNotContain("partitions");
    }
}
