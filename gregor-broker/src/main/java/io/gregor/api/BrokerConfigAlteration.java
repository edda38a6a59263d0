package io.gregor.api;

import io.gregor.broker.BrokerConfigDef;
import io.gregor.broker.NodeConfig;
import io.gregor.metadata.MetadataImage;
import io.gregor.metadata.TopicConfigDef;
import io.gregor.network.RequestContext;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.requests.ApiError;

/**
 * Alters the dynamic configs of a BROKER resource (KIP-226): "" for the cluster-wide default, or
 * this node's id. Checks what Kafka's {@code ConfigAdminManager} and {@code DynamicBrokerConfig}
 * check, all as INVALID_REQUEST: the resource names this node, no key is one that cannot change
 * at runtime ({@link BrokerConfigDef}), every value is valid. Keys Gregor does not know are stored
 * as they are, as Kafka does. Stateless; request threads, and the controller thread for the
 * validation of the final configs.
 */
final class BrokerConfigAlteration {

    private static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";
    private static final String CLUSTER_MIN_ISR_REMOVAL = "Cluster-level min.insync.replicas cannot be removed while ELR is enabled.";
    private static final String BROKER_MIN_ISR_ALTERED = "Broker-level min.insync.replicas cannot be altered while ELR is enabled.";

    private BrokerConfigAlteration() {
    }

    /** Validates and writes one resource; completes with its outcome, never exceptionally; throws a prompt error. */
    static CompletableFuture<ApiError> write(BrokerServices broker, RequestContext context, TopicConfigAlteration.Resource resource,
                                             MetadataImage image, boolean validateOnly) {
        String name = resource.name() == null ? MetadataImage.CLUSTER_DEFAULT : resource.name();
        if (!name.isEmpty()) {
            throwIfNotThisNode(name, broker.nodeId());
        }
        Map<String, String> published = image.brokerConfigs(name);
        UnaryOperator<Map<String, String>> update = resource.update().apply(published);
        NodeConfig staticConfig = broker.config();
        UnaryOperator<Map<String, String>> validated = current -> {
            Map<String, String> next = update.apply(current);
            throwIfInvalid(name, current, next, staticConfig);
            return next;
        };
        validated.apply(published);
        return broker.controller().setBrokerConfigs(name, validated, validateOnly)
                .handle((v, error) -> error == null ? ApiError.NONE : ResourceErrors.from(error, context, "broker config resource '" + name + "'"));
    }

    /** The node id an alter resource names, or Kafka's error when it is not a number. */
    static int nodeId(String resourceName) {
        try {
            return Integer.parseInt(resourceName);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("Node id must be an integer, but it is: " + resourceName);
        }
    }

    /** Kafka's {@code ConfigAdminManager.validateResourceNameIsCurrentNodeId}. */
    private static void throwIfNotThisNode(String name, int nodeId) {
        if (nodeId(name) != nodeId) {
            throw new InvalidRequestException("Unexpected broker id, expected " + nodeId + ", but received " + name);
        }
    }

    /**
     * The same ELR rules on the operations of an IncrementalAlterConfigs resource: Kafka writes a record for every
     * operation on a BROKER resource, even one that changes nothing, so it also refuses a broker's DELETE of an absent
     * min.insync.replicas and a DELETE of the cluster default's ({@code ConfigurationControlManager}).
     */
    static void throwIfElrForbids(String resourceName, Iterable<AlterableConfig> ops) {
        for (AlterableConfig op : ops) {
            if (op.name().equals(MIN_INSYNC_REPLICAS)) {
                if (resourceName != null && !resourceName.isEmpty()) {
                    throw new InvalidConfigurationException(BROKER_MIN_ISR_ALTERED);
                }
                if (op.configOperation() == AlterConfigOp.OpType.DELETE.id()) {
                    throw new InvalidConfigurationException(CLUSTER_MIN_ISR_REMOVAL);
                }
            }
        }
    }

    /** The checks of a resource's complete new set of dynamic configs. */
    static void throwIfInvalid(String resourceName, Map<String, String> current, Map<String, String> next, NodeConfig staticConfig) {
        BrokerConfigDef.throwIfNotDynamic(next.keySet());
        // Kafka 4.4 keeps the cluster-wide min.insync.replicas once it exists (KIP-966 writes it at format time).
        if (resourceName.isEmpty() && current.containsKey(MIN_INSYNC_REPLICAS) && !next.containsKey(MIN_INSYNC_REPLICAS)) {
            throw new InvalidConfigurationException(CLUSTER_MIN_ISR_REMOVAL);
        }
        // ...and, with ELR, never lets one broker set (or delete) its own (ConfigurationControlManager.validateAlterConfig).
        if (!resourceName.isEmpty() && (current.containsKey(MIN_INSYNC_REPLICAS) || next.containsKey(MIN_INSYNC_REPLICAS))) {
            throw new InvalidConfigurationException(BROKER_MIN_ISR_ALTERED);
        }
        for (Map.Entry<String, String> e : next.entrySet()) {
            throwIfInvalidValue(e.getKey(), e.getValue());
        }
        try {
            if (resourceName.isEmpty()) {
                staticConfig.withDynamic(next, Map.of());
            } else {
                staticConfig.withDynamic(Map.of(), next);
            }
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage());
        }
    }

    /**
     * A broker key that topics fall back to is checked with the topic config's rules (Kafka gives
     * both the same validator), so the message reads as Kafka's: "Invalid value x for
     * configuration log.retention.ms: Not a number of type LONG".
     */
    private static void throwIfInvalidValue(String key, String value) {
        if (key.equals("max.connections") || key.equals("max.connections.per.ip")) {
            requireNonNegative(key, value, "INT"); // Kafka's SocketServerConfigs: an INT, atLeast(0)
            return;
        }
        if (BrokerConfigDef.isQuotaKey(key)) {
            requireNonNegative(key, value, "LONG");
            return;
        }
        for (TopicConfigDef.Entry entry : TopicConfigDef.entries().values()) {
            if (key.equals(entry.brokerSynonym())) {
                Optional<String> error = TopicConfigDef.validate(entry.name(), value);
                // Kafka's log.retention.ms has no range of its own: any negative value means unlimited.
                if (error.isPresent() && key.equals("log.retention.ms") && isLong(value)) {
                    return;
                }
                if (error.isPresent()) {
                    throw new InvalidRequestException(error.get().replace("configuration " + entry.name() + ":", "configuration " + key + ":"));
                }
                return;
            }
        }
    }

    /** A number of {@code type} (INT or LONG) at least 0, with ConfigDef's messages. */
    private static void requireNonNegative(String key, String value, String type) {
        long n;
        try {
            n = type.equals("INT") ? Integer.parseInt(value.trim()) : Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("Invalid value " + value + " for configuration " + key + ": Not a number of type " + type);
        }
        if (n < 0) {
            throw new InvalidRequestException("Invalid value " + value + " for configuration " + key + ": Value must be at least 0");
        }
    }

    private static boolean isLong(String value) {
        try {
            Long.parseLong(value.trim());
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
