package io.gregor.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.common.GroupState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gregor groups list}: ListGroups for consumer groups (classic and KIP-848). Names only,
 * sorted, one per line; with {@code --state} a GROUP/STATE table of the groups in those states,
 * as kafka-consumer-groups.sh does.
 */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "List consumer groups, one per line; with --state, only groups in that state, with their state.")
final class GroupsListCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Option(names = "--state", paramLabel = "STATE", split = ",",
            description = "Only groups in these states (comma-separated or repeated): Empty, Stable, PreparingRebalance, "
                    + "CompletingRebalance, Reconciling, Assigning, Dead.")
    List<String> states = new ArrayList<>();

    @Override
    public Integer call() {
        Set<GroupState> filter = parseStates(states);
        Collection<GroupListing> groups;
        try (Admin admin = client.admin()) {
            ListGroupsOptions options = ListGroupsOptions.forConsumerGroups();
            if (!filter.isEmpty()) {
                options.inGroupStates(filter);
            }
            groups = client.await(admin.listGroups(options).all());
        }
        List<GroupListing> sorted = groups.stream().sorted(Comparator.comparing(GroupListing::groupId)).toList();
        PrintWriter out = spec.commandLine().getOut();
        if (filter.isEmpty()) {
            for (GroupListing g : sorted) {
                out.println(g.groupId());
            }
        } else {
            Table table = new Table("GROUP", "STATE");
            for (GroupListing g : sorted) {
                table.row(g.groupId(), g.groupState().map(GroupState::toString).orElse("Unknown"));
            }
            table.print(out);
        }
        out.flush();
        return GregorCommand.EXIT_OK;
    }

    private static Set<GroupState> parseStates(List<String> names) {
        Set<GroupState> out = new LinkedHashSet<>();
        for (String name : names) {
            GroupState state = GroupState.parse(name.strip());
            if (state == GroupState.UNKNOWN) {
                String valid = List.of(GroupState.values()).stream().filter(s -> s != GroupState.UNKNOWN)
                        .map(GroupState::toString).collect(Collectors.joining(", "));
                throw new UserException("--state: '" + name + "' (expected one of: " + valid + ")");
            }
            out.add(state);
        }
        return out;
    }
}
