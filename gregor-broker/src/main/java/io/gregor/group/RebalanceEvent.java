package io.gregor.group;

import java.util.List;

/**
 * One rebalance of a classic group, for {@code groups describe --history}: when and why it
 * started, the generation it produced, members dropped on the way, and who got which
 * assignment bytes once the leader's SyncGroup arrived. Immutable snapshot.
 *
 * @param completedMs when the assignment was distributed, or -1 if the rebalance never completed
 *                    (superseded by another one, or the group emptied)
 */
public record RebalanceEvent(long startedMs, Reason reason, String detail, int generationId, long completedMs,
                             List<String> removedMembers, List<MemberAssignment> members) {

    public enum Reason {
        MEMBER_JOINED, MEMBER_LEFT, SESSION_TIMEOUT, POLL_INTERVAL_EXCEEDED, METADATA_CHANGED, LEADER_REJOINED,
        SYNC_TIMEOUT, WRITE_FAILED
    }

    public record MemberAssignment(String memberId, String groupInstanceId, String clientId, byte[] assignment) {
    }
}
