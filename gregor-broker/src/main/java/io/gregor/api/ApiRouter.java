package io.gregor.api;

import io.gregor.network.RequestContext;
import io.gregor.network.RequestDispatcher;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps API keys to their {@link ApiHandler}s and runs them on the request threads
 * ({@code num.io.threads}), never on a network event loop. Also the source of truth for
 * what ApiVersions advertises.
 */
public final class ApiRouter implements RequestDispatcher, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ApiRouter.class);

    /**
     * Kafka 4.x advertises Produce from v0 although it rejects v0-2, to work around a librdkafka
     * version check (KAFKA-18659); we do the same so those clients keep working.
     */
    private static final short PRODUCE_ADVERTISED_MIN = 0;

    private final ApiHandler[] byKey = new ApiHandler[Short.MAX_VALUE];
    private final ExecutorService requestThreads;
    private final ApiVersionsResponseData.ApiVersionCollection advertised = new ApiVersionsResponseData.ApiVersionCollection();

    public ApiRouter(List<ApiHandler> handlers, int threads) {
        for (ApiHandler h : handlers) {
            if (byKey[h.apiKey().id] != null) {
                throw new IllegalStateException("two handlers for " + h.apiKey());
            }
            byKey[h.apiKey().id] = h;
        }
        for (ApiHandler h : byKey) {
            if (h != null) {
                short min = h.apiKey() == ApiKeys.PRODUCE ? PRODUCE_ADVERTISED_MIN : h.minVersion();
                advertised.add(new ApiVersionsResponseData.ApiVersion()
                        .setApiKey(h.apiKey().id).setMinVersion(min).setMaxVersion(h.maxVersion()));
            }
        }
        AtomicInteger n = new AtomicInteger();
        requestThreads = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "gregor-request-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** A fresh copy of the advertised versions (collections are mutable and single-owner). */
    public ApiVersionsResponseData.ApiVersionCollection advertisedVersions() {
        ApiVersionsResponseData.ApiVersionCollection copy = new ApiVersionsResponseData.ApiVersionCollection(advertised.size());
        for (ApiVersionsResponseData.ApiVersion v : advertised) {
            copy.add(v.duplicate());
        }
        return copy;
    }

    @Override
    public boolean isSupported(ApiKeys key, short version) {
        ApiHandler h = byKey[key.id];
        return h != null && version >= h.minVersion() && version <= h.maxVersion();
    }

    @Override
    public ApiVersionsResponseData.ApiVersion apiVersionsRange() {
        return advertised.find(ApiKeys.API_VERSIONS.id).duplicate();
    }

    @Override
    public CompletableFuture<ApiMessage> dispatch(RequestContext context) {
        ApiHandler h = byKey[context.header().apiKey().id];
        CompletableFuture<ApiMessage> result = new CompletableFuture<>();
        requestThreads.execute(() -> {
            try {
                CompletableFuture<ApiMessage> answer = h.handle(context);
                answer.whenComplete((body, error) -> {
                    if (error != null) {
                        result.completeExceptionally(error);
                    } else {
                        result.complete(body);
                    }
                });
                if (answer instanceof AnswerWithWork withWork) {
                    try {
                        withWork.runWork();
                    } catch (Throwable e) {
                        log.error("Work after answering {} failed", context.summary(), e);
                    }
                }
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    @Override
    public void close() {
        requestThreads.shutdown();
        try {
            requestThreads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
