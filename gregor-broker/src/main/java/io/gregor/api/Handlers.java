package io.gregor.api;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.protocol.ApiKeys;

/** Builds the router with every API this broker implements: the one place a new handler is registered. */
public final class Handlers {

    private Handlers() {
    }

    public static ApiRouter router(BrokerServices broker, int requestThreads) {
        List<ApiHandler> handlers = new ArrayList<>();
        ApiRouter[] self = new ApiRouter[1];
        handlers.add(new ApiVersionsHandler(broker, () -> self[0].advertisedVersions()));
        handlers.add(new MetadataHandler(broker));
        // With one request thread, a round run there would stop every other request meanwhile (and with it the
        // group commit of the requests that queue up): rounds then stay on the flusher's thread.
        handlers.add(new ProduceHandler(broker, requestThreads > 1));
        handlers.add(new FetchHandler(broker));
        handlers.add(new ListOffsetsHandler(broker));
        handlers.add(new InitProducerIdHandler(broker));
        handlers.add(new CreateTopicsHandler(broker));
        handlers.add(new DeleteTopicsHandler(broker));
        handlers.add(new CreatePartitionsHandler(broker));
        handlers.add(new DescribeTopicPartitionsHandler(broker));
        handlers.add(new DescribeConfigsHandler(broker));
        handlers.add(new IncrementalAlterConfigsHandler(broker));
        handlers.add(new AlterConfigsHandler(broker));
        handlers.add(new ListConfigResourcesHandler(broker));
        handlers.add(new DescribeClusterHandler(broker));
        handlers.add(new DescribeLogDirsHandler(broker));
        handlers.add(new DeleteRecordsHandler(broker));
        handlers.add(new DescribeProducersHandler(broker));
        handlers.add(new ElectLeadersHandler(broker));
        handlers.add(new PartitionReassignmentsHandler(broker, ApiKeys.ALTER_PARTITION_REASSIGNMENTS));
        handlers.add(new PartitionReassignmentsHandler(broker, ApiKeys.LIST_PARTITION_REASSIGNMENTS));
        handlers.add(new OffsetForLeaderEpochHandler(broker));
        handlers.add(new FindCoordinatorHandler(broker));
        handlers.add(new JoinGroupHandler(broker));
        handlers.add(new SyncGroupHandler(broker));
        handlers.add(new HeartbeatHandler(broker));
        handlers.add(new LeaveGroupHandler(broker));
        handlers.add(new OffsetCommitHandler(broker));
        handlers.add(new OffsetFetchHandler(broker));
        handlers.add(new OffsetDeleteHandler(broker));
        handlers.add(new ListGroupsHandler(broker));
        handlers.add(new DescribeGroupsHandler(broker));
        handlers.add(new DeleteGroupsHandler(broker));
        handlers.add(new ConsumerGroupHeartbeatHandler(broker));
        handlers.add(new ConsumerGroupDescribeHandler(broker));
        handlers.add(new DescribeQuorumHandler(broker));
        handlers.add(new AclsHandler(ApiKeys.DESCRIBE_ACLS));
        handlers.add(new AclsHandler(ApiKeys.CREATE_ACLS));
        handlers.add(new AclsHandler(ApiKeys.DELETE_ACLS));
        handlers.add(new DescribeClientQuotasHandler());
        handlers.add(new DescribeUserScramCredentialsHandler());
        handlers.add(new SaslHandler(ApiKeys.SASL_HANDSHAKE));
        handlers.add(new SaslHandler(ApiKeys.SASL_AUTHENTICATE));
        self[0] = new ApiRouter(handlers, requestThreads);
        return self[0];
    }
}
