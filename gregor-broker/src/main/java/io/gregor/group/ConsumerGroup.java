package io.gregor.group;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One KIP-848 consumer group: its epoch, members, target assignment and the epoch that target was
 * computed for. Changed only by the {@code replay} methods (called by {@link ConsumerGroups} for
 * live writes and for loading alike); decisions read it and return records. Also keeps the
 * recent rebalance history in memory.
 *
 * <p>Owner: the group coordinator thread; not thread-safe.
 */
public final class ConsumerGroup {

    static final int MAX_HISTORY = 20;

    /** The states Kafka reports for consumer groups. */
    public enum State {
        EMPTY("Empty"), ASSIGNING("Assigning"), RECONCILING("Reconciling"), STABLE("Stable");

        private final String wireName;

        State(String wireName) {
            this.wireName = wireName;
        }

        @Override
        public String toString() {
            return wireName;
        }
    }

    final String groupId;
    int groupEpoch;
    long metadataHash;
    int assignmentEpoch;
    final Map<String, ConsumerGroupMember> members = new TreeMap<>();
    final Map<String, GroupRecord.Assignment> targetAssignment = new TreeMap<>();
    private final List<RebalanceEvent> history = new ArrayList<>();
    /** Index into history of the rebalance not yet completed, or -1. */
    private int open = -1;

    ConsumerGroup(String groupId) {
        this.groupId = groupId;
    }

    public String groupId() {
        return groupId;
    }

    public int groupEpoch() {
        return groupEpoch;
    }

    public int assignmentEpoch() {
        return assignmentEpoch;
    }

    public Map<String, ConsumerGroupMember> members() {
        return Collections.unmodifiableMap(members);
    }

    public GroupRecord.Assignment targetOf(String memberId) {
        return targetAssignment.getOrDefault(memberId, GroupRecord.Assignment.EMPTY);
    }

    public State state() {
        if (members.isEmpty()) {
            return State.EMPTY;
        }
        if (assignmentEpoch < groupEpoch) {
            return State.ASSIGNING;
        }
        for (ConsumerGroupMember m : members.values()) {
            if (m.memberEpoch() >= 0 && (m.memberEpoch() != assignmentEpoch || m.state() != ConsumerGroupMember.State.STABLE)) {
                return State.RECONCILING;
            }
        }
        return State.STABLE;
    }

    List<RebalanceEvent> history() {
        return List.copyOf(history);
    }

    // ---------------------------------------------------------------- replay

    void replayEpoch(GroupRecord.ConsumerGroupEpoch value) {
        groupEpoch = value.groupEpoch();
        metadataHash = value.metadataHash();
        RebalanceEvent.Reason reason;
        try {
            reason = RebalanceEvent.Reason.valueOf(value.reason());
        } catch (IllegalArgumentException | NullPointerException e) {
            reason = RebalanceEvent.Reason.METADATA_CHANGED;
        }
        if (open >= 0) {
            // Superseded before every member converged.
            open = -1;
        }
        history.add(new RebalanceEvent(value.timestampMs(), reason, value.detail(), value.groupEpoch(), -1, List.of(), List.of()));
        if (history.size() > MAX_HISTORY) {
            history.remove(0);
        }
        open = history.size() - 1;
    }

    void replaySubscription(String memberId, GroupRecord.MemberSubscription value) {
        if (value == null) {
            members.remove(memberId);
            return;
        }
        members.put(memberId, members.getOrDefault(memberId, ConsumerGroupMember.placeholder(memberId)).withSubscription(value));
    }

    void replayTarget(String memberId, GroupRecord.Assignment value) {
        if (value == null) {
            targetAssignment.remove(memberId);
        } else {
            targetAssignment.put(memberId, value);
        }
    }

    void replayTargetEpoch(int epoch) {
        assignmentEpoch = epoch;
    }

    void replayCurrent(String memberId, GroupRecord.CurrentAssignment value) {
        ConsumerGroupMember m = members.get(memberId);
        if (value == null) {
            return;
        }
        members.put(memberId, (m == null ? ConsumerGroupMember.placeholder(memberId) : m).withCurrent(value));
    }

    /** The open rebalance is complete once every member converged; returns it then (once), else null. */
    RebalanceEvent maybeCompleteRebalance(long nowMs, List<RebalanceEvent.MemberAssignment> assignments) {
        if (open < 0 || open >= history.size() || (state() != State.STABLE && state() != State.EMPTY)) {
            return null;
        }
        RebalanceEvent e = history.get(open);
        RebalanceEvent done = new RebalanceEvent(e.startedMs(), e.reason(), e.detail(), e.generationId(), nowMs, e.removedMembers(),
                List.copyOf(assignments));
        history.set(open, done);
        open = -1;
        return done;
    }
}
