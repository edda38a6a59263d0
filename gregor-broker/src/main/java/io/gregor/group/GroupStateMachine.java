package io.gregor.group;

import io.gregor.metadata.MetadataImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiPredicate;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetCommitRequest;

/**
 * The group coordinator's state and decisions for every group whose {@code __consumer_offsets}
 * partition this node leads: classic groups ({@link ClassicGroups}) and committed offsets
 * ({@link OffsetStore}, usable by any group type). Each operation takes {@code nowMs} and adds
 * records and deferred responses to an {@link Effects}; {@link #replay} is the one way offsets
 * and group deletions are applied, for live writes and loading alike.
 *
 * <p>Owner: the group coordinator thread (or a unit test); not thread-safe.
 */
public final class GroupStateMachine {

    /** A partition's committed offset as OffsetFetch reports it. */
    public record FetchedOffset(String topic, int partition, long offset, int leaderEpoch, String metadata) {
    }

    private final GroupConfig config;
    private final ToIntFunction<String> partitionFor;
    private final ClassicGroups classic;
    private final ConsumerGroups consumer;
    private final OffsetStore offsets = new OffsetStore();

    public GroupStateMachine(GroupConfig config, GroupTimer timer, ToIntFunction<String> partitionFor) {
        this(config, timer, partitionFor, () -> MetadataImage.EMPTY);
    }

    /** {@code image} gives the topics KIP-848 consumer groups subscribe to (names, ids, partition counts). */
    public GroupStateMachine(GroupConfig config, GroupTimer timer, ToIntFunction<String> partitionFor, Supplier<MetadataImage> image) {
        this.config = config;
        this.partitionFor = partitionFor;
        this.classic = new ClassicGroups(config, timer, partitionFor, offsets::hasOffsets);
        this.consumer = new ConsumerGroups(config, timer, partitionFor, image);
    }

    // ---------------------------------------------------------------- replay

    /**
     * Consumer-protocol rebalances completed by the records replayed since the last call: such a
     * group's rebalance completes when replayed member state converges, not inside a command.
     */
    public List<Effects.CompletedRebalance> drainCompletedRebalances() {
        return consumer.drainCompleted();
    }

    /** Applies one record; {@code loading} is true while replaying the log at start-up or on partition load. */
    public void replay(GroupRecord record, long nowMs, boolean loading) {
        if (consumer.replay(record, nowMs)) {
            if (record instanceof GroupRecord.ConsumerGroupMetadata m) {
                replayConsumerGroupEpoch(m, nowMs);
            }
            return;
        }
        if (record instanceof GroupRecord.OffsetCommit oc) {
            offsets.replay(oc);
            if (oc.value() != null && classic.group(oc.groupId()) == null && consumer.group(oc.groupId()) == null) {
                classic.getOrCreateSimpleGroup(oc.groupId(), nowMs);
            }
        } else if (record instanceof GroupRecord.GroupMetadata gm) {
            if (gm.value() == null) {
                classic.removeGroup(gm.groupId());
            } else if (loading) {
                classic.load(gm);
            }
            // Live snapshots describe the in-memory group they were taken from: nothing to apply.
        }
    }

    private void replayConsumerGroupEpoch(GroupRecord.ConsumerGroupMetadata record, long nowMs) {
        String groupId = record.groupId();
        ClassicGroup c = classic.group(groupId);
        if (record.value() != null) {
            // A consumer group replaces the empty classic group its offsets (or a simple commit) created:
            // for logs written before that group got a tombstone when replaced. Only an epoch does: the
            // tombstones of a consumer group that a classic group replaces (joinGroup) must not take it along.
            if (c != null && c.isInState(GroupState.EMPTY)) {
                classic.removeGroup(groupId);
            }
        } else if (c == null && offsets.hasOffsets(groupId)) {
            // Its offsets outlive a replaced consumer group: like offsets replayed with no group, they keep an empty one.
            classic.getOrCreateSimpleGroup(groupId, nowMs);
        }
    }

    /** Loading is done: start the session timers of loaded members. */
    public void onLoaded(long nowMs) {
        classic.onLoaded(nowMs);
        consumer.onLoaded(nowMs);
    }

    // ---------------------------------------------------------------- KIP-848 consumer protocol

    public ConsumerGroupHeartbeatResponseData consumerGroupHeartbeat(Effects fx, long nowMs, RequestMeta meta,
                                                                     ConsumerGroupHeartbeatRequestData request) {
        return consumer.heartbeat(fx, nowMs, meta, request, classic.group(request.groupId()));
    }

    /** ConsumerGroupDescribe for one group: GROUP_ID_NOT_FOUND for unknown and classic groups, as Kafka. */
    public ConsumerGroupDescribeResponseData.DescribedGroup describeConsumerGroup(String groupId) {
        ConsumerGroup g = consumer.group(groupId);
        if (g == null) {
            ClassicGroup c = classic.group(groupId);
            String message = c != null && !c.isInState(GroupState.DEAD) ? "Group " + groupId + " is not a consumer group."
                    : "Group " + groupId + " not found.";
            return new ConsumerGroupDescribeResponseData.DescribedGroup().setGroupId(groupId)
                    .setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()).setErrorMessage(message).setGroupState("");
        }
        return consumer.describe(g);
    }

    /** Topics were created, deleted or grew. */
    public void onMetadataUpdate(Effects fx, long nowMs) {
        consumer.onMetadataUpdate(fx, nowMs);
    }

    /** The consumer group, or null; for tests and tools. */
    public ConsumerGroup consumerGroup(String groupId) {
        return consumer.group(groupId);
    }

    // ---------------------------------------------------------------- classic protocol

    public void joinGroup(Effects fx, long nowMs, RequestMeta meta, JoinGroupRequestData request,
                          CompletableFuture<JoinGroupResponseData> future) {
        ConsumerGroup cg = consumer.group(request.groupId());
        if (cg != null) {
            if (!cg.members().isEmpty()) {
                // No online conversion: a classic member cannot join a KIP-848 group that has members.
                fx.respond(future, new JoinGroupResponseData().setErrorCode(Errors.INCONSISTENT_GROUP_PROTOCOL.code()).setGenerationId(-1)
                        .setMemberId(request.memberId()).setLeader("").setProtocolName(null));
                return;
            }
            // An empty KIP-848 group gives way to a classic one, keeping its committed offsets (Kafka 4.4
            // classicGroupJoinToClassicGroup: maybeDeleteEmptyConsumerGroup, whatever the migration policy),
            // so consumers switched back to group.protocol=classic can join. Replaying the tombstones
            // removes it, before the next request; if they cannot be written it stays, as the log has it.
            consumer.writeGroupDeletion(fx, cg);
        }
        classic.joinGroup(fx, nowMs, meta, request, future);
    }

    public void syncGroup(Effects fx, long nowMs, RequestMeta meta, SyncGroupRequestData request,
                          CompletableFuture<SyncGroupResponseData> future) {
        classic.syncGroup(fx, nowMs, meta, request, future);
    }

    public HeartbeatResponseData heartbeat(long nowMs, HeartbeatRequestData request) {
        return classic.heartbeat(nowMs, request);
    }

    public LeaveGroupResponseData leaveGroup(Effects fx, long nowMs, LeaveGroupRequestData request,
                                             List<LeaveGroupRequestData.MemberIdentity> members) {
        ConsumerGroup group = request.groupId() == null ? null : consumer.group(request.groupId());
        return group != null ? consumer.leaveByClassicRequest(fx, nowMs, group, members) : classic.leaveGroup(fx, nowMs, request, members);
    }

    // ---------------------------------------------------------------- offsets

    /**
     * OffsetCommit: the group checks first (a failure applies to every partition), then per
     * partition unknown topics and oversized metadata. The response goes out once durable.
     */
    public void commitOffsets(Effects fx, long nowMs, short version, OffsetCommitRequestData request,
                              BiPredicate<String, Integer> partitionExists, CompletableFuture<OffsetCommitResponseData> future) {
        Errors groupError = validateOffsetCommit(version, request, partitionExists);
        ClassicGroup group = consumer.group(request.groupId()) == null ? classic.group(request.groupId()) : null;
        if (groupError == Errors.NONE && group != null) {
            classic.maybeRescheduleHeartbeatOnCommit(group, request.memberId() == null ? "" : request.memberId(), nowMs);
        }
        OffsetCommitResponseData response = new OffsetCommitResponseData();
        int partition = partitionFor.applyAsInt(request.groupId());
        // OffsetCommit v2-v4 RetentionTimeMs (-1 on later versions: the broker's retention applies), as Kafka 4.4.
        OptionalLong expireTimestampMs = request.retentionTimeMs() == OffsetCommitRequest.DEFAULT_RETENTION_TIME ? OptionalLong.empty()
                : OptionalLong.of(nowMs + request.retentionTimeMs());
        for (OffsetCommitRequestData.OffsetCommitRequestTopic topic : request.topics()) {
            OffsetCommitResponseData.OffsetCommitResponseTopic rt = new OffsetCommitResponseData.OffsetCommitResponseTopic()
                    .setName(topic.name());
            response.topics().add(rt);
            for (OffsetCommitRequestData.OffsetCommitRequestPartition p : topic.partitions()) {
                Errors error;
                if (!partitionExists.test(topic.name(), p.partitionIndex())) {
                    error = Errors.UNKNOWN_TOPIC_OR_PARTITION;
                } else if (groupError != Errors.NONE) {
                    error = groupError;
                } else if (p.committedMetadata() != null && p.committedMetadata().length() > config.offsetMetadataMaxBytes()) {
                    error = Errors.OFFSET_METADATA_TOO_LARGE;
                } else {
                    error = Errors.NONE;
                    fx.write(partition, new GroupRecord.OffsetCommit(request.groupId(), topic.name(), p.partitionIndex(),
                            new GroupRecord.CommittedOffset(p.committedOffset(), p.committedLeaderEpoch(),
                                    p.committedMetadata() == null ? "" : p.committedMetadata(), nowMs, expireTimestampMs)));
                }
                rt.partitions().add(new OffsetCommitResponseData.OffsetCommitResponsePartition()
                        .setPartitionIndex(p.partitionIndex()).setErrorCode(error.code()));
            }
        }
        fx.respond(future, response);
    }

    private Errors validateOffsetCommit(short version, OffsetCommitRequestData request,
                                        BiPredicate<String, Integer> partitionExists) {
        if (request.groupId() == null) { // Kafka 4.4 takes "" as a group id here (and in OffsetFetch, DeleteGroups)
            return Errors.INVALID_GROUP_ID;
        }
        int generation = request.generationIdOrMemberEpoch();
        String memberId = request.memberId() == null ? "" : request.memberId();
        ConsumerGroup cg = consumer.group(request.groupId());
        if (cg != null) {
            return consumer.validateOffsetCommit(cg, version, request, partitionExists);
        }
        ClassicGroup group = classic.group(request.groupId());
        if (group == null) {
            if (generation < 0) {
                // A "simple" commit (admin client or assign() consumer): replaying its offsets
                // creates the empty group, so a commit that is never written leaves none behind.
                return Errors.NONE;
            }
            // v9+ says the group does not exist; older versions keep ILLEGAL_GENERATION for compatibility.
            return version >= 9 ? Errors.GROUP_ID_NOT_FOUND : Errors.ILLEGAL_GENERATION;
        }
        if (group.isInState(GroupState.DEAD)) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        if (generation < 0 && group.isInState(GroupState.EMPTY)) {
            return Errors.NONE;
        }
        if (generation >= 0 || !memberId.isEmpty() || request.groupInstanceId() != null) {
            Errors memberError = group.validateMember(memberId, request.groupInstanceId());
            if (memberError != Errors.NONE) {
                return memberError;
            }
            if (generation != group.generationId) {
                return Errors.ILLEGAL_GENERATION;
            }
        } else if (!group.isInState(GroupState.EMPTY)) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (group.isInState(GroupState.COMPLETING_REBALANCE)) {
            return Errors.REBALANCE_IN_PROGRESS;
        }
        return Errors.NONE;
    }

    /**
     * OffsetFetch v9+ from a KIP-848 member: its id and epoch must be current, exactly (Kafka 4.4
     * {@code ConsumerGroup.validateOffsetFetch}; the client retries STALE_MEMBER_EPOCH with its new
     * epoch). NONE when not given or not a consumer group.
     */
    public Errors validateOffsetFetch(String groupId, String memberId, int memberEpoch) {
        ConsumerGroup group = consumer.group(groupId);
        if (group == null || (memberId == null && memberEpoch < 0)) {
            return Errors.NONE;
        }
        ConsumerGroupMember member = group.members().get(memberId == null ? "" : memberId);
        if (member == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        return memberEpoch == member.memberEpoch() ? Errors.NONE : Errors.STALE_MEMBER_EPOCH;
    }

    /**
     * OffsetFetch for one group: the requested partitions (offset -1 where nothing is committed),
     * or with {@code topics == null} every committed partition. No transactions yet, so
     * requireStable never finds pending offsets.
     */
    public List<FetchedOffset> fetchOffsets(String groupId, Map<String, List<Integer>> topics) {
        List<FetchedOffset> out = new ArrayList<>();
        if (topics == null) {
            for (Map.Entry<TopicPartition, GroupRecord.CommittedOffset> e : offsets.offsets(groupId).entrySet()) {
                GroupRecord.CommittedOffset o = e.getValue();
                out.add(new FetchedOffset(e.getKey().topic(), e.getKey().partition(), o.offset(), o.leaderEpoch(), o.metadata()));
            }
            return out;
        }
        for (Map.Entry<String, List<Integer>> t : topics.entrySet()) {
            for (int p : t.getValue()) {
                GroupRecord.CommittedOffset o = offsets.offset(groupId, new TopicPartition(t.getKey(), p));
                out.add(o == null ? new FetchedOffset(t.getKey(), p, -1, -1, "")
                        : new FetchedOffset(t.getKey(), p, o.offset(), o.leaderEpoch(), o.metadata()));
            }
        }
        return out;
    }

    /** OffsetDelete: tombstones for the partitions the group is not subscribed to. */
    public void deleteOffsets(Effects fx, OffsetDeleteRequestData request, BiPredicate<String, Integer> partitionExists,
                              CompletableFuture<OffsetDeleteResponseData> future) {
        if (request.groupId() == null || request.groupId().isEmpty()) { // unlike OffsetCommit, as Kafka 4.4
            fx.respond(future, new OffsetDeleteResponseData().setErrorCode(Errors.INVALID_GROUP_ID.code()));
            return;
        }
        ClassicGroup group = classic.group(request.groupId());
        ConsumerGroup cg = consumer.group(request.groupId());
        OffsetDeleteResponseData response = new OffsetDeleteResponseData();
        if (cg == null && (group == null || group.isInState(GroupState.DEAD))) {
            fx.respond(future, response.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()));
            return;
        }
        boolean active = cg == null && !group.isInState(GroupState.EMPTY);
        if (active && !ClassicGroup.CONSUMER_PROTOCOL_TYPE.equals(group.protocolType)) {
            fx.respond(future, response.setErrorCode(Errors.NON_EMPTY_GROUP.code()));
            return;
        }
        int partition = partitionFor.applyAsInt(request.groupId());
        for (OffsetDeleteRequestData.OffsetDeleteRequestTopic topic : request.topics()) {
            OffsetDeleteResponseData.OffsetDeleteResponseTopic rt = new OffsetDeleteResponseData.OffsetDeleteResponseTopic()
                    .setName(topic.name());
            response.topics().add(rt);
            boolean subscribed = cg != null ? consumer.isSubscribedToTopic(cg, topic.name()) : group.isSubscribedToTopic(topic.name());
            for (OffsetDeleteRequestData.OffsetDeleteRequestPartition p : topic.partitions()) {
                Errors error = Errors.NONE;
                if (!partitionExists.test(topic.name(), p.partitionIndex())) {
                    error = Errors.UNKNOWN_TOPIC_OR_PARTITION;
                } else if (subscribed) {
                    error = Errors.GROUP_SUBSCRIBED_TO_TOPIC;
                } else if (offsets.offset(request.groupId(), new TopicPartition(topic.name(), p.partitionIndex())) != null) {
                    fx.write(partition, new GroupRecord.OffsetCommit(request.groupId(), topic.name(), p.partitionIndex(), null));
                }
                rt.partitions().add(new OffsetDeleteResponseData.OffsetDeleteResponsePartition()
                        .setPartitionIndex(p.partitionIndex()).setErrorCode(error.code()));
            }
        }
        fx.respond(future, response);
    }

    /**
     * offsets.retention.minutes, as Kafka's cleanupGroupMetadata runs it every
     * offsets.retention.check.interval.ms: tombstones for the expired offsets of topics a group is
     * not subscribed to, then for every group that is empty and has no offsets left. When an offset
     * expires depends on the group ({@link #expiryBaseMs}), unless its commit gave an expire
     * timestamp ({@link #isExpired}).
     */
    public void expireOffsets(Effects fx, long nowMs) {
        for (ClassicGroup group : List.copyOf(classic.all())) {
            ToLongFunction<GroupRecord.CommittedOffset> base = expiryBaseMs(group);
            if (base != null && expireOffsets(fx, nowMs, group.groupId, base, group::isSubscribedToTopic)
                    && group.isInState(GroupState.EMPTY) && group.pendingMembers.isEmpty()) {
                fx.write(partitionFor.applyAsInt(group.groupId), new GroupRecord.GroupMetadata(group.groupId, null));
            }
        }
        for (ConsumerGroup group : List.copyOf(consumer.all())) {
            // Kafka's ConsumerGroup: by commit time, for topics no member subscribes to (all of them once empty).
            if (expireOffsets(fx, nowMs, group.groupId(), GroupRecord.CommittedOffset::commitTimestampMs,
                    t -> consumer.isSubscribedToTopic(group, t)) && group.members().isEmpty()) {
                consumer.writeGroupDeletion(fx, group);
            }
        }
    }

    /**
     * Kafka's ClassicGroup.offsetExpirationCondition: from the commit for standalone groups (no
     * protocol type: assign() and commit) and for Stable "consumer" groups whose subscriptions are
     * known; from when the group became Empty for other empty groups; never otherwise (null).
     */
    private static ToLongFunction<GroupRecord.CommittedOffset> expiryBaseMs(ClassicGroup group) {
        if (group.protocolType == null) {
            return GroupRecord.CommittedOffset::commitTimestampMs;
        }
        if (group.isInState(GroupState.EMPTY)) {
            long emptySinceMs = group.currentStateTimestampMs;
            return o -> emptySinceMs;
        }
        if (group.isInState(GroupState.STABLE) && group.subscribedTopics().isPresent()) {
            return GroupRecord.CommittedOffset::commitTimestampMs;
        }
        return null;
    }

    /** Writes tombstones for a group's expired offsets; true when none is left. */
    private boolean expireOffsets(Effects fx, long nowMs, String groupId, ToLongFunction<GroupRecord.CommittedOffset> base,
                                  Predicate<String> subscribed) {
        int partition = partitionFor.applyAsInt(groupId);
        boolean allExpired = true;
        for (Map.Entry<TopicPartition, GroupRecord.CommittedOffset> e : offsets.offsets(groupId).entrySet()) {
            TopicPartition tp = e.getKey();
            if (!subscribed.test(tp.topic()) && isExpired(e.getValue(), nowMs, base)) {
                fx.write(partition, new GroupRecord.OffsetCommit(groupId, tp.topic(), tp.partition(), null));
            } else {
                allExpired = false;
            }
        }
        return allExpired;
    }

    /** Kafka's OffsetExpirationConditionImpl: at the expire timestamp the commit asked for, else by the broker's retention. */
    private boolean isExpired(GroupRecord.CommittedOffset offset, long nowMs, ToLongFunction<GroupRecord.CommittedOffset> base) {
        if (offset.expireTimestampMs().isPresent()) {
            return nowMs >= offset.expireTimestampMs().getAsLong();
        }
        return nowMs - base.applyAsLong(offset) >= config.offsetsRetentionMs();
    }

    /**
     * Topics were deleted: tombstones for every group's offsets of them, so OffsetFetch stops
     * returning them and a topic created again under the name starts without committed offsets
     * (Kafka's GroupCoordinator.onPartitionsDeleted).
     */
    public void onTopicsDeleted(Effects fx, Set<String> topics) {
        for (String groupId : List.copyOf(offsets.groupIds())) {
            int partition = partitionFor.applyAsInt(groupId);
            for (TopicPartition tp : offsets.offsets(groupId).keySet()) {
                if (topics.contains(tp.topic())) {
                    fx.write(partition, new GroupRecord.OffsetCommit(groupId, tp.topic(), tp.partition(), null));
                }
            }
        }
    }

    // ---------------------------------------------------------------- administration

    /** ListGroups with Kafka's case-insensitive state and type filters (empty = all). */
    public List<ListGroupsResponseData.ListedGroup> listGroups(List<String> statesFilter, List<String> typesFilter) {
        Set<String> states = statesFilter.stream().map(s -> s.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        Set<String> types = typesFilter.stream().map(s -> s.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        List<ListGroupsResponseData.ListedGroup> out = new ArrayList<>();
        for (ClassicGroup g : classic.all()) {
            if (g.isInState(GroupState.DEAD)) {
                continue;
            }
            if (!states.isEmpty() && !states.contains(g.state().lowerCaseName())) {
                continue;
            }
            if (!types.isEmpty() && !types.contains("classic")) {
                continue;
            }
            out.add(new ListGroupsResponseData.ListedGroup().setGroupId(g.groupId)
                    .setProtocolType(g.protocolType == null ? "" : g.protocolType)
                    .setGroupState(g.state().toString()).setGroupType("classic"));
        }
        for (ConsumerGroup g : consumer.all()) {
            if (!states.isEmpty() && !states.contains(g.state().toString().toLowerCase(Locale.ROOT))) {
                continue;
            }
            if (!types.isEmpty() && !types.contains("consumer")) {
                continue;
            }
            out.add(new ListGroupsResponseData.ListedGroup().setGroupId(g.groupId()).setProtocolType(ClassicGroup.CONSUMER_PROTOCOL_TYPE)
                    .setGroupState(g.state().toString()).setGroupType("consumer"));
        }
        out.sort((a, b) -> a.groupId().compareTo(b.groupId()));
        return out;
    }

    /** DescribeGroups for one group; null when the group does not exist (the handler answers per version). */
    public DescribeGroupsResponseData.DescribedGroup describeGroup(String groupId) {
        if (consumer.group(groupId) != null) {
            // As Kafka 4: DescribeGroups is for classic groups; v6 says so, older versions see "Dead".
            return new DescribeGroupsResponseData.DescribedGroup().setGroupId(groupId).setErrorCode(Errors.GROUP_ID_NOT_FOUND.code())
                    .setErrorMessage("Group " + groupId + " is not a classic group.").setGroupState("Dead").setProtocolType("")
                    .setProtocolData("");
        }
        ClassicGroup g = classic.group(groupId);
        if (g == null || g.isInState(GroupState.DEAD)) {
            return null;
        }
        DescribeGroupsResponseData.DescribedGroup d = new DescribeGroupsResponseData.DescribedGroup().setGroupId(groupId)
                .setErrorCode(Errors.NONE.code()).setGroupState(g.state().toString())
                .setProtocolType(g.protocolType == null ? "" : g.protocolType);
        boolean stable = g.isInState(GroupState.STABLE);
        // As Kafka: protocol, metadata and assignments only once Stable.
        d.setProtocolData(stable ? g.protocolName : "");
        for (ClassicGroupMember m : g.members.values()) {
            byte[] metadata = stable ? m.metadata(g.protocolName) : null;
            d.members().add(new DescribeGroupsResponseData.DescribedGroupMember().setMemberId(m.memberId())
                    .setGroupInstanceId(m.groupInstanceId).setClientId(m.clientId).setClientHost(m.clientHost)
                    .setMemberMetadata(metadata == null ? new byte[0] : metadata)
                    .setMemberAssignment(m.assignment));
        }
        return d;
    }

    /** DeleteGroups for one group: only Empty groups; tombstones for its offsets and the group. */
    public Errors deleteGroup(Effects fx, String groupId) {
        if (groupId == null) {
            return Errors.INVALID_GROUP_ID;
        }
        ConsumerGroup cg = consumer.group(groupId);
        if (cg != null) {
            if (!cg.members().isEmpty()) {
                return Errors.NON_EMPTY_GROUP;
            }
            int partition = partitionFor.applyAsInt(groupId);
            for (TopicPartition tp : offsets.offsets(groupId).keySet()) {
                fx.write(partition, new GroupRecord.OffsetCommit(groupId, tp.topic(), tp.partition(), null));
            }
            consumer.writeGroupDeletion(fx, cg);
            return Errors.NONE;
        }
        ClassicGroup g = classic.group(groupId);
        if (g == null || g.isInState(GroupState.DEAD)) {
            return Errors.GROUP_ID_NOT_FOUND;
        }
        if (!g.isInState(GroupState.EMPTY)) {
            return Errors.NON_EMPTY_GROUP;
        }
        int partition = partitionFor.applyAsInt(groupId);
        for (TopicPartition tp : offsets.offsets(groupId).keySet()) {
            fx.write(partition, new GroupRecord.OffsetCommit(groupId, tp.topic(), tp.partition(), null));
        }
        fx.write(partition, new GroupRecord.GroupMetadata(groupId, null));
        return Errors.NONE;
    }

    /** The recent rebalances of a group, oldest first; empty for unknown groups. */
    public List<RebalanceEvent> rebalanceHistory(String groupId) {
        ConsumerGroup cg = consumer.group(groupId);
        if (cg != null) {
            return cg.history();
        }
        ClassicGroup g = classic.group(groupId);
        return g == null ? List.of() : g.history();
    }

    /** The state of a group, or null; for tests and tools. */
    public GroupState groupState(String groupId) {
        ClassicGroup g = classic.group(groupId);
        return g == null ? null : g.state();
    }

    public int generationId(String groupId) {
        ClassicGroup g = classic.group(groupId);
        return g == null ? -1 : g.generationId;
    }
}
