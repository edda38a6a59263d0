package io.gregor.group;

import io.gregor.metadata.Controller;
import io.gregor.metadata.MetadataImage;
import io.gregor.replica.ReplicaManager;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the rebalance history durable and readable by any Kafka client: each completed
 * {@link RebalanceEvent} becomes one record of the internal topic {@value #TOPIC} (key: the
 * group id, value: one line of JSON, below). {@code gregor groups describe --history} reads it
 * with a plain consumer. The topic is created through the controller on the first event
 * (1 partition, delete policy, 7 days); events wait in a bounded queue until its partition is
 * hosted here, and are dropped (counted in a WARN) when this node does not lead it, since the
 * coordinator writes only to local logs. Nothing waits for these appends to be fsynced: history
 * is diagnostics, never part of a response.
 *
 * <pre>
 * {"group":"g","time":"2026-11-25T17:40:01Z","startedMs":..,"completedMs":..,"generation":3,
 *  "reason":"MEMBER_LEFT","detail":"..","protocolType":"consumer","removed":["m-2"],
 *  "members":[{"memberId":"m-1","clientId":"consumer-1","groupInstanceId":null,
 *              "partitions":["orders-0","orders-1"]}]}          (one line)
 * </pre>
 * A member's {@code partitions} is decoded with the consumer protocol when protocolType is
 * "consumer"; otherwise it is absent and {@code assignmentBytes} gives the assignment's size.
 *
 * <p>Owner: the group coordinator thread.
 */
final class RebalanceHistoryTopic {

    static final String TOPIC = "__gregor_rebalances";
    private static final Logger log = LoggerFactory.getLogger(RebalanceHistoryTopic.class);
    private static final int MAX_PENDING = 1000;
    private static final String RETENTION_MS = String.valueOf(7L * 24 * 60 * 60 * 1000);

    private final int nodeId;
    private final Controller controller;
    private final ReplicaManager replicas;
    private final LongSupplier clock;
    private final ArrayDeque<SimpleRecord> pending = new ArrayDeque<>();
    private final AtomicBoolean creatingTopic = new AtomicBoolean();
    private long dropped;

    RebalanceHistoryTopic(int nodeId, Controller controller, ReplicaManager replicas, LongSupplier clock) {
        this.nodeId = nodeId;
        this.controller = controller;
        this.replicas = replicas;
        this.clock = clock;
    }

    /** Queues the events and writes what can be written now. */
    void append(List<Effects.CompletedRebalance> completed) {
        long nowMs = clock.getAsLong();
        for (Effects.CompletedRebalance c : completed) {
            if (pending.size() == MAX_PENDING) {
                pending.removeFirst();
                dropped++;
            }
            pending.addLast(new SimpleRecord(nowMs, c.groupId().getBytes(StandardCharsets.UTF_8),
                    toJson(c, nowMs).getBytes(StandardCharsets.UTF_8)));
        }
        maybeFlush();
    }

    /** Writes the queued events once the topic exists and its partition is hosted here; may do nothing. */
    void maybeFlush() {
        if (pending.isEmpty()) {
            return;
        }
        MetadataImage image = controller.image();
        Optional<MetadataImage.TopicImage> topic = image.topic(TOPIC);
        if (topic.isEmpty()) {
            maybeCreateTopic(image);
            return;
        }
        if (topic.get().partitions().get(0).leader() != nodeId) {
            dropped += pending.size();
            pending.clear();
            log.warn("{} rebalance event(s) not written to {}: partition 0 is led by node {}, not this node",
                    dropped, TOPIC, topic.get().partitions().get(0).leader());
            dropped = 0;
            return;
        }
        Optional<ReplicaManager.HostedPartition> hosted = replicas.partition(TOPIC, 0);
        if (hosted.isEmpty()) {
            return;
        }
        MemoryRecords batch = MemoryRecords.withRecords(Compression.NONE, pending.toArray(new SimpleRecord[0]));
        try {
            hosted.get().log().appendAsLeader(batch, hosted.get().leaderEpoch(), clock.getAsLong());
            replicas.fetchWaiters().onAppend(new TopicPartition(TOPIC, 0), batch.sizeInBytes());
            pending.clear();
            if (dropped > 0) {
                log.warn("Dropped {} rebalance event(s) while {} was unavailable", dropped, TOPIC);
                dropped = 0;
            }
        } catch (Exception e) {
            log.warn("Cannot write {} rebalance event(s) to {}-0: {}", pending.size(), TOPIC, e.toString());
        }
    }

    private void maybeCreateTopic(MetadataImage image) {
        if (!creatingTopic.compareAndSet(false, true)) {
            return;
        }
        Map<String, String> configs = Map.of("cleanup.policy", "delete", "retention.ms", RETENTION_MS);
        controller.createTopic(new Controller.TopicSpec(TOPIC, 1, (short) 1, List.of(), configs), false)
                .whenComplete((created, e) -> {
                    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    if (cause != null && !(cause instanceof TopicExistsException)) {
                        log.warn("Cannot create {}: {}", TOPIC, cause.toString());
                    }
                    creatingTopic.set(false);
                });
    }

    static String toJson(Effects.CompletedRebalance c, long nowMs) {
        RebalanceEvent e = c.event();
        long timeMs = e.completedMs() >= 0 ? e.completedMs() : nowMs;
        StringBuilder b = new StringBuilder(256);
        b.append("{\"group\":");
        string(b, c.groupId());
        b.append(",\"time\":");
        string(b, Instant.ofEpochMilli(timeMs).toString());
        b.append(",\"startedMs\":").append(e.startedMs());
        b.append(",\"completedMs\":").append(e.completedMs());
        b.append(",\"generation\":").append(e.generationId());
        b.append(",\"reason\":");
        string(b, e.reason().name());
        b.append(",\"detail\":");
        string(b, e.detail());
        b.append(",\"protocolType\":");
        string(b, c.protocolType());
        b.append(",\"removed\":[");
        for (int i = 0; i < e.removedMembers().size(); i++) {
            b.append(i == 0 ? "" : ",");
            string(b, e.removedMembers().get(i));
        }
        b.append("],\"members\":[");
        boolean consumer = ClassicGroup.CONSUMER_PROTOCOL_TYPE.equals(c.protocolType());
        for (int i = 0; i < e.members().size(); i++) {
            RebalanceEvent.MemberAssignment m = e.members().get(i);
            b.append(i == 0 ? "{" : ",{").append("\"memberId\":");
            string(b, m.memberId());
            b.append(",\"clientId\":");
            string(b, m.clientId());
            b.append(",\"groupInstanceId\":");
            string(b, m.groupInstanceId());
            List<String> partitions = consumer ? partitions(m.assignment()) : null;
            if (partitions != null) {
                b.append(",\"partitions\":[");
                for (int j = 0; j < partitions.size(); j++) {
                    b.append(j == 0 ? "" : ",");
                    string(b, partitions.get(j));
                }
                b.append(']');
            } else {
                b.append(",\"assignmentBytes\":").append(m.assignment() == null ? 0 : m.assignment().length);
            }
            b.append('}');
        }
        return b.append("]}").toString();
    }

    /** The partitions in a consumer-protocol assignment, or null if the bytes are not one. */
    private static List<String> partitions(byte[] assignment) {
        if (assignment == null || assignment.length == 0) {
            return List.of();
        }
        try {
            ConsumerPartitionAssignor.Assignment a = ConsumerProtocol.deserializeAssignment(ByteBuffer.wrap(assignment));
            List<String> out = new ArrayList<>(a.partitions().size());
            for (TopicPartition tp : a.partitions()) {
                out.add(tp.toString());
            }
            return out;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static void string(StringBuilder b, String s) {
        if (s == null) {
            b.append("null");
            return;
        }
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        b.append(String.format("\\u%04x", (int) ch));
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        b.append('"');
    }
}
