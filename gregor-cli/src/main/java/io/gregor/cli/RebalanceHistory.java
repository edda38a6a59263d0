package io.gregor.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a group's rebalances from Gregor's internal topic {@value #TOPIC}, where the group
 * coordinator appends one JSON line per completed rebalance (key: the group id), with a plain
 * consumer (assign and seek, no group, nothing committed), and formats each as one line:
 * {@code 2026-11-25T17:40:01Z gen 3 MEMBER_LEFT (detail) -> consumer-1: orders-0,orders-1; consumer-3: orders-2}.
 * Runs on the calling thread.
 */
final class RebalanceHistory {

    static final String TOPIC = "__gregor_rebalances";
    private static final Duration POLL = Duration.ofMillis(500);

    private RebalanceHistory() {
    }

    /** The group's events in log order (oldest first), formatted; empty when none was recorded. */
    static List<String> read(ClientOptions client, String groupId) {
        Properties props = client.clientProperties();
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            List<PartitionInfo> infos = consumer.partitionsFor(TOPIC);
            if (infos == null || infos.isEmpty()) {
                return out;
            }
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions));
            Set<TopicPartition> remaining = new HashSet<>();
            for (TopicPartition tp : partitions) {
                if (end.get(tp) > consumer.position(tp)) {
                    remaining.add(tp);
                }
            }
            long deadlineMs = System.currentTimeMillis() + Long.parseLong(ClientOptions.DEFAULT_API_TIMEOUT_MS);
            while (!remaining.isEmpty()) {
                if (System.currentTimeMillis() > deadlineMs) {
                    throw client.unreachable(new org.apache.kafka.common.errors.TimeoutException(
                            "reading " + TOPIC + " did not reach its end offsets in time"));
                }
                for (ConsumerRecord<String, String> r : consumer.poll(POLL)) {
                    if (groupId.equals(r.key()) && r.value() != null) {
                        out.add(format(r.value()));
                    }
                }
                remaining.removeIf(tp -> consumer.position(tp) >= end.get(tp));
            }
        }
        return out;
    }

    /** One history line from one record value; a value this version cannot read is shown as is. */
    @SuppressWarnings("unchecked")
    static String format(String json) {
        Map<String, Object> e;
        try {
            e = (Map<String, Object>) JsonReader.parse(json);
        } catch (IllegalArgumentException | ClassCastException ex) {
            return json;
        }
        StringBuilder line = new StringBuilder();
        line.append(e.get("time")).append(" gen ").append(e.get("generation")).append(' ').append(e.get("reason"));
        Object detail = e.get("detail");
        if (detail != null && !detail.toString().isEmpty()) {
            line.append(" (").append(detail).append(')');
        }
        line.append(" -> ");
        List<Map<String, Object>> members = (List<Map<String, Object>>) e.getOrDefault("members", List.of());
        if (members.isEmpty()) {
            return line.append("no members").toString();
        }
        Set<Object> clientIds = new HashSet<>();
        boolean uniqueClientIds = members.stream().allMatch(m -> m.get("clientId") != null && clientIds.add(m.get("clientId")));
        List<String> parts = new ArrayList<>();
        for (Map<String, Object> m : members) {
            String who = String.valueOf(uniqueClientIds ? m.get("clientId") : m.get("memberId"));
            Object partitions = m.get("partitions");
            String what;
            if (partitions instanceof List<?> list) {
                what = list.isEmpty() ? "(none)" : new TreeSet<>(list.stream().map(String::valueOf).toList()).stream()
                        .sorted(RebalanceHistory::comparePartitions).collect(Collectors.joining(","));
            } else {
                what = m.get("assignmentBytes") + " bytes";
            }
            parts.add(who + ": " + what);
        }
        return line.append(String.join("; ", parts)).toString();
    }

    /** "orders-2" before "orders-10": topic by name, then partition by number. */
    private static int comparePartitions(String a, String b) {
        int da = a.lastIndexOf('-');
        int db = b.lastIndexOf('-');
        if (da < 0 || db < 0) {
            return a.compareTo(b);
        }
        int byTopic = a.substring(0, da).compareTo(b.substring(0, db));
        if (byTopic != 0) {
            return byTopic;
        }
        try {
            return Integer.compare(Integer.parseInt(a.substring(da + 1)), Integer.parseInt(b.substring(db + 1)));
        } catch (NumberFormatException e) {
            return a.compareTo(b);
        }
    }
}
