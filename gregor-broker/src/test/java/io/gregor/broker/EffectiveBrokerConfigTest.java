package io.gregor.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gregor.metadata.MetadataImage;
import io.gregor.metadata.MetadataRecord;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;

/** How static and dynamic broker configs combine, and the synonym lists DescribeConfigs shows for them. */
class EffectiveBrokerConfigTest {

    private static final NodeConfig STATIC = NodeConfig.parse(Map.of("log.retention.hours", "24", "message.max.bytes", "5000"));

    private static MetadataImage image(MetadataRecord... records) {
        return MetadataImage.EMPTY.apply(List.of(records), records.length - 1);
    }

    @Test
    void shouldLetThisBrokerWinOverTheClusterDefaultAndBothOverTheStaticConfig() {
        EffectiveBrokerConfig config = EffectiveBrokerConfig.of(STATIC, image(
                new MetadataRecord.BrokerConfig("", "log.retention.ms", "60000"),
                new MetadataRecord.BrokerConfig("", "message.max.bytes", "7000"),
                new MetadataRecord.BrokerConfig("1", "message.max.bytes", "9000"),
                new MetadataRecord.BrokerConfig("2", "message.max.bytes", "1")));

        assertThat(config.effective().retentionMs()).isEqualTo(60000);
        assertThat(config.effective().get("message.max.bytes")).isEqualTo("9000");
        assertThat(config.synonyms("message.max.bytes")).extracting(s -> s.source().name() + ":" + s.value()).containsExactly(
                "DYNAMIC_BROKER_CONFIG:9000", "DYNAMIC_DEFAULT_BROKER_CONFIG:7000", "STATIC_BROKER_CONFIG:5000",
                "DEFAULT_CONFIG:1048588");
        assertThat(config.synonyms("log.retention.ms")).extracting(EffectiveBrokerConfig.Synonym::name).containsExactly(
                "log.retention.ms", "log.retention.hours", "log.retention.hours");
    }

    @Test
    void shouldListNoSynonymsForAKeyWithoutValueWhoseCoarserUnitHasOne() {
        EffectiveBrokerConfig config = EffectiveBrokerConfig.of(STATIC, MetadataImage.EMPTY);

        assertThat(config.effective().retentionMs()).isEqualTo(24 * 3_600_000L);
        assertThat(config.synonyms("log.retention.ms")).isEmpty();
        assertThat(config.synonyms("log.retention.hours")).extracting(s -> s.source().name() + ":" + s.value())
                .containsExactly("STATIC_BROKER_CONFIG:24", "DEFAULT_CONFIG:168");
    }

    @Test
    void shouldSkipAStoredValueThisVersionRefusesAndKeepTheOthers() {
        EffectiveBrokerConfig config = EffectiveBrokerConfig.of(STATIC, image(
                new MetadataRecord.BrokerConfig("", "log.segment.bytes", "10"),
                new MetadataRecord.BrokerConfig("", "log.retention.ms", "60000")));

        assertThat(config.effective().get("log.segment.bytes")).isEqualTo(String.valueOf(1 << 30));
        assertThat(config.effective().retentionMs()).isEqualTo(60000);
        assertThat(config.ignored()).singleElement().asString().startsWith("log.segment.bytes: 10 ");
    }

    @Test
    void shouldBuildTheConfigOnlyWhenThisNodesDynamicValuesChange() {
        DynamicBrokerConfig dynamic = new DynamicBrokerConfig(STATIC);
        MetadataImage first = image(new MetadataRecord.BrokerConfig("", "log.retention.ms", "60000"));
        MetadataImage otherBroker = first.apply(List.of(new MetadataRecord.BrokerConfig("2", "message.max.bytes", "1")), 1);
        MetadataImage changed = otherBroker.apply(List.of(new MetadataRecord.BrokerConfig("1", "message.max.bytes", "9000")), 2);

        EffectiveBrokerConfig atFirst = dynamic.at(first);
        assertThat(dynamic.at(otherBroker)).isSameAs(atFirst);
        EffectiveBrokerConfig atChanged = dynamic.at(changed);
        assertThat(atChanged.effective().get("message.max.bytes")).isEqualTo("9000");
        assertThat(dynamic.at(changed)).isSameAs(atChanged);
        // A request still holding an older image sees that image's values, and the newer config stays.
        assertThat(dynamic.at(first).effective().get("message.max.bytes")).isEqualTo("5000");
        assertThat(dynamic.at(changed)).isSameAs(atChanged);
    }

    @Test
    void shouldRefuseAKnownKeyThatCannotChangeAtRuntime() {
        assertThatThrownBy(() -> BrokerConfigDef.throwIfNotDynamic(Set.of("log.retention.ms", "num.io.threads", "custom.key")))
                .hasMessage("Cannot update these configs dynamically: [num.io.threads]");
    }

    @Test
    void shouldRefuseEveryKafkaKeyGregorDoesNotChangeAtRuntimeAndPassOnlyNamesKafkaDoesNotKnow() {
        // Kafka 4.4: read-only, dynamic but read by Gregor at start-up only, from kafka-clients'
        // security keys, an internal key. The broker quotas (replication throttles) pass, as in Kafka.
        assertThatThrownBy(() -> BrokerConfigDef.throwIfNotDynamic(Set.of("auto.leader.rebalance.enable", "log.cleaner.threads",
                "ssl.keystore.location", "leader.replication.throttled.rate", "unstable.api.versions.enable", "custom.key",
                "log.retention.ms")))
                .hasMessage("Cannot update these configs dynamically: [auto.leader.rebalance.enable, "
                        + "log.cleaner.threads, ssl.keystore.location, unstable.api.versions.enable]");
        BrokerConfigDef.throwIfNotDynamic(Set.of("leader.replication.throttled.rate", "follower.replication.throttled.rate",
                "replica.alter.log.dirs.io.max.bytes.per.second"));
    }

    @Test
    void shouldKnowTheTypeOfKafkasBrokerKeysAndOfGregorsOwn() {
        assertThat(BrokerConfigDef.type("num.replica.fetchers")).contains(ConfigDef.Type.INT);
        assertThat(BrokerConfigDef.type("sasl.enabled.mechanisms")).contains(ConfigDef.Type.LIST);
        assertThat(BrokerConfigDef.type("log.cleanup.policy")).contains(ConfigDef.Type.LIST);
        assertThat(BrokerConfigDef.type(NodeConfig.FLUSH_BEFORE_ACK)).contains(ConfigDef.Type.BOOLEAN);
        // Outside Kafka's ConfigDef: no type, as Kafka has none to APPEND with.
        assertThat(BrokerConfigDef.type("leader.replication.throttled.rate")).isEmpty();
        assertThat(BrokerConfigDef.type("custom.key")).isEmpty();
    }
}
