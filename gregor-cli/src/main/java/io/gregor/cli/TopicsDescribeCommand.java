package io.gregor.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gregor topics describe}: DescribeTopics plus DescribeConfigs, printed in
 * kafka-topics.sh's layout so operators read it at a glance. Only configs set on the topic
 * itself are shown.
 */
@Command(name = "describe", mixinStandardHelpOptions = true,
        description = "Show topic id, partitions (leader, replicas, isr) and the configs set on each topic.")
final class TopicsDescribeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Parameters(arity = "0..*", paramLabel = "NAME", description = "Topics to describe (default: all).")
    List<String> names = new ArrayList<>();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Admin admin = client.admin()) {
            Collection<String> topics = names.isEmpty() ? new TreeSet<>(client.await(admin.listTopics().names())) : names;
            if (topics.isEmpty()) {
                return GregorCommand.EXIT_OK;
            }
            Map<String, KafkaFuture<TopicDescription>> descriptions = admin.describeTopics(topics).topicNameValues();
            for (String name : topics) {
                TopicDescription description;
                try {
                    description = client.await(descriptions.get(name));
                } catch (UnknownTopicOrPartitionException e) {
                    throw noSuchTopic(name);
                }
                ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, name);
                Config config = client.await(admin.describeConfigs(List.of(resource)).values().get(resource));
                print(out, description, config);
            }
        } finally {
            out.flush();
        }
        return GregorCommand.EXIT_OK;
    }

    static void print(PrintWriter out, TopicDescription topic, Config config) {
        List<TopicPartitionInfo> partitions = topic.partitions();
        int replicationFactor = partitions.isEmpty() ? 0 : partitions.get(0).replicas().size();
        out.println("Topic: " + topic.name()
                + "\tTopicId: " + topic.topicId()
                + "\tPartitionCount: " + partitions.size()
                + "\tReplicationFactor: " + replicationFactor
                + "\tConfigs: " + topicConfigs(config));
        for (TopicPartitionInfo p : partitions) {
            out.println("\tTopic: " + topic.name()
                    + "\tPartition: " + p.partition()
                    + "\tLeader: " + (p.leader() == null || p.leader().isEmpty() ? "none" : p.leader().idString())
                    + "\tReplicas: " + ids(p.replicas())
                    + "\tIsr: " + ids(p.isr()));
        }
    }

    /** Configs set on the topic (DYNAMIC_TOPIC_CONFIG), as kafka-topics.sh shows them. */
    static String topicConfigs(Config config) {
        return config.entries().stream()
                .filter(e -> e.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG)
                .sorted((a, b) -> a.name().compareTo(b.name()))
                .map(e -> e.name() + "=" + (e.isSensitive() ? "(sensitive)" : e.value()))
                .collect(Collectors.joining(","));
    }

    private static String ids(List<Node> nodes) {
        return nodes.stream().map(Node::idString).collect(Collectors.joining(","));
    }

    /** UNKNOWN_TOPIC_OR_PARTITION's own text ("This server does not host...") does not name the topic. */
    static UserException noSuchTopic(String name) {
        return new UserException("Topic '" + name + "' does not exist.");
    }
}
