package io.gregor.group;

import io.gregor.metadata.MetadataRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/** The group tests' timer: tasks fire only when a test asks for the due ones, in deadline order (then scheduling order). */
final class FakeGroupTimer implements GroupTimer {
    private record Entry(long deadlineMs, long seq, Task task) {
    }

    private final Map<String, Entry> tasks = new TreeMap<>();
    private long seq;

    @Override
    public void schedule(String key, long deadlineMs, Task task) {
        tasks.put(key, new Entry(deadlineMs, seq++, task));
    }

    @Override
    public void cancel(String key) {
        tasks.remove(key);
    }

    /** Removes and returns the earliest task due at {@code nowMs}, or null. */
    Task takeNextDue(long nowMs) {
        Map.Entry<String, Entry> best = null;
        for (Map.Entry<String, Entry> e : tasks.entrySet()) {
            Entry v = e.getValue();
            if (v.deadlineMs() <= nowMs && (best == null || v.deadlineMs() < best.getValue().deadlineMs()
                    || (v.deadlineMs() == best.getValue().deadlineMs() && v.seq() < best.getValue().seq()))) {
                best = e;
            }
        }
        if (best == null) {
            return null;
        }
        tasks.remove(best.getKey());
        return best.getValue().task();
    }

    /** The metadata records of a topic whose partitions all live on node 1. */
    static List<MetadataRecord> topicRecords(String name, Uuid id, int partitions) {
        List<MetadataRecord> out = new ArrayList<>();
        out.add(new MetadataRecord.CreateTopic(name, id));
        for (int p = 0; p < partitions; p++) {
            out.add(new MetadataRecord.PartitionState(id, p, List.of(1), List.of(1), 1, 0));
        }
        return out;
    }
}
