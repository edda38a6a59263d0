package io.gregor.api;

import io.gregor.broker.RuntimeLogLevels;
import io.gregor.network.RequestContext;
import java.util.Collection;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.LogLevelConfig;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IncrementalAlterConfigs on a BROKER_LOGGER resource (KIP-412): sets or unsets log levels of this
 * process at once, with the checks and messages of Kafka 4.4's {@code RuntimeLoggerManager}. The
 * resource names this node; every operation is checked before any is applied (SET: a known logger
 * and one of Kafka's level names, case-sensitive; DELETE: a known logger other than root; APPEND
 * and SUBTRACT refused), then applied in request order unless validateOnly. Nothing goes through
 * the controller or the metadata log: levels are not persisted, as in Kafka. The legacy
 * AlterConfigs does not know this resource type (see {@link TopicConfigAlteration}). Stateless;
 * request threads.
 */
final class BrokerLoggerAlteration {

    private static final Logger log = LoggerFactory.getLogger(BrokerLoggerAlteration.class);
    private static final String VALID_LEVELS = String.join(", ", LogLevelConfig.VALID_LOG_LEVELS.stream().sorted().toList());

    private BrokerLoggerAlteration() {
    }

    /** Validates and, unless validateOnly, applies one resource's operations; throws the resource's error. */
    static void alter(BrokerServices broker, RequestContext context, String resourceName, Collection<AlterableConfig> ops,
                      boolean validateOnly) {
        throwIfNotThisNode(resourceName, broker.nodeId());
        RuntimeLogLevels levels = broker.logLevels();
        for (AlterableConfig op : ops) {
            throwIfInvalid(op, levels);
        }
        if (validateOnly) {
            return;
        }
        for (AlterableConfig op : ops) {
            String logger = op.name();
            String before = levels.effectiveLevels().get(logger);
            // Logged before the change, so that turning this class's own logger down still records it.
            if (op.configOperation() == AlterConfigOp.OpType.SET.id()) {
                log.warn("Setting the log level of {} to {} (was {}), requested by {}", logger, op.value(), before, context.summary());
                levels.setLevel(logger, op.value());
            } else {
                log.warn("Unsetting the log level of {} (was {}) so that it inherits its parent's, requested by {}",
                        logger, before, context.summary());
                levels.unsetLevel(logger);
            }
        }
    }

    /** Kafka's check that a BROKER_LOGGER resource to alter names this node; its words differ from a BROKER resource's. */
    private static void throwIfNotThisNode(String name, int nodeId) {
        if (BrokerConfigAlteration.nodeId(name) != nodeId) {
            throw new InvalidRequestException("Unexpected node id. Expected " + nodeId + ", but received " + name);
        }
    }

    /** One operation's checks: only a valid SET or DELETE passes. */
    private static void throwIfInvalid(AlterableConfig op, RuntimeLogLevels levels) {
        String logger = op.name();
        AlterConfigOp.OpType type = AlterConfigOp.OpType.forId(op.configOperation());
        if (type == null) {
            throw new InvalidRequestException("Unknown operation type " + op.configOperation() + " is not allowed for the "
                    + ConfigResource.Type.BROKER_LOGGER + " resource");
        }
        switch (type) {
            case SET -> {
                throwIfUnknown(logger, levels);
                if (!LogLevelConfig.VALID_LOG_LEVELS.contains(op.value())) {
                    throw new InvalidConfigurationException("Cannot set the log level of " + logger + " to " + op.value()
                            + " as it is not a supported log level. Valid log levels are " + VALID_LEVELS);
                }
            }
            case DELETE -> {
                throwIfUnknown(logger, levels);
                if (RuntimeLogLevels.ROOT_LOGGER.equals(logger)) {
                    throw new InvalidRequestException("Removing the log level of the " + RuntimeLogLevels.ROOT_LOGGER
                            + " logger is not allowed");
                }
            }
            case APPEND, SUBTRACT -> throw new InvalidRequestException(type + " operation is not allowed for the "
                    + ConfigResource.Type.BROKER_LOGGER + " resource");
            default -> throw new IllegalStateException("unhandled config operation " + type);
        }
    }

    private static void throwIfUnknown(String logger, RuntimeLogLevels levels) {
        if (!levels.exists(logger)) {
            throw new InvalidConfigurationException("Logger " + logger + " does not exist!");
        }
    }
}
