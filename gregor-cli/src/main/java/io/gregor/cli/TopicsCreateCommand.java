package io.gregor.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code gregor topics create}: CreateTopics; partitions and replication factor default to the broker's. */
@Command(name = "create", mixinStandardHelpOptions = true, description = "Create a topic.")
final class TopicsCreateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "NAME", description = "Topic name.")
    String name;

    @Option(names = "--partitions", paramLabel = "N", description = "Number of partitions (default: the broker's num.partitions).")
    Integer partitions;

    @Option(names = "--replication-factor", paramLabel = "R",
            description = "Replicas per partition (default: the broker's default.replication.factor).")
    Short replicationFactor;

    @Option(names = "--config", paramLabel = "KEY=VALUE", converter = KeyValue.Converter.class,
            description = "Topic config, e.g. retention.ms=86400000; repeatable.")
    List<KeyValue> configs = new ArrayList<>();

    @Option(names = "--if-not-exists", description = "Succeed quietly if the topic already exists.")
    boolean ifNotExists;

    @Override
    public Integer call() {
        if (partitions != null && partitions < 1) {
            throw new ParameterException(spec.commandLine(), "--partitions: " + partitions + " (expected: >= 1)");
        }
        if (replicationFactor != null && replicationFactor < 1) {
            throw new ParameterException(spec.commandLine(), "--replication-factor: " + replicationFactor + " (expected: >= 1)");
        }
        Map<String, String> topicConfigs = new LinkedHashMap<>();
        configs.forEach(kv -> topicConfigs.put(kv.key(), kv.value()));
        NewTopic topic = new NewTopic(name, Optional.ofNullable(partitions), Optional.ofNullable(replicationFactor))
                .configs(topicConfigs);
        try (Admin admin = client.admin()) {
            client.await(admin.createTopics(List.of(topic)).all());
        } catch (TopicExistsException e) {
            if (ifNotExists) {
                return GregorCommand.EXIT_OK;
            }
            throw e;
        }
        spec.commandLine().getOut().println("Created topic " + name + ".");
        return GregorCommand.EXIT_OK;
    }
}
