package io.gregor.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.common.Node;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code gregor cluster}: DescribeCluster — cluster id, controller and brokers. */
@Command(name = "cluster", mixinStandardHelpOptions = true, description = "Show the cluster id, the controller and the brokers.")
final class ClusterCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Override
    public Integer call() {
        String clusterId;
        Node controller;
        Collection<Node> nodes;
        try (Admin admin = client.admin()) {
            DescribeClusterResult result = admin.describeCluster();
            clusterId = client.await(result.clusterId());
            controller = client.await(result.controller());
            nodes = client.await(result.nodes());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("Cluster ID: " + (clusterId == null ? "none" : clusterId));
        out.println("Controller: " + (controller == null || controller.isEmpty() ? "none" : controller.idString() + " " + address(controller)));
        out.println("Brokers:");
        List<Node> sorted = new ArrayList<>(nodes);
        sorted.sort(Comparator.comparingInt(Node::id));
        for (Node node : sorted) {
            out.println("  " + node.idString() + " " + address(node) + " rack=" + (node.hasRack() ? node.rack() : "none"));
        }
        out.flush();
        return GregorCommand.EXIT_OK;
    }

    private static String address(Node node) {
        return node.host() + ":" + node.port();
    }
}
