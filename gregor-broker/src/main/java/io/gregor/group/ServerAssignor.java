package io.gregor.group;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/**
 * The server-side assignors of KIP-848 consumer groups, pure functions from members'
 * subscriptions (resolved to topic ids) and the topics' partition counts to a target assignment.
 * <ul>
 *   <li>{@code uniform} (the default): every member gets the same number of partitions, give or
 *       take one, among the topics it subscribes to; sticky: a partition stays with its current
 *       target owner unless that owner has too many.</li>
 *   <li>{@code range}: per topic, the subscribed members sorted by member id get contiguous
 *       ranges of partitions, the first {@code partitions % members} one more (like the client's
 *       RangeAssignor); co-partitioned topics land on the same members.</li>
 * </ul>
 * Deterministic for the same input. Owner: none (stateless).
 */
public enum ServerAssignor {
    UNIFORM("uniform"), RANGE("range");

    public static final Set<String> NAMES = Set.of("uniform", "range");

    /** One member's input: the topic ids it subscribes to (existing topics only) and its current target. */
    public record MemberSpec(Set<Uuid> topics, GroupRecord.Assignment currentTarget) {
    }

    private final String assignorName;

    ServerAssignor(String assignorName) {
        this.assignorName = assignorName;
    }

    public String assignorName() {
        return assignorName;
    }

    public static ServerAssignor named(String name) {
        for (ServerAssignor a : values()) {
            if (a.assignorName.equals(name)) {
                return a;
            }
        }
        throw new IllegalArgumentException("assignor: " + name + " (expected: uniform or range)");
    }

    /** The target assignment of every member (members without partitions get an empty one). */
    public Map<String, GroupRecord.Assignment> assign(Map<String, MemberSpec> members, Map<Uuid, Integer> partitionCounts) {
        Map<String, Map<Uuid, Set<Integer>>> out = new TreeMap<>();
        for (String m : members.keySet()) {
            out.put(m, new TreeMap<>());
        }
        if (this == RANGE) {
            assignRange(members, partitionCounts, out);
        } else {
            assignUniform(members, partitionCounts, out);
        }
        Map<String, GroupRecord.Assignment> result = new TreeMap<>();
        out.forEach((m, a) -> result.put(m, new GroupRecord.Assignment(a)));
        return result;
    }

    private static void assignRange(Map<String, MemberSpec> members, Map<Uuid, Integer> partitionCounts,
                                    Map<String, Map<Uuid, Set<Integer>>> out) {
        for (Map.Entry<Uuid, Integer> topic : new TreeMap<>(partitionCounts).entrySet()) {
            List<String> subscribers = new ArrayList<>();
            for (Map.Entry<String, MemberSpec> m : new TreeMap<>(members).entrySet()) {
                if (m.getValue().topics().contains(topic.getKey())) {
                    subscribers.add(m.getKey());
                }
            }
            if (subscribers.isEmpty()) {
                continue;
            }
            int n = topic.getValue();
            int per = n / subscribers.size();
            int extra = n % subscribers.size();
            int next = 0;
            for (int i = 0; i < subscribers.size(); i++) {
                int count = per + (i < extra ? 1 : 0);
                Set<Integer> ps = out.get(subscribers.get(i)).computeIfAbsent(topic.getKey(), t -> new TreeSet<>());
                for (int j = 0; j < count; j++) {
                    ps.add(next++);
                }
            }
        }
    }

    private record TopicPartition(Uuid topicId, int partition) {
    }

    private static void assignUniform(Map<String, MemberSpec> members, Map<Uuid, Integer> partitionCounts,
                                      Map<String, Map<Uuid, Set<Integer>>> out) {
        Map<String, Set<TopicPartition>> owned = new TreeMap<>();
        for (String m : members.keySet()) {
            owned.put(m, new HashSet<>());
        }
        Map<TopicPartition, String> owner = new HashMap<>();
        // 1. Stickiness: keep every still-valid partition of the current target.
        for (Map.Entry<String, MemberSpec> m : new TreeMap<>(members).entrySet()) {
            m.getValue().currentTarget().partitions().forEach((topicId, ps) -> {
                Integer count = partitionCounts.get(topicId);
                if (count == null || !m.getValue().topics().contains(topicId)) {
                    return;
                }
                for (int p : ps) {
                    TopicPartition tp = new TopicPartition(topicId, p);
                    if (p < count && !owner.containsKey(tp)) {
                        owner.put(tp, m.getKey());
                        owned.get(m.getKey()).add(tp);
                    }
                }
            });
        }
        // 2. Unowned partitions go to the least loaded subscriber; partitions with fewer candidates first.
        Map<Uuid, List<String>> subscribers = new TreeMap<>();
        for (Uuid topicId : partitionCounts.keySet()) {
            List<String> subs = new ArrayList<>();
            for (Map.Entry<String, MemberSpec> m : new TreeMap<>(members).entrySet()) {
                if (m.getValue().topics().contains(topicId)) {
                    subs.add(m.getKey());
                }
            }
            subscribers.put(topicId, subs);
        }
        List<TopicPartition> unowned = new ArrayList<>();
        for (Map.Entry<Uuid, Integer> t : new TreeMap<>(partitionCounts).entrySet()) {
            for (int p = 0; p < t.getValue(); p++) {
                TopicPartition tp = new TopicPartition(t.getKey(), p);
                if (!owner.containsKey(tp) && !subscribers.get(t.getKey()).isEmpty()) {
                    unowned.add(tp);
                }
            }
        }
        unowned.sort(Comparator.comparingInt((TopicPartition tp) -> subscribers.get(tp.topicId()).size())
                .thenComparing(TopicPartition::topicId).thenComparingInt(TopicPartition::partition));
        for (TopicPartition tp : unowned) {
            String best = null;
            for (String m : subscribers.get(tp.topicId())) {
                if (best == null || owned.get(m).size() < owned.get(best).size()) {
                    best = m;
                }
            }
            owner.put(tp, best);
            owned.get(best).add(tp);
        }
        // 3. Balance: move a partition from a member to a subscriber with at least two fewer, until none
        // can move. Each move lowers the sum of squared loads, so this ends.
        boolean moved = true;
        while (moved) {
            moved = false;
            List<TopicPartition> all = new ArrayList<>(owner.keySet());
            all.sort(Comparator.comparing(TopicPartition::topicId).thenComparingInt(TopicPartition::partition).reversed());
            for (TopicPartition tp : all) {
                String from = owner.get(tp);
                String to = null;
                for (String m : subscribers.get(tp.topicId())) {
                    if (owned.get(m).size() < owned.get(from).size() - 1 && (to == null || owned.get(m).size() < owned.get(to).size())) {
                        to = m;
                    }
                }
                if (to != null) {
                    owned.get(from).remove(tp);
                    owned.get(to).add(tp);
                    owner.put(tp, to);
                    moved = true;
                }
            }
        }
        owner.forEach((tp, m) -> out.get(m).computeIfAbsent(tp.topicId(), t -> new TreeSet<>()).add(tp.partition()));
    }
}
