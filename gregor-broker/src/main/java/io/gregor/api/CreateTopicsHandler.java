package io.gregor.api;

import io.gregor.broker.EffectiveBrokerConfig;
import io.gregor.metadata.Controller;
import io.gregor.metadata.MetadataImage;
import io.gregor.metadata.TopicConfigDef;
import io.gregor.network.RequestContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.PolicyViolationException;
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
 * as Kafka does. From v5 the response lists the topic's effective configs. A request asking for more than
 * {@link Controller#MAX_PARTITIONS_PER_REQUEST} partitions, or whose topics would write more than
 * {@link Controller#MAX_RECORDS_PER_REQUEST} metadata records, is refused whole with POLICY_VIOLATION, as Kafka's
 * controller refuses it.
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
        CreateTopicsRequest request = (CreateTopicsRequest) context.request();
        Map<String, Integer> counts = new HashMap<>();
        for (CreateTopicsRequestData.CreatableTopic t : request.data().topics()) {
            counts.merge(t.name(), 1, Integer::sum);
        }
        // Kafka's controller bounds a request as a whole, before anything else, over the topics not named twice.
        Map<String, Controller.TopicSpec> specs = new LinkedHashMap<>();
        long partitions = 0;
        long recordsAtMost = 0;
        for (CreateTopicsRequestData.CreatableTopic t : request.data().topics()) {
            if (counts.get(t.name()) == 1) {
                Controller.TopicSpec spec = spec(t);
                specs.put(t.name(), spec);
                int asked = broker.controller().requestedPartitions(spec);
                partitions += asked;
                recordsAtMost += 1L + asked + spec.configs().size();
            }
        }
        if (partitions > Controller.MAX_PARTITIONS_PER_REQUEST) {
            return CompletableFuture.completedFuture(refusedWhole(request, "Excessively large number of partitions per request."));
        }
        if (recordsAtMost <= Controller.MAX_RECORDS_PER_REQUEST) {
            return create(context, request.data(), specs);
        }
        // Only the topics that would be created count against the record bound: validate them all first.
        List<CompletableFuture<Integer>> validated = new ArrayList<>();
        for (Controller.TopicSpec spec : specs.values()) {
            validated.add(broker.controller().createTopic(spec, true)
                    .handle((created, error) -> error == null ? created.recordCount() : 0));
        }
        return CompletableFuture.allOf(validated.toArray(new CompletableFuture<?>[0])).thenCompose(v -> {
            long records = validated.stream().mapToLong(CompletableFuture::join).sum();
            if (records > Controller.MAX_RECORDS_PER_REQUEST) {
                return CompletableFuture.completedFuture(refusedWhole(request, Controller.EXCESSIVE_BATCH_MESSAGE));
            }
            return create(context, request.data(), specs);
        });
    }

    /** Every topic of the request refused with POLICY_VIOLATION, as Kafka answers a controller operation that failed. */
    private static ApiMessage refusedWhole(CreateTopicsRequest request, String message) {
        return request.getErrorResponse(0, new PolicyViolationException(message)).data();
    }

    private static Controller.TopicSpec spec(CreateTopicsRequestData.CreatableTopic t) {
        List<Controller.ManualAssignment> assignments = new ArrayList<>();
        for (CreateTopicsRequestData.CreatableReplicaAssignment a : t.assignments()) {
            assignments.add(new Controller.ManualAssignment(a.partitionIndex(), a.brokerIds()));
        }
        Map<String, String> configs = new LinkedHashMap<>();
        for (CreateTopicsRequestData.CreatableTopicConfig c : t.configs()) {
            configs.put(c.name(), c.value());
        }
        return new Controller.TopicSpec(t.name(), t.numPartitions(), t.replicationFactor(), assignments, configs);
    }

    /** Creates (or validates) {@code specs}, the request's topics not named twice; each succeeds or fails on its own. */
    private CompletableFuture<ApiMessage> create(RequestContext context, CreateTopicsRequestData request,
                                                 Map<String, Controller.TopicSpec> specs) {
        short version = context.apiVersion();
        MetadataImage requestStart = broker.image();
        CreateTopicsResponseData response = new CreateTopicsResponseData().setThrottleTimeMs(0);
        List<CompletableFuture<?>> pending = new ArrayList<>();
        for (CreateTopicsRequestData.CreatableTopic t : request.topics()) {
            CreateTopicsResponseData.CreatableTopicResult result = new CreateTopicsResponseData.CreatableTopicResult()
                    .setName(t.name()).setTopicId(Uuid.ZERO_UUID).setNumPartitions(-1).setReplicationFactor((short) -1);
            if (response.topics().find(t.name()) != null) {
                continue;
            }
            response.topics().add(result);
            Controller.TopicSpec spec = specs.get(t.name());
            if (spec == null) {
                result.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("Duplicate topic name.");
                continue;
            }
            pending.add(broker.controller().createTopic(spec, request.validateOnly(), requestStart).handle((created, error) -> {
                if (error != null) {
                    result.setErrorCode(ErrorMapper.toErrors(error).code()).setErrorMessage(ErrorMapper.message(error));
                    return null;
                }
                result.setErrorCode(Errors.NONE.code()).setErrorMessage(null)
                        .setTopicId(created.topicId()) // as Kafka, an id for a validate-only creation too
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
                                .setValue(TopicConfigDef.described(e.name(), TopicConfigDef.effective(e.name(), created.configs(),
                                        brokerConfig.effective())))
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
