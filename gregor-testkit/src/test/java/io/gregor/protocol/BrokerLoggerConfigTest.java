package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.LoggerContext;
import io.gregor.testkit.RawClient;
import io.gregor.testkit.TestNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.AlterConfigsOptions;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.AlterConfigsResponse;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;
import org.apache.kafka.common.requests.IncrementalAlterConfigsResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Log levels changed at runtime through the BROKER_LOGGER config resource (KIP-412), with the
 * official 4.4 Admin client and on the wire: what DescribeConfigs lists, that a change reaches the
 * node's real loggers (the node runs in this JVM, on this Logback), and Kafka 4.4's refusals, codes
 * and messages as observed against a real 4.4 broker. Each test puts the levels back.
 */
@Timeout(120)
class BrokerLoggerConfigTest {

    private static final ConfigResource THIS_BROKER = new ConfigResource(ConfigResource.Type.BROKER_LOGGER, "1");
    private static final String GROUP_PACKAGE = "io.gregor.group";
    private static final String COORDINATOR = "io.gregor.group.GroupCoordinator";
    private static final String VALID_LEVELS = "Valid log levels are DEBUG, ERROR, FATAL, INFO, TRACE, WARN";

    private static TestNode node;
    private static Admin admin;

    private final Logger coordinator = LoggerFactory.getLogger(COORDINATOR);

    @BeforeAll
    static void start() {
        node = TestNode.start();
        admin = Clients.admin(node);
    }

    @AfterAll
    static void stop() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        node.close();
    }

    /** Straight through Logback, so that a broken alter path cannot leave DEBUG on for later tests. */
    @AfterEach
    void restoreLevels() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.getLogger(GROUP_PACKAGE).setLevel(null);
        context.getLogger(COORDINATOR).setLevel(null);
    }

    @Test
    void shouldListRootAndGregorsLoggersWithTheirEffectiveLevels() throws Exception {
        Config loggers = describe();

        // logback-test.xml: root WARN, io.gregor INFO.
        assertThat(loggers.get("root").value()).isEqualTo("WARN");
        ConfigEntry group = loggers.get(GROUP_PACKAGE);
        assertThat(group.value()).isEqualTo("INFO");
        assertThat(group.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_BROKER_LOGGER_CONFIG);
        assertThat(group.isReadOnly()).isFalse();
        assertThat(group.isSensitive()).isFalse();
        assertThat(group.synonyms()).isEmpty();
        assertThat(group.type()).isEqualTo(ConfigEntry.ConfigType.UNKNOWN);
        assertThat(loggers.get(COORDINATOR).value()).isEqualTo("INFO");
        assertThat(loggers.get("ROOT")).isNull();
    }

    @Test
    void shouldLogAtDebugAfterSettingDebugAndInheritAgainAfterDelete() throws Exception {
        assertThat(coordinator.isDebugEnabled()).isFalse();

        alter(false, set(GROUP_PACKAGE, "DEBUG"));

        assertThat(coordinator.isDebugEnabled()).isTrue();
        Config loggers = describe();
        assertThat(loggers.get(GROUP_PACKAGE).value()).isEqualTo("DEBUG");
        assertThat(loggers.get(COORDINATOR).value()).isEqualTo("DEBUG");

        alter(false, set(COORDINATOR, "WARN"));
        assertThat(coordinator.isInfoEnabled()).isFalse();

        alter(false, delete(COORDINATOR));

        assertThat(coordinator.isDebugEnabled()).as("inherits io.gregor.group's DEBUG").isTrue();
        assertThat(describe().get(COORDINATOR).value()).isEqualTo("DEBUG");

        alter(false, delete(GROUP_PACKAGE));

        assertThat(coordinator.isDebugEnabled()).isFalse();
        assertThat(coordinator.isInfoEnabled()).isTrue();
        assertThat(describe().get(GROUP_PACKAGE).value()).isEqualTo("INFO");
    }

    @Test
    void shouldRefuseWhatKafkaRefusesWithItsErrorsAndChangeNothing() throws Exception {
        assertThatThrownBy(() -> alter(false, set(COORDINATOR, "debug")))
                .cause().isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("Cannot set the log level of " + COORDINATOR + " to debug as it is not a supported log level. "
                        + VALID_LEVELS);
        assertThatThrownBy(() -> alter(false, set("no.such.logger", "DEBUG")))
                .cause().isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("Logger no.such.logger does not exist!");
        assertThatThrownBy(() -> alter(false, delete("root")))
                .cause().isInstanceOf(InvalidRequestException.class)
                .hasMessage("Removing the log level of the root logger is not allowed");
        assertThatThrownBy(() -> alter(false, new AlterConfigOp(new ConfigEntry(COORDINATOR, "DEBUG"), AlterConfigOp.OpType.APPEND)))
                .cause().isInstanceOf(InvalidRequestException.class)
                .hasMessage("APPEND operation is not allowed for the BROKER_LOGGER resource");
        // Every operation is checked before any is applied.
        assertThatThrownBy(() -> alter(false, set(GROUP_PACKAGE, "DEBUG"), set(COORDINATOR, "LOUD")))
                .cause().isInstanceOf(InvalidConfigurationException.class);

        assertThat(coordinator.isDebugEnabled()).isFalse();
        assertThat(describe().get(GROUP_PACKAGE).value()).isEqualTo("INFO");
    }

    @Test
    void shouldOnlyValidateWhenValidateOnly() throws Exception {
        alter(true, set(GROUP_PACKAGE, "TRACE"));

        assertThat(coordinator.isDebugEnabled()).isFalse();
        assertThat(describe().get(GROUP_PACKAGE).value()).isEqualTo("INFO");
        assertThatThrownBy(() -> alter(true, set(GROUP_PACKAGE, "VERBOSE")))
                .cause().isInstanceOf(InvalidConfigurationException.class);
    }

    @Test
    void shouldRefuseOtherNodesRepeatedResourcesAndTheLegacyAlterConfigsOnTheWire() {
        try (RawClient client = RawClient.connect(node)) {
            assertThat(describeError(client, "")).isEqualTo("INVALID_REQUEST: Broker id must not be empty");
            assertThat(describeError(client, "2")).isEqualTo("INVALID_REQUEST: Unexpected broker id, expected 1 but received 2");

            IncrementalAlterConfigsRequestData data = new IncrementalAlterConfigsRequestData();
            data.resources().add(loggerResource("2", COORDINATOR, "DEBUG"));
            data.resources().add(loggerResource("1", COORDINATOR, "DEBUG"));
            data.resources().add(loggerResource("1", GROUP_PACKAGE, "DEBUG"));
            IncrementalAlterConfigsResponse r = client.send(new IncrementalAlterConfigsRequest.Builder(data).build((short) 1));
            assertThat(r.data().responses()).extracting(x -> Errors.forCode(x.errorCode()) + ": " + x.errorMessage()).containsExactly(
                    "INVALID_REQUEST: Unexpected node id. Expected 1, but received 2",
                    "INVALID_REQUEST: Each resource must appear at most once.",
                    "INVALID_REQUEST: Each resource must appear at most once.");

            AlterConfigsResponse refused = client.send(new AlterConfigsRequest.Builder(Map.of(THIS_BROKER,
                    new AlterConfigsRequest.Config(List.of(new AlterConfigsRequest.ConfigEntry(COORDINATOR, "DEBUG")))), false)
                    .build((short) 2));
            assertThat(refused.data().responses()).extracting(x -> Errors.forCode(x.errorCode()) + ": " + x.errorMessage())
                    .containsExactly("INVALID_REQUEST: Unknown resource type 8");
        }
        assertThat(coordinator.isDebugEnabled()).isFalse();
    }

    @Test
    void shouldListOnlyTheRequestedLoggersThatExist() {
        try (RawClient client = RawClient.connect(node)) {
            DescribeConfigsRequestData data = new DescribeConfigsRequestData();
            data.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource()
                    .setResourceType(ConfigResource.Type.BROKER_LOGGER.id()).setResourceName("1")
                    .setConfigurationKeys(List.of("root", "no.such.logger")));
            DescribeConfigsResponse r = client.send(new DescribeConfigsRequest.Builder(data).build((short) 4));
            assertThat(r.data().results().get(0).configs())
                    .extracting(DescribeConfigsResponseData.DescribeConfigsResourceResult::name).containsExactly("root");
        }
    }

    private static String describeError(RawClient client, String name) {
        DescribeConfigsRequestData data = new DescribeConfigsRequestData();
        data.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource()
                .setResourceType(ConfigResource.Type.BROKER_LOGGER.id()).setResourceName(name));
        DescribeConfigsResponse r = client.send(new DescribeConfigsRequest.Builder(data).build((short) 4));
        DescribeConfigsResponseData.DescribeConfigsResult result = r.data().results().get(0);
        return Errors.forCode(result.errorCode()) + ": " + result.errorMessage();
    }

    private static IncrementalAlterConfigsRequestData.AlterConfigsResource loggerResource(String name, String logger, String level) {
        IncrementalAlterConfigsRequestData.AlterConfigsResource resource = new IncrementalAlterConfigsRequestData.AlterConfigsResource()
                .setResourceType(ConfigResource.Type.BROKER_LOGGER.id()).setResourceName(name);
        resource.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig()
                .setName(logger).setValue(level).setConfigOperation(AlterConfigOp.OpType.SET.id()));
        return resource;
    }

    private static Config describe() throws Exception {
        return admin.describeConfigs(List.of(THIS_BROKER)).all().get().get(THIS_BROKER);
    }

    private static void alter(boolean validateOnly, AlterConfigOp... ops) throws ExecutionException, InterruptedException {
        admin.incrementalAlterConfigs(Map.of(THIS_BROKER, List.of(ops)), new AlterConfigsOptions().validateOnly(validateOnly)).all().get();
    }

    /** As kafka-configs --delete-config sends it: an empty value. */
    private static AlterConfigOp delete(String logger) {
        return new AlterConfigOp(new ConfigEntry(logger, ""), AlterConfigOp.OpType.DELETE);
    }

    private static AlterConfigOp set(String logger, String level) {
        return new AlterConfigOp(new ConfigEntry(logger, level), AlterConfigOp.OpType.SET);
    }
}
