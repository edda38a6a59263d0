package io.gregor.protocol;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;

/** Who owns which partition, and every consumed offset; records violations. */
final class Ownership {
    final Map<TopicPartition, String> owners = new HashMap<>();
    final Map<TopicPartition, Set<Long>> consumed = new HashMap<>();
    final List<String> violations = new CopyOnWriteArrayList<>();
    final AtomicLong count = new AtomicLong();

    synchronized void acquire(TopicPartition tp, String member) {
        String previous = owners.putIfAbsent(tp, member);
        if (previous != null && !previous.equals(member)) {
            violations.add(member + " got " + tp + " still owned by " + previous);
        }
    }

    synchronized void release(TopicPartition tp, String member) {
        owners.remove(tp, member);
    }

    synchronized void consumed(TopicPartition tp, long offset, String member) {
        if (!member.equals(owners.get(tp))) {
            violations.add(member + " consumed " + tp + "@" + offset + " owned by " + owners.get(tp));
        }
        if (!consumed.computeIfAbsent(tp, t -> new HashSet<>()).add(offset)) {
            violations.add(member + " consumed " + tp + "@" + offset + " twice");
        }
        count.incrementAndGet();
    }

    synchronized int ownedBy(String member) {
        return partitionsOf(member).size();
    }

    synchronized Set<TopicPartition> partitionsOf(String member) {
        Set<TopicPartition> out = new HashSet<>();
        for (Map.Entry<TopicPartition, String> e : owners.entrySet()) {
            if (e.getValue().equals(member)) {
                out.add(e.getKey());
            }
        }
        return out;
    }
}
