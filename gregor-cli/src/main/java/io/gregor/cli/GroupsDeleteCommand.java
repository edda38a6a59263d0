package io.gregor.cli;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gregor groups delete}: DeleteGroups, which removes a group and its committed offsets.
 * Only groups without members can go. Reports each group; the first failure (after the others
 * have been tried) is the exit line.
 */
@Command(name = "delete", mixinStandardHelpOptions = true,
        description = "Delete consumer groups and their committed offsets (only groups without active members).")
final class GroupsDeleteCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Parameters(arity = "1..*", paramLabel = "GROUP", description = "Groups to delete.")
    List<String> groups;

    @Override
    public Integer call() {
        RuntimeException firstFailure = null;
        try (Admin admin = client.admin()) {
            Map<String, KafkaFuture<Void>> results = admin.deleteConsumerGroups(groups).deletedGroups();
            for (String group : new LinkedHashSet<>(groups)) { // a group named twice is deleted, and reported, once
                try {
                    client.await(results.get(group));
                    spec.commandLine().getOut().println("Deleted group " + group + ".");
                } catch (RuntimeException e) {
                    if (firstFailure == null) {
                        firstFailure = explain(group, e);
                    }
                }
            }
        }
        spec.commandLine().getOut().flush();
        if (firstFailure != null) {
            throw firstFailure;
        }
        return GregorCommand.EXIT_OK;
    }

    private static RuntimeException explain(String group, RuntimeException e) {
        if (e instanceof GroupIdNotFoundException) {
            return GroupsCommand.noSuchGroup(group);
        }
        if (e instanceof GroupNotEmptyException) {
            return new UserException("group '" + group + "' has active members (expected: none; stop its consumers first)");
        }
        return e;
    }
}
