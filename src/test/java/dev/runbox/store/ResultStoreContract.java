package dev.runbox.store;

import dev.runbox.job.ExecutionResult;
import dev.runbox.job.Status;
import dev.runbox.job.Submission;
import dev.runbox.job.SubmissionId;
import dev.runbox.testing.CompleteRecords;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link ResultStore} promises, whatever its backend: subclassed once per implementation
 * (in memory, Redis, Redis Cluster).
 */
public abstract class ResultStoreContract {

    protected static final Duration LONG_TTL = Duration.ofHours(1);

    /** A new store whose entries live {@code ttl} after their last write, isolated from other tests. */
    protected abstract ResultStore newStore(Duration ttl) throws Exception;

    /** Returns once {@code id}, written with {@code ttl}, has had time to expire (advance a clock, or wait). */
    protected abstract void letExpire(ResultStore store, SubmissionId id, Duration ttl) throws Exception;

    /** The shortest TTL this backend can honour in a test. */
    protected Duration shortTtl() {
        return Duration.ofSeconds(1);
    }

    protected static Submission submission() {
        return CompleteRecords.submission();
    }

    protected static ExecutionResult finished(ExecutionResult processing, Status status, String stdout) {
        return new ExecutionResult(processing.submissionId(), status, processing.language(), stdout, "warn: ünïcödé ✓\n", 0, null,
                0.123, 0.1, 2048L, false, true, status == Status.OK ? null : "why", processing.createdAt(),
                processing.startedAt(), processing.startedAt().plusMillis(250), processing.workerId(), processing.attempts(),
                "compiler said: fine\n", false);
    }

    @Test
    void created_result_is_read_back_field_for_field() throws Exception {
        ResultStore s = newStore(LONG_TTL);
        ExecutionResult pending = ExecutionResult.pending(submission());
        s.create(pending);
        assertThat(s.get(pending.submissionId())).contains(pending);

        ExecutionResult processing = pending.processing("host/1-ab", Instant.parse("2030-01-01T00:00:01Z"));
        assertThat(s.transition(pending.submissionId(), Status.PENDING, processing)).isTrue();
        assertThat(s.get(pending.submissionId())).contains(processing);
        ExecutionResult done = CompleteRecords.result(pending.submissionId());
        CompleteRecords.assertComplete(done);
        assertThat(s.transition(pending.submissionId(), Status.PROCESSING, done)).isTrue();

        CompleteRecords.assertSameComponents(done, s.get(pending.submissionId()).orElseThrow());
    }

    @Test
    void created_result_with_every_field_set_is_read_back_field_for_field() throws Exception {
        ResultStore s = newStore(LONG_TTL);
        ExecutionResult complete = CompleteRecords.result();
        CompleteRecords.assertComplete(complete);

        s.create(complete);

        CompleteRecords.assertSameComponents(complete, s.get(complete.submissionId()).orElseThrow());
    }

    @Test
    void unknown_id_reads_empty() throws Exception {
        assertThat(newStore(LONG_TTL).get(SubmissionId.random())).isEmpty();
    }

    @Test
    void second_create_of_the_same_id_is_rejected_and_keeps_the_first() throws Exception {
        ResultStore s = newStore(LONG_TTL);
        ExecutionResult first = ExecutionResult.pending(submission());
        s.create(first);
        ExecutionResult processing = first.processing("w", Instant.now());

        assertThatThrownBy(() -> s.create(new ExecutionResult(first.submissionId(), Status.PENDING, "other", null, null, null,
                null, null, null, null, false, false, null, first.createdAt(), null, null, null, 0)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(first.submissionId().toString());
        assertThat(s.get(first.submissionId())).contains(first);
        assertThat(processing.attempts()).isEqualTo(1);
    }

    @Test
    void transition_from_a_stale_status_fails_and_changes_nothing() throws Exception {
        ResultStore s = newStore(LONG_TTL);
        ExecutionResult pending = ExecutionResult.pending(submission());
        s.create(pending);
        ExecutionResult processing = pending.processing("w", Instant.now());

        assertThat(s.transition(pending.submissionId(), Status.PROCESSING, finished(processing, Status.OK, "x"))).isFalse();
        assertThat(s.get(pending.submissionId())).contains(pending);
    }

    @Test
    void stored_verdict_is_not_overwritten_by_a_stale_worker() throws Exception {
        ResultStore s = newStore(LONG_TTL);
        ExecutionResult pending = ExecutionResult.pending(submission());
        s.create(pending);
        ExecutionResult a = pending.processing("worker-a", Instant.now());
        assertThat(s.transition(pending.submissionId(), Status.PENDING, a)).isTrue();
        ExecutionResult verdict = finished(a, Status.OK, "from a");
        assertThat(s.transition(pending.submissionId(), Status.PROCESSING, verdict)).isTrue();

        // worker b took it again after a's lease expired and now finishes late
        ExecutionResult b = a.processing("worker-b", Instant.now());
        assertThat(s.transition(pending.submissionId(), Status.PROCESSING, b)).isFalse();
        assertThat(s.transition(pending.submissionId(), Status.PROCESSING, finished(b, Status.TLE, "from b"))).isFalse();
        assertThat(s.transition(pending.submissionId(), Status.OK, finished(b, Status.RE, "from b"))).as("final is never left").isFalse();

        assertThat(s.get(pending.submissionId())).contains(verdict);
    }

    @Test
    void transition_the_table_forbids_fails_even_when_from_matches() throws Exception {
        ResultStore s = newStore(LONG_TTL);
        ExecutionResult pending = ExecutionResult.pending(submission());
        s.create(pending);

        assertThat(s.transition(pending.submissionId(), Status.PENDING, finished(pending.processing("w", Instant.now()), Status.OK, "x")))
                .as("PENDING -> OK skips PROCESSING").isFalse();
        assertThat(s.get(pending.submissionId())).contains(pending);
    }

    @Test
    void transition_of_an_unknown_id_fails_and_creates_nothing() throws Exception {
        ResultStore s = newStore(LONG_TTL);
        ExecutionResult ghost = ExecutionResult.pending(submission()).processing("w", Instant.now());

        assertThat(s.transition(ghost.submissionId(), Status.PENDING, ghost)).isFalse();
        assertThat(s.get(ghost.submissionId())).isEmpty();
    }

    @Test
    void of_many_workers_finishing_at_once_exactly_one_result_is_kept() throws Exception {
        ResultStore s = newStore(LONG_TTL);
        ExecutionResult pending = ExecutionResult.pending(submission());
        s.create(pending);
        ExecutionResult processing = pending.processing("w", Instant.now());
        s.transition(pending.submissionId(), Status.PENDING, processing);
        int racers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Boolean>> wins = new ArrayList<>();
        try {
            for (int i = 0; i < racers; i++) {
                ExecutionResult mine = finished(processing, Status.OK, "racer " + i);
                wins.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return s.transition(pending.submissionId(), Status.PROCESSING, mine);
                }, pool));
            }
            go.countDown();
            long won = 0;
            for (CompletableFuture<Boolean> w : wins) if (w.get(30, TimeUnit.SECONDS)) won++;
            assertThat(won).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(s.get(pending.submissionId()).orElseThrow().stdout()).startsWith("racer ");
    }

    @Test
    void result_disappears_after_its_ttl() throws Exception {
        Duration ttl = shortTtl();
        ResultStore s = newStore(ttl);
        ExecutionResult pending = ExecutionResult.pending(submission());
        s.create(pending);
        assertThat(s.get(pending.submissionId())).isPresent();

        letExpire(s, pending.submissionId(), ttl);

        assertThat(s.get(pending.submissionId())).isEmpty();
        assertThat(s.transition(pending.submissionId(), Status.PENDING, pending.processing("w", Instant.now())))
                .as("an expired result cannot be revived").isFalse();
        assertThat(s.get(pending.submissionId())).isEmpty();
    }

    @Test
    void delete_forgets_the_submission_and_the_id_may_be_created_again() throws Exception {
        ResultStore s = newStore(LONG_TTL);
        ExecutionResult pending = ExecutionResult.pending(submission());
        s.create(pending);

        s.delete(pending.submissionId());
        s.delete(SubmissionId.random()); // unknown: nothing happens

        assertThat(s.get(pending.submissionId())).isEmpty();
        s.create(pending);
        assertThat(s.get(pending.submissionId())).contains(pending);
    }

    @Test
    void a_watcher_hears_every_stored_change_of_its_submission_and_nothing_of_others() throws Exception {
        ResultStore s = newStore(LONG_TTL);
        ExecutionResult pending = ExecutionResult.pending(submission());
        ExecutionResult other = ExecutionResult.pending(submission());
        s.create(pending);
        s.create(other);
        List<ExecutionResult> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        ResultStore.Watch watch = s.watch(pending.submissionId(), heard::add);
        ExecutionResult processing = pending.processing("worker-a", Instant.now());
        assertThat(s.transition(pending.submissionId(), Status.PENDING, processing)).isTrue();
        assertThat(s.transition(other.submissionId(), Status.PENDING, other.processing("worker-b", Instant.now()))).isTrue();
        ExecutionResult verdict = CompleteRecords.result(pending.submissionId());
        assertThat(s.transition(pending.submissionId(), Status.PROCESSING, verdict)).isTrue();

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> heard.stream().anyMatch(r -> r.status().isFinal()));
        assertThat(heard).allMatch(r -> r.submissionId().equals(pending.submissionId()));
        CompleteRecords.assertSameComponents(verdict, heard.get(heard.size() - 1));

        // a closed watch hears nothing more
        watch.close();
        int before = heard.size();
        ExecutionResult again = ExecutionResult.pending(submission());
        s.create(again);
        s.transition(again.submissionId(), Status.PENDING, again.processing("worker-c", Instant.now()));
        assertThat(s.get(pending.submissionId())).contains(verdict);
        assertThat(heard).hasSize(before);
    }
}
