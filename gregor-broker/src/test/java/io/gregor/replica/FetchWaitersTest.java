package io.gregor.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class FetchWaitersTest {

    /**
     * A long-poll fetch that expires is answered on the timer thread, which reads the logs: an interrupt there would
     * close the segment channel it reads (FileChannel is interruptible). Closing must let that answer finish.
     */
    @Test
    void shouldLetAnExpiringFetchFinishUninterruptedWhileClosing() throws Exception {
        FetchWaiters waiters = new FetchWaiters("test-fetch-timer");
        CountDownLatch answering = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
        waiters.park(new FetchWaiters.Waiter(List.of(new TopicPartition("t", 0)), 1, 0) {
            @Override
            protected void complete() {
                answering.countDown();
                try {
                    release.await();
                    interrupted.complete(Thread.currentThread().isInterrupted());
                } catch (InterruptedException e) {
                    interrupted.complete(true);
                }
            }
        }, 1);
        assertThat(answering.await(10, TimeUnit.SECONDS)).isTrue();

        Thread closer = new Thread(waiters::close, "closer");
        closer.start();
        // Either close interrupted the answer, or it waits for the timer thread to end.
        await().atMost(Duration.ofSeconds(10))
                .until(() -> interrupted.isDone() || closer.getState() == Thread.State.TIMED_WAITING);
        release.countDown();
        closer.join(10_000);

        assertThat(interrupted.get(10, TimeUnit.SECONDS)).isFalse();
        assertThat(closer.isAlive()).isFalse();
    }
}
