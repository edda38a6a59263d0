package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gregor.testkit.TestNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** The end-of-scenario checks the group tests share, for either group protocol. */
final class GroupChecks {

    private GroupChecks() {
    }

    /** Every partition's committed offset equals its log end offset; returns the sum of the log end offsets. */
    static long assertCommittedAtLogEnd(TestNode node, String topic, int partitions, String group) throws Exception {
        try (Admin admin = Clients.admin(node)) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get();
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            long sum = 0;
            for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e : ends.entrySet()) {
                assertThat(committed.get(e.getKey()).offset()).as("committed offset of %s", e.getKey()).isEqualTo(e.getValue().offset());
                sum += e.getValue().offset();
            }
            return sum;
        }
    }

    /** A second group, joined by {@code join}, reads all {@code total} records on its own, each exactly once. */
    static void assertAnotherGroupReadsAll(Function<Ownership, GroupMember> join, long total) throws Exception {
        Ownership second = new Ownership();
        try (GroupMember other = join.apply(second)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> second.count.get() >= total);
        }
        assertThat(second.violations).isEmpty();
        assertThat(second.count.get()).isEqualTo(total);
    }
}
