package io.gregor.api;

import io.gregor.group.GroupStateMachine;
import io.gregor.metadata.MetadataImage;
import io.gregor.network.RequestContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetFetchRequest;

/**
 * OffsetFetch v1-10: one group (v1-7) or several (v8+); null topics means every committed
 * partition. v9+ carries a KIP-848 member's id and epoch (checked for consumer groups); v10 names
 * topics by id (resolved here; an unknown id is UNKNOWN_TOPIC_ID, and committed partitions of
 * topics that no longer exist are left out of "all"). There are no transactional offsets yet, so
 * requireStable never yields UNSTABLE_OFFSET_COMMIT.
 */
final class OffsetFetchHandler implements ApiHandler {

    private final BrokerServices broker;

    OffsetFetchHandler(BrokerServices broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_FETCH;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context) {
        OffsetFetchRequestData request = ((OffsetFetchRequest) context.request()).data();
        short version = context.apiVersion();
        if (version >= 8) {
            List<CompletableFuture<OffsetFetchResponseData.OffsetFetchResponseGroup>> groups = new ArrayList<>();
            MetadataImage image = broker.image();
            for (OffsetFetchRequestData.OffsetFetchRequestGroup g : request.groups()) {
                Map<String, List<Integer>> topics = null;
                List<OffsetFetchResponseData.OffsetFetchResponseTopics> unknown = new ArrayList<>();
                if (g.topics() != null) {
                    topics = new LinkedHashMap<>();
                    for (OffsetFetchRequestData.OffsetFetchRequestTopics t : g.topics()) {
                        String name = t.name();
                        if (version >= 10) {
                            Optional<MetadataImage.TopicImage> topic = image.topic(t.topicId());
                            if (topic.isEmpty()) {
                                unknown.add(unknownTopicId(t));
                                continue;
                            }
                            name = topic.get().name();
                        }
                        topics.computeIfAbsent(name, n -> new ArrayList<>()).addAll(t.partitionIndexes());
                    }
                }
                CompletableFuture<OffsetFetchResponseData.OffsetFetchResponseGroup> f = version >= 9
                        ? fetchGroup(context, g.groupId(), g.memberId(), g.memberEpoch(), topics)
                        : fetchGroup(context, g.groupId(), null, -1, topics);
                groups.add(version < 10 ? f : f.thenApply(r -> withTopicIds(r, image, unknown)));
            }
            return CompletableFuture.allOf(groups.toArray(new CompletableFuture<?>[0])).thenApply(v -> {
                OffsetFetchResponseData response = new OffsetFetchResponseData();
                for (CompletableFuture<OffsetFetchResponseData.OffsetFetchResponseGroup> g : groups) {
                    response.groups().add(g.join());
                }
                return response;
            });
        }
        Map<String, List<Integer>> topics = null;
        if (request.topics() != null) {
            topics = new LinkedHashMap<>();
            for (OffsetFetchRequestData.OffsetFetchRequestTopic t : request.topics()) {
                topics.computeIfAbsent(t.name(), n -> new ArrayList<>()).addAll(t.partitionIndexes());
            }
        }
        Map<String, List<Integer>> requested = topics;
        return fetchGroup(context, request.groupId(), null, -1, topics).thenApply(g -> {
            OffsetFetchResponseData response = new OffsetFetchResponseData();
            if (version >= 2) {
                response.setErrorCode(g.errorCode());
            }
            for (OffsetFetchResponseData.OffsetFetchResponseTopics t : g.topics()) {
                OffsetFetchResponseData.OffsetFetchResponseTopic rt = new OffsetFetchResponseData.OffsetFetchResponseTopic().setName(t.name());
                for (OffsetFetchResponseData.OffsetFetchResponsePartitions p : t.partitions()) {
                    rt.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartition().setPartitionIndex(p.partitionIndex())
                            .setCommittedOffset(p.committedOffset()).setCommittedLeaderEpoch(p.committedLeaderEpoch())
                            .setMetadata(p.metadata()).setErrorCode(p.errorCode()));
                }
                response.topics().add(rt);
            }
            if (version < 2 && g.errorCode() != Errors.NONE.code() && requested != null) {
                // v1 has no group-level error: it goes on every requested partition.
                for (Map.Entry<String, List<Integer>> t : requested.entrySet()) {
                    OffsetFetchResponseData.OffsetFetchResponseTopic rt = new OffsetFetchResponseData.OffsetFetchResponseTopic().setName(t.getKey());
                    for (int p : t.getValue()) {
                        rt.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartition().setPartitionIndex(p)
                                .setCommittedOffset(-1).setMetadata("").setErrorCode(g.errorCode()));
                    }
                    response.topics().add(rt);
                }
            }
            return response;
        });
    }

    private static OffsetFetchResponseData.OffsetFetchResponseTopics unknownTopicId(OffsetFetchRequestData.OffsetFetchRequestTopics t) {
        OffsetFetchResponseData.OffsetFetchResponseTopics rt = new OffsetFetchResponseData.OffsetFetchResponseTopics().setTopicId(t.topicId());
        for (int p : t.partitionIndexes()) {
            rt.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartitions().setPartitionIndex(p).setCommittedOffset(-1)
                    .setMetadata("").setErrorCode(Errors.UNKNOWN_TOPIC_ID.code()));
        }
        return rt;
    }

    /** v10: topics by id; names of deleted topics have no id and are left out. */
    private static OffsetFetchResponseData.OffsetFetchResponseGroup withTopicIds(OffsetFetchResponseData.OffsetFetchResponseGroup g,
                                                                                MetadataImage image,
                                                                                List<OffsetFetchResponseData.OffsetFetchResponseTopics> unknown) {
        List<OffsetFetchResponseData.OffsetFetchResponseTopics> topics = new ArrayList<>();
        for (OffsetFetchResponseData.OffsetFetchResponseTopics t : g.topics()) {
            Optional<MetadataImage.TopicImage> topic = image.topic(t.name());
            if (topic.isPresent()) {
                topics.add(t.setTopicId(topic.get().id()).setName(""));
            }
        }
        topics.addAll(unknown);
        return g.setTopics(topics);
    }

    private CompletableFuture<OffsetFetchResponseData.OffsetFetchResponseGroup> fetchGroup(RequestContext context, String groupId,
                                                                                         String memberId, int memberEpoch,
                                                                                         Map<String, List<Integer>> topics) {
        OffsetFetchResponseData.OffsetFetchResponseGroup group = new OffsetFetchResponseData.OffsetFetchResponseGroup().setGroupId(groupId);
        Errors coordinator = broker.groups().coordinatorError(groupId);
        if (coordinator != Errors.NONE) {
            return CompletableFuture.completedFuture(group.setErrorCode(coordinator.code()));
        }
        return broker.groups().fetchOffsets(groupId, memberId, memberEpoch, topics).handle((offsets, e) -> {
            if (e != null) {
                return group.setErrorCode(GroupRequests.error(e, context).code());
            }
            Map<String, OffsetFetchResponseData.OffsetFetchResponseTopics> byTopic = new LinkedHashMap<>();
            for (GroupStateMachine.FetchedOffset o : offsets) {
                byTopic.computeIfAbsent(o.topic(), n -> new OffsetFetchResponseData.OffsetFetchResponseTopics().setName(n))
                        .partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartitions().setPartitionIndex(o.partition())
                                .setCommittedOffset(o.offset()).setCommittedLeaderEpoch(o.leaderEpoch()).setMetadata(o.metadata())
                                .setErrorCode(Errors.NONE.code()));
            }
            group.topics().addAll(byTopic.values());
            return group.setErrorCode(Errors.NONE.code());
        });
    }
}
