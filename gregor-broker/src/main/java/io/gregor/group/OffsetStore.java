package io.gregor.group;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;

/**
 * Committed offsets of every group this coordinator hosts, whatever the group type (classic
 * now, KIP-848 consumer groups later). Changed only by {@link #replay}, for live commits and
 * for loading alike. Owner: the group coordinator thread.
 */
public final class OffsetStore {

    private final Map<String, Map<TopicPartition, GroupRecord.CommittedOffset>> offsets = new HashMap<>();

    public void replay(GroupRecord.OffsetCommit record) {
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        if (record.value() == null) {
            Map<TopicPartition, GroupRecord.CommittedOffset> group = offsets.get(record.groupId());
            if (group != null) {
                group.remove(tp);
                if (group.isEmpty()) {
                    offsets.remove(record.groupId());
                }
            }
        } else {
            offsets.computeIfAbsent(record.groupId(), g -> new HashMap<>()).put(tp, record.value());
        }
    }

    /** The committed offset, or null. */
    public GroupRecord.CommittedOffset offset(String groupId, TopicPartition tp) {
        Map<TopicPartition, GroupRecord.CommittedOffset> group = offsets.get(groupId);
        return group == null ? null : group.get(tp);
    }

    /** All committed offsets of a group, ordered by topic then partition. */
    public Map<TopicPartition, GroupRecord.CommittedOffset> offsets(String groupId) {
        Map<TopicPartition, GroupRecord.CommittedOffset> group = offsets.get(groupId);
        if (group == null) {
            return Map.of();
        }
        Map<TopicPartition, GroupRecord.CommittedOffset> sorted = new TreeMap<>((a, b) -> {
            int c = a.topic().compareTo(b.topic());
            return c != 0 ? c : Integer.compare(a.partition(), b.partition());
        });
        sorted.putAll(group);
        return Collections.unmodifiableMap(sorted);
    }

    public boolean hasOffsets(String groupId) {
        return offsets.containsKey(groupId);
    }

    public Set<String> groupIds() {
        return Collections.unmodifiableSet(offsets.keySet());
    }
}
