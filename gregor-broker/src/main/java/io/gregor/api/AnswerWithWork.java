package io.gregor.api;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * A handler's pending answer that also carries work for its request thread, which {@link ApiRouter} runs once the
 * answer is wired to the connection: work that may block (an acks=all produce's group-commit round) without keeping
 * the answer from going out meanwhile when something else completes it (the request's timeout). Completes as the
 * answer it wraps does.
 */
final class AnswerWithWork extends CompletableFuture<ApiMessage> {
    private final Runnable work;

    AnswerWithWork(CompletableFuture<ApiMessage> answer, Runnable work) {
        this.work = work;
        answer.whenComplete((body, error) -> {
            if (error != null) {
                completeExceptionally(error);
            } else {
                complete(body);
            }
        });
    }

    /** Runs the work; called once, by the router, on the request thread. */
    void runWork() {
        work.run();
    }
}
