package io.gregor.cli;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gregor topics delete}: DeleteTopics. Refuses internal topics ({@link InternalTopics})
 * before deleting anything. Reports each topic; the first failure (after the
 * others have been tried) is the exit line.
 */
@Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete one or more topics.")
final class TopicsDeleteCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Parameters(arity = "1..*", paramLabel = "NAME", description = "Topics to delete.")
    List<String> names;

    @Option(names = "--if-exists", description = "Succeed quietly for topics that do not exist.")
    boolean ifExists;

    @Override
    public Integer call() {
        // Refused before anything is deleted, as kafka-topics.sh does.
        names.forEach(InternalTopics::throwIfDeleting);
        RuntimeException firstFailure = null;
        try (Admin admin = client.admin()) {
            Map<String, KafkaFuture<Void>> results = admin.deleteTopics(names).topicNameValues();
            for (String name : new LinkedHashSet<>(names)) { // a topic named twice is deleted, and reported, once
                try {
                    client.await(results.get(name));
                    spec.commandLine().getOut().println("Deleted topic " + name + ".");
                } catch (UnknownTopicOrPartitionException e) {
                    if (!ifExists && firstFailure == null) {
                        firstFailure = TopicsDescribeCommand.noSuchTopic(name);
                    }
                } catch (RuntimeException e) {
                    if (firstFailure == null) {
                        firstFailure = e;
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
}
