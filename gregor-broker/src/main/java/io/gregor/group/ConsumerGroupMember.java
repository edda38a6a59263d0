package io.gregor.group;

import java.util.List;

/**
 * A member of a KIP-848 consumer group as the coordinator knows it: its subscription (from
 * {@link GroupRecord.ConsumerMemberSubscription}) and its reconciled epoch and assignment (from
 * {@link GroupRecord.ConsumerMemberAssignment}). Immutable; {@link ConsumerGroup} replaces it on replay.
 *
 * @param current its epoch, state, the partitions it may consume now ({@code assigned}), the ones
 *                it must give up ({@code pendingRevocation}; still its own until it stops reporting
 *                them), and the epoch each of them was assigned at
 */
public record ConsumerGroupMember(String memberId, GroupRecord.MemberSubscription subscription, GroupRecord.CurrentAssignment current) {

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

    static final GroupRecord.CurrentAssignment NOTHING = new GroupRecord.CurrentAssignment(0, 0, State.STABLE,
            GroupRecord.Assignment.EMPTY, GroupRecord.Assignment.EMPTY, GroupRecord.PartitionEpochs.EMPTY);

    static ConsumerGroupMember placeholder(String memberId) {
        return new ConsumerGroupMember(memberId, new GroupRecord.MemberSubscription(null, null, "", "", List.of(), null, null, -1),
                NOTHING);
    }

    ConsumerGroupMember withSubscription(GroupRecord.MemberSubscription newSubscription) {
        return new ConsumerGroupMember(memberId, newSubscription, current);
    }

    ConsumerGroupMember withCurrent(GroupRecord.CurrentAssignment c) {
        return new ConsumerGroupMember(memberId, subscription, c);
    }

    public int memberEpoch() {
        return current.memberEpoch();
    }

    public int previousMemberEpoch() {
        return current.previousMemberEpoch();
    }

    public State state() {
        return current.state();
    }

    public GroupRecord.Assignment assigned() {
        return current.assigned();
    }

    public GroupRecord.Assignment pendingRevocation() {
        return current.pendingRevocation();
    }

    public GroupRecord.PartitionEpochs assignmentEpochs() {
        return current.assignmentEpochs();
    }

    /** Partitions this member still holds: assigned or not yet revoked. */
    GroupRecord.Assignment owned() {
        return assigned().union(pendingRevocation());
    }

    String instanceId() {
        return subscription.instanceId();
    }
}
