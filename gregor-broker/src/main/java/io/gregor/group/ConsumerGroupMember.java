package io.gregor.group;

import java.util.List;

/**
 * A member of a KIP-848 consumer group as the coordinator knows it: its subscription (from
 * {@link GroupRecord.ConsumerMemberSubscription}) and its reconciled epoch and assignment (from
 * {@link GroupRecord.ConsumerMemberAssignment}). Immutable; {@link ConsumerGroup} replaces it on replay.
 *
 * @param assigned          the partitions the member may consume now
 * @param pendingRevocation partitions it must give up; still its own until it stops reporting them
 */
public record ConsumerGroupMember(String memberId, GroupRecord.MemberSubscription subscription, int memberEpoch,
                                  int previousMemberEpoch, State state, GroupRecord.Assignment assigned,
                                  GroupRecord.Assignment pendingRevocation) {

    /** Epoch of a static member that left temporarily (KIP-848: heartbeat with epoch -2). */
    public static final int LEAVE_GROUP_STATIC_MEMBER_EPOCH = -2;

    /** Where a member is in moving towards its target assignment. */
    public enum State {
        /** It has its target assignment at the target epoch. */
        STABLE,
        /** It must first stop consuming {@code pendingRevocation}; its epoch waits. */
        UNREVOKED_PARTITIONS,
        /** It is at the target epoch, but some target partitions are still owned by others. */
        UNRELEASED_PARTITIONS
    }

    static ConsumerGroupMember placeholder(String memberId) {
        return new ConsumerGroupMember(memberId, new GroupRecord.MemberSubscription(null, null, "", "", List.of(), null, null, -1),
                0, 0, State.STABLE, GroupRecord.Assignment.EMPTY, GroupRecord.Assignment.EMPTY);
    }

    ConsumerGroupMember withSubscription(GroupRecord.MemberSubscription newSubscription) {
        return new ConsumerGroupMember(memberId, newSubscription, memberEpoch, previousMemberEpoch, state, assigned, pendingRevocation);
    }

    ConsumerGroupMember withCurrent(GroupRecord.CurrentAssignment c) {
        return new ConsumerGroupMember(memberId, subscription, c.memberEpoch(), c.previousMemberEpoch(), c.state(), c.assigned(),
                c.pendingRevocation());
    }

    GroupRecord.CurrentAssignment current() {
        return new GroupRecord.CurrentAssignment(memberEpoch, previousMemberEpoch, state, assigned, pendingRevocation);
    }

    /** Partitions this member still holds: assigned or not yet revoked. */
    GroupRecord.Assignment owned() {
        return assigned.union(pendingRevocation);
    }

    String instanceId() {
        return subscription.instanceId();
    }
}
