package io.gregor.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code gregor groups}: groups the consumer-group admin commands; alone it prints its usage. */
@Command(name = "groups", mixinStandardHelpOptions = true,
        description = "List, describe and delete consumer groups, and reset their committed offsets.",
        subcommands = {GroupsListCommand.class, GroupsDescribeCommand.class, GroupsDeleteCommand.class,
                GroupsResetOffsetsCommand.class})
final class GroupsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return GregorCommand.EXIT_USER_ERROR;
    }

    /** GROUP_ID_NOT_FOUND's own text does not name the group. */
    static UserException noSuchGroup(String groupId) {
        return new UserException("group '" + groupId + "' does not exist");
    }
}
