package io.gregor.api;

import io.gregor.broker.EffectiveBrokerConfig;
import io.gregor.metadata.Controller;
import io.gregor.metadata.TopicConfigDef;
import io.gregor.network.RequestContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse;

/**
 * CreateTopics v2-7, with configs, manual assignments and {@code validateOnly}. Each topic
 * succeeds or fails on its own; a name given twice fails both entries with INVALID_REQUEST,
 * as Kafka does. From v5 the response lists the topic's effective configs.
 */
final class CreateTopicsHandler implements ApiHandler {

    private final BrokerServices broker;

    CreateTopicsHandler(BrokerServices broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CREATE_TOPICS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context) {
        CreateTopicsRequestData request = ((CreateTopicsRequest) context.request()).data();
        short version = context.apiVersion();
        CreateTopicsResponseData response = new CreateTopicsResponseData().setThrottleTimeMs(0);
        Map<String, Integer> counts = new HashMap<>();
        for (CreateTopicsRequestData.CreatableTopic t : request.topics()) {
            counts.merge(t.name(), 1, Integer::sum);
        }
        List<CompletableFuture<?>> pending = new ArrayList<>();
        for (CreateTopicsRequestData.CreatableTopic t : request.topics()) {
            CreateTopicsResponseData.CreatableTopicResult result = new CreateTopicsResponseData.CreatableTopicResult()
                    .setName(t.name()).setTopicId(Uuid.ZERO_UUID).setNumPartitions(-1).setReplicationFactor((short) -1);
            if (response.topics().find(t.name()) != null) {
                continue;
            }
            response.topics().add(result);
            if (counts.get(t.name()) > 1) {
                result.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("Duplicate topic name.");
                continue;
            }
            List<Controller.ManualAssignment> assignments = new ArrayList<>();
            for (CreateTopicsRequestData.CreatableReplicaAssignment a : t.assignments()) {
                assignments.add(new Controller.ManualAssignment(a.partitionIndex(), a.brokerIds()));
            }
            Map<String, String> configs = new LinkedHashMap<>();
            for (CreateTopicsRequestData.CreatableTopicConfig c : t.configs()) {
                configs.put(c.name(), c.value());
            }
            Controller.TopicSpec spec = new Controller.TopicSpec(t.name(), t.numPartitions(), t.replicationFactor(), assignments, configs);
            pending.add(broker.controller().createTopic(spec, request.validateOnly()).handle((created, error) -> {
                if (error != null) {
                    result.setErrorCode(ErrorMapper.toErrors(error).code()).setErrorMessage(ErrorMapper.message(error));
                    return null;
                }
                result.setErrorCode(Errors.NONE.code()).setErrorMessage(null)
                        .setTopicId(request.validateOnly() ? Uuid.ZERO_UUID : created.topicId())
                        .setNumPartitions(created.numPartitions())
                        .setReplicationFactor(created.replicationFactor());
                if (version >= 5) {
                    // The same values and sources as DescribeConfigs then shows for the topic.
                    EffectiveBrokerConfig brokerConfig = broker.brokerConfig();
                    for (TopicConfigDef.Entry e : TopicConfigDef.entries().values()) {
                        List<EffectiveBrokerConfig.Synonym> synonyms =
                                DescribeConfigsHandler.topicSynonyms(e, created.configs(), brokerConfig);
                        result.configs().add(new CreateTopicsResponseData.CreatableTopicConfigs()
                                .setName(e.name())
                                .setValue(TopicConfigDef.effective(e.name(), created.configs(), brokerConfig.effective()))
                                .setReadOnly(false)
                                .setIsSensitive(false)
                                .setConfigSource(synonyms.isEmpty() ? DescribeConfigsResponse.ConfigSource.DEFAULT_CONFIG.id()
                                        : synonyms.get(0).source().id()));
                    }
                }
                return null;
            }));
        }
        return CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0])).thenApply(v -> response);
    }
}
