package io.gregor.cli;

import java.io.PrintWriter;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gregor groups describe}: one line about the group (DescribeGroups or
 * ConsumerGroupDescribe through {@link Admin#describeConsumerGroups}), then per partition the
 * committed offset (OffsetFetch), log end offset (ListOffsets latest) and lag with the member
 * that owns it, like {@code kafka-consumer-groups.sh --describe}; {@code --members} shows the
 * members and their assignments instead, {@code --history} the recorded rebalances.
 */
@Command(name = "describe", mixinStandardHelpOptions = true,
        description = {"Show a consumer group: state, assignor, coordinator, and per partition the committed offset, "
                + "log end offset and lag.",
                "--members and --history show the members or the recent rebalances instead of the offsets."})
final class GroupsDescribeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "GROUP")
    String group;

    @Option(names = "--members", description = "List the members: id, host, client id and assigned partitions.")
    boolean members;

    @Option(names = "--history", description = "List the group's recent rebalances, newest last: when, generation, why, "
            + "and who got which partitions.")
    boolean history;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Admin admin = client.admin()) {
            ConsumerGroupDescription description = describe(admin);
            out.println(header(description));
            if (members) {
                out.println();
                printMembers(out, description);
            }
            if (!members && !history) {
                out.println();
                printOffsets(out, admin, description);
            }
        }
        if (history) {
            out.println();
            List<String> events = RebalanceHistory.read(client, group);
            if (events.isEmpty()) {
                out.println("No rebalances recorded.");
            }
            events.forEach(out::println);
        }
        out.flush();
        return GregorCommand.EXIT_OK;
    }

    private ConsumerGroupDescription describe(Admin admin) {
        ConsumerGroupDescription d;
        try {
            d = client.await(admin.describeConsumerGroups(List.of(group)).describedGroups().get(group));
        } catch (GroupIdNotFoundException e) {
            throw GroupsCommand.noSuchGroup(group);
        }
        // DescribeGroups before v6 answers an unknown group with state Dead and no error.
        if (d.groupState() == GroupState.DEAD && d.members().isEmpty()) {
            throw GroupsCommand.noSuchGroup(group);
        }
        return d;
    }

    static String header(ConsumerGroupDescription d) {
        Node c = d.coordinator();
        String assignor = d.partitionAssignor() == null || d.partitionAssignor().isEmpty() ? "-" : d.partitionAssignor();
        return "Group: " + d.groupId()
                + "\tState: " + d.groupState()
                + "\tType: " + d.type()
                + "\tAssignor: " + assignor
                + "\tCoordinator: " + (c == null ? "-" : c.idString() + " (" + c.host() + ":" + c.port() + ")")
                + "\tMembers: " + d.members().size();
    }

    private static void printMembers(PrintWriter out, ConsumerGroupDescription d) {
        Table table = new Table("CONSUMER-ID", "HOST", "CLIENT-ID", "#PARTITIONS", "ASSIGNMENT");
        for (MemberDescription m : sortedMembers(d)) {
            List<TopicPartition> assigned = sorted(m.assignment().topicPartitions());
            table.row(m.consumerId(), m.host(), m.clientId(), assigned.size(),
                    assigned.isEmpty() ? "-" : assigned.stream().map(TopicPartition::toString).collect(Collectors.joining(",")));
        }
        table.print(out);
    }

    private void printOffsets(PrintWriter out, Admin admin, ConsumerGroupDescription d) {
        Map<TopicPartition, OffsetAndMetadata> committed =
                client.await(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata());
        Map<TopicPartition, MemberDescription> owners = new HashMap<>();
        for (MemberDescription m : d.members()) {
            for (TopicPartition tp : m.assignment().topicPartitions()) {
                owners.put(tp, m);
            }
        }
        TreeMap<TopicPartition, OffsetAndMetadata> partitions = new TreeMap<>(PARTITION_ORDER);
        owners.keySet().forEach(tp -> partitions.put(tp, null));
        committed.forEach((tp, o) -> partitions.put(tp, o));
        Map<TopicPartition, Long> logEnd = logEndOffsets(admin, partitions.keySet());
        Table table = new Table("TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST", "CLIENT-ID");
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : partitions.entrySet()) {
            TopicPartition tp = e.getKey();
            Long current = e.getValue() == null ? null : e.getValue().offset();
            Long end = logEnd.get(tp);
            MemberDescription owner = owners.get(tp);
            table.row(tp.topic(), tp.partition(), dash(current), dash(end),
                    current == null || end == null ? "-" : Math.max(0, end - current),
                    owner == null ? "-" : owner.consumerId(), owner == null ? "-" : owner.host(),
                    owner == null ? "-" : owner.clientId());
        }
        if (partitions.isEmpty()) {
            out.println("No committed offsets and no assigned partitions.");
        } else {
            table.print(out);
        }
    }

    /** Per partition, so that one deleted topic shows "-" instead of failing the whole view. */
    private Map<TopicPartition, Long> logEndOffsets(Admin admin, Set<TopicPartition> partitions) {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, OffsetSpec.latest()));
        ListOffsetsResult result = admin.listOffsets(request);
        Map<TopicPartition, Long> out = new HashMap<>();
        for (TopicPartition tp : partitions) {
            try {
                out.put(tp, client.await(result.partitionResult(tp)).offset());
            } catch (UserException e) {
                throw e;
            } catch (RuntimeException e) {
                // Unknown topic or partition (deleted since the commit): no log end offset.
            }
        }
        return out;
    }

    private static String dash(Long value) {
        return value == null ? "-" : value.toString();
    }

    static final Comparator<TopicPartition> PARTITION_ORDER =
            Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

    private static List<TopicPartition> sorted(Collection<TopicPartition> partitions) {
        return partitions.stream().sorted(PARTITION_ORDER).toList();
    }

    private static List<MemberDescription> sortedMembers(ConsumerGroupDescription d) {
        return d.members().stream().sorted(Comparator.comparing(MemberDescription::clientId)
                .thenComparing(MemberDescription::consumerId)).toList();
    }
}
