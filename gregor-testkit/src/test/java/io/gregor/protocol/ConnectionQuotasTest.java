package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.gregor.testkit.RawClient;
import io.gregor.testkit.TestNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * {@code max.connections}, {@code max.connections.per.ip} and {@code max.connections.per.ip.overrides} as Kafka 4.4's
 * {@code SocketServer} applies them: at the broker's limit a new connection waits until one closes, past an address's
 * limit it is closed at once; all three are dynamic broker configs.
 */
@Timeout(120)
class ConnectionQuotasTest {

    private static final ConfigResource CLUSTER_DEFAULT = new ConfigResource(ConfigResource.Type.BROKER, "");
    private static final ConfigResource THIS_BROKER = new ConfigResource(ConfigResource.Type.BROKER, "1");

    /**
     * {@code max.connections.per.ip} bounds the connections one client address may hold: Kafka's
     * {@code ConnectionQuotas.inc} throws {@code TooManyConnectionsException} for a connection past the limit, and the
     * {@code Acceptor} closes that socket right after accepting it, logging "Rejected connection from /127.0.0.1,
     * address already has the configured maximum of 2 connections." at INFO (Kafka 4.4, {@code SocketServer.scala}).
     * The connections already open are served as before.
     */
    @Test
    void shouldCloseAConnectionBeyondMaxConnectionsPerIp() throws Exception {
        ListAppender<ILoggingEvent> logged = capture("io.gregor.network.ConnectionAcceptor");
        try (TestNode node = TestNode.builder().override("max.connections.per.ip", "2").start();
             RawClient first = RawClient.connect(node);
             RawClient second = RawClient.connect(node)) {
            assertThat(apiVersions(first).data().errorCode()).isZero();
            assertThat(apiVersions(second).data().errorCode()).isZero();
            try (Socket third = new Socket("127.0.0.1", node.port())) {
                third.setSoTimeout(5_000);
                assertThat(readUntilClosed(third))
                        .as("a third connection from 127.0.0.1 with max.connections.per.ip=2 is closed by the broker")
                        .isTrue();
            }
            assertThat(apiVersions(first).data().errorCode()).isZero();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(logged.list)
                    .extracting(ILoggingEvent::getFormattedMessage)
                    .containsExactly("Rejected connection from /127.0.0.1, address already has the configured maximum of 2 connections."));
            assertThat(logged.list.get(0).getLevel()).isEqualTo(ch.qos.logback.classic.Level.INFO);
        } finally {
            release(logged, "io.gregor.network.ConnectionAcceptor");
        }
    }

    /**
     * {@code max.connections} bounds the broker's connections: Kafka's {@code ConnectionQuotas.waitForConnectionSlot}
     * blocks the listener's {@code Acceptor} while the limit is reached, so a further client is not served (its
     * connection waits in the accept backlog) until another connection closes, and is then served as usual (Kafka 4.4,
     * {@code SocketServer.scala}).
     */
    @Test
    void shouldNotServeAConnectionBeyondMaxConnectionsUntilOneCloses() throws Exception {
        try (TestNode node = TestNode.builder().override("max.connections", "2").start()) {
            RawClient first = RawClient.connect(node);
            try (RawClient second = RawClient.connect(node)) {
                assertThat(apiVersions(first).data().errorCode()).isZero();
                assertThat(apiVersions(second).data().errorCode()).isZero();
                try (Socket third = new Socket("127.0.0.1", node.port())) {
                    third.setSoTimeout(3_000);
                    writeApiVersions(third);
                    boolean answered;
                    try {
                        answered = third.getInputStream().read() >= 0;
                    } catch (SocketTimeoutException e) {
                        answered = false;
                    }
                    assertThat(answered)
                            .as("with max.connections=2 and two connections open, a third is not served")
                            .isFalse();
                    first.close();
                    third.setSoTimeout(15_000);
                    assertThat(third.getInputStream().read()).as("served once a connection closed").isGreaterThanOrEqualTo(0);
                }
            } finally {
                first.close();
            }
        }
    }

    /**
     * {@code max.connections.per.ip.overrides} gives listed addresses (or host names, resolved when applied) their own
     * limit in place of {@code max.connections.per.ip}, as Kafka's {@code ConnectionQuotas} looks an address up in its
     * overrides first. Two loopback addresses stand for two clients.
     */
    @Test
    void shouldGiveAnOverriddenAddressItsOwnLimit() throws Exception {
        try (TestNode node = TestNode.builder().override("max.connections.per.ip", "1")
                .override("max.connections.per.ip.overrides", "127.0.0.2:2").start();
             Socket first = connectFrom("127.0.0.1", node);
             Socket other1 = connectFrom("127.0.0.2", node);
             Socket other2 = connectFrom("127.0.0.2", node)) {
            assertServed(first);
            assertServed(other1);
            assertServed(other2);
            try (Socket second = connectFrom("127.0.0.1", node); Socket other3 = connectFrom("127.0.0.2", node)) {
                assertThat(readUntilClosed(second)).as("127.0.0.1's second connection, max.connections.per.ip=1").isTrue();
                assertThat(readUntilClosed(other3)).as("127.0.0.2's third connection, overridden to 2").isTrue();
            }
        }
    }

    /**
     * The three limits are dynamic broker configs in Kafka 4.4 ({@code SocketServer.ReconfigurableConfigs}), for the
     * cluster default and for one broker: a change applies to the connections accepted from then on, and deleting it
     * brings back the static value. {@code max.connection.creation.rate}, which Gregor does not enforce, is described
     * but refused as a read-only key.
     */
    @Test
    void shouldApplyConnectionLimitsChangedAtRuntime() throws Exception {
        try (TestNode node = TestNode.start(); Admin admin = Clients.admin(node)) {
            Config described = admin.describeConfigs(List.of(THIS_BROKER)).all().get().get(THIS_BROKER);
            assertThat(described.get("max.connections").value()).isEqualTo(String.valueOf(Integer.MAX_VALUE));
            assertThat(described.get("max.connections").isReadOnly()).isFalse();
            assertThat(described.get("max.connections.per.ip").value()).isEqualTo(String.valueOf(Integer.MAX_VALUE));
            assertThat(described.get("max.connections.per.ip.overrides").value()).isNullOrEmpty();
            assertThat(described.get("max.connections.per.ip.overrides").type()).isEqualTo(ConfigEntry.ConfigType.STRING);
            assertThat(described.get("max.connection.creation.rate").isReadOnly()).isTrue();

            for (String[] invalid : new String[][] {{"max.connections", "-1", "Value must be at least 0"},
                    {"max.connections.per.ip", "many", "Not a number of type INT"},
                    {"max.connections.per.ip.overrides", "127.0.0.1:many", "expected: host:count pairs"}}) {
                assertThatThrownBy(() -> alter(admin, CLUSTER_DEFAULT, AlterConfigOp.OpType.SET, invalid[0], invalid[1]))
                        .hasCauseInstanceOf(InvalidRequestException.class).hasMessageContaining(invalid[2]);
            }
            assertThatThrownBy(() -> alter(admin, THIS_BROKER, AlterConfigOp.OpType.SET, "max.connection.creation.rate", "10"))
                    .hasCauseInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("Cannot update these configs dynamically: [max.connection.creation.rate]");

            alter(admin, CLUSTER_DEFAULT, AlterConfigOp.OpType.SET, "max.connections.per.ip.overrides", "127.0.0.2:1");
            try (Socket first = connectFrom("127.0.0.2", node)) {
                assertServed(first);
                // The change reaches the listener with the metadata replay: wait until a second one is refused.
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    try (Socket second = connectFrom("127.0.0.2", node)) {
                        return readUntilClosed(second);
                    }
                });
                alter(admin, THIS_BROKER, AlterConfigOp.OpType.SET, "max.connections.per.ip.overrides", "127.0.0.2:2");
                try (Socket second = awaitServed("127.0.0.2", node)) {
                    alter(admin, THIS_BROKER, AlterConfigOp.OpType.DELETE, "max.connections.per.ip.overrides", "");
                    alter(admin, CLUSTER_DEFAULT, AlterConfigOp.OpType.DELETE, "max.connections.per.ip.overrides", "");
                    try (Socket third = awaitServed("127.0.0.2", node); Socket fourth = connectFrom("127.0.0.2", node)) {
                        assertServed(fourth);
                    }
                }
            }
        }
    }

    /** A connection from {@code localAddress} that the node serves, once a limit changed at runtime lets it. */
    private static Socket awaitServed(String localAddress, TestNode node) {
        Socket[] served = new Socket[1];
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            Socket socket = connectFrom(localAddress, node);
            try {
                assertServed(socket);
                served[0] = socket;
                return true;
            } catch (AssertionError | IOException refused) {
                socket.close();
                return false;
            }
        });
        return served[0];
    }

    private static void alter(Admin admin, ConfigResource resource, AlterConfigOp.OpType op, String key, String value)
            throws Exception {
        admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(new ConfigEntry(key, value), op))))
                .all().get();
    }

    /** A connection to the node's 127.0.0.1 listener from {@code localAddress} (any of 127/8 on Linux's loopback). */
    private static Socket connectFrom(String localAddress, TestNode node) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
        socket.connect(new InetSocketAddress("127.0.0.1", node.port()), 5_000);
        socket.setSoTimeout(5_000);
        return socket;
    }

    private static void assertServed(Socket socket) throws IOException {
        writeApiVersions(socket);
        socket.setSoTimeout(15_000);
        assertThat(socket.getInputStream().read()).as("an answer on %s", socket).isGreaterThanOrEqualTo(0);
        socket.setSoTimeout(5_000);
    }

    private static ApiVersionsResponse apiVersions(RawClient client) {
        return client.send(new ApiVersionsRequest(new ApiVersionsRequestData()
                .setClientSoftwareName("limits").setClientSoftwareVersion("1"), (short) 3));
    }

    private static void writeApiVersions(Socket socket) throws IOException {
        RequestHeader header = new RequestHeader(ApiKeys.API_VERSIONS, (short) 3, "limits", 1);
        ByteBuffer body = new ApiVersionsRequest(new ApiVersionsRequestData()
                .setClientSoftwareName("limits").setClientSoftwareVersion("1"), (short) 3).serializeWithHeader(header);
        ByteBuffer frame = ByteBuffer.allocate(4 + body.remaining()).putInt(body.remaining()).put(body);
        socket.getOutputStream().write(frame.array());
        socket.getOutputStream().flush();
    }

    /** True when the peer closes the socket before the timeout (without our sending anything). */
    private static boolean readUntilClosed(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        try {
            while (in.read() >= 0) {
                // nothing is expected
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static ListAppender<ILoggingEvent> capture(String loggerName) {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        ((Logger) LoggerFactory.getLogger(loggerName)).addAppender(appender);
        return appender;
    }

    private static void release(ListAppender<ILoggingEvent> appender, String loggerName) {
        ((Logger) LoggerFactory.getLogger(loggerName)).detachAppender(appender);
        appender.stop();
    }
}
