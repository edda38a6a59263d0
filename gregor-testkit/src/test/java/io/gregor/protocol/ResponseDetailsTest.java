package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gregor.testkit.RawClient;
import io.gregor.testkit.TestNode;
import java.util.List;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreateTopicsResponse;
import org.apache.kafka.common.requests.DescribeConfigsResponse;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fields of successful answers that the Java client ignores but other clients print or test: null, "" or a word,
 * as Apache Kafka 4.4 answers them (each seen by sending the same request to Kafka 4.4 and to Gregor).
 */
@Timeout(60)
class ResponseDetailsTest {

    private static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void shouldAnswerACreatedTopicWithANullErrorMessage() {
        try (RawClient client = RawClient.connect(node)) {
            for (boolean validateOnly : List.of(true, false)) {
                CreateTopicsRequestData request = new CreateTopicsRequestData().setTimeoutMs(30_000).setValidateOnly(validateOnly);
                request.topics().add(new CreateTopicsRequestData.CreatableTopic().setName("details").setNumPartitions(1)
                        .setReplicationFactor((short) 1));
                CreateTopicsResponse response = client.send(ApiKeys.CREATE_TOPICS, ApiKeys.CREATE_TOPICS.latestVersion(), request);
                CreateTopicsResponseData.CreatableTopicResult result = response.data().topics().find("details");
                assertThat(result.errorCode()).isEqualTo(Errors.NONE.code());
                assertThat(result.errorMessage()).as("validateOnly=%s", validateOnly).isNull();
            }
        }
    }

    @Test
    void shouldAnswerAFoundCoordinatorWithNoneBeforeV4AndAnEmptyMessageFrom() {
        try (RawClient client = RawClient.connect(node)) {
            // The first lookup creates __consumer_offsets and is answered COORDINATOR_NOT_AVAILABLE meanwhile.
            FindCoordinatorResponse v3 = await().until(() -> client.<FindCoordinatorResponse>send(ApiKeys.FIND_COORDINATOR,
                    (short) 3, new FindCoordinatorRequestData().setKeyType((byte) 0).setKey("g")),
                    r -> r.data().errorCode() == Errors.NONE.code());
            assertThat(v3.data().errorMessage()).isEqualTo("NONE");
            FindCoordinatorRequestData batched = new FindCoordinatorRequestData().setKeyType((byte) 0);
            batched.coordinatorKeys().add("g");
            FindCoordinatorResponse v6 = client.send(ApiKeys.FIND_COORDINATOR, ApiKeys.FIND_COORDINATOR.latestVersion(), batched);
            FindCoordinatorResponseData.Coordinator coordinator = v6.data().coordinators().get(0);
            assertThat(coordinator.errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(coordinator.errorMessage()).isEmpty();
        }
    }

    @Test
    void shouldListAbortedTransactionsOnlyForReadCommittedFetches() {
        try (RawClient client = RawClient.connect(node)) {
            CreateTopicsRequestData create = new CreateTopicsRequestData().setTimeoutMs(30_000);
            create.topics().add(new CreateTopicsRequestData.CreatableTopic().setName("fetched").setNumPartitions(1)
                    .setReplicationFactor((short) 1));
            client.send(ApiKeys.CREATE_TOPICS, ApiKeys.CREATE_TOPICS.latestVersion(), create);
            for (byte isolation : new byte[] {0, 1}) {
                for (long offset : new long[] {0, 100}) { // in range, and OFFSET_OUT_OF_RANGE
                    FetchRequestData request = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(0).setMinBytes(0)
                            .setMaxBytes(1 << 20).setIsolationLevel(isolation).setSessionId(0).setSessionEpoch(-1);
                    FetchRequestData.FetchTopic topic = new FetchRequestData.FetchTopic().setTopic("fetched");
                    topic.partitions().add(new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(offset)
                            .setPartitionMaxBytes(1 << 20).setCurrentLeaderEpoch(-1).setLastFetchedEpoch(-1).setLogStartOffset(-1));
                    request.topics().add(topic);
                    FetchResponse response = client.send(ApiKeys.FETCH, (short) 12, request);
                    FetchResponseData.PartitionData partition = response.data().responses().get(0).partitions().get(0);
                    if (isolation == 1 && offset == 0) {
                        assertThat(partition.abortedTransactions()).isEmpty();
                    } else {
                        assertThat(partition.abortedTransactions()).as("isolation %d, offset %d", isolation, offset).isNull();
                    }
                }
            }
        }
    }

    @Test
    void shouldAnswerAnUnknownTopicsConfigsWithAnEmptyMessage() {
        try (RawClient client = RawClient.connect(node)) {
            DescribeConfigsRequestData request = new DescribeConfigsRequestData();
            request.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType((byte) 2)
                    .setResourceName("no-such-topic").setConfigurationKeys(null));
            DescribeConfigsResponse response = client.send(ApiKeys.DESCRIBE_CONFIGS, ApiKeys.DESCRIBE_CONFIGS.latestVersion(), request);
            DescribeConfigsResponseData.DescribeConfigsResult result = response.data().results().get(0);
            assertThat(result.errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
            assertThat(result.errorMessage()).isEmpty();
        }
    }
}
