package io.gregor.api;

import io.gregor.metadata.MetadataImage;
import io.gregor.network.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeClusterRequest;

/**
 * DescribeCluster v0-2 (Admin.describeCluster): the registered brokers, the cluster id and, as
 * controller, this node (the quorum of one). Endpoint types as Kafka's
 * {@code AuthHelper.computeDescribeClusterResponse}: this is a broker endpoint, so asking it for
 * controllers (2) is MISMATCHED_ENDPOINT_TYPE and any other unknown type UNSUPPORTED_ENDPOINT_TYPE
 * (INVALID_REQUEST on v0). No broker is ever fenced here, so includeFencedBrokers changes nothing.
 */
final class DescribeClusterHandler implements ApiHandler {

    private static final byte BROKER_ENDPOINT = 1;
    private static final byte CONTROLLER_ENDPOINT = 2;

    private final BrokerServices broker;

    DescribeClusterHandler(BrokerServices broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_CLUSTER;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context) {
        DescribeClusterRequestData request = ((DescribeClusterRequest) context.request()).data();
        boolean v0 = context.apiVersion() == 0;
        byte wanted = request.endpointType();
        if (wanted == CONTROLLER_ENDPOINT) {
            return ApiHandler.done(new DescribeClusterResponseData()
                    .setErrorCode((v0 ? Errors.INVALID_REQUEST : Errors.MISMATCHED_ENDPOINT_TYPE).code())
                    .setErrorMessage("The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER"));
        }
        if (wanted != BROKER_ENDPOINT) {
            return ApiHandler.done(new DescribeClusterResponseData()
                    .setErrorCode((v0 ? Errors.INVALID_REQUEST : Errors.UNSUPPORTED_ENDPOINT_TYPE).code())
                    .setErrorMessage("Unsupported endpoint type " + wanted));
        }
        DescribeClusterResponseData response = new DescribeClusterResponseData()
                .setThrottleTimeMs(0)
                .setErrorCode(Errors.NONE.code())
                .setEndpointType(BROKER_ENDPOINT)
                .setClusterId(broker.clusterId())
                .setControllerId(broker.nodeId())
                .setClusterAuthorizedOperations(request.includeClusterAuthorizedOperations() ? AuthorizedOperations.CLUSTER : Integer.MIN_VALUE);
        for (MetadataImage.BrokerImage b : broker.image().brokers().values()) {
            response.brokers().add(new DescribeClusterResponseData.DescribeClusterBroker()
                    .setBrokerId(b.nodeId())
                    .setHost(b.host())
                    .setPort(b.port())
                    .setRack(b.rack())
                    .setIsFenced(false));
        }
        return ApiHandler.done(response);
    }
}
