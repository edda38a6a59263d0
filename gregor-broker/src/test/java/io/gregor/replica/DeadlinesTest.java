package io.gregor.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class DeadlinesTest {
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
    private final Deadlines deadlines = new Deadlines(timer);

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    @Test
    void shouldFailAFutureStillPendingAtItsDeadlineAndLeaveOnesThatCompletedAlone() throws Exception {
        long start = System.nanoTime();
        CompletableFuture<String> stuck = deadlines.failAfter(new CompletableFuture<>(), 50);
        CompletableFuture<String> answered = deadlines.failAfter(new CompletableFuture<>(), 50);
        CompletableFuture<String> patient = deadlines.failAfter(new CompletableFuture<>(), 60_000);
        answered.complete("ok");

        assertThatThrownBy(() -> stuck.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TimeoutException.class);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(50);
        assertThat(answered.get()).isEqualTo("ok");
        assertThat(patient).isNotDone();
        patient.complete("late but fine");
        assertThat(patient.get()).isEqualTo("late but fine");
    }

    @Test
    void shouldKeepSweepingForFuturesRegisteredAfterTheQueueEmptied() {
        for (int round = 0; round < 3; round++) {
            List<CompletableFuture<Void>> futures = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                futures.add(deadlines.failAfter(new CompletableFuture<>(), i % 2 == 0 ? 1 : 60_000));
            }
            for (int i = 1; i < 100; i += 2) {
                futures.get(i).complete(null);
            }
            for (int i = 0; i < 100; i += 2) {
                CompletableFuture<Void> f = futures.get(i);
                assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(TimeoutException.class);
            }
            assertThat(futures).allMatch(CompletableFuture::isDone);
        }
    }

    @Test
    void shouldNotScheduleAnythingForAnAlreadyCompletedFuture() {
        CompletableFuture<String> done = CompletableFuture.completedFuture("x");
        assertThat(deadlines.failAfter(done, 0)).isSameAs(done);
        assertThat(timer.getQueue()).isEmpty();
    }
}
