package io.gregor.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gregor groups reset-offsets}: computes new committed offsets for every partition of
 * the given topics (ListOffsets earliest/latest/by time; {@code --to-offset} clamped to the
 * partition's range, as Kafka does) and prints them; only with {@code --execute} commits them
 * (OffsetCommit through {@link Admin#alterConsumerGroupOffsets}). Like kafka-consumer-groups.sh,
 * refuses while the group has members: they would overwrite the reset with their next commit.
 */
@Command(name = "reset-offsets", mixinStandardHelpOptions = true,
        description = {"Set a group's committed offsets for whole topics. A dry run unless --execute is given.",
                "The group must have no active members."})
final class GroupsResetOffsetsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "GROUP")
    String group;

    @Option(names = "--topic", paramLabel = "TOPIC", required = true, description = "Topic whose partitions to reset (repeatable).")
    List<String> topics;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    static final class Target {
        @Option(names = "--to-earliest", description = "The first offset still in each partition.")
        boolean earliest;

        @Option(names = "--to-latest", description = "The log end offset of each partition.")
        boolean latest;

        @Option(names = "--to-offset", paramLabel = "N", description = "Offset N, clamped to each partition's earliest..latest.")
        Long offset;

        @Option(names = "--to-datetime", paramLabel = "TIME",
                description = "The first record at or after TIME (ISO-8601 such as 2024-05-01T12:00:00Z, or epoch ms); "
                        + "the log end where there is none.")
        String datetime;
    }

    @Option(names = "--execute", description = "Commit the new offsets (default: only print them).")
    boolean execute;

    @Option(names = "--dry-run", description = "Only print the new offsets (the default; as Kafka's kafka-consumer-groups).")
    boolean dryRun;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (dryRun && execute) {
            throw new UserException("--dry-run and --execute cannot be used together");
        }
        long timestampMs = target.datetime == null ? -1 : parseDatetime(target.datetime);
        try (Admin admin = client.admin()) {
            throwIfActive(admin);
            List<TopicPartition> partitions = partitions(admin);
            Map<TopicPartition, OffsetAndMetadata> committed =
                    client.await(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata());
            Map<TopicPartition, Long> earliest = offsets(admin, partitions, OffsetSpec.earliest());
            Map<TopicPartition, Long> latest = offsets(admin, partitions, OffsetSpec.latest());
            Map<TopicPartition, Long> byTime = timestampMs < 0 ? Map.of() : offsets(admin, partitions, OffsetSpec.forTimestamp(timestampMs));
            TreeMap<TopicPartition, OffsetAndMetadata> next = new TreeMap<>(GroupsDescribeCommand.PARTITION_ORDER);
            for (TopicPartition tp : partitions) {
                long offset;
                if (target.earliest) {
                    offset = earliest.get(tp);
                } else if (target.latest) {
                    offset = latest.get(tp);
                } else if (target.offset != null) {
                    offset = Math.max(earliest.get(tp), Math.min(latest.get(tp), target.offset));
                } else {
                    long found = byTime.get(tp);
                    offset = found < 0 ? latest.get(tp) : found;
                }
                next.put(tp, new OffsetAndMetadata(offset));
            }
            Table table = new Table("TOPIC", "PARTITION", "CURRENT-OFFSET", "NEW-OFFSET");
            next.forEach((tp, o) -> {
                OffsetAndMetadata current = committed.get(tp);
                table.row(tp.topic(), tp.partition(), current == null ? "-" : current.offset(), o.offset());
            });
            table.print(out);
            if (execute) {
                client.await(admin.alterConsumerGroupOffsets(group, next).all());
                out.println("Committed the new offsets of group " + group + ".");
            } else {
                out.println("Dry run: nothing committed; add --execute to commit these offsets.");
            }
        }
        out.flush();
        return GregorCommand.EXIT_OK;
    }

    private void throwIfActive(Admin admin) {
        ConsumerGroupDescription d;
        try {
            d = client.await(admin.describeConsumerGroups(List.of(group)).describedGroups().get(group));
        } catch (GroupIdNotFoundException e) {
            return;
        }
        GroupState state = d.groupState();
        if (state != GroupState.EMPTY && state != GroupState.DEAD) {
            throw new UserException("group '" + group + "' is " + state + " with " + d.members().size()
                    + " member(s) (expected: Empty; stop its consumers before resetting offsets)");
        }
    }

    private List<TopicPartition> partitions(Admin admin) {
        Map<String, KafkaFuture<TopicDescription>> described = admin.describeTopics(topics).topicNameValues();
        List<TopicPartition> out = new ArrayList<>();
        for (String topic : topics) {
            try {
                for (TopicPartitionInfo p : client.await(described.get(topic)).partitions()) {
                    out.add(new TopicPartition(topic, p.partition()));
                }
            } catch (UnknownTopicOrPartitionException e) {
                throw TopicsDescribeCommand.noSuchTopic(topic);
            }
        }
        return out;
    }

    private Map<TopicPartition, Long> offsets(Admin admin, List<TopicPartition> partitions, OffsetSpec spec) {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, spec));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result = client.await(admin.listOffsets(request).all());
        Map<TopicPartition, Long> out = new HashMap<>();
        result.forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }

    private static long parseDatetime(String text) {
        try {
            return StartPosition.parseTimestampMs(text);
        } catch (IllegalArgumentException e) {
            throw new UserException("--to-datetime: '" + text + "' (expected: epoch milliseconds or ISO-8601 such as 2024-05-01T12:00:00Z)");
        }
    }
}
