package io.gregor.group;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.gregor.metadata.GroupConfigDef;
import io.gregor.metadata.MetadataImage;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiPredicate;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * KIP-848 consumer groups (ConsumerGroupHeartbeat): decides membership, group epochs, target
 * assignments (through a {@link ServerAssignor}) and each member's step towards its target, and
 * returns them as records; {@link #replay} applies the records to the {@link ConsumerGroup}s.
 * Reconciliation is incremental: a member first gives up partitions (its epoch waits), and a
 * partition goes to its new owner only once no other member reports owning it.
 *
 * <p>Subscribed regexes (v1) are RE2 patterns, compiled and matched with RE2J as Kafka's coordinator does: in time
 * linear in the topic name whatever the pattern (java.util.regex backtracks for hours on some), and without the
 * constructs RE2 lacks (lookaround, backreferences), which are INVALID_REGULAR_EXPRESSION.
 *
 * <p>Owner: the group coordinator thread; nothing here is thread-safe.
 */
final class ConsumerGroups {
    /** What Kafka adds to its FENCED_MEMBER_EPOCH messages. */
    private static final String REJOIN = "The member must abandon all its partitions and rejoin.";


    private static final Logger log = LoggerFactory.getLogger(ConsumerGroups.class);

    private final GroupConfig config;
    private final GroupTimer timer;
    private final ToIntFunction<String> partitionFor;
    private final Supplier<MetadataImage> image;
    private final Map<String, ConsumerGroup> groups = new HashMap<>();
    /** Rebalances that replay found complete, for the durable history; drained by the coordinator. */
    private final List<Effects.CompletedRebalance> completed = new ArrayList<>();

    ConsumerGroups(GroupConfig config, GroupTimer timer, ToIntFunction<String> partitionFor, Supplier<MetadataImage> image) {
        this.config = config;
        this.timer = timer;
        this.partitionFor = partitionFor;
        this.image = image;
    }

    ConsumerGroup group(String groupId) {
        return groups.get(groupId);
    }

    Collection<ConsumerGroup> all() {
        return groups.values();
    }

    // ---------------------------------------------------------------- heartbeat

    /**
     * ConsumerGroupHeartbeat; {@code classicGroup} is the classic group that has this id, or null. A
     * non-empty one refuses the request; an empty one is replaced by the consumer group a join creates.
     */
    ConsumerGroupHeartbeatResponseData heartbeat(Effects fx, long nowMs, RequestMeta meta, ConsumerGroupHeartbeatRequestData request,
                                                 ClassicGroup classicGroup) {
        try {
            throwIfInvalid(meta.apiVersion(), request);
            boolean classicEmpty = classicGroup != null && classicGroup.isInState(GroupState.EMPTY);
            if (classicGroup != null && !classicEmpty && !classicGroup.isInState(GroupState.DEAD)) {
                throw Errors.GROUP_ID_NOT_FOUND.exception("Group " + request.groupId() + " is not a consumer group.");
            }
            if (request.memberEpoch() < 0) {
                return leave(fx, nowMs, request);
            }
            return join(fx, nowMs, meta, request, classicEmpty);
        } catch (ApiException e) {
            // As Kafka: an error answer carries no member id (null) and epoch 0.
            return new ConsumerGroupHeartbeatResponseData().setErrorCode(Errors.forException(e).code()).setErrorMessage(e.getMessage())
                    .setMemberId(null);
        }
    }

    private void throwIfInvalid(short version, ConsumerGroupHeartbeatRequestData r) {
        if (r.groupId() == null || r.groupId().isBlank()) {
            throw Errors.INVALID_REQUEST.exception("GroupId can't be empty.");
        }
        if (r.instanceId() != null && r.instanceId().isBlank()) {
            throw Errors.INVALID_REQUEST.exception("InstanceId can't be empty.");
        }
        if (r.rackId() != null && r.rackId().isBlank()) {
            throw Errors.INVALID_REQUEST.exception("RackId can't be empty.");
        }
        if (r.memberEpoch() < ConsumerGroupMember.LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
            throw Errors.INVALID_REQUEST.exception("MemberEpoch: " + r.memberEpoch() + " (expected: >= -2)");
        }
        boolean noMemberId = r.memberId() == null || r.memberId().isEmpty();
        if (noMemberId && (version >= 1 || r.memberEpoch() != 0)) {
            throw Errors.INVALID_REQUEST.exception("MemberId can't be empty.");
        }
        if (r.memberEpoch() == 0) {
            if (r.rebalanceTimeoutMs() == -1) {
                throw Errors.INVALID_REQUEST.exception("RebalanceTimeoutMs must be provided in first request.");
            }
            if (r.topicPartitions() == null || !r.topicPartitions().isEmpty()) {
                throw Errors.INVALID_REQUEST.exception("TopicPartitions must be empty when (re-)joining.");
            }
            if (r.subscribedTopicNames() == null && r.subscribedTopicRegex() == null) {
                throw Errors.INVALID_REQUEST.exception("Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.");
            }
        }
        if (r.memberEpoch() == ConsumerGroupMember.LEAVE_GROUP_STATIC_MEMBER_EPOCH && r.instanceId() == null) {
            throw Errors.INVALID_REQUEST.exception("InstanceId can't be null when leaving temporarily (epoch -2).");
        }
        if (r.serverAssignor() != null && !config.consumer().assignors().contains(r.serverAssignor())) {
            throw Errors.UNSUPPORTED_ASSIGNOR.exception("ServerAssignor " + r.serverAssignor() + " is not supported. Supported assignors: "
                    + String.join(", ", config.consumer().assignors()) + ".");
        }
        if (r.subscribedTopicRegex() != null && !r.subscribedTopicRegex().isEmpty()) {
            try {
                TopicPatterns.compile(r.subscribedTopicRegex());
            } catch (PatternSyntaxException e) {
                throw Errors.INVALID_REGULAR_EXPRESSION.exception("SubscribedTopicRegex `" + r.subscribedTopicRegex()
                        + "` is not a valid regular expression: " + e.getDescription() + ".");
            }
        }
    }

    private ConsumerGroupHeartbeatResponseData leave(Effects fx, long nowMs, ConsumerGroupHeartbeatRequestData request) {
        ConsumerGroup group = groups.get(request.groupId());
        if (group == null) {
            throw Errors.GROUP_ID_NOT_FOUND.exception("Consumer group " + request.groupId() + " not found.");
        }
        ConsumerGroupMember member = group.members.get(request.memberId());
        if (member == null) {
            throw Errors.UNKNOWN_MEMBER_ID.exception("Member " + request.memberId() + " is not a member of group " + request.groupId() + ".");
        }
        if (request.memberEpoch() == ConsumerGroupMember.LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
            // A static member leaves temporarily: it keeps its partitions until it comes back or its session expires.
            // Those it was revoking are released now, so their new owners need not wait for it (Kafka 4.4
            // consumerGroupStaticMemberGroupLeave: epoch -2 and no partitions pending revocation).
            GroupRecord.CurrentAssignment c = new GroupRecord.CurrentAssignment(ConsumerGroupMember.LEAVE_GROUP_STATIC_MEMBER_EPOCH,
                    member.memberEpoch(), member.state(), member.assigned(), GroupRecord.Assignment.EMPTY,
                    member.assignmentEpochs().forHeld(member.assigned(), member.memberEpoch()));
            fx.write(partitionFor.applyAsInt(group.groupId), new GroupRecord.ConsumerMemberAssignment(group.groupId, member.memberId(), c));
            timer.cancel(revocationKey(group.groupId, member.memberId()));
        } else {
            removeMember(fx, nowMs, group, member.memberId(), RebalanceEvent.Reason.MEMBER_LEFT,
                    "member " + member.memberId() + " (" + member.subscription().clientId() + ") left");
        }
        return new ConsumerGroupHeartbeatResponseData().setMemberId(request.memberId()).setMemberEpoch(request.memberEpoch())
                .setHeartbeatIntervalMs(0);
    }

    private ConsumerGroupHeartbeatResponseData join(Effects fx, long nowMs, RequestMeta meta, ConsumerGroupHeartbeatRequestData r,
                                                    boolean classicEmpty) {
        String groupId = r.groupId();
        int partition = partitionFor.applyAsInt(groupId);
        ConsumerGroup group = groups.get(groupId);
        String memberId = r.memberId() == null || r.memberId().isEmpty() ? Uuid.randomUuid().toString() : r.memberId();
        ConsumerGroupMember member = group == null ? null : group.members.get(memberId);
        boolean fullRequest = r.memberEpoch() == 0 || (r.rebalanceTimeoutMs() != -1
                && (r.subscribedTopicNames() != null || r.subscribedTopicRegex() != null) && r.topicPartitions() != null);
        ConsumerGroupMember replaced = null;
        if (r.memberEpoch() == 0) {
            if (group != null && r.instanceId() != null) {
                for (ConsumerGroupMember m : group.members.values()) {
                    if (r.instanceId().equals(m.instanceId()) && !m.memberId().equals(memberId)) {
                        if (m.memberEpoch() != ConsumerGroupMember.LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
                            throw Errors.UNRELEASED_INSTANCE_ID.exception("Static member " + m.memberId() + " with instance id "
                                    + r.instanceId() + " is still in group " + groupId + ".");
                        }
                        replaced = m;
                    }
                }
            }
            if (member == null && replaced == null && group != null && group.members.size() >= config.consumer().maxSize()) {
                throw Errors.GROUP_MAX_SIZE_REACHED.exception("The consumer group has reached its maximum capacity of "
                        + config.consumer().maxSize() + " members.");
            }
            if (replaced != null) {
                // The static member comes back: it takes over the old member's epoch and partitions.
                member = new ConsumerGroupMember(memberId, replaced.subscription(), new GroupRecord.CurrentAssignment(
                        replaced.previousMemberEpoch(), replaced.previousMemberEpoch(), replaced.state(), replaced.assigned(),
                        replaced.pendingRevocation(), replaced.assignmentEpochs()));
            } else {
                // A (re)join starts from nothing: the client has dropped whatever it owned.
                member = new ConsumerGroupMember(memberId, member == null ? ConsumerGroupMember.placeholder(memberId).subscription()
                        : member.subscription(), ConsumerGroupMember.NOTHING);
            }
        } else {
            if (group == null) {
                throw Errors.GROUP_ID_NOT_FOUND.exception("Consumer group " + groupId + " not found.");
            }
            if (member == null) {
                throw Errors.UNKNOWN_MEMBER_ID.exception("Member " + memberId + " is not a member of group " + groupId + ".");
            }
            throwIfFenced(member, r);
            String storedRegex = member.subscription().subscribedTopicRegex();
            if (r.subscribedTopicRegex() == null && storedRegex != null && TopicPatterns.compiledOrNull(storedRegex) == null) {
                // Stored by a Gregor that compiled subscriptions with java.util.regex: make the member rejoin with its
                // full subscription, which is then refused as Kafka refuses the pattern (INVALID_REGULAR_EXPRESSION).
                log.warn("Member {} of consumer group {} is subscribed to `{}`, which is not a valid RE2 regular expression;"
                        + " fencing it so that it rejoins", memberId, groupId, storedRegex);
                throw Errors.FENCED_MEMBER_EPOCH.exception("The member's subscribed regular expression is not valid. " + REJOIN);
            }
        }
        GroupRecord.MemberSubscription before = group != null && group.members.containsKey(memberId)
                ? group.members.get(memberId).subscription() : replaced != null ? replaced.subscription() : null;
        GroupRecord.MemberSubscription sub = member.subscription();
        GroupRecord.MemberSubscription after = new GroupRecord.MemberSubscription(
                r.instanceId() != null ? r.instanceId() : sub.instanceId(),
                r.rackId() != null ? r.rackId() : sub.rackId(),
                meta.clientId(), meta.clientHost(),
                r.subscribedTopicNames() != null ? List.copyOf(r.subscribedTopicNames()) : sub.subscribedTopicNames(),
                r.subscribedTopicRegex() != null ? (r.subscribedTopicRegex().isEmpty() ? null : r.subscribedTopicRegex())
                        : sub.subscribedTopicRegex(),
                r.serverAssignor() != null ? r.serverAssignor() : sub.serverAssignor(),
                r.rebalanceTimeoutMs() != -1 ? r.rebalanceTimeoutMs() : sub.rebalanceTimeoutMs());
        member = member.withSubscription(after);
        if (group == null && classicEmpty) {
            // The new group replaces an empty classic group: tombstone its snapshot (Kafka 4.4
            // maybeDeleteEmptyClassicGroup), or once this group is deleted and compaction has dropped
            // its tombstones, the next load would bring the classic group back. Its offsets stay.
            fx.write(partition, new GroupRecord.GroupMetadata(groupId, null));
        }
        if (replaced != null) {
            writeMemberRemoval(fx, partition, groupId, replaced.memberId());
        }
        if (!after.equals(before)) {
            fx.write(partition, new GroupRecord.ConsumerMemberSubscription(groupId, memberId, after));
        }

        // The group epoch and the target assignment, as they will be once this step's records apply.
        Map<String, ConsumerGroupMember> members = new TreeMap<>(group == null ? Map.of() : group.members);
        if (replaced != null) {
            members.remove(replaced.memberId());
        }
        members.put(memberId, member);
        int groupEpoch = group == null ? 0 : group.groupEpoch;
        Map<String, GroupRecord.Assignment> targets = new TreeMap<>(group == null ? Map.of() : group.targetAssignment);
        if (replaced != null) {
            targets.put(memberId, targets.getOrDefault(replaced.memberId(), GroupRecord.Assignment.EMPTY));
            targets.remove(replaced.memberId());
            fx.write(partition, new GroupRecord.ConsumerTargetAssignment(groupId, memberId, targets.get(memberId)));
        }
        long hash = metadataHash(members.values());
        boolean subscriptionChanged = before == null || !sameTopics(before, after);
        if (group == null || subscriptionChanged || hash != group.metadataHash) {
            RebalanceEvent.Reason reason = before == null && replaced == null ? RebalanceEvent.Reason.MEMBER_JOINED
                    : RebalanceEvent.Reason.METADATA_CHANGED;
            String detail = before == null && replaced == null ? "member " + memberId + " (" + meta.clientId() + ") joined"
                    : subscriptionChanged ? "member " + memberId + " changed its subscription" : "subscribed topics changed";
            groupEpoch++;
            targets = writeNewTarget(fx, nowMs, groupId, groupEpoch, hash, members, targets, reason, detail);
        }

        // One step of this member towards its target.
        GroupRecord.Assignment owned = r.topicPartitions() == null ? null : toAssignment(r.topicPartitions());
        ConsumerGroupMember next = reconcile(member, targets.getOrDefault(memberId, GroupRecord.Assignment.EMPTY), groupEpoch, owned,
                members);
        ConsumerGroupMember stored = group == null ? null : group.members.get(memberId);
        if (stored == null || !stored.current().equals(next.current())) {
            fx.write(partition, new GroupRecord.ConsumerMemberAssignment(groupId, memberId, next.current()));
        }
        scheduleSession(groupId, memberId, nowMs);
        if (next.state() == ConsumerGroupMember.State.UNREVOKED_PARTITIONS) {
            if (member.state() != ConsumerGroupMember.State.UNREVOKED_PARTITIONS || !member.current().equals(next.current())) {
                int epochAtRevocation = next.memberEpoch();
                timer.schedule(revocationKey(groupId, memberId), nowMs + Math.max(0, after.rebalanceTimeoutMs()),
                        (t, f) -> onRevocationTimeout(f, t, groupId, memberId, epochAtRevocation));
            }
        } else {
            timer.cancel(revocationKey(groupId, memberId));
        }
        ConsumerGroupHeartbeatResponseData response = new ConsumerGroupHeartbeatResponseData().setMemberId(memberId)
                .setMemberEpoch(next.memberEpoch()).setHeartbeatIntervalMs(groupValue(groupId, GroupConfigDef.HEARTBEAT_INTERVAL_MS,
                        config.consumer().heartbeatIntervalMs(), config.consumer().minHeartbeatIntervalMs(),
                        config.consumer().maxHeartbeatIntervalMs()));
        boolean changed = stored == null || !stored.assigned().equals(next.assigned()) || stored.memberEpoch() != next.memberEpoch();
        if (fullRequest || changed || r.memberEpoch() != next.memberEpoch()) {
            response.setAssignment(toResponse(next.assigned()));
        }
        return response;
    }

    /** KIP-848 epoch fencing, including the lost-response rule. */
    private static void throwIfFenced(ConsumerGroupMember member, ConsumerGroupHeartbeatRequestData r) {
        int received = r.memberEpoch();
        if (received > member.memberEpoch()) {
            throw Errors.FENCED_MEMBER_EPOCH.exception("The consumer group member has a greater member epoch (" + received
                    + ") than the one known by the group coordinator (" + member.memberEpoch() + "). " + REJOIN);
        }
        if (received < member.memberEpoch()) {
            // The member may have missed the response that gave it its current epoch: accept its
            // previous epoch if what it owns is within its current assignment.
            boolean lostResponse = received == member.previousMemberEpoch() && r.topicPartitions() != null
                    && toAssignment(r.topicPartitions()).minus(member.assigned()).isEmpty();
            if (!lostResponse) {
                throw Errors.FENCED_MEMBER_EPOCH.exception("The consumer group member has a smaller member epoch (" + received
                        + ") than the one known by the group coordinator (" + member.memberEpoch() + "). " + REJOIN);
            }
        }
    }

    /**
     * OffsetCommit from a member of this KIP-848 group, as Kafka 4.4 checks it
     * ({@code ConsumerGroup.validateOffsetCommit} with KIP-1251 assignment epochs): the member's
     * current epoch commits anything; a newer one is STALE_MEMBER_EPOCH; an older one (a commit that
     * crossed the heartbeat bumping the epoch) only for partitions the member still holds, assigned
     * at that epoch or before, so a zombie cannot overwrite the offsets of a partition's new owner.
     * Like Kafka, one such partition failing fails the whole request. Partitions that do not
     * exist are left to the caller (UNKNOWN_TOPIC_OR_PARTITION).
     */
    Errors validateOffsetCommit(ConsumerGroup group, short version, OffsetCommitRequestData request,
                                BiPredicate<String, Integer> partitionExists) {
        int memberEpoch = request.generationIdOrMemberEpoch();
        String memberId = request.memberId() == null ? "" : request.memberId();
        if (memberEpoch < 0 && group.members.isEmpty()) {
            // A "simple" commit (admin client) is allowed only while the group has no members.
            return Errors.NONE;
        }
        ConsumerGroupMember member = group.members.get(memberId);
        if (member == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (version < 9) {
            return Errors.UNSUPPORTED_VERSION;
        }
        if (memberEpoch == member.memberEpoch()) {
            return Errors.NONE;
        }
        if (memberEpoch > member.memberEpoch()) {
            return Errors.STALE_MEMBER_EPOCH;
        }
        MetadataImage img = image.get();
        for (OffsetCommitRequestData.OffsetCommitRequestTopic topic : request.topics()) {
            Optional<MetadataImage.TopicImage> t = img.topic(topic.name());
            for (OffsetCommitRequestData.OffsetCommitRequestPartition p : topic.partitions()) {
                if (t.isEmpty() || !partitionExists.test(topic.name(), p.partitionIndex())) {
                    continue;
                }
                int assignedAt = member.assignmentEpochs().epochOf(t.get().id(), p.partitionIndex());
                if (assignedAt < 0 || memberEpoch < assignedAt) {
                    log.info("Refused commit of {}-{} by member {} of group {} at epoch {}: {}", topic.name(), p.partitionIndex(),
                            memberId, group.groupId, memberEpoch, assignedAt < 0 ? "it does not hold the partition"
                                    : "the partition was assigned at epoch " + assignedAt);
                    return Errors.STALE_MEMBER_EPOCH;
                }
            }
        }
        return Errors.NONE;
    }

    /**
     * One step of {@code member} towards {@code target}: revoke first (epoch unchanged), then take
     * the target epoch and every target partition no other member still holds.
     */
    static ConsumerGroupMember reconcile(ConsumerGroupMember member, GroupRecord.Assignment target, int targetEpoch,
                                         GroupRecord.Assignment owned, Map<String, ConsumerGroupMember> members) {
        ConsumerGroupMember m = member;
        if (m.state() == ConsumerGroupMember.State.UNREVOKED_PARTITIONS) {
            if (owned == null || owned.intersects(m.pendingRevocation())) {
                return m;
            }
            m = m.withCurrent(new GroupRecord.CurrentAssignment(m.memberEpoch(), m.previousMemberEpoch(),
                    ConsumerGroupMember.State.STABLE, m.assigned(), GroupRecord.Assignment.EMPTY,
                    m.assignmentEpochs().forHeld(m.assigned(), m.memberEpoch())));
        }
        if (m.memberEpoch() == targetEpoch && m.state() == ConsumerGroupMember.State.STABLE && m.assigned().equals(target)) {
            return m;
        }
        GroupRecord.Assignment keep = m.assigned().intersect(target);
        GroupRecord.Assignment revoke = m.assigned().minus(target);
        if (!revoke.isEmpty()) {
            return m.withCurrent(new GroupRecord.CurrentAssignment(m.memberEpoch(), m.previousMemberEpoch(),
                    ConsumerGroupMember.State.UNREVOKED_PARTITIONS, keep, revoke, m.assignmentEpochs()));
        }
        Map<Uuid, Set<Integer>> free = new TreeMap<>();
        boolean unreleased = false;
        for (Map.Entry<Uuid, Set<Integer>> e : target.minus(keep).partitions().entrySet()) {
            for (int p : e.getValue()) {
                if (heldByOther(m.memberId(), e.getKey(), p, members)) {
                    unreleased = true;
                } else {
                    free.computeIfAbsent(e.getKey(), t -> new TreeSet<>()).add(p);
                }
            }
        }
        int previous = m.memberEpoch() == targetEpoch ? m.previousMemberEpoch() : m.memberEpoch();
        GroupRecord.Assignment assigned = keep.union(new GroupRecord.Assignment(free));
        // Kept partitions keep the epoch they were assigned at; new ones get the target epoch (KIP-1251).
        return m.withCurrent(new GroupRecord.CurrentAssignment(targetEpoch, previous,
                unreleased ? ConsumerGroupMember.State.UNRELEASED_PARTITIONS : ConsumerGroupMember.State.STABLE,
                assigned, GroupRecord.Assignment.EMPTY, m.assignmentEpochs().forHeld(assigned, targetEpoch)));
    }

    private static boolean heldByOther(String memberId, Uuid topicId, int partition, Map<String, ConsumerGroupMember> members) {
        for (ConsumerGroupMember o : members.values()) {
            if (!o.memberId().equals(memberId) && (o.assigned().contains(topicId, partition) || o.pendingRevocation().contains(topicId, partition))) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameTopics(GroupRecord.MemberSubscription a, GroupRecord.MemberSubscription b) {
        return new HashSet<>(a.subscribedTopicNames()).equals(new HashSet<>(b.subscribedTopicNames()))
                && Objects.equals(a.subscribedTopicRegex(), b.subscribedTopicRegex()) && Objects.equals(a.serverAssignor(), b.serverAssignor());
    }

    // ---------------------------------------------------------------- target assignment

    /** Writes the new group epoch and the target assignment computed for it; returns the new target. */
    private Map<String, GroupRecord.Assignment> writeNewTarget(Effects fx, long nowMs, String groupId, int groupEpoch, long hash,
                                                               Map<String, ConsumerGroupMember> members,
                                                               Map<String, GroupRecord.Assignment> oldTargets,
                                                               RebalanceEvent.Reason reason, String detail) {
        int partition = partitionFor.applyAsInt(groupId);
        fx.write(partition, new GroupRecord.ConsumerGroupMetadata(groupId,
                new GroupRecord.ConsumerGroupEpoch(groupEpoch, hash, reason.name(), detail, nowMs)));
        MetadataImage img = image.get();
        Map<Uuid, Integer> counts = new HashMap<>();
        Map<String, ServerAssignor.MemberSpec> specs = new TreeMap<>();
        for (ConsumerGroupMember m : members.values()) {
            Set<Uuid> topics = new HashSet<>();
            for (MetadataImage.TopicImage t : subscribedTopics(m.subscription(), img)) {
                topics.add(t.id());
                counts.put(t.id(), t.partitionCount());
            }
            specs.put(m.memberId(), new ServerAssignor.MemberSpec(topics, oldTargets.getOrDefault(m.memberId(), GroupRecord.Assignment.EMPTY)));
        }
        Map<String, GroupRecord.Assignment> targets = ServerAssignor.named(selectAssignor(members.values())).assign(specs, counts);
        for (Map.Entry<String, GroupRecord.Assignment> e : targets.entrySet()) {
            if (!e.getValue().equals(oldTargets.get(e.getKey()))) {
                fx.write(partition, new GroupRecord.ConsumerTargetAssignment(groupId, e.getKey(), e.getValue()));
            }
        }
        fx.write(partition, new GroupRecord.ConsumerTargetAssignmentEpoch(groupId, groupEpoch));
        log.info("Consumer group {} is at epoch {} ({}): {}", groupId, groupEpoch, reason, detail);
        return targets;
    }

    /** The assignor most members ask for, ties broken by the configured order; the first configured one by default. */
    String selectAssignor(Collection<ConsumerGroupMember> members) {
        Map<String, Integer> votes = new LinkedHashMap<>();
        for (String a : config.consumer().assignors()) {
            votes.put(a, 0);
        }
        for (ConsumerGroupMember m : members) {
            String a = m.subscription().serverAssignor();
            if (a != null && votes.containsKey(a)) {
                votes.merge(a, 1, Integer::sum);
            }
        }
        String best = config.consumer().assignors().get(0);
        for (Map.Entry<String, Integer> e : votes.entrySet()) {
            if (e.getValue() > votes.get(best)) {
                best = e.getKey();
            }
        }
        return best;
    }

    /** Existing, non-internal topics a subscription covers: its names, plus its regex's matches. */
    static List<MetadataImage.TopicImage> subscribedTopics(GroupRecord.MemberSubscription s, MetadataImage img) {
        Map<String, MetadataImage.TopicImage> out = new TreeMap<>();
        for (String name : s.subscribedTopicNames()) {
            img.topic(name).ifPresent(t -> out.put(t.name(), t));
        }
        if (s.subscribedTopicRegex() != null) {
            // Null only for a subscription stored by a Gregor that compiled regexes with java.util.regex (which
            // accepted lookaround and backreferences): it matches nothing, and its member is fenced at its next heartbeat.
            Pattern p = TopicPatterns.compiledOrNull(s.subscribedTopicRegex());
            for (MetadataImage.TopicImage t : img.topicsByName().values()) {
                if (p != null && !t.isInternal() && p.matcher(t.name()).matches()) {
                    out.put(t.name(), t);
                }
            }
        }
        return List.copyOf(out.values());
    }

    /**
     * Whether a member subscribes to {@code topic}, by name or through its regex (as Kafka's
     * ConsumerGroup keeps the resolved topic names): such offsets are neither expired nor deletable.
     */
    boolean isSubscribedToTopic(ConsumerGroup group, String topic) {
        MetadataImage img = image.get();
        for (ConsumerGroupMember m : group.members.values()) {
            if (m.subscription().subscribedTopicNames().contains(topic)) {
                return true;
            }
            if (m.subscription().subscribedTopicRegex() != null) {
                for (MetadataImage.TopicImage t : subscribedTopics(m.subscription(), img)) {
                    if (t.name().equals(topic)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** A 64-bit FNV-1a hash of the subscribed topics' names, ids and partition counts. */
    long metadataHash(Collection<ConsumerGroupMember> members) {
        MetadataImage img = image.get();
        Set<String> seen = new TreeSet<>();
        for (ConsumerGroupMember m : members) {
            for (MetadataImage.TopicImage t : subscribedTopics(m.subscription(), img)) {
                seen.add(t.name() + ":" + t.id() + ":" + t.partitionCount());
            }
        }
        long h = 0xcbf29ce484222325L;
        for (String s : seen) {
            for (int i = 0; i < s.length(); i++) {
                h = (h ^ s.charAt(i)) * 0x100000001b3L;
            }
            h = (h ^ ';') * 0x100000001b3L;
        }
        return h;
    }

    /** Topics were created, deleted or grew: groups whose subscribed topics changed get a new epoch and target. */
    void onMetadataUpdate(Effects fx, long nowMs) {
        for (ConsumerGroup group : List.copyOf(groups.values())) {
            if (group.members.isEmpty()) {
                continue;
            }
            long hash = metadataHash(group.members.values());
            if (hash != group.metadataHash) {
                writeNewTarget(fx, nowMs, group.groupId, group.groupEpoch + 1, hash, group.members, group.targetAssignment,
                        RebalanceEvent.Reason.METADATA_CHANGED, "subscribed topics changed");
            }
        }
    }

    // ---------------------------------------------------------------- removal and timers

    private void removeMember(Effects fx, long nowMs, ConsumerGroup group, String memberId, RebalanceEvent.Reason reason, String detail) {
        removeMembers(fx, nowMs, group, List.of(memberId), reason, detail);
    }

    /** Removes the members, then bumps the group epoch once with a target assignment for the rest. */
    private void removeMembers(Effects fx, long nowMs, ConsumerGroup group, Collection<String> memberIds, RebalanceEvent.Reason reason,
                               String detail) {
        int partition = partitionFor.applyAsInt(group.groupId);
        Map<String, ConsumerGroupMember> remaining = new TreeMap<>(group.members);
        Map<String, GroupRecord.Assignment> oldTargets = new TreeMap<>(group.targetAssignment);
        for (String memberId : memberIds) {
            writeMemberRemoval(fx, partition, group.groupId, memberId);
            remaining.remove(memberId);
            oldTargets.remove(memberId);
            timer.cancel(sessionKey(group.groupId, memberId));
            timer.cancel(revocationKey(group.groupId, memberId));
        }
        writeNewTarget(fx, nowMs, group.groupId, group.groupEpoch + 1, metadataHash(remaining.values()), remaining, oldTargets, reason, detail);
    }

    /**
     * A classic LeaveGroup naming members of a KIP-848 group (Kafka 4.4's classicGroupLeaveToConsumerGroup): an
     * administrator removes a static member by its instance id alone ({@code Admin.removeMembersFromConsumerGroup});
     * a member named by member id, or by both ids, would have to use the classic protocol, which no member of a
     * KIP-848 group here does: UNKNOWN_MEMBER_ID (FENCED_INSTANCE_ID when the ids disagree).
     */
    LeaveGroupResponseData leaveByClassicRequest(Effects fx, long nowMs, ConsumerGroup group,
                                                 List<LeaveGroupRequestData.MemberIdentity> leaving) {
        LeaveGroupResponseData response = new LeaveGroupResponseData();
        Set<String> removed = new LinkedHashSet<>();
        for (LeaveGroupRequestData.MemberIdentity identity : leaving) {
            String memberId = identity.memberId() == null ? "" : identity.memberId();
            String instanceId = identity.groupInstanceId();
            ConsumerGroupMember member = instanceId == null ? null : group.members.values().stream()
                    .filter(m -> instanceId.equals(m.instanceId())).findFirst().orElse(null);
            Errors error;
            if (member == null) {
                error = Errors.UNKNOWN_MEMBER_ID;
            } else if (memberId.isEmpty()) {
                error = Errors.NONE;
                removed.add(member.memberId()); // answered with the identity asked for: the admin client matches on it
            } else {
                error = memberId.equals(member.memberId()) ? Errors.UNKNOWN_MEMBER_ID : Errors.FENCED_INSTANCE_ID;
            }
            response.members().add(new LeaveGroupResponseData.MemberResponse().setMemberId(memberId)
                    .setGroupInstanceId(instanceId).setErrorCode(error.code()));
        }
        if (!removed.isEmpty()) {
            log.info("Static member(s) {} removed from group {} by an administrator", removed, group.groupId);
            removeMembers(fx, nowMs, group, removed, RebalanceEvent.Reason.MEMBER_LEFT,
                    "member(s) " + String.join(", ", removed) + " removed by an administrator (LeaveGroup)");
        }
        return response;
    }

    private static void writeMemberRemoval(Effects fx, int partition, String groupId, String memberId) {
        fx.write(partition, new GroupRecord.ConsumerMemberAssignment(groupId, memberId, null));
        fx.write(partition, new GroupRecord.ConsumerTargetAssignment(groupId, memberId, null));
        fx.write(partition, new GroupRecord.ConsumerMemberSubscription(groupId, memberId, null));
    }

    /**
     * A group config's value for {@code groupId} (KIP-848: {@code kafka-configs --entity-type groups}), else the broker's
     * {@code defaultValue}; read at each use, so a change applies from the member's next heartbeat. A value set under
     * wider broker bounds than the current ones is clamped to them, as Kafka does.
     */
    private int groupValue(String groupId, String key, int defaultValue, int min, int max) {
        String value = image.get().groupConfigs(groupId).get(key);
        return value == null ? defaultValue : Math.max(min, Math.min(max, Integer.parseInt(value.trim())));
    }

    private void scheduleSession(String groupId, String memberId, long nowMs) {
        int sessionTimeoutMs = groupValue(groupId, GroupConfigDef.SESSION_TIMEOUT_MS, config.consumer().sessionTimeoutMs(),
                config.consumer().minSessionTimeoutMs(), config.consumer().maxSessionTimeoutMs());
        timer.schedule(sessionKey(groupId, memberId), nowMs + sessionTimeoutMs,
                (t, f) -> onSessionExpired(f, t, groupId, memberId));
    }

    private void onSessionExpired(Effects fx, long nowMs, String groupId, String memberId) {
        ConsumerGroup group = groups.get(groupId);
        if (group != null && group.members.containsKey(memberId)) {
            log.info("Member {} of consumer group {} missed its session timeout; removing it", memberId, groupId);
            removeMember(fx, nowMs, group, memberId, RebalanceEvent.Reason.SESSION_TIMEOUT, "member " + memberId + " ("
                    + group.members.get(memberId).subscription().clientId() + ") missed its session timeout");
        }
    }

    private void onRevocationTimeout(Effects fx, long nowMs, String groupId, String memberId, int epoch) {
        ConsumerGroup group = groups.get(groupId);
        ConsumerGroupMember m = group == null ? null : group.members.get(memberId);
        if (m != null && m.state() == ConsumerGroupMember.State.UNREVOKED_PARTITIONS && m.memberEpoch() == epoch) {
            log.info("Member {} of consumer group {} did not revoke its partitions within its rebalance timeout; removing it", memberId, groupId);
            removeMember(fx, nowMs, group, memberId, RebalanceEvent.Reason.POLL_INTERVAL_EXCEEDED, "member " + memberId
                    + " did not revoke its partitions within " + m.subscription().rebalanceTimeoutMs() + " ms");
        }
    }

    private static String sessionKey(String groupId, String memberId) {
        return "consumer-session:" + groupId + ":" + memberId;
    }

    private static String revocationKey(String groupId, String memberId) {
        return "consumer-revocation:" + groupId + ":" + memberId;
    }

    // ---------------------------------------------------------------- replay

    /** Applies one consumer-group record; returns true when the record was one. */
    boolean replay(GroupRecord record, long nowMs) {
        if (record instanceof GroupRecord.ConsumerGroupMetadata r) {
            if (r.value() == null) {
                ConsumerGroup g = groups.remove(r.groupId());
                if (g != null) {
                    for (String m : g.members.keySet()) {
                        timer.cancel(sessionKey(g.groupId, m));
                        timer.cancel(revocationKey(g.groupId, m));
                    }
                }
            } else {
                groups.computeIfAbsent(r.groupId(), ConsumerGroup::new).replayEpoch(r.value());
            }
        } else if (record instanceof GroupRecord.ConsumerMemberSubscription r) {
            groups.computeIfAbsent(r.groupId(), ConsumerGroup::new).replaySubscription(r.memberId(), r.value());
        } else if (record instanceof GroupRecord.ConsumerTargetAssignment r) {
            groups.computeIfAbsent(r.groupId(), ConsumerGroup::new).replayTarget(r.memberId(), r.value());
        } else if (record instanceof GroupRecord.ConsumerTargetAssignmentEpoch r) {
            if (r.assignmentEpoch() != null) {
                groups.computeIfAbsent(r.groupId(), ConsumerGroup::new).replayTargetEpoch(r.assignmentEpoch());
            }
        } else if (record instanceof GroupRecord.ConsumerMemberAssignment r) {
            groups.computeIfAbsent(r.groupId(), ConsumerGroup::new).replayCurrent(r.memberId(), r.value());
        } else {
            return false;
        }
        ConsumerGroup g = groups.get(record.groupId());
        if (g != null) {
            RebalanceEvent done = g.maybeCompleteRebalance(nowMs, assignments(g));
            if (done != null) {
                completed.add(new Effects.CompletedRebalance(g.groupId, ClassicGroup.CONSUMER_PROTOCOL_TYPE, done));
            }
        }
        return true;
    }

    /** The rebalances completed by records replayed since the last call. */
    List<Effects.CompletedRebalance> drainCompleted() {
        List<Effects.CompletedRebalance> out = List.copyOf(completed);
        completed.clear();
        return out;
    }

    /** Loading is done: members' sessions start now. */
    void onLoaded(long nowMs) {
        for (ConsumerGroup g : groups.values()) {
            for (ConsumerGroupMember m : g.members.values()) {
                scheduleSession(g.groupId, m.memberId(), nowMs);
                if (m.state() == ConsumerGroupMember.State.UNREVOKED_PARTITIONS && m.memberEpoch() >= 0) {
                    int epoch = m.memberEpoch();
                    String groupId = g.groupId, memberId = m.memberId();
                    timer.schedule(revocationKey(groupId, memberId), nowMs + Math.max(0, m.subscription().rebalanceTimeoutMs()),
                            (t, f) -> onRevocationTimeout(f, t, groupId, memberId, epoch));
                }
            }
        }
    }

    private List<RebalanceEvent.MemberAssignment> assignments(ConsumerGroup g) {
        List<RebalanceEvent.MemberAssignment> out = new ArrayList<>();
        MetadataImage img = image.get();
        for (ConsumerGroupMember m : g.members.values()) {
            List<TopicPartition> tps = new ArrayList<>();
            m.assigned().partitions().forEach((id, ps) -> img.topic(id).ifPresent(t -> {
                for (int p : ps) {
                    tps.add(new TopicPartition(t.name(), p));
                }
            }));
            ByteBuffer bytes = ConsumerProtocol.serializeAssignment(new ConsumerPartitionAssignor.Assignment(tps));
            byte[] array = new byte[bytes.remaining()];
            bytes.get(array);
            out.add(new RebalanceEvent.MemberAssignment(m.memberId(), m.instanceId(), m.subscription().clientId(), array));
        }
        return out;
    }

    // ---------------------------------------------------------------- describe

    ConsumerGroupDescribeResponseData.DescribedGroup describe(ConsumerGroup g) {
        MetadataImage img = image.get();
        ConsumerGroupDescribeResponseData.DescribedGroup d = new ConsumerGroupDescribeResponseData.DescribedGroup()
                .setGroupId(g.groupId).setGroupState(g.state().toString()).setGroupEpoch(g.groupEpoch)
                .setAssignmentEpoch(g.assignmentEpoch).setAssignorName(selectAssignor(g.members.values()));
        for (ConsumerGroupMember m : g.members.values()) {
            GroupRecord.MemberSubscription s = m.subscription();
            d.members().add(new ConsumerGroupDescribeResponseData.Member().setMemberId(m.memberId()).setInstanceId(s.instanceId())
                    .setRackId(s.rackId()).setMemberEpoch(m.memberEpoch()).setClientId(s.clientId()).setClientHost(s.clientHost())
                    .setSubscribedTopicNames(new ArrayList<>(s.subscribedTopicNames())).setSubscribedTopicRegex(s.subscribedTopicRegex() == null ? "" : s.subscribedTopicRegex())
                    .setAssignment(describeAssignment(m.assigned(), img))
                    .setTargetAssignment(describeAssignment(g.targetOf(m.memberId()), img)).setMemberType((byte) 1));
        }
        return d;
    }

    private static ConsumerGroupDescribeResponseData.Assignment describeAssignment(GroupRecord.Assignment a, MetadataImage img) {
        ConsumerGroupDescribeResponseData.Assignment out = new ConsumerGroupDescribeResponseData.Assignment();
        a.partitions().forEach((id, ps) -> out.topicPartitions().add(new ConsumerGroupDescribeResponseData.TopicPartitions()
                .setTopicId(id).setTopicName(img.topic(id).map(MetadataImage.TopicImage::name).orElse(""))
                .setPartitions(new ArrayList<>(ps))));
        return out;
    }

    // ---------------------------------------------------------------- wire conversions

    private static GroupRecord.Assignment toAssignment(List<ConsumerGroupHeartbeatRequestData.TopicPartitions> tps) {
        Map<Uuid, Set<Integer>> out = new HashMap<>();
        for (ConsumerGroupHeartbeatRequestData.TopicPartitions t : tps) {
            out.computeIfAbsent(t.topicId(), k -> new HashSet<>()).addAll(t.partitions());
        }
        return new GroupRecord.Assignment(out);
    }

    private static ConsumerGroupHeartbeatResponseData.Assignment toResponse(GroupRecord.Assignment a) {
        ConsumerGroupHeartbeatResponseData.Assignment out = new ConsumerGroupHeartbeatResponseData.Assignment();
        a.partitions().forEach((id, ps) -> out.topicPartitions().add(new ConsumerGroupHeartbeatResponseData.TopicPartitions()
                .setTopicId(id).setPartitions(new ArrayList<>(ps))));
        return out;
    }

    /** Tombstones for a consumer group's own records (its offsets are the caller's). */
    void writeGroupDeletion(Effects fx, ConsumerGroup g) {
        int partition = partitionFor.applyAsInt(g.groupId);
        for (String m : g.members.keySet()) {
            writeMemberRemoval(fx, partition, g.groupId, m);
        }
        for (String m : g.targetAssignment.keySet()) {
            if (!g.members.containsKey(m)) {
                fx.write(partition, new GroupRecord.ConsumerTargetAssignment(g.groupId, m, null));
            }
        }
        fx.write(partition, new GroupRecord.ConsumerTargetAssignmentEpoch(g.groupId, null));
        fx.write(partition, new GroupRecord.ConsumerGroupMetadata(g.groupId, null));
    }
}
