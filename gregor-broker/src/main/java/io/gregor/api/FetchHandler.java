package io.gregor.api;

import io.gregor.metadata.MetadataImage;
import io.gregor.network.RequestContext;
import io.gregor.replica.FetchWaiters;
import io.gregor.replica.ReplicaManager;
import io.gregor.storage.OffsetOutOfRangeException;
import io.gregor.storage.ReadResult;
import java.util.ArrayList;
import java.util.List;
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
 * client sends full fetches; a session id we never issued gets FETCH_SESSION_ID_NOT_FOUND.
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
        if (version >= 7) {
            if (request.sessionId() != 0 && request.sessionEpoch() != -1) {
                return ApiHandler.done(sessionError(Errors.FETCH_SESSION_ID_NOT_FOUND));
            }
            if (request.sessionId() == 0 && request.sessionEpoch() != 0 && request.sessionEpoch() != -1) {
                return ApiHandler.done(sessionError(Errors.INVALID_FETCH_SESSION_EPOCH));
            }
        }
        List<Target> targets = resolve(request, version);
        long[] endOffsets = new long[targets.size()];
        FetchResponseData first = read(context, request, targets, endOffsets);
        long bytes = bytesOf(first);
        boolean anyError = first.responses().stream().anyMatch(t -> t.partitions().stream().anyMatch(p -> p.errorCode() != 0));
        if (request.maxWaitMs() <= 0 || bytes >= request.minBytes() || anyError || targets.isEmpty()) {
            return ApiHandler.done(first);
        }
        CompletableFuture<ApiMessage> result = new CompletableFuture<>();
        List<TopicPartition> tps = new ArrayList<>(targets.size());
        for (Target t : targets) {
            tps.add(new TopicPartition(t.topicName(), t.request().partition()));
        }
        FetchWaiters.Waiter waiter = new FetchWaiters.Waiter(tps, request.minBytes(), bytes) {
            @Override
            protected void complete() {
                try {
                    // Resolved again: a partition deleted (or its topic re-created) while this fetch waited is
                    // answered as it is now, as Kafka answers a delayed fetch whose partition it stopped.
                    List<Target> now = resolve(request, version);
                    result.complete(read(context, request, now, new long[now.size()]));
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                }
            }
        };
        FetchWaiters waiters = broker.replicas().fetchWaiters();
        waiters.park(waiter, request.maxWaitMs());
        // An append between our read and parking would not have woken us: look once more.
        for (int i = 0; i < targets.size(); i++) {
            Optional<ReplicaManager.HostedPartition> h = targets.get(i).hosted();
            if (h.isPresent() && h.get().log().logEndOffset() != endOffsets[i]) {
                waiters.wake(waiter);
                break;
            }
        }
        return result;
    }

    private List<Target> resolve(FetchRequestData request, short version) {
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
                Optional<ReplicaManager.HostedPartition> hosted = broker.replicas().partition(t.get().name(), p.partition());
                Errors e = Errors.NONE;
                if (hosted.isEmpty()) {
                    e = Errors.UNKNOWN_TOPIC_OR_PARTITION;
                } else if (p.currentLeaderEpoch() >= 0 && p.currentLeaderEpoch() > hosted.get().leaderEpoch()) {
                    e = Errors.UNKNOWN_LEADER_EPOCH;
                } else if (p.currentLeaderEpoch() >= 0 && p.currentLeaderEpoch() < hosted.get().leaderEpoch()) {
                    e = Errors.FENCED_LEADER_EPOCH;
                }
                targets.add(new Target(t.get().name(), t.get().id(), p, hosted, e));
            }
        }
        return targets;
    }

    private FetchResponseData read(RequestContext context, FetchRequestData request, List<Target> targets, long[] endOffsets) {
        FetchResponseData response = new FetchResponseData().setThrottleTimeMs(0).setErrorCode(Errors.NONE.code()).setSessionId(0);
        int remaining = Math.max(0, request.maxBytes());
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
                ReadResult read = p.log().read(t.request().fetchOffset(), limit, highWatermark, minOneBatch);
                int size = read.records().sizeInBytes();
                pd.setRecords(read.records()).setLogStartOffset(read.logStartOffset());
                minOneBatch &= size == 0;
                remaining = Math.max(0, remaining - size);
            } catch (OffsetOutOfRangeException e) {
                pd.setErrorCode(Errors.OFFSET_OUT_OF_RANGE.code()).setHighWatermark(-1).setLastStableOffset(-1).setLogStartOffset(-1)
                        .setAbortedTransactions(null);
            } catch (RuntimeException e) {
                // As Kafka's readFromLog: a failed read fails its partition, not the request.
                Errors error = readError(t, p, e, context);
                pd.setErrorCode(error.code()).setHighWatermark(-1).setLastStableOffset(-1).setLogStartOffset(-1)
                        .setAbortedTransactions(null).setRecords(MemoryRecords.EMPTY);
            }
        }
        return response;
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
