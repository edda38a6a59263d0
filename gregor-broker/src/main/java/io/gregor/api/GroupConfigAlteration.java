package io.gregor.api;

import io.gregor.broker.NodeConfig;
import io.gregor.metadata.GroupConfigDef;
import io.gregor.metadata.MetadataImage;
import io.gregor.network.RequestContext;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.requests.ApiError;

/**
 * Alters a GROUP resource (KIP-848 group configs) for IncrementalAlterConfigs and the legacy AlterConfigs: any group
 * id but the empty one, whether or not the group exists (as Kafka), validated with {@link GroupConfigDef} against the
 * broker's bounds and written to the metadata log. Stateless; request threads.
 */
final class GroupConfigAlteration {

    private GroupConfigAlteration() {
    }

    static CompletableFuture<ApiError> write(BrokerServices broker, RequestContext context, TopicConfigAlteration.Resource resource,
                                             MetadataImage image, boolean validateOnly) {
        String groupId = resource.name();
        if (groupId == null || groupId.isEmpty()) {
            throw new InvalidRequestException("Default group resources are not allowed.");
        }
        Map<String, String> published = image.groupConfigs(groupId);
        UnaryOperator<Map<String, String>> update = resource.update().apply(published);
        NodeConfig config = broker.config();
        UnaryOperator<Map<String, String>> validated = current -> {
            Map<String, String> next = update.apply(current);
            GroupConfigDef.throwIfInvalid(next, config);
            return next;
        };
        validated.apply(published);
        return broker.controller().setGroupConfigs(groupId, validated, validateOnly)
                .handle((v, error) -> error == null ? ApiError.NONE : ResourceErrors.from(error, context, "group config resource '" + groupId + "'"));
    }
}
