package io.gregor.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.AlterConfigsOptions;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gregor topics alter}: CreatePartitions to grow the partition count, then
 * IncrementalAlterConfigs to set or delete topic configs (other configs stay as they are); the
 * config change is validated first, so a rejected one adds no partitions. The
 * partition count of an internal topic ({@link InternalTopics}) is never changed.
 */
@Command(name = "alter", mixinStandardHelpOptions = true,
        description = "Add partitions to a topic and/or set or remove its configs.")
final class TopicsAlterCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "NAME", description = "Topic name.")
    String name;

    @Option(names = "--partitions", paramLabel = "N", description = "New total number of partitions (can only grow).")
    Integer partitions;

    @Option(names = "--config", paramLabel = "KEY=VALUE", converter = KeyValue.Converter.class,
            description = "Set a topic config; repeatable.")
    List<KeyValue> setConfigs = new ArrayList<>();

    @Option(names = "--delete-config", paramLabel = "KEY", description = "Remove a topic config (back to the default); repeatable.")
    List<String> deleteConfigs = new ArrayList<>();

    @Override
    public Integer call() {
        if (partitions == null && setConfigs.isEmpty() && deleteConfigs.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "nothing to alter (expected: --partitions, --config or --delete-config)");
        }
        if (partitions != null && partitions < 1) {
            throw new ParameterException(spec.commandLine(), "--partitions: " + partitions + " (expected: >= 1)");
        }
        if (partitions != null) {
            InternalTopics.throwIfChangingPartitions(name);
        }
        Map<ConfigResource, Collection<AlterConfigOp>> configChange = configChange();
        try (Admin admin = client.admin()) {
            // Partitions once added can never be removed, so the broker validates the config change
            // (validateOnly) before any partition is added.
            if (!configChange.isEmpty()) {
                client.await(admin.incrementalAlterConfigs(configChange, new AlterConfigsOptions().validateOnly(true)).all());
            }
            if (partitions != null) {
                client.await(admin.createPartitions(Map.of(name, NewPartitions.increaseTo(partitions))).all());
            }
            if (!configChange.isEmpty()) {
                client.await(admin.incrementalAlterConfigs(configChange).all());
            }
        } catch (UnknownTopicOrPartitionException e) {
            throw TopicsDescribeCommand.noSuchTopic(name);
        }
        spec.commandLine().getOut().println("Altered topic " + name + ".");
        return GregorCommand.EXIT_OK;
    }

    /** The IncrementalAlterConfigs request for --config and --delete-config; empty when neither was given. */
    private Map<ConfigResource, Collection<AlterConfigOp>> configChange() {
        if (setConfigs.isEmpty() && deleteConfigs.isEmpty()) {
            return Map.of();
        }
        List<AlterConfigOp> ops = new ArrayList<>();
        setConfigs.forEach(kv -> ops.add(new AlterConfigOp(new ConfigEntry(kv.key(), kv.value()), AlterConfigOp.OpType.SET)));
        deleteConfigs.forEach(key -> ops.add(new AlterConfigOp(new ConfigEntry(key, ""), AlterConfigOp.OpType.DELETE)));
        return Map.of(new ConfigResource(ConfigResource.Type.TOPIC, name), ops);
    }
}
