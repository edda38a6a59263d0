package io.gregor.protocol;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gregor.network.KafkaServer;
import io.gregor.network.RequestContext;
import io.gregor.network.RequestDispatcher;
import io.gregor.testkit.RawClient;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node listens before it has opened its logs: a client that connects during start-up gets its
 * answer once the node is ready, instead of a refused connection and a reconnect back-off; and
 * if the start fails, the waiting connections are closed.
 */
@Timeout(60)
class EarlyListenerTest {

    /** Answers ApiVersions only, with a range the test recognises. */
    private static final RequestDispatcher API_VERSIONS_ONLY = new RequestDispatcher() {
        @Override
        public boolean isSupported(ApiKeys key, short version) {
            return key == ApiKeys.API_VERSIONS && version >= 0 && version <= 4;
        }

        @Override
        public ApiVersionsResponseData.ApiVersion apiVersionsRange() {
            return new ApiVersionsResponseData.ApiVersion().setApiKey(ApiKeys.API_VERSIONS.id)
                    .setMinVersion((short) 0).setMaxVersion((short) 4);
        }

        @Override
        public CompletableFuture<ApiMessage> dispatch(RequestContext context) {
            ApiVersionsResponseData.ApiVersionCollection keys = new ApiVersionsResponseData.ApiVersionCollection();
            keys.add(apiVersionsRange());
            return CompletableFuture.completedFuture(new ApiVersionsResponseData().setApiKeys(keys));
        }
    };

    @Test
    void shouldAnswerARequestSentDuringStartUpOnceTheNodeIsReady() throws Exception {
        CompletableFuture<RequestDispatcher> ready = new CompletableFuture<>();
        try (KafkaServer server = KafkaServer.bind("127.0.0.1", 0, 1, 1 << 20, -1, "PLAINTEXT", ready);
             RawClient client = new RawClient("127.0.0.1", server.port())) {
            CompletableFuture<ApiVersionsResponse> answer = CompletableFuture.supplyAsync(
                    () -> client.send(new ApiVersionsRequest.Builder().build((short) 3)));
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> !answer.isDone());

            ready.complete(API_VERSIONS_ONLY);

            ApiVersionsResponse response = answer.get(10, TimeUnit.SECONDS);
            assertEquals(Errors.NONE, Errors.forCode(response.data().errorCode()));
            assertEquals(4, response.data().apiKeys().find(ApiKeys.API_VERSIONS.id).maxVersion());
        }
    }

    @Test
    void shouldCloseWaitingConnectionsWhenTheStartFails() throws Exception {
        CompletableFuture<RequestDispatcher> ready = new CompletableFuture<>();
        try (KafkaServer server = KafkaServer.bind("127.0.0.1", 0, 1, 1 << 20, -1, "PLAINTEXT", ready);
             RawClient client = new RawClient("127.0.0.1", server.port())) {
            client.sendNoResponse(new ApiVersionsRequest.Builder().build((short) 3));

            ready.completeExceptionally(new IOException("log directory is locked"));

            await().atMost(Duration.ofSeconds(10)).until(client::isClosedByBroker);
        }
    }
}
