package io.gregor.api;

import io.gregor.broker.DynamicBrokerConfig;
import io.gregor.broker.EffectiveBrokerConfig;
import io.gregor.broker.NodeConfig;
import io.gregor.broker.RuntimeLogLevels;
import io.gregor.group.GroupCoordinator;
import io.gregor.metadata.Controller;
import io.gregor.metadata.MetadataImage;
import io.gregor.replica.ReplicaManager;

/**
 * What the api handlers reach: this node's identity and config (static, and with its dynamic
 * values), the controller, the partitions, the group coordinator and the process's log levels.
 */
public record BrokerServices(NodeConfig config, DynamicBrokerConfig dynamicConfig, String clusterId, Controller controller,
                             ReplicaManager replicas, ProducerIdAllocator producerIds, GroupCoordinator groups,
                             RuntimeLogLevels logLevels) {

    public int nodeId() {
        return config.nodeId();
    }

    public MetadataImage image() {
        return controller.image();
    }

    /** This node's configs with the dynamic values of the latest image. */
    public EffectiveBrokerConfig brokerConfig() {
        return dynamicConfig.at(image());
    }
}
