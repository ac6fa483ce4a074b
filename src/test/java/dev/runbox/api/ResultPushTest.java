package dev.runbox.api;

import dev.runbox.job.ExecutionResult;
import dev.runbox.job.Limits;
import dev.runbox.job.Status;
import dev.runbox.job.Submission;
import dev.runbox.job.SubmissionId;
import dev.runbox.store.InMemoryResultStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ResultPushTest {

    final InMemoryResultStore store = new InMemoryResultStore(Duration.ofHours(1), Clock.systemUTC());
    final ExecutorService executor = Executors.newFixedThreadPool(2);
    final ResultPush push = new ResultPush(store, executor);

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    private ExecutionResult pending() {
        Submission s = new Submission(SubmissionId.random(), "python", "print(1)", "",
                new Limits(Duration.ofSeconds(1), 64L << 20, 1.0), Instant.now());
        ExecutionResult p = ExecutionResult.pending(s);
        store.create(p);
        return p;
    }

    private static ExecutionResult ok(ExecutionResult processing) {
        return new ExecutionResult(processing.submissionId(), Status.OK, "python", "1\n", "", 0, null, 0.01, 0.01, 100L,
                false, false, null, processing.createdAt(), processing.startedAt(), Instant.now(), "w", 1);
    }

    @Test
    void when_final_completes_on_the_final_transition_and_releases_its_watch() throws Exception {
        ExecutionResult p = pending();
        CompletableFuture<ExecutionResult> f = push.whenFinal(p.submissionId());
        assertThat(store.watchedIds()).isEqualTo(1);
        ExecutionResult processing = p.processing("w", Instant.now());
        store.transition(p.submissionId(), Status.PENDING, processing);
        assertThat(f).isNotDone();
        store.transition(p.submissionId(), Status.PROCESSING, ok(processing));
        assertThat(f.get(5, TimeUnit.SECONDS).status()).isEqualTo(Status.OK);
        assertThat(store.watchedIds()).isZero();
    }

    @Test
    void when_final_of_a_final_result_completes_at_once() throws Exception {
        ExecutionResult p = pending();
        ExecutionResult processing = p.processing("w", Instant.now());
        store.transition(p.submissionId(), Status.PENDING, processing);
        store.transition(p.submissionId(), Status.PROCESSING, ok(processing));
        assertThat(push.whenFinal(p.submissionId()).get(5, TimeUnit.SECONDS).stdout()).isEqualTo("1\n");
        assertThat(store.watchedIds()).isZero();
    }

    @Test
    void a_wait_that_times_out_releases_its_watch() {
        ExecutionResult p = pending();
        push.whenFinal(p.submissionId()).completeOnTimeout(null, 50, TimeUnit.MILLISECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() -> store.watchedIds() == 0);
    }

    @Test
    void follow_passes_the_current_result_then_each_change_in_order_once() {
        ExecutionResult p = pending();
        List<Status> seen = new CopyOnWriteArrayList<>();
        ResultPush.Follow follow = push.follow(p.submissionId(), r -> seen.add(r.status()));
        ExecutionResult processing = p.processing("w", Instant.now());
        store.transition(p.submissionId(), Status.PENDING, processing);
        store.transition(p.submissionId(), Status.PROCESSING, ok(processing));
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 3);
        assertThat(seen).containsExactly(Status.PENDING, Status.PROCESSING, Status.OK);
        follow.close();
        assertThat(store.watchedIds()).isZero();
    }
}
