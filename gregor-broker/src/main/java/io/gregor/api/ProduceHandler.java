package io.gregor.api;

import io.gregor.metadata.MetadataImage;
import io.gregor.network.CloseConnectionException;
import io.gregor.network.RequestContext;
import io.gregor.replica.ReplicaManager;
import io.gregor.storage.AppendResult;
import io.gregor.storage.DurableWaits;
import io.gregor.storage.LogAppendException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.ProduceRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produce v3-13 (v0-2 are advertised but refused, as Kafka 4 does; see {@link ApiRouter}).
 * Each partition is appended independently, so one bad partition never fails the others.
 * acks=1 answers once written to the log; acks=all once the write is fsynced by the group
 * commit flusher (RF=1: the ISR is this node), releasing the connection for the next request
 * while it waits; acks=0 sends nothing, and a failure closes the
 * connection so the client notices, as Kafka does. Internal topics are written only by the
 * coordinators that own them, never through Produce.
 */
final class ProduceHandler implements ApiHandler {

    private static final Logger log = LoggerFactory.getLogger(ProduceHandler.class);

    private final BrokerServices broker;
    private final boolean roundsOnRequestThreads;

    /**
     * @param roundsOnRequestThreads whether an acks=all produce runs the fsync round it can start on its own
     *     request thread (see {@link DurableWaits#register(boolean)}) rather than handing it to the log's flusher
     */
    ProduceHandler(BrokerServices broker, boolean roundsOnRequestThreads) {
        this.broker = broker;
        this.roundsOnRequestThreads = roundsOnRequestThreads;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.PRODUCE;
    }

    @Override
    public short minVersion() {
        return 3;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context) {
        ProduceRequestData request = ((ProduceRequest) context.request()).data();
        short version = context.apiVersion();
        short acks = request.acks();
        long nowMs = System.currentTimeMillis();
        ProduceResponseData response = new ProduceResponseData().setThrottleTimeMs(0);
        DurableWaits durable = new DurableWaits();
        // The partitions that wait for an fsync, with their wait's index in durable.
        Map<ProduceResponseData.PartitionProduceResponse, Integer> waiting = new IdentityHashMap<>();
        boolean anyError = false;
        MetadataImage image = broker.image();
        // As Kafka's handleProduceRequest: a transactional batch in a request without a transactional id fails the
        // whole request, before any partition is looked at, and nothing is appended.
        if (request.transactionalId() == null && anyTransactionalBatch(request)) {
            if (acks == 0) {
                throw new CloseConnectionException("an acks=0 produce with a transactional batch but no transactional id");
            }
            return ApiHandler.done(context.request().getErrorResponse(0,
                    Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.exception()).data());
        }
        // A partition named twice is produced to once, with the last of its batches, and answered once (Kafka keeps
        // a request's partitions in a map).
        Map<String, ProduceRequestData.PartitionProduceData> lastOfEach = null; // none for one partition (most requests)
        if (request.topicData().size() > 1 || request.topicData().stream().anyMatch(t -> t.partitionData().size() > 1)) {
            lastOfEach = new HashMap<>();
            for (ProduceRequestData.TopicProduceData topicData : request.topicData()) {
                for (ProduceRequestData.PartitionProduceData partitionData : topicData.partitionData()) {
                    lastOfEach.put(partitionKey(topicData, partitionData, version), partitionData);
                }
            }
        }
        for (ProduceRequestData.TopicProduceData topicData : request.topicData()) {
            ProduceResponseData.TopicProduceResponse topicResponse = response.responses().find(topicData.name(), topicData.topicId());
            if (topicResponse == null) {
                topicResponse = new ProduceResponseData.TopicProduceResponse().setName(topicData.name()).setTopicId(topicData.topicId());
                response.responses().add(topicResponse);
            }
            Optional<MetadataImage.TopicImage> topic = version >= 13 ? image.topic(topicData.topicId()) : image.topic(topicData.name());
            for (ProduceRequestData.PartitionProduceData partitionData : topicData.partitionData()) {
                if (lastOfEach != null && lastOfEach.get(partitionKey(topicData, partitionData, version)) != partitionData) {
                    continue;
                }
                ProduceResponseData.PartitionProduceResponse pr = new ProduceResponseData.PartitionProduceResponse()
                        .setIndex(partitionData.index()).setBaseOffset(-1).setLogAppendTimeMs(-1).setLogStartOffset(-1);
                topicResponse.partitionResponses().add(pr);
                Errors error = Errors.NONE;
                String message = null;
                String name = topic.map(MetadataImage.TopicImage::name).orElse(null);
                Optional<ReplicaManager.HostedPartition> hosted = name == null ? Optional.empty()
                        : broker.replicas().partition(name, topic.get().id(), partitionData.index());
                MemoryRecords records = partitionData.records() instanceof MemoryRecords m ? m : null;
                // Kafka's order: unknown topics and partitions, then the shape of the records (ProduceRequest's
                // validateRecords), then the acks, then internal topics; the rest is the log's validation.
                if (topic.isEmpty()) {
                    error = version >= 13 ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION;
                } else if (hosted.isEmpty()) {
                    error = broker.replicas().notHostedError(broker.image(), name, topic.get().id(), partitionData.index(),
                            version >= 13);
                } else if (records == null) {
                    error = Errors.INVALID_RECORD;
                    message = "records are missing";
                } else if (hasOlderMagic(records)) {
                    error = Errors.INVALID_RECORD; // with no message, as Kafka answers ProduceRequest.validateRecords
                } else if (version < 7 && usesZstd(records)) {
                    error = Errors.UNSUPPORTED_COMPRESSION_TYPE;
                } else if (hasTransactionalBatch(records)) {
                    // Kafka verifies a transactional batch's partition with the transaction coordinator before the
                    // append (transaction.partition.verification.enable); with no coordinator here no transaction can
                    // have been initialized, so this is its answer for a transactional id it has no state for.
                    error = Errors.INVALID_PRODUCER_ID_MAPPING;
                    message = "no transaction is in progress for transactional id " + request.transactionalId()
                            + ": this broker has no transaction coordinator";
                } else if (acks != 0 && acks != 1 && acks != -1) {
                    error = Errors.INVALID_REQUIRED_ACKS;
                } else if (topic.get().isInternal()) {
                    // Kafka's ReplicaManager.appendToLocalLog refuses client appends to internal
                    // topics; only the coordinators write them, straight to the log. (Kafka also
                    // lets clientId "__admin_client" through; we do not.)
                    error = Errors.INVALID_TOPIC_EXCEPTION;
                    message = "Cannot append to internal topic " + name;
                } else {
                    try {
                        ReplicaManager.HostedPartition p = hosted.get();
                        AppendResult result = p.log().appendAsLeader(records, p.leaderEpoch(), nowMs);
                        pr.setBaseOffset(result.firstOffset())
                                .setLogAppendTimeMs(result.logAppendTimeMs())
                                .setLogStartOffset(result.logStartOffset());
                        if (!result.duplicate()) {
                            broker.replicas().fetchWaiters().onAppend(new TopicPartition(name, partitionData.index()), result.storedBytes());
                        }
                        // flush.messages: Kafka fsyncs before answering once that many records are unflushed,
                        // whatever the acks (an acks=0 produce answers nothing, so its fsync is only started).
                        boolean flushDue = !result.duplicate() && p.log().flushDue(result.lastOffset());
                        if (acks == 0 && flushDue) {
                            p.log().awaitFsynced(result.lastOffset());
                        } else if (acks == -1 || flushDue) {
                            waiting.put(pr, durable.add(p.log(), result.lastOffset(), flushDue));
                        }
                    } catch (Exception e) {
                        error = ErrorMapper.toErrors(e);
                        message = ErrorMapper.message(e);
                        if (e instanceof LogAppendException refused) {
                            if (refused.answeredWithLogStartOffset()) {
                                pr.setLogStartOffset(hosted.get().log().logStartOffset()); // as Kafka's answer
                            }
                            // KIP-467 (v8+): which records were refused, and why; the producer fails those with
                            // their own message and the rest of the batch with a generic one.
                            for (LogAppendException.RecordError re : refused.recordErrors()) {
                                if (version >= 8) {
                                    pr.recordErrors().add(new ProduceResponseData.BatchIndexAndErrorMessage()
                                            .setBatchIndex(re.batchIndex()).setBatchIndexErrorMessage(re.message()));
                                }
                            }
                        }
                        if (error == Errors.UNKNOWN_SERVER_ERROR || error == Errors.KAFKA_STORAGE_ERROR) {
                            log.error("Append to {}-{} failed for {}", name, partitionData.index(), context.summary(), e);
                        } else {
                            log.info("Rejected batch for {}-{} from {} ({}): {} {}", name, partitionData.index(),
                                    context.clientAddress(), context.header().clientId(), error, message);
                        }
                    }
                }
                if (error != Errors.NONE) {
                    anyError = true;
                    pr.setErrorCode(error.code()).setErrorMessage(message).setBaseOffset(-1);
                }
            }
        }
        if (acks == 0) {
            if (anyError) {
                throw new CloseConnectionException("an acks=0 produce failed: " + summarize(response));
            }
            return ApiHandler.done(null);
        }
        if (durable.isEmpty()) {
            return ApiHandler.done(response);
        }
        // The appends are done, in request order: the connection may start the client's next
        // pipelined request while this one waits for its fsync, so one group commit covers both.
        // The waits are registered only now, together, so one round covers all the partitions.
        context.release();
        // Nor does it hold its records while it waits (as Kafka's clearPartitionRecords): a slow fsync would otherwise
        // pin up to five whole requests per connection. The journal copies from the segments, not from the request.
        ((ProduceRequest) context.request()).clearPartitionRecords();
        context.releaseRecords();
        // With more than one request thread, a round that can start now runs on this one, after the
        // answer is wired to the connection (so that the timeout can still answer while an fsync
        // hangs): see DurableWaits.register(boolean). The kept round must run whatever happens.
        CompletableFuture<Void> durableDone = durable.register(roundsOnRequestThreads);
        try {
            CompletableFuture<ApiMessage> answer = broker.replicas().fetchWaiters().deadlines()
                    .failAfter(durableDone, request.timeoutMs())
                    .handle((v, e) -> {
                        if (e != null) {
                            // As Kafka's DelayedProduce: a partition whose wait succeeded keeps its answer; one still
                            // waiting when the request timed out gets REQUEST_TIMED_OUT, with no message and its
                            // base offset left in place.
                            for (Map.Entry<ProduceResponseData.PartitionProduceResponse, Integer> w : waiting.entrySet()) {
                                Throwable failure = failureOf(durable.outcome(w.getValue()));
                                if (failure == null) {
                                    continue;
                                }
                                if (failure instanceof TimeoutException) {
                                    w.getKey().setErrorCode(Errors.REQUEST_TIMED_OUT.code());
                                } else {
                                    // A storage error, or NOT_LEADER_OR_FOLLOWER for a log deleted meanwhile.
                                    w.getKey().setErrorCode(ErrorMapper.toErrors(failure).code())
                                            .setErrorMessage(ErrorMapper.message(failure)).setBaseOffset(-1);
                                }
                            }
                        }
                        return response;
                    });
            return new AnswerWithWork(answer, durable::runKeptRound);
        } catch (RuntimeException e) {
            durable.runKeptRound();
            throw e;
        }
    }

    /**
     * Why a durability wait did not succeed: its failure, a TimeoutException while it is still waiting (the request's
     * deadline passed; the deadline fails a lone wait's own future with one), or null when it succeeded.
     */
    private static Throwable failureOf(CompletableFuture<Void> outcome) {
        if (!outcome.isDone()) {
            return new TimeoutException();
        }
        return outcome.isCompletedExceptionally() ? ErrorMapper.unwrap(outcome.handle((v, e) -> e).join()) : null;
    }

    /**
     * The attributes of the partition's (first) record batch, read from its bytes, or -1 when they are not v2 attributes
     * (too short, another magic). Reading them never throws: the validator refuses a malformed batch for its partition
     * alone, and a check before it must not fail the whole request after other partitions were appended.
     */
    private static int batchAttributes(MemoryRecords records) {
        ByteBuffer buf = records.buffer();
        int p = buf.position();
        return buf.remaining() >= 23 && buf.get(p + 16) == RecordBatch.MAGIC_VALUE_V2 ? buf.getShort(p + 21) & 0xFFFF : -1;
    }

    /** Whether the partition's (first) batch says it is not v2 (magic 0 or 1), which Produce v3+ may not carry. */
    private static boolean hasOlderMagic(MemoryRecords records) {
        ByteBuffer buf = records.buffer();
        int p = buf.position();
        return buf.remaining() > 16 && buf.get(p + 16) < RecordBatch.MAGIC_VALUE_V2 && buf.get(p + 16) >= 0;
    }

    /** Whether any partition of the request holds a transactional batch. */
    private static boolean anyTransactionalBatch(ProduceRequestData request) {
        for (ProduceRequestData.TopicProduceData topicData : request.topicData()) {
            for (ProduceRequestData.PartitionProduceData partitionData : topicData.partitionData()) {
                if (partitionData.records() instanceof MemoryRecords m && hasTransactionalBatch(m)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The topic (by name before v13, by id from it) and partition a request's entry names. */
    private static String partitionKey(ProduceRequestData.TopicProduceData topicData,
                                       ProduceRequestData.PartitionProduceData partitionData, short version) {
        return (version >= 13 ? topicData.topicId().toString() : topicData.name()) + ":" + partitionData.index();
    }

    /** Whether the batch is zstd-compressed (codec bits of its attributes). */
    private static boolean usesZstd(MemoryRecords records) {
        int attributes = batchAttributes(records);
        return attributes >= 0 && (attributes & 0x07) == CompressionType.ZSTD.id;
    }

    /** Whether the batch is transactional (bit 4 of its attributes). */
    private static boolean hasTransactionalBatch(MemoryRecords records) {
        int attributes = batchAttributes(records);
        return attributes >= 0 && (attributes & 0x10) != 0;
    }

    private static String summarize(ProduceResponseData response) {
        StringBuilder sb = new StringBuilder();
        for (ProduceResponseData.TopicProduceResponse t : response.responses()) {
            for (ProduceResponseData.PartitionProduceResponse p : t.partitionResponses()) {
                if (p.errorCode() != 0) {
                    sb.append(t.name()).append('-').append(p.index()).append(' ').append(Errors.forCode(p.errorCode())).append(' ');
                }
            }
        }
        return sb.toString().trim();
    }

}
