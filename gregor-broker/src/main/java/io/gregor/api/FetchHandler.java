package io.gregor.api;

import io.gregor.metadata.MetadataImage;
import io.gregor.network.RequestContext;
import io.gregor.replica.FetchWaiters;
import io.gregor.replica.ReplicaManager;
import io.gregor.storage.EpochEndOffset;
import io.gregor.storage.OffsetOutOfRangeException;
import io.gregor.storage.PartitionLog;
import io.gregor.storage.ReadResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.FetchRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetch v4-18 for consumers. Reads are zero copy (file slices). Long polling: a fetch that finds
 * fewer than {@code minBytes} is parked in {@link FetchWaiters} until appends bring enough bytes or
 * {@code maxWaitMs} passes, then read again. Size limits follow KIP-74: partitions are filled in
 * request order up to {@code maxBytes}, each up to its {@code partitionMaxBytes}, and the first
 * non-empty partition returns at least one whole batch.
 *
 * <p>Fetch sessions (KIP-227) are refused correctly: every response carries sessionId 0, so the
 * client sends full fetches; an incremental fetch (an epoch other than 0 or -1) gets FETCH_SESSION_ID_NOT_FOUND.
 */
final class FetchHandler implements ApiHandler {

    private static final Logger log = LoggerFactory.getLogger(FetchHandler.class);

    private final BrokerServices broker;

    FetchHandler(BrokerServices broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.FETCH;
    }

    /** One requested partition, resolved once against the metadata image. */
    private record Target(String topicName, Uuid topicId, FetchRequestData.FetchPartition request,
                          Optional<ReplicaManager.HostedPartition> hosted, Errors error) {
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context) {
        FetchRequestData request = ((FetchRequest) context.request()).data();
        short version = context.apiVersion();
        // As Kafka's FetchManager: epoch 0 (open a session) or -1 (none) asks for a full fetch, which closes any session
        // named; we never open one (sessionId 0 in every answer), so an incremental epoch names a session we lack.
        if (version >= 7 && request.sessionEpoch() != 0 && request.sessionEpoch() != -1) {
            return ApiHandler.done(sessionError(Errors.FETCH_SESSION_ID_NOT_FOUND));
        }
        int replicaId = ((FetchRequest) context.request()).replicaId();
        List<Target> targets = resolve(request, version, replicaId);
        long[] endOffsets = new long[targets.size()];
        FetchResponseData first = read(context, request, targets, endOffsets);
        long bytes = bytesOf(first);
        // As Kafka's KafkaApis: min_bytes is capped at max_bytes; partitions refused before reading (unknown topic,
        // topic id or partition) neither answer the fetch early nor count as something to wait for, while a read
        // that failed (offset out of range, leader epoch) answers it at once.
        int minBytes = Math.min(request.minBytes(), maxBytes(request));
        boolean readError = false;
        boolean anyReadable = false;
        int at = 0;
        for (FetchResponseData.FetchableTopicResponse t : first.responses()) {
            for (FetchResponseData.PartitionData p : t.partitions()) {
                boolean refused = refusedBeforeReading(targets.get(at++).error());
                anyReadable |= !refused;
                readError |= !refused && (p.errorCode() != Errors.NONE.code() || p.divergingEpoch().epoch() >= 0);
            }
        }
        if (request.maxWaitMs() <= 0 || bytes >= minBytes || readError || !anyReadable) {
            return ApiHandler.done(first);
        }
        CompletableFuture<ApiMessage> result = new CompletableFuture<>();
        List<TopicPartition> tps = new ArrayList<>(targets.size());
        Map<TopicPartition, Integer> partitionMaxBytes = new HashMap<>();
        for (Target t : targets) {
            TopicPartition tp = new TopicPartition(t.topicName(), t.request().partition());
            tps.add(tp);
            partitionMaxBytes.put(tp, Math.max(0, t.request().partitionMaxBytes()));
        }
        FetchWaiters.Waiter waiter = new FetchWaiters.Waiter(tps, minBytes, bytes, partitionMaxBytes) {
            @Override
            protected void complete() {
                try {
                    // Resolved again: a partition deleted (or its topic re-created) while this fetch waited is
                    // answered as it is now, as Kafka answers a delayed fetch whose partition it stopped.
                    List<Target> now = resolve(request, version, replicaId);
                    result.complete(read(context, request, now, new long[now.size()]));
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                }
            }
        };
        FetchWaiters waiters = broker.replicas().fetchWaiters();
        waiters.park(waiter, request.maxWaitMs());
        // An append between our read and parking was not counted: when a log moved, count what is readable now, as
        // Kafka's DelayedFetch counts the bytes between each fetch offset and the log end (the waiter keeps the larger
        // of that and what appends since parking added: nothing counted twice, nothing lost).
        for (int i = 0; i < targets.size(); i++) {
            Optional<ReplicaManager.HostedPartition> h = targets.get(i).hosted();
            if (h.isPresent() && h.get().log().logEndOffset() != endOffsets[i]) {
                FetchResponseData again = read(context, request, targets, new long[targets.size()]);
                if (waiters.raiseBytesTo(waiter, bytesOf(again))) {
                    waiters.wake(waiter);
                }
                break;
            }
        }
        return result;
    }

    private boolean isFollower(MetadataImage.TopicImage topic, int partition, int replicaId) {
        return replicaId != broker.nodeId() && topic.partition(partition).map(p -> p.replicas().contains(replicaId)).orElse(false);
    }

    /** The request's byte budget, capped as Kafka's KafkaApis caps it at the broker's {@code fetch.max.bytes}. */
    private int maxBytes(FetchRequestData request) {
        return Math.max(0, Math.min(request.maxBytes(), broker.config().fetchMaxBytes()));
    }

    /** Errors found while resolving a partition, before any read: Kafka sets these partitions aside. */
    private static boolean refusedBeforeReading(Errors error) {
        return error == Errors.UNKNOWN_TOPIC_OR_PARTITION || error == Errors.UNKNOWN_TOPIC_ID;
    }

    private List<Target> resolve(FetchRequestData request, short version, int replicaId) {
        MetadataImage image = broker.image();
        List<Target> targets = new ArrayList<>();
        for (FetchRequestData.FetchTopic topic : request.topics()) {
            Optional<MetadataImage.TopicImage> t = version >= 13 ? image.topic(topic.topicId()) : image.topic(topic.topic());
            for (FetchRequestData.FetchPartition p : topic.partitions()) {
                if (t.isEmpty()) {
                    Errors e = version >= 13 ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION;
                    targets.add(new Target(topic.topic(), topic.topicId(), p, Optional.empty(), e));
                    continue;
                }
                Optional<ReplicaManager.HostedPartition> hosted =
                        broker.replicas().partition(t.get().name(), t.get().id(), p.partition());
                Errors e = Errors.NONE;
                if (hosted.isEmpty()) {
                    e = broker.replicas().notHostedError(broker.image(), t.get().name(), t.get().id(), p.partition(),
                            version >= 13);
                } else if (p.currentLeaderEpoch() >= 0 && p.currentLeaderEpoch() > hosted.get().leaderEpoch()) {
                    e = Errors.UNKNOWN_LEADER_EPOCH;
                } else if (p.currentLeaderEpoch() >= 0 && p.currentLeaderEpoch() < hosted.get().leaderEpoch()) {
                    e = Errors.FENCED_LEADER_EPOCH;
                } else if (replicaId >= 0 && !isFollower(t.get(), p.partition(), replicaId)) {
                    // As Kafka's Partition.followerReplicaOrThrow: a replica fetch from a broker that is not one
                    // of the partition's followers (this node has none: every partition's only replica is itself).
                    e = p.currentLeaderEpoch() >= 0 ? Errors.UNKNOWN_LEADER_EPOCH : Errors.NOT_LEADER_OR_FOLLOWER;
                }
                targets.add(new Target(t.get().name(), t.get().id(), p, hosted, e));
            }
        }
        return targets;
    }

    private FetchResponseData read(RequestContext context, FetchRequestData request, List<Target> targets, long[] endOffsets) {
        short version = context.apiVersion();
        FetchResponseData response = new FetchResponseData().setThrottleTimeMs(0).setErrorCode(Errors.NONE.code()).setSessionId(0);
        int remaining = maxBytes(request);
        // KIP-74, as Kafka's readFromLog: until a partition returned records, the next one returns at least one whole
        // batch whatever the limits (even max_bytes 0); every partition is read, so an offset out of range is
        // answered as such after the budget is spent too.
        boolean minOneBatch = true;
        boolean readCommitted = request.isolationLevel() == 1;
        FetchResponseData.FetchableTopicResponse current = null;
        int i = 0;
        for (Target t : targets) {
            if (current == null || !sameTopic(current, t)) {
                current = new FetchResponseData.FetchableTopicResponse().setTopic(t.topicName()).setTopicId(t.topicId());
                response.responses().add(current);
            }
            FetchResponseData.PartitionData pd = new FetchResponseData.PartitionData()
                    .setPartitionIndex(t.request().partition())
                    .setHighWatermark(-1).setLastStableOffset(-1).setLogStartOffset(-1)
                    .setPreferredReadReplica(-1)
                    .setRecords(MemoryRecords.EMPTY);
            current.partitions().add(pd);
            if (t.error() != Errors.NONE) {
                pd.setErrorCode(t.error().code());
                if (t.error() == Errors.FENCED_LEADER_EPOCH || t.error() == Errors.UNKNOWN_LEADER_EPOCH) {
                    pd.setAbortedTransactions(null); // Kafka finds these while reading the log
                }
                i++;
                continue;
            }
            ReplicaManager.HostedPartition p = t.hosted().get();
            long logEnd = p.log().logEndOffset();
            endOffsets[i++] = logEnd;
            long highWatermark = logEnd;
            pd.setHighWatermark(highWatermark).setLastStableOffset(highWatermark).setLogStartOffset(p.log().logStartOffset());
            // As Kafka: a partition that is read lists its aborted transactions (none) for read_committed only, null
            // otherwise and when the read fails; one refused before reading (unknown topic, id or partition, above)
            // keeps the message's default empty list.
            pd.setAbortedTransactions(readCommitted ? new ArrayList<>() : null);
            int limit = Math.max(0, Math.min(remaining, t.request().partitionMaxBytes()));
            try {
                if (version >= 12 && t.request().lastFetchedEpoch() >= 0
                        && diverged(p.log(), t.request().fetchOffset(), t.request().lastFetchedEpoch(), pd)) {
                    continue;
                }
                ReadResult read = p.log().read(t.request().fetchOffset(), limit, highWatermark, minOneBatch);
                int size = read.records().sizeInBytes();
                pd.setRecords(read.records()).setLogStartOffset(read.logStartOffset());
                minOneBatch &= size == 0;
                remaining = Math.max(0, remaining - size);
                if (version < 10 && "zstd".equals(p.log().config().compressionType())) {
                    // As Kafka's KafkaApis (maybeConvertFetchedData): clients before Fetch v10 cannot read zstd, so
                    // a zstd topic's partition is answered with an error (after its read, which counted).
                    clear(pd, Errors.UNSUPPORTED_COMPRESSION_TYPE);
                }
            } catch (OffsetOutOfRangeException e) {
                clear(pd, Errors.OFFSET_OUT_OF_RANGE);
            } catch (RuntimeException e) {
                // As Kafka's readFromLog: a failed read fails its partition, not the request.
                Errors error = readError(t, p, e, context);
                if (error == Errors.KAFKA_STORAGE_ERROR && version <= 5) {
                    error = Errors.NOT_LEADER_OR_FOLLOWER; // as Kafka answers clients that predate the storage error
                }
                clear(pd, error);
            }
        }
        return response;
    }

    /**
     * As Kafka's Partition.readRecords for a fetch naming the epoch of the last batch its client read (v12+): an epoch
     * the log cannot place, or an offset below the log start, is out of range; a log whose copy of that epoch ends
     * before the fetch offset (or that never had it) diverged from the client's, which is told where its epoch ends
     * instead of getting records. False when the read may go ahead.
     */
    private static boolean diverged(PartitionLog log, long fetchOffset, int lastFetchedEpoch,
                                    FetchResponseData.PartitionData pd) throws OffsetOutOfRangeException {
        EpochEndOffset end = log.endOffsetForEpoch(lastFetchedEpoch);
        if (end.epoch() < 0 || end.endOffset() < 0 || fetchOffset < log.logStartOffset()) {
            throw new OffsetOutOfRangeException("the end offset of leader epoch " + lastFetchedEpoch
                    + " is unknown, or offset " + fetchOffset + " is below the log start");
        }
        if (end.epoch() < lastFetchedEpoch || end.endOffset() < fetchOffset) {
            pd.divergingEpoch().setEpoch(end.epoch()).setEndOffset(end.endOffset());
            return true;
        }
        return false;
    }

    /** A partition answered with {@code error} alone, as Kafka's FetchResponse.partitionResponse builds one. */
    private static void clear(FetchResponseData.PartitionData pd, Errors error) {
        pd.setErrorCode(error.code()).setHighWatermark(-1).setLastStableOffset(-1).setLogStartOffset(-1)
                .setAbortedTransactions(null).setRecords(MemoryRecords.EMPTY);
    }

    /**
     * The error of a partition whose read failed: UNKNOWN_TOPIC_OR_PARTITION when its log was deleted (or replaced by
     * a re-created topic's) since it was resolved, KAFKA_STORAGE_ERROR when it went offline; anything else is
     * unexpected and logged.
     */
    private Errors readError(Target t, ReplicaManager.HostedPartition read, RuntimeException e, RequestContext context) {
        Optional<ReplicaManager.HostedPartition> now = broker.replicas().partition(t.topicName(), t.request().partition());
        if (now.isEmpty() || now.get().log() != read.log()) {
            return Errors.UNKNOWN_TOPIC_OR_PARTITION;
        }
        if (read.log().isOffline()) {
            return Errors.KAFKA_STORAGE_ERROR;
        }
        log.error("Reading {}-{} failed for {}", t.topicName(), t.request().partition(), context.summary(), e);
        return Errors.UNKNOWN_SERVER_ERROR;
    }

    private static boolean sameTopic(FetchResponseData.FetchableTopicResponse r, Target t) {
        return java.util.Objects.equals(r.topic(), t.topicName()) && java.util.Objects.equals(r.topicId(), t.topicId());
    }

    private static long bytesOf(FetchResponseData response) {
        long total = 0;
        for (FetchResponseData.FetchableTopicResponse t : response.responses()) {
            for (FetchResponseData.PartitionData p : t.partitions()) {
                total += p.records() == null ? 0 : p.records().sizeInBytes();
            }
        }
        return total;
    }

    private static FetchResponseData sessionError(Errors error) {
        return new FetchResponseData().setThrottleTimeMs(0).setErrorCode(error.code()).setSessionId(0);
    }
}
