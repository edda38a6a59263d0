package io.gregor.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gregor.broker.NodeConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConnectionLimitsTest {

    @Test
    void shouldParseOverridesAsKafkaDoes() {
        assertThat(ConnectionLimits.parseOverrides("")).isEmpty();
        assertThat(ConnectionLimits.parseOverrides("hostName:100, 127.0.0.1 : 200")).containsExactly(
                Map.entry("hostName", 100), Map.entry("127.0.0.1", 200));
        assertThat(ConnectionLimits.parseOverrides("::1:3")).containsExactly(Map.entry("::1", 3));
        for (String bad : new String[] {"127.0.0.1", "127.0.0.1:not_a_number", ":5", "127.0.0.1:-1"}) {
            assertThatThrownBy(() -> ConnectionLimits.parseOverrides(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("max.connections.per.ip.overrides: '" + bad + "' (expected: host:count pairs");
        }
    }

    @Test
    void shouldKnowAndValidateTheConnectionKeysAtStartUp() {
        NodeConfig config = NodeConfig.parse(Map.of("max.connections", "10", "max.connections.per.ip", "0",
                "max.connections.per.ip.overrides", "127.0.0.1:2", "max.connection.creation.rate", "5"));
        assertThat(config.unknownKeys()).isEmpty();
        assertThat(config.connectionLimits()).isEqualTo(new ConnectionLimits(10, 0, Map.of("127.0.0.1", 2)));
        assertThat(NodeConfig.defaultConfig().connectionLimits()).isEqualTo(ConnectionLimits.NONE);

        assertThatThrownBy(() -> NodeConfig.parse(Map.of("max.connections", "-1")))
                .hasMessage("max.connections: -1 (expected: 0..2147483647)");
        assertThatThrownBy(() -> NodeConfig.parse(Map.of("max.connections.per.ip", "many")))
                .hasMessage("max.connections.per.ip: 'many' (expected: an integer)");
        assertThatThrownBy(() -> NodeConfig.parse(Map.of("max.connection.creation.rate", "-1")))
                .hasMessage("max.connection.creation.rate: -1 (expected: 0..2147483647)");
        assertThatThrownBy(() -> NodeConfig.parse(Map.of("max.connections.per.ip.overrides", "127.0.0.1:x")))
                .hasMessageStartingWith("max.connections.per.ip.overrides: '127.0.0.1:x'");
    }

    @Test
    void shouldCountPerAddressAndHoldTheBrokerLimit() throws Exception {
        InetAddress a = InetAddress.getByName("127.0.0.1");
        InetAddress b = InetAddress.getByName("127.0.0.2");
        ConnectionQuotas quotas = ConnectionQuotas.create(new ConnectionLimits(3, 1, Map.of("localhost", 2)));
        // localhost resolves to one address; which one is the resolver's business.
        InetAddress local = InetAddress.getByName("localhost");
        InetAddress other = local.equals(a) ? b : a;

        assertThat(quotas.tryAcquire(local)).isEqualTo(ConnectionQuotas.Admission.ACCEPTED);
        assertThat(quotas.tryAcquire(local)).isEqualTo(ConnectionQuotas.Admission.ACCEPTED);
        assertThat(quotas.tryAcquire(local)).isEqualTo(ConnectionQuotas.Admission.ADDRESS_FULL);
        assertThat(quotas.tryAcquire(other)).isEqualTo(ConnectionQuotas.Admission.ACCEPTED);
        assertThat(quotas.isFull()).isTrue();
        assertThat(quotas.tryAcquire(InetAddress.getByName("127.0.0.3"))).isEqualTo(ConnectionQuotas.Admission.BROKER_FULL);

        assertThat(quotas.release(local)).as("was full").isTrue();
        assertThat(quotas.count(local)).isEqualTo(1);
        assertThat(quotas.release(other)).isFalse();
        assertThatThrownBy(() -> quotas.release(other)).isInstanceOf(IllegalStateException.class);

        assertThat(quotas.update(new ConnectionLimits(3, 1, Map.of("localhost", 2)))).as("unchanged").isFalse();
        assertThat(quotas.update(new ConnectionLimits(3, 5, Map.of("no-such-host.invalid", 1)))).isTrue();
        assertThat(quotas.limitFor(local)).as("the unresolvable override is left out").isEqualTo(5);
    }

    @Test
    void shouldRefuseToStartWithAnOverrideThatDoesNotResolve() {
        assertThatThrownBy(() -> ConnectionQuotas.create(new ConnectionLimits(1, 1, Map.of("no-such-host.invalid", 1))))
                .isInstanceOf(UnknownHostException.class)
                .hasMessage("max.connections.per.ip.overrides: cannot resolve host 'no-such-host.invalid'");
    }
}
