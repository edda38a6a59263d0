package io.gregor.cli;

import java.io.PrintWriter;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gregor topics list}: topic names, sorted, one per line. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List topic names, one per line.")
final class TopicsListCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Option(names = "--exclude-internal", description = "Leave out internal topics such as __consumer_offsets.")
    boolean excludeInternal;

    @Override
    public Integer call() {
        Set<String> names;
        try (Admin admin = client.admin()) {
            names = client.await(admin.listTopics(new ListTopicsOptions().listInternal(!excludeInternal)).names());
        }
        PrintWriter out = spec.commandLine().getOut();
        for (String name : new TreeSet<>(names)) {
            out.println(name);
        }
        out.flush();
        return GregorCommand.EXIT_OK;
    }
}
