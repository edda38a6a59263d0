package io.gregor.protocol;

import io.gregor.testkit.TestNode;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.StaleMemberEpochException;

/**
 * One consumer-group member polling on its own thread for the group tests: records what it owns
 * and consumes in a shared {@link Ownership}, commits after every poll, and can leave, stop or
 * die without leaving.
 */
final class GroupMember implements AutoCloseable {
    final String name;
    final KafkaConsumer<String, String> consumer;
    final Ownership ownership;
    final Set<TopicPartition> owned = ConcurrentHashMap.newKeySet();
    final AtomicBoolean stop = new AtomicBoolean();
    final Thread thread;

    /** A member of a group: {@code groupProps} holds group.id, group.protocol and the rest of its group settings. */
    GroupMember(TestNode node, String name, String topic, Ownership ownership, Map<String, Object> groupProps) {
        this(node, name, List.of(topic), ownership, groupProps);
    }

    /** A member subscribed to several topics. */
    GroupMember(TestNode node, String name, List<String> topics, Ownership ownership, Map<String, Object> groupProps) {
        this.name = name;
        this.ownership = ownership;
        Map<String, Object> props = new HashMap<>(groupProps);
        props.put("client.id", name);
        props.put("max.poll.records", 50);
        this.consumer = Clients.consumer(node, props);
        this.thread = new Thread(() -> run(topics), "member-" + name);
        thread.start();
    }

    private void run(List<String> topics) {
        consumer.subscribe(topics, new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                consumer.commitSync();
                release(partitions);
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                release(partitions);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                for (TopicPartition tp : partitions) {
                    ownership.acquire(tp, name);
                    owned.add(tp);
                }
            }
        });
        while (!stop.get()) {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                ownership.consumed(new TopicPartition(r.topic(), r.partition()), r.offset(), name);
            }
            try {
                consumer.commitSync();
            } catch (RebalanceInProgressException | StaleMemberEpochException e) {
                // The member epoch moved under this commit; the next loop or the
                // revocation callback commits these positions again.
            }
        }
    }

    private void release(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            ownership.release(tp, name);
            owned.remove(tp);
        }
    }

    /** Stops polling after a commit; the consumer object stays open. */
    void stopPolling() throws InterruptedException {
        stop.set(true);
        thread.join(30_000);
    }

    /** Dies without a LeaveGroup: the coordinator must notice through the session timeout. */
    void kill() throws InterruptedException {
        stopPolling();
        release(List.copyOf(owned));
        consumer.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP)
                .withTimeout(Duration.ZERO));
    }

    @Override
    public void close() throws InterruptedException {
        stopPolling();
        consumer.close();
    }
}
