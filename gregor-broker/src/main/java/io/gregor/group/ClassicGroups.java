package io.gregor.group;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The classic group protocol (JoinGroup, SyncGroup, Heartbeat, LeaveGroup) as a state machine
 * over Kafka's states Empty → PreparingRebalance → CompletingRebalance → Stable (→ Dead).
 * Every entry takes {@code nowMs} and an {@link Effects} to which it adds the records to write
 * and the responses to send once they are durable; waiting JoinGroups and SyncGroups are parked
 * futures completed by later events or by {@link GroupTimer} deadlines. As in Kafka, membership
 * lives in memory and a group snapshot record is written when a generation's assignment is
 * known (or the group empties); loading replays those snapshots.
 *
 * <p>Owner: the group coordinator thread; nothing here is thread-safe.
 */
final class ClassicGroups {

    private static final Logger log = LoggerFactory.getLogger(ClassicGroups.class);
    /** Kafka's group.classic.new.member.join.timeout: a new member whose JoinGroup waits longer is dropped. */
    static final int NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60 * 1000;

    private final GroupConfig config;
    private final GroupTimer timer;
    private final ToIntFunction<String> partitionFor;
    /** Whether a group has committed offsets: such a group is never dropped from memory while it has them. */
    private final Predicate<String> hasOffsets;
    private final Map<String, ClassicGroup> groups = new HashMap<>();

    ClassicGroups(GroupConfig config, GroupTimer timer, ToIntFunction<String> partitionFor, Predicate<String> hasOffsets) {
        this.config = config;
        this.timer = timer;
        this.partitionFor = partitionFor;
        this.hasOffsets = hasOffsets;
    }

    ClassicGroup group(String groupId) {
        return groups.get(groupId);
    }

    Collection<ClassicGroup> all() {
        return groups.values();
    }

    /** An empty group created by a "simple" offset commit (generation -1) or by replaying offsets. */
    ClassicGroup getOrCreateSimpleGroup(String groupId, long nowMs) {
        return groups.computeIfAbsent(groupId, g -> new ClassicGroup(g, nowMs));
    }

    void removeGroup(String groupId) {
        ClassicGroup g = groups.remove(groupId);
        if (g != null) {
            g.transitionTo(GroupState.DEAD, g.currentStateTimestampMs);
            timer.cancel(joinKey(groupId));
            timer.cancel(syncKey(groupId));
            for (String memberId : g.members.keySet()) {
                timer.cancel(heartbeatKey(groupId, memberId));
            }
        }
    }

    // ---------------------------------------------------------------- JoinGroup

    void joinGroup(Effects fx, long nowMs, RequestMeta meta, JoinGroupRequestData request,
                   CompletableFuture<JoinGroupResponseData> future) {
        String groupId = request.groupId();
        String memberId = request.memberId() == null ? "" : request.memberId();
        if (groupId == null || groupId.isEmpty()) {
            fx.respond(future, joinError(memberId, Errors.INVALID_GROUP_ID));
            return;
        }
        if (request.sessionTimeoutMs() < config.minSessionTimeoutMs() || request.sessionTimeoutMs() > config.maxSessionTimeoutMs()) {
            fx.respond(future, joinError(memberId, Errors.INVALID_SESSION_TIMEOUT));
            return;
        }
        boolean isUnknown = memberId.isEmpty();
        ClassicGroup group = groups.get(groupId);
        boolean created = false;
        if (group == null) {
            if (!isUnknown) {
                fx.respond(future, joinError(memberId, Errors.UNKNOWN_MEMBER_ID));
                return;
            }
            group = new ClassicGroup(groupId, nowMs);
            groups.put(groupId, group);
            created = true;
        }
        List<ClassicGroupMember.Protocol> protocols = new ArrayList<>();
        for (JoinGroupRequestData.JoinGroupRequestProtocol p : request.protocols()) {
            protocols.add(new ClassicGroupMember.Protocol(p.name(), p.metadata()));
        }
        if (!acceptJoiningMember(group, memberId)) {
            fx.respond(future, joinError(memberId, Errors.GROUP_MAX_SIZE_REACHED));
        } else if (!group.supportsProtocols(request.protocolType(), protocols)) {
            fx.respond(future, joinError(memberId, Errors.INCONSISTENT_GROUP_PROTOCOL));
        } else if (isUnknown) {
            joinNewMember(fx, nowMs, meta, group, request, protocols, future);
        } else {
            joinExistingMember(fx, nowMs, meta, group, request, protocols, future);
        }
        if (created && group.isEmpty() && group.pendingMembers.isEmpty() && group.isInState(GroupState.EMPTY)
                && !hasOffsets.test(groupId)) {
            groups.remove(groupId);
        }
    }

    private boolean acceptJoiningMember(ClassicGroup group, String memberId) {
        return switch (group.state()) {
            case EMPTY, DEAD -> true;
            case PREPARING_REBALANCE -> (group.hasMember(memberId) && group.member(memberId).isAwaitingJoin())
                    || group.numAwaitingJoin() < config.maxSize();
            case COMPLETING_REBALANCE, STABLE -> group.hasMember(memberId) || group.members.size() < config.maxSize();
        };
    }

    private void joinNewMember(Effects fx, long nowMs, RequestMeta meta, ClassicGroup group, JoinGroupRequestData request,
                               List<ClassicGroupMember.Protocol> protocols, CompletableFuture<JoinGroupResponseData> future) {
        String instanceId = request.groupInstanceId();
        if (instanceId != null) {
            String newMemberId = instanceId + "-" + Uuid.randomUuid();
            String existing = group.staticMembers.get(instanceId);
            if (existing != null && group.hasMember(existing)) {
                replaceStaticMember(fx, nowMs, meta, group, existing, newMemberId, request, protocols, future);
            } else {
                addMemberThenRebalanceOrCompleteJoin(fx, nowMs, meta, group, newMemberId, request, protocols, future);
            }
            return;
        }
        String newMemberId = (meta.clientId() == null ? "" : meta.clientId()) + "-" + Uuid.randomUuid();
        if (meta.apiVersion() >= 4) {
            // KIP-394: the member must come back with this id; until then it is pending and
            // holds up the join phase for at most its session timeout.
            group.pendingMembers.add(newMemberId);
            timer.schedule(pendingKey(group.groupId, newMemberId), nowMs + request.sessionTimeoutMs(),
                    (t, e) -> expirePendingMember(e, t, group.groupId, newMemberId));
            fx.respond(future, joinError(newMemberId, Errors.MEMBER_ID_REQUIRED));
        } else {
            addMemberThenRebalanceOrCompleteJoin(fx, nowMs, meta, group, newMemberId, request, protocols, future);
        }
    }

    private void joinExistingMember(Effects fx, long nowMs, RequestMeta meta, ClassicGroup group, JoinGroupRequestData request,
                                    List<ClassicGroupMember.Protocol> protocols, CompletableFuture<JoinGroupResponseData> future) {
        String memberId = request.memberId();
        if (group.isInState(GroupState.DEAD)) {
            fx.respond(future, joinError(memberId, Errors.COORDINATOR_NOT_AVAILABLE));
            return;
        }
        if (group.pendingMembers.contains(memberId)) {
            timer.cancel(pendingKey(group.groupId, memberId));
            addMemberThenRebalanceOrCompleteJoin(fx, nowMs, meta, group, memberId, request, protocols, future);
            return;
        }
        Errors error = validateExistingMember(group, memberId, request.groupInstanceId());
        if (error != Errors.NONE) {
            fx.respond(future, joinError(memberId, error));
            return;
        }
        ClassicGroupMember member = group.member(memberId);
        String reason = request.reason() == null ? "" : "; client reason: " + request.reason();
        switch (group.state()) {
            case PREPARING_REBALANCE -> updateMemberThenRebalanceOrCompleteJoin(fx, nowMs, meta, group, member, request, protocols, future,
                    RebalanceEvent.Reason.METADATA_CHANGED, "member " + memberId + " rejoined during PreparingRebalance" + reason);
            case COMPLETING_REBALANCE -> {
                if (member.matches(protocols)) {
                    // It lost the JoinGroup response: give it this generation again.
                    fx.respond(future, currentGenerationResponse(group, member, meta.apiVersion(), group.isLeader(memberId)));
                } else {
                    updateMemberThenRebalanceOrCompleteJoin(fx, nowMs, meta, group, member, request, protocols, future,
                            RebalanceEvent.Reason.METADATA_CHANGED, "member " + memberId + " changed its metadata during CompletingRebalance" + reason);
                }
            }
            case STABLE -> {
                if (group.isLeader(memberId)) {
                    // The leader may rejoin to trigger a rebalance for changes the member metadata
                    // does not show (e.g. new partitions of a subscribed topic).
                    updateMemberThenRebalanceOrCompleteJoin(fx, nowMs, meta, group, member, request, protocols, future,
                            RebalanceEvent.Reason.LEADER_REJOINED, "leader " + memberId + " rejoined" + reason);
                } else if (!member.matches(protocols)) {
                    updateMemberThenRebalanceOrCompleteJoin(fx, nowMs, meta, group, member, request, protocols, future,
                            RebalanceEvent.Reason.METADATA_CHANGED, "member " + memberId + " changed its metadata" + reason);
                } else {
                    fx.respond(future, currentGenerationResponse(group, member, meta.apiVersion(), false));
                }
            }
            case EMPTY, DEAD -> fx.respond(future, joinError(memberId, Errors.UNKNOWN_MEMBER_ID));
        }
    }

    private Errors validateExistingMember(ClassicGroup group, String memberId, String groupInstanceId) {
        return group.validateMember(memberId, groupInstanceId);
    }

    private void addMemberThenRebalanceOrCompleteJoin(Effects fx, long nowMs, RequestMeta meta, ClassicGroup group, String memberId,
                                                      JoinGroupRequestData request, List<ClassicGroupMember.Protocol> protocols,
                                                      CompletableFuture<JoinGroupResponseData> future) {
        // JoinGroup v0 has no rebalance timeout: the session timeout serves.
        int rebalanceTimeoutMs = meta.apiVersion() == 0 ? request.sessionTimeoutMs() : request.rebalanceTimeoutMs();
        ClassicGroupMember member = new ClassicGroupMember(memberId, request.groupInstanceId(), meta.clientId(), meta.clientHost(),
                rebalanceTimeoutMs, request.sessionTimeoutMs(), request.protocolType(), protocols);
        member.isNew = true;
        member.awaitingJoin = future;
        member.joinVersion = meta.apiVersion();
        if (group.isInState(GroupState.PREPARING_REBALANCE) && group.previousState() == GroupState.EMPTY) {
            group.newMemberAdded = true;
        }
        group.add(member);
        // A new member cannot heartbeat while its JoinGroup is parked; it gets the new-member
        // timeout instead, so a client that went away does not hold the group forever.
        scheduleHeartbeat(group, member, nowMs + NEW_MEMBER_JOIN_TIMEOUT_MS);
        String reason = request.reason() == null ? "" : "; client reason: " + request.reason();
        maybePrepareRebalanceOrCompleteJoin(fx, nowMs, group, RebalanceEvent.Reason.MEMBER_JOINED,
                "member " + memberId + (member.isStatic() ? " (instance " + member.groupInstanceId + ")" : "") + " joined" + reason);
    }

    private void updateMemberThenRebalanceOrCompleteJoin(Effects fx, long nowMs, RequestMeta meta, ClassicGroup group,
                                                         ClassicGroupMember member, JoinGroupRequestData request,
                                                         List<ClassicGroupMember.Protocol> protocols,
                                                         CompletableFuture<JoinGroupResponseData> future,
                                                         RebalanceEvent.Reason reason, String detail) {
        member.protocols = List.copyOf(protocols);
        member.rebalanceTimeoutMs = meta.apiVersion() == 0 ? request.sessionTimeoutMs() : request.rebalanceTimeoutMs();
        member.sessionTimeoutMs = request.sessionTimeoutMs();
        if (member.awaitingJoin != null && member.awaitingJoin != future) {
            // A retried JoinGroup replaces the earlier one, which the client has given up on.
            fx.respond(member.awaitingJoin, joinError(member.memberId(), Errors.REBALANCE_IN_PROGRESS));
        }
        member.awaitingJoin = future;
        member.joinVersion = meta.apiVersion();
        maybePrepareRebalanceOrCompleteJoin(fx, nowMs, group, reason, detail);
    }

    private void replaceStaticMember(Effects fx, long nowMs, RequestMeta meta, ClassicGroup group, String oldMemberId,
                                     String newMemberId, JoinGroupRequestData request, List<ClassicGroupMember.Protocol> protocols,
                                     CompletableFuture<JoinGroupResponseData> future) {
        ClassicGroupMember member = group.member(oldMemberId);
        if (member.awaitingJoin != null) {
            fx.respond(member.awaitingJoin, joinError(oldMemberId, Errors.FENCED_INSTANCE_ID));
            member.awaitingJoin = null;
        }
        if (member.awaitingSync != null) {
            fx.respond(member.awaitingSync, syncError(Errors.FENCED_INSTANCE_ID));
            member.awaitingSync = null;
        }
        timer.cancel(heartbeatKey(group.groupId, oldMemberId));
        String currentLeader = group.leaderId;
        boolean wasLeader = group.isLeader(oldMemberId);
        boolean pendingSync = group.pendingSyncMembers.remove(oldMemberId);
        // Re-insert under the new id, keeping the join order.
        LinkedHashMap<String, ClassicGroupMember> reordered = new LinkedHashMap<>();
        for (Map.Entry<String, ClassicGroupMember> e : group.members.entrySet()) {
            reordered.put(e.getKey().equals(oldMemberId) ? newMemberId : e.getKey(), e.getValue());
        }
        group.members.clear();
        group.members.putAll(reordered);
        member.setMemberId(newMemberId);
        group.staticMembers.put(member.groupInstanceId, newMemberId);
        if (wasLeader) {
            group.leaderId = newMemberId;
        }
        if (pendingSync) {
            group.pendingSyncMembers.add(newMemberId);
        }
        member.protocols = List.copyOf(protocols);
        member.rebalanceTimeoutMs = request.rebalanceTimeoutMs();
        member.sessionTimeoutMs = request.sessionTimeoutMs();
        member.joinVersion = meta.apiVersion();
        scheduleHeartbeat(group, member, nowMs + member.sessionTimeoutMs);
        log.info("Static member {} of group {} rejoined as {} (was {})", member.groupInstanceId, group.groupId, newMemberId, oldMemberId);
        switch (group.state()) {
            case STABLE -> {
                if (group.selectProtocol().equals(group.protocolName)) {
                    // Same protocol: no rebalance, the member gets its old assignment back on SyncGroup.
                    fx.write(partitionFor.applyAsInt(group.groupId), group.snapshot());
                    boolean leader = group.isLeader(newMemberId);
                    if (meta.apiVersion() >= 9) {
                        fx.respond(future, currentGenerationResponse(group, member, meta.apiVersion(), leader).setSkipAssignment(leader));
                    } else {
                        // Before skipAssignment: the leader id it had, so a rejoining leader does not assign for a Stable group.
                        fx.respond(future, currentGenerationResponse(group, member, meta.apiVersion(), false).setLeader(currentLeader));
                    }
                } else {
                    member.awaitingJoin = future;
                    prepareRebalance(fx, nowMs, group, RebalanceEvent.Reason.METADATA_CHANGED,
                            "static member " + member.groupInstanceId + " rejoined with a change of protocol");
                }
            }
            case COMPLETING_REBALANCE -> {
                member.awaitingJoin = future;
                prepareRebalance(fx, nowMs, group, RebalanceEvent.Reason.METADATA_CHANGED,
                        "static member " + member.groupInstanceId + " rejoined during CompletingRebalance");
            }
            case PREPARING_REBALANCE -> {
                member.awaitingJoin = future;
                maybeCompleteJoinPhase(fx, nowMs, group);
            }
            case EMPTY, DEAD -> throw new IllegalStateException("static member " + oldMemberId + " in a group in state " + group.state());
        }
    }

    private void maybePrepareRebalanceOrCompleteJoin(Effects fx, long nowMs, ClassicGroup group, RebalanceEvent.Reason reason, String detail) {
        if (group.canRebalance()) {
            prepareRebalance(fx, nowMs, group, reason, detail);
        } else {
            maybeCompleteJoinPhase(fx, nowMs, group);
        }
    }

    private void prepareRebalance(Effects fx, long nowMs, ClassicGroup group, RebalanceEvent.Reason reason, String detail) {
        if (group.isInState(GroupState.COMPLETING_REBALANCE)) {
            // Members waiting for an assignment that will never come must rejoin.
            for (ClassicGroupMember m : group.members.values()) {
                m.assignment = new byte[0];
                if (m.awaitingSync != null) {
                    fx.respond(m.awaitingSync, syncError(Errors.REBALANCE_IN_PROGRESS));
                    m.awaitingSync = null;
                }
            }
        }
        timer.cancel(syncKey(group.groupId));
        group.pendingSyncMembers.clear();
        boolean initialRebalance = group.isInState(GroupState.EMPTY);
        group.transitionTo(GroupState.PREPARING_REBALANCE, nowMs);
        RebalanceEvent event = new RebalanceEvent(nowMs, reason, detail, -1, -1, List.of(), List.of());
        group.current = event;
        group.addHistory(event);
        log.info("Preparing to rebalance group {} in state PreparingRebalance with old generation {}: {}",
                group.groupId, group.generationId, detail);
        if (initialRebalance) {
            // A new group waits group.initial.rebalance.delay.ms for more members, extended by
            // each joining member, up to the rebalance timeout.
            int delayMs = Math.min(config.initialRebalanceDelayMs(), Math.max(group.rebalanceTimeoutMs(), 0));
            int remainingMs = Math.max(group.rebalanceTimeoutMs() - config.initialRebalanceDelayMs(), 0);
            timer.schedule(joinKey(group.groupId), nowMs + delayMs,
                    (t, e) -> tryCompleteInitialRebalanceElseSchedule(e, t, group.groupId, delayMs, remainingMs));
        } else if (group.hasAllMembersJoined()) {
            completeJoin(fx, nowMs, group);
        } else {
            timer.schedule(joinKey(group.groupId), nowMs + group.rebalanceTimeoutMs(), (t, e) -> onJoinTimeout(e, t, group.groupId));
        }
    }

    private void tryCompleteInitialRebalanceElseSchedule(Effects fx, long nowMs, String groupId, int delayMs, int remainingMs) {
        ClassicGroup group = groups.get(groupId);
        if (group == null || !group.isInState(GroupState.PREPARING_REBALANCE)) {
            return;
        }
        if (group.newMemberAdded && remainingMs != 0) {
            group.newMemberAdded = false;
            int newDelayMs = Math.min(config.initialRebalanceDelayMs(), remainingMs);
            int newRemainingMs = Math.max(remainingMs - delayMs, 0);
            timer.schedule(joinKey(groupId), nowMs + newDelayMs,
                    (t, e) -> tryCompleteInitialRebalanceElseSchedule(e, t, groupId, newDelayMs, newRemainingMs));
        } else {
            completeJoin(fx, nowMs, group);
        }
    }

    private void onJoinTimeout(Effects fx, long nowMs, String groupId) {
        ClassicGroup group = groups.get(groupId);
        if (group != null && group.isInState(GroupState.PREPARING_REBALANCE)) {
            completeJoin(fx, nowMs, group);
        }
    }

    /** Completes the join phase once every member has rejoined, except on the initial rebalance, which waits for its delay. */
    private void maybeCompleteJoinPhase(Effects fx, long nowMs, ClassicGroup group) {
        if (group.isInState(GroupState.PREPARING_REBALANCE) && group.hasAllMembersJoined()
                && group.previousState() != GroupState.EMPTY) {
            completeJoin(fx, nowMs, group);
        }
    }

    private void completeJoin(Effects fx, long nowMs, ClassicGroup group) {
        timer.cancel(joinKey(group.groupId));
        List<String> removed = new ArrayList<>();
        // Dynamic members that did not rejoin within the rebalance timeout are out: the client
        // exceeded max.poll.interval.ms or went away.
        for (ClassicGroupMember m : new ArrayList<>(group.members.values())) {
            if (!m.isAwaitingJoin() && !m.isStatic()) {
                removed.add(m.memberId());
                group.remove(m.memberId());
                timer.cancel(heartbeatKey(group.groupId, m.memberId()));
                if (m.awaitingSync != null) {
                    fx.respond(m.awaitingSync, syncError(Errors.UNKNOWN_MEMBER_ID));
                    m.awaitingSync = null;
                }
                log.info("Removed member {} from group {}: it did not rejoin within the rebalance timeout", m.memberId(), group.groupId);
            }
        }
        // The leader may not have rejoined (a static leader): pick one that did.
        if (group.leaderId != null && group.hasMember(group.leaderId) && !group.member(group.leaderId).isAwaitingJoin()) {
            for (ClassicGroupMember m : group.members.values()) {
                if (m.isAwaitingJoin()) {
                    group.leaderId = m.memberId();
                    break;
                }
            }
        }
        group.generationId++;
        if (group.isEmpty()) {
            group.protocolName = null;
            group.leaderId = null;
            group.transitionTo(GroupState.EMPTY, nowMs);
            fx.write(partitionFor.applyAsInt(group.groupId), group.snapshot());
            updateHistory(group, removed, false);
            if (group.current != null) {
                fx.rebalanceCompleted(group.groupId, group.protocolType, group.current);
            }
            log.info("Group {} is now empty (generation {})", group.groupId, group.generationId);
            return;
        }
        group.protocolName = group.selectProtocol();
        group.transitionTo(GroupState.COMPLETING_REBALANCE, nowMs);
        updateHistory(group, removed, false);
        log.info("Stabilized group {} generation {} with {} member(s), protocol {}, leader {}", group.groupId, group.generationId,
                group.members.size(), group.protocolName, group.leaderId);
        for (ClassicGroupMember m : group.members.values()) {
            if (m.isAwaitingJoin()) {
                boolean leader = group.isLeader(m.memberId());
                fx.respond(m.awaitingJoin, currentGenerationResponse(group, m, m.joinVersion, leader));
                m.awaitingJoin = null;
                m.isNew = false;
                scheduleHeartbeat(group, m, nowMs + m.sessionTimeoutMs);
            }
            group.pendingSyncMembers.add(m.memberId());
        }
        // Members that do not send SyncGroup within the rebalance timeout are removed (KAFKA-13419 behaviour).
        int generation = group.generationId;
        timer.schedule(syncKey(group.groupId), nowMs + group.rebalanceTimeoutMs(), (t, e) -> onSyncTimeout(e, t, group.groupId, generation));
    }

    private void onSyncTimeout(Effects fx, long nowMs, String groupId, int generation) {
        ClassicGroup group = groups.get(groupId);
        if (group == null || group.generationId != generation || group.pendingSyncMembers.isEmpty()
                || !(group.isInState(GroupState.COMPLETING_REBALANCE) || group.isInState(GroupState.STABLE))) {
            return;
        }
        List<String> missing = new ArrayList<>(group.pendingSyncMembers);
        for (String memberId : missing) {
            ClassicGroupMember m = group.member(memberId);
            group.remove(memberId);
            timer.cancel(heartbeatKey(groupId, memberId));
            if (m != null && m.awaitingSync != null) {
                fx.respond(m.awaitingSync, syncError(Errors.UNKNOWN_MEMBER_ID));
                m.awaitingSync = null;
            }
        }
        log.info("Removed {} from group {}: no SyncGroup within the rebalance timeout", missing, groupId);
        // With nobody left, the join phase completes at once and the group becomes Empty.
        prepareRebalance(fx, nowMs, group, RebalanceEvent.Reason.SYNC_TIMEOUT, "members " + missing + " did not sync in time");
    }

    private void updateHistory(ClassicGroup group, List<String> removed, boolean completed) {
        RebalanceEvent c = group.current;
        if (c == null) {
            return;
        }
        List<String> allRemoved = new ArrayList<>(c.removedMembers());
        allRemoved.addAll(removed);
        group.updateCurrent(new RebalanceEvent(c.startedMs(), c.reason(), c.detail(), group.generationId, c.completedMs(),
                List.copyOf(allRemoved), c.members()));
    }

    // ---------------------------------------------------------------- SyncGroup

    void syncGroup(Effects fx, long nowMs, RequestMeta meta, SyncGroupRequestData request, CompletableFuture<SyncGroupResponseData> future) {
        if (request.groupId() == null || request.groupId().isEmpty()) { // Kafka: no member can be in group ""
            fx.respond(future, syncError(Errors.INVALID_GROUP_ID));
            return;
        }
        ClassicGroup group = groups.get(request.groupId());
        String memberId = request.memberId();
        if (group == null) {
            fx.respond(future, syncError(Errors.UNKNOWN_MEMBER_ID));
            return;
        }
        if (group.isInState(GroupState.DEAD)) {
            fx.respond(future, syncError(Errors.COORDINATOR_NOT_AVAILABLE));
            return;
        }
        Errors error = validateExistingMember(group, memberId, request.groupInstanceId());
        if (error == Errors.NONE && request.generationId() != group.generationId) {
            error = Errors.ILLEGAL_GENERATION;
        }
        if (error == Errors.NONE && ((request.protocolType() != null && !request.protocolType().equals(group.protocolType))
                || (request.protocolName() != null && !request.protocolName().equals(group.protocolName)))) {
            error = Errors.INCONSISTENT_GROUP_PROTOCOL;
        }
        if (error != Errors.NONE) {
            fx.respond(future, syncError(error));
            return;
        }
        ClassicGroupMember member = group.member(memberId);
        switch (group.state()) {
            case EMPTY, DEAD -> fx.respond(future, syncError(Errors.UNKNOWN_MEMBER_ID));
            case PREPARING_REBALANCE -> fx.respond(future, syncError(Errors.REBALANCE_IN_PROGRESS));
            case COMPLETING_REBALANCE -> {
                if (member.awaitingSync != null) {
                    fx.respond(member.awaitingSync, syncError(Errors.REBALANCE_IN_PROGRESS));
                }
                member.awaitingSync = future;
                removePendingSyncMember(group, memberId);
                scheduleHeartbeat(group, member, nowMs + member.sessionTimeoutMs);
                if (group.isLeader(memberId)) {
                    Map<String, byte[]> assignments = new HashMap<>();
                    for (SyncGroupRequestData.SyncGroupRequestAssignment a : request.assignments()) {
                        assignments.put(a.memberId(), a.assignment());
                    }
                    for (ClassicGroupMember m : group.members.values()) {
                        byte[] a = assignments.get(m.memberId());
                        m.assignment = a == null ? new byte[0] : a;
                    }
                    group.transitionTo(GroupState.STABLE, nowMs);
                    fx.write(partitionFor.applyAsInt(group.groupId), group.snapshot());
                    int generation = group.generationId;
                    fx.onWriteFailure((t, next, e) -> onAssignmentNotStored(next, t, group.groupId, generation, e));
                    for (ClassicGroupMember m : group.members.values()) {
                        if (m.awaitingSync != null) {
                            fx.respond(m.awaitingSync, syncResponse(group, m));
                            m.awaitingSync = null;
                        }
                    }
                    recordAssignments(fx, group, nowMs);
                }
            }
            case STABLE -> {
                removePendingSyncMember(group, memberId);
                scheduleHeartbeat(group, member, nowMs + member.sessionTimeoutMs);
                fx.respond(future, syncResponse(group, member));
            }
        }
    }

    private void recordAssignments(Effects fx, ClassicGroup group, long nowMs) {
        RebalanceEvent c = group.current;
        if (c == null) {
            return;
        }
        List<RebalanceEvent.MemberAssignment> assignments = new ArrayList<>();
        for (ClassicGroupMember m : group.members.values()) {
            assignments.add(new RebalanceEvent.MemberAssignment(m.memberId(), m.groupInstanceId, m.clientId, m.assignment.clone()));
        }
        group.updateCurrent(new RebalanceEvent(c.startedMs(), c.reason(), c.detail(), group.generationId, nowMs, c.removedMembers(),
                List.copyOf(assignments)));
        fx.rebalanceCompleted(group.groupId, group.protocolType, group.current);
        group.current = null;
    }

    /**
     * The leader's assignment could not be written and the SyncGroups failed with {@code error}: as
     * Kafka (resetAndPropagateAssignmentWithError), the generation is dropped and a new rebalance starts.
     */
    private void onAssignmentNotStored(Effects fx, long nowMs, String groupId, int generation, Errors error) {
        ClassicGroup group = groups.get(groupId);
        if (group != null && group.generationId == generation && group.isInState(GroupState.STABLE)) {
            group.transitionTo(GroupState.COMPLETING_REBALANCE, nowMs);
            prepareRebalance(fx, nowMs, group, RebalanceEvent.Reason.WRITE_FAILED, "error " + error + " when storing the assignment");
        }
    }

    private void removePendingSyncMember(ClassicGroup group, String memberId) {
        group.pendingSyncMembers.remove(memberId);
        if (group.pendingSyncMembers.isEmpty()) {
            timer.cancel(syncKey(group.groupId));
        }
    }

    // ---------------------------------------------------------------- Heartbeat

    HeartbeatResponseData heartbeat(long nowMs, HeartbeatRequestData request) {
        if (request.groupId() == null || request.groupId().isEmpty()) {
            return new HeartbeatResponseData().setErrorCode(Errors.INVALID_GROUP_ID.code());
        }
        ClassicGroup group = groups.get(request.groupId());
        if (group == null) {
            return new HeartbeatResponseData().setErrorCode(Errors.UNKNOWN_MEMBER_ID.code());
        }
        if (group.isInState(GroupState.DEAD)) {
            return new HeartbeatResponseData().setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code());
        }
        Errors error = validateExistingMember(group, request.memberId(), request.groupInstanceId());
        if (error == Errors.NONE && request.generationId() != group.generationId) {
            error = Errors.ILLEGAL_GENERATION;
        }
        if (error != Errors.NONE) {
            return new HeartbeatResponseData().setErrorCode(error.code());
        }
        ClassicGroupMember member = group.member(request.memberId());
        switch (group.state()) {
            case EMPTY, DEAD:
                return new HeartbeatResponseData().setErrorCode(Errors.UNKNOWN_MEMBER_ID.code());
            case PREPARING_REBALANCE:
                scheduleHeartbeat(group, member, nowMs + member.sessionTimeoutMs);
                return new HeartbeatResponseData().setErrorCode(Errors.REBALANCE_IN_PROGRESS.code());
            default:
                // CompletingRebalance: a member may heartbeat while its SyncGroup is pending.
                scheduleHeartbeat(group, member, nowMs + member.sessionTimeoutMs);
                return new HeartbeatResponseData().setErrorCode(Errors.NONE.code());
        }
    }

    /**
     * A validated OffsetCommit keeps its member's session alive while the group is Stable or
     * PreparingRebalance, as a Heartbeat would (Kafka 4.4 OffsetMetadataManager.commitOffset):
     * a consumer that commits often but heartbeats late is not removed.
     */
    void maybeRescheduleHeartbeatOnCommit(ClassicGroup group, String memberId, long nowMs) {
        if ((group.isInState(GroupState.STABLE) || group.isInState(GroupState.PREPARING_REBALANCE)) && group.hasMember(memberId)) {
            ClassicGroupMember member = group.member(memberId);
            scheduleHeartbeat(group, member, nowMs + member.sessionTimeoutMs);
        }
    }

    private void scheduleHeartbeat(ClassicGroup group, ClassicGroupMember member, long deadlineMs) {
        String memberId = member.memberId();
        timer.schedule(heartbeatKey(group.groupId, memberId), deadlineMs, (t, e) -> onHeartbeatExpired(e, t, group.groupId, memberId));
    }

    private void onHeartbeatExpired(Effects fx, long nowMs, String groupId, String memberId) {
        ClassicGroup group = groups.get(groupId);
        if (group == null || !group.hasMember(memberId)) {
            return;
        }
        ClassicGroupMember member = group.member(memberId);
        if (!member.isNew && (member.isAwaitingJoin() || member.isAwaitingSync())) {
            // Parked requests keep a member alive; the join and sync timeouts bound the wait.
            scheduleHeartbeat(group, member, nowMs + member.sessionTimeoutMs);
            return;
        }
        log.info("Member {} in group {} has failed (no heartbeat within {} ms), removing it", memberId, groupId, member.sessionTimeoutMs);
        RebalanceEvent.Reason reason = member.isNew ? RebalanceEvent.Reason.POLL_INTERVAL_EXCEEDED : RebalanceEvent.Reason.SESSION_TIMEOUT;
        removeMemberAndUpdateGroup(fx, nowMs, group, member, reason,
                "member " + memberId + " missed its session timeout of " + member.sessionTimeoutMs + " ms");
    }

    private void expirePendingMember(Effects fx, long nowMs, String groupId, String memberId) {
        ClassicGroup group = groups.get(groupId);
        if (group == null || !group.pendingMembers.remove(memberId)) {
            return;
        }
        log.debug("Pending member {} of group {} did not rejoin within its session timeout", memberId, groupId);
        if (group.isInState(GroupState.PREPARING_REBALANCE)) {
            maybeCompleteJoinPhase(fx, nowMs, group);
        } else if (group.isInState(GroupState.EMPTY) && group.isEmpty() && group.generationId == 0 && group.pendingMembers.isEmpty()
                && group.history().isEmpty() && !hasOffsets.test(groupId)) {
            // Only a group with nothing to keep: one with committed offsets (a simple group, or one that replaced an
            // empty KIP-848 group) stays listable, deletable, and subject to offset expiry, as in Kafka.
            groups.remove(groupId);
        }
    }

    private void removeMemberAndUpdateGroup(Effects fx, long nowMs, ClassicGroup group, ClassicGroupMember member,
                                            RebalanceEvent.Reason reason, String detail) {
        // A member whose JoinGroup is parked gets UNKNOWN_MEMBER_ID so that, if still alive, it rejoins.
        if (member.awaitingJoin != null) {
            fx.respond(member.awaitingJoin, joinError(member.memberId(), Errors.UNKNOWN_MEMBER_ID));
            member.awaitingJoin = null;
        }
        if (member.awaitingSync != null) {
            fx.respond(member.awaitingSync, syncError(Errors.UNKNOWN_MEMBER_ID));
            member.awaitingSync = null;
        }
        group.remove(member.memberId());
        timer.cancel(heartbeatKey(group.groupId, member.memberId()));
        switch (group.state()) {
            case STABLE, COMPLETING_REBALANCE -> prepareRebalance(fx, nowMs, group, reason, detail);
            case PREPARING_REBALANCE -> maybeCompleteJoinPhase(fx, nowMs, group);
            default -> {
            }
        }
    }

    // ---------------------------------------------------------------- LeaveGroup

    /** LeaveGroup for each member identity; the top-level error covers a missing group (as Kafka does). */
    LeaveGroupResponseData leaveGroup(Effects fx, long nowMs, LeaveGroupRequestData request, List<LeaveGroupRequestData.MemberIdentity> leaving) {
        LeaveGroupResponseData response = new LeaveGroupResponseData();
        if (request.groupId() == null || request.groupId().isEmpty()) {
            return response.setErrorCode(Errors.INVALID_GROUP_ID.code());
        }
        ClassicGroup group = groups.get(request.groupId());
        if (group == null || group.isInState(GroupState.DEAD)) {
            return response.setErrorCode((group == null ? Errors.UNKNOWN_MEMBER_ID : Errors.COORDINATOR_NOT_AVAILABLE).code());
        }
        for (LeaveGroupRequestData.MemberIdentity identity : leaving) {
            String memberId = identity.memberId() == null ? "" : identity.memberId();
            String instanceId = identity.groupInstanceId();
            Errors error = Errors.NONE;
            String resolved = memberId;
            if (instanceId != null) {
                String current = group.staticMembers.get(instanceId);
                if (current == null) {
                    error = Errors.UNKNOWN_MEMBER_ID;
                } else if (!memberId.isEmpty() && !memberId.equals(current)) {
                    error = Errors.FENCED_INSTANCE_ID;
                } else {
                    resolved = current;
                }
            } else if (group.pendingMembers.remove(memberId)) {
                timer.cancel(pendingKey(group.groupId, memberId));
                if (group.isInState(GroupState.PREPARING_REBALANCE)) {
                    maybeCompleteJoinPhase(fx, nowMs, group);
                }
                response.members().add(new LeaveGroupResponseData.MemberResponse().setMemberId(memberId).setErrorCode(Errors.NONE.code()));
                continue;
            } else if (!group.hasMember(memberId)) {
                error = Errors.UNKNOWN_MEMBER_ID;
            }
            if (error == Errors.NONE) {
                String reasonText = identity.reason() == null ? "the consumer is being closed" : identity.reason();
                RebalanceEvent.Reason reason = reasonText.contains("poll timeout")
                        ? RebalanceEvent.Reason.POLL_INTERVAL_EXCEEDED : RebalanceEvent.Reason.MEMBER_LEFT;
                log.info("Member {} of group {} is leaving: {}", resolved, group.groupId, reasonText);
                removeMemberAndUpdateGroup(fx, nowMs, group, group.member(resolved), reason,
                        "member " + resolved + " left; client reason: " + reasonText);
            }
            response.members().add(new LeaveGroupResponseData.MemberResponse().setMemberId(memberId)
                    .setGroupInstanceId(instanceId).setErrorCode(error.code()));
        }
        return response;
    }

    // ---------------------------------------------------------------- loading

    /** Rebuilds a group from its snapshot while loading: Stable with members, Empty without. */
    void load(GroupRecord.GroupMetadata record) {
        if (record.value() == null) {
            removeGroup(record.groupId());
        } else {
            groups.put(record.groupId(), ClassicGroup.fromSnapshot(record.groupId(), record.value()));
        }
    }

    /** After loading: members must heartbeat within their session timeout from now. */
    void onLoaded(long nowMs) {
        for (ClassicGroup group : groups.values()) {
            for (ClassicGroupMember m : group.members.values()) {
                scheduleHeartbeat(group, m, nowMs + m.sessionTimeoutMs);
            }
        }
    }

    // ---------------------------------------------------------------- responses

    private static JoinGroupResponseData joinError(String memberId, Errors error) {
        return new JoinGroupResponseData().setErrorCode(error.code()).setMemberId(memberId).setGenerationId(-1)
                .setProtocolName(null).setLeader("");
    }

    private static SyncGroupResponseData syncError(Errors error) {
        return new SyncGroupResponseData().setErrorCode(error.code()).setAssignment(new byte[0]);
    }

    private static SyncGroupResponseData syncResponse(ClassicGroup group, ClassicGroupMember member) {
        return new SyncGroupResponseData().setErrorCode(Errors.NONE.code()).setProtocolType(group.protocolType)
                .setProtocolName(group.protocolName).setAssignment(member.assignment);
    }

    private static JoinGroupResponseData currentGenerationResponse(ClassicGroup group, ClassicGroupMember member, short version,
                                                                   boolean withMembers) {
        JoinGroupResponseData response = new JoinGroupResponseData().setErrorCode(Errors.NONE.code())
                .setGenerationId(group.generationId).setProtocolType(group.protocolType).setProtocolName(group.protocolName)
                .setLeader(group.leaderId).setMemberId(member.memberId()).setSkipAssignment(false);
        if (withMembers) {
            List<JoinGroupResponseData.JoinGroupResponseMember> members = new ArrayList<>();
            for (ClassicGroupMember m : group.members.values()) {
                members.add(new JoinGroupResponseData.JoinGroupResponseMember().setMemberId(m.memberId())
                        .setGroupInstanceId(m.groupInstanceId).setMetadata(m.metadata(group.protocolName)));
            }
            response.setMembers(members);
        }
        return response;
    }

    static String joinKey(String groupId) {
        return "join:" + groupId;
    }

    static String syncKey(String groupId) {
        return "sync:" + groupId;
    }

    static String heartbeatKey(String groupId, String memberId) {
        return "hb:" + groupId + ":" + memberId;
    }

    static String pendingKey(String groupId, String memberId) {
        return "pending:" + groupId + ":" + memberId;
    }
}
