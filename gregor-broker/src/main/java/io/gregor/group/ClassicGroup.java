package io.gregor.group;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.message.ConsumerProtocolSubscription;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;

/**
 * One classic group: its state, generation, selected protocol, leader, members (joined in
 * order), KIP-394 pending members, members that still owe a SyncGroup, and its recent
 * rebalances. Plain data with small helpers; the decisions are in {@link ClassicGroups}.
 * Owner: the group coordinator thread.
 */
final class ClassicGroup {

    static final String CONSUMER_PROTOCOL_TYPE = "consumer";
    private static final int HISTORY_SIZE = 20;

    final String groupId;
    private GroupState state = GroupState.EMPTY;
    private GroupState previousState = GroupState.EMPTY;
    long currentStateTimestampMs;
    int generationId;
    String protocolType;
    String protocolName;
    String leaderId;
    final LinkedHashMap<String, ClassicGroupMember> members = new LinkedHashMap<>();
    final Set<String> pendingMembers = new HashSet<>();
    final Map<String, String> staticMembers = new HashMap<>();
    final Set<String> pendingSyncMembers = new HashSet<>();
    /** Another member joined during the initial rebalance delay: wait one more delay. */
    boolean newMemberAdded;

    private final ArrayDeque<RebalanceEvent> history = new ArrayDeque<>();
    /** The rebalance in progress, completed by the leader's SyncGroup. */
    RebalanceEvent current;

    ClassicGroup(String groupId, long nowMs) {
        this.groupId = groupId;
        this.currentStateTimestampMs = nowMs;
    }

    /** The group as its {@code GroupMetadata} record stores it. */
    GroupRecord.GroupMetadata snapshot() {
        List<GroupRecord.MemberSnapshot> snapshots = new ArrayList<>();
        for (ClassicGroupMember m : members.values()) {
            byte[] metadata = protocolName == null ? null : m.metadata(protocolName);
            snapshots.add(new GroupRecord.MemberSnapshot(m.memberId(), m.groupInstanceId, m.clientId, m.clientHost,
                    m.rebalanceTimeoutMs, m.sessionTimeoutMs, metadata == null ? new byte[0] : metadata, m.assignment));
        }
        return new GroupRecord.GroupMetadata(groupId, new GroupRecord.GroupSnapshot(protocolType, generationId, protocolName, leaderId,
                currentStateTimestampMs, List.copyOf(snapshots)));
    }

    /** A group rebuilt from its snapshot while loading: Stable with members, Empty without. */
    static ClassicGroup fromSnapshot(String groupId, GroupRecord.GroupSnapshot s) {
        ClassicGroup group = new ClassicGroup(groupId, s.currentStateTimestampMs());
        group.generationId = s.generationId();
        group.protocolType = s.protocolType();
        group.protocolName = s.protocolName();
        for (GroupRecord.MemberSnapshot m : s.members()) {
            ClassicGroupMember member = new ClassicGroupMember(m.memberId(), m.groupInstanceId(), m.clientId(), m.clientHost(),
                    m.rebalanceTimeoutMs(), m.sessionTimeoutMs(), s.protocolType(),
                    List.of(new ClassicGroupMember.Protocol(s.protocolName(), m.metadata())));
            member.assignment = m.assignment() == null ? new byte[0] : m.assignment();
            group.add(member);
        }
        group.leaderId = s.leaderId();
        group.transitionTo(s.members().isEmpty() ? GroupState.EMPTY : GroupState.STABLE, s.currentStateTimestampMs());
        return group;
    }

    GroupState state() {
        return state;
    }

    GroupState previousState() {
        return previousState;
    }

    boolean isInState(GroupState s) {
        return state == s;
    }

    void transitionTo(GroupState next, long nowMs) {
        previousState = state;
        state = next;
        currentStateTimestampMs = nowMs;
    }

    boolean isEmpty() {
        return members.isEmpty();
    }

    boolean hasMember(String memberId) {
        return members.containsKey(memberId);
    }

    ClassicGroupMember member(String memberId) {
        return members.get(memberId);
    }

    boolean isLeader(String memberId) {
        return memberId.equals(leaderId);
    }

    boolean canRebalance() {
        return state == GroupState.STABLE || state == GroupState.COMPLETING_REBALANCE || state == GroupState.EMPTY;
    }

    int numAwaitingJoin() {
        int n = 0;
        for (ClassicGroupMember m : members.values()) {
            if (m.isAwaitingJoin()) {
                n++;
            }
        }
        return n;
    }

    boolean hasAllMembersJoined() {
        return members.size() == numAwaitingJoin() && pendingMembers.isEmpty();
    }

    /** Kafka's rebalance timeout: the largest any member asked for. */
    int rebalanceTimeoutMs() {
        int max = 0;
        for (ClassicGroupMember m : members.values()) {
            max = Math.max(max, m.rebalanceTimeoutMs);
        }
        return max;
    }

    void add(ClassicGroupMember member) {
        if (members.isEmpty()) {
            protocolType = member.protocolType;
        }
        members.put(member.memberId(), member);
        if (member.isStatic()) {
            staticMembers.put(member.groupInstanceId, member.memberId());
        }
        pendingMembers.remove(member.memberId());
        if (leaderId == null) {
            leaderId = member.memberId();
        }
    }

    void remove(String memberId) {
        ClassicGroupMember m = members.remove(memberId);
        if (m != null && m.isStatic()) {
            staticMembers.remove(m.groupInstanceId, memberId);
        }
        pendingSyncMembers.remove(memberId);
        if (memberId.equals(leaderId)) {
            leaderId = members.isEmpty() ? null : members.keySet().iterator().next();
        }
    }

    /** Kafka's ClassicGroup.validateMember: an instance id must be known and held by this member id. */
    Errors validateMember(String memberId, String groupInstanceId) {
        if (groupInstanceId != null) {
            String current = staticMembers.get(groupInstanceId);
            if (current == null) {
                return Errors.UNKNOWN_MEMBER_ID;
            }
            return current.equals(memberId) ? Errors.NONE : Errors.FENCED_INSTANCE_ID;
        }
        return hasMember(memberId) ? Errors.NONE : Errors.UNKNOWN_MEMBER_ID;
    }

    /** An empty group accepts any non-empty protocol type and list; otherwise the type must match and some protocol must be supported by all. */
    boolean supportsProtocols(String memberProtocolType, List<ClassicGroupMember.Protocol> protocols) {
        if (members.isEmpty()) {
            return memberProtocolType != null && !memberProtocolType.isEmpty() && !protocols.isEmpty();
        }
        if (!memberProtocolType.equals(protocolType)) {
            return false;
        }
        for (ClassicGroupMember.Protocol p : protocols) {
            boolean all = true;
            for (ClassicGroupMember m : members.values()) {
                if (!m.supports(p.name())) {
                    all = false;
                    break;
                }
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    /** The protocol every member supports that most members prefer (ties: the earlier member's preference). */
    String selectProtocol() {
        List<String> candidates = new ArrayList<>();
        ClassicGroupMember first = members.values().iterator().next();
        for (ClassicGroupMember.Protocol p : first.protocols) {
            boolean all = true;
            for (ClassicGroupMember m : members.values()) {
                if (!m.supports(p.name())) {
                    all = false;
                    break;
                }
            }
            if (all) {
                candidates.add(p.name());
            }
        }
        if (candidates.isEmpty()) {
            throw new IllegalStateException("group " + groupId + " has no protocol all members support");
        }
        Map<String, Integer> votes = new LinkedHashMap<>();
        for (ClassicGroupMember m : members.values()) {
            for (ClassicGroupMember.Protocol p : m.protocols) {
                if (candidates.contains(p.name())) {
                    votes.merge(p.name(), 1, Integer::sum);
                    break;
                }
            }
        }
        String best = candidates.get(0);
        int bestVotes = -1;
        for (String c : candidates) {
            int v = votes.getOrDefault(c, 0);
            if (v > bestVotes) {
                best = c;
                bestVotes = v;
            }
        }
        return best;
    }

    /**
     * The topics members of a "consumer" group subscribe to, parsed from their metadata; empty
     * when not known (another protocol type or unreadable metadata).
     */
    Optional<Set<String>> subscribedTopics() {
        if (!CONSUMER_PROTOCOL_TYPE.equals(protocolType)) {
            return Optional.empty();
        }
        Set<String> topics = new HashSet<>();
        for (ClassicGroupMember m : members.values()) {
            byte[] metadata = protocolName != null ? m.metadata(protocolName)
                    : m.protocols.isEmpty() ? null : m.protocols.get(0).metadata();
            if (metadata == null) {
                return Optional.empty();
            }
            try {
                ByteBuffer buf = ByteBuffer.wrap(metadata);
                short version = buf.getShort();
                short readVersion = (short) Math.min(Math.max(version, ConsumerProtocolSubscription.LOWEST_SUPPORTED_VERSION),
                        ConsumerProtocolSubscription.HIGHEST_SUPPORTED_VERSION);
                topics.addAll(new ConsumerProtocolSubscription(new ByteBufferAccessor(buf), readVersion).topics());
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        }
        return Optional.of(topics);
    }

    /** Kafka's conservative rule: unknown subscriptions count as subscribed. */
    boolean isSubscribedToTopic(String topic) {
        if (state == GroupState.EMPTY || state == GroupState.DEAD) {
            return false;
        }
        return subscribedTopics().map(t -> t.contains(topic)).orElse(true);
    }

    void addHistory(RebalanceEvent event) {
        if (history.size() == HISTORY_SIZE) {
            history.removeFirst();
        }
        history.addLast(event);
    }

    /** Replaces the newest entry (the rebalance in progress) with its updated copy. */
    void updateCurrent(RebalanceEvent updated) {
        if (current != null && !history.isEmpty() && history.peekLast() == current) {
            history.removeLast();
            history.addLast(updated);
        }
        current = updated;
    }

    List<RebalanceEvent> history() {
        return List.copyOf(history);
    }
}
