package io.gregor.group;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.Errors;

/**
 * What one step of the group state machine decided: records to write to partitions of
 * {@code __consumer_offsets}, and responses that may be sent only once those records are
 * durable. The coordinator runtime appends the records, replays them, waits for the fsync, then
 * completes the responses; unit tests inspect both directly. If the append fails, the responses
 * fail and the step's {@link WriteFailureHandler}s undo what it changed outside of replay (Kafka's
 * append-future callbacks). Owner: the thread running the step.
 */
public final class Effects {

    /** A record for partition {@code partition} of {@code __consumer_offsets}. */
    public record Write(int partition, GroupRecord record) {
    }

    private record Completion<T>(CompletableFuture<T> future, T response) {
        void complete() {
            future.complete(response);
        }

        void fail(Throwable error) {
            future.completeExceptionally(error);
        }
    }

    /** Runs on the owner thread when the step's records could not be written; may add records and responses to {@code fx}. */
    @FunctionalInterface
    interface WriteFailureHandler {
        void onWriteFailure(long nowMs, Effects fx, Errors error);
    }

    /** A rebalance that reached its end (assignment distributed, or the group emptied), for the history topic. */
    public record CompletedRebalance(String groupId, String protocolType, RebalanceEvent event) {
    }

    private final List<Write> writes = new ArrayList<>();
    private final List<Completion<?>> completions = new ArrayList<>();
    private final List<CompletedRebalance> rebalances = new ArrayList<>();
    private final List<WriteFailureHandler> writeFailureHandlers = new ArrayList<>();

    void write(int partition, GroupRecord record) {
        writes.add(new Write(partition, record));
    }

    /** Completes {@code future} with {@code response} after this step's records are durable. */
    <T> void respond(CompletableFuture<T> future, T response) {
        completions.add(new Completion<>(future, response));
    }

    /** {@code handler} runs if this step's records cannot be written. */
    void onWriteFailure(WriteFailureHandler handler) {
        writeFailureHandlers.add(handler);
    }

    void rebalanceCompleted(String groupId, String protocolType, RebalanceEvent event) {
        rebalances.add(new CompletedRebalance(groupId, protocolType, event));
    }

    public List<CompletedRebalance> rebalances() {
        return rebalances;
    }

    public List<Write> writes() {
        return writes;
    }

    public List<GroupRecord> records() {
        List<GroupRecord> out = new ArrayList<>(writes.size());
        for (Write w : writes) {
            out.add(w.record());
        }
        return out;
    }

    /** The records are durable: send the responses. */
    public void completeAll() {
        for (Completion<?> c : completions) {
            c.complete();
        }
        completions.clear();
    }

    /**
     * The records could not be written ({@code error} as the response should carry it): every
     * waiting response fails with it, and the failure handlers add their follow-up to {@code next}.
     */
    public void writeFailed(Errors error, String message, long nowMs, Effects next) {
        failAll(error.exception(message));
        for (WriteFailureHandler h : writeFailureHandlers) {
            h.onWriteFailure(nowMs, next, error);
        }
        writeFailureHandlers.clear();
    }

    /** Every waiting response fails with {@code error}. */
    public void failAll(Throwable error) {
        for (Completion<?> c : completions) {
            c.fail(error);
        }
        completions.clear();
    }
}
