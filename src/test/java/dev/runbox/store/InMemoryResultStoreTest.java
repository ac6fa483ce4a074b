package dev.runbox.store;

import dev.runbox.job.ExecutionResult;
import dev.runbox.job.Limits;
import dev.runbox.job.Status;
import dev.runbox.job.Submission;
import dev.runbox.job.SubmissionId;
import dev.runbox.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InMemoryResultStoreTest {

    private static final Duration TTL = Duration.ofMinutes(10);
    private static final Duration NANO = Duration.ofNanos(1);

    private final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final InMemoryResultStore store = new InMemoryResultStore(TTL, clock);

    private ExecutionResult pending() {
        return pending(SubmissionId.random());
    }

    private ExecutionResult pending(SubmissionId id) {
        Submission s = new Submission(id, "python", "print(1)", "",
                new Limits(Duration.ofSeconds(1), 64L << 20, 1.0), clock.instant());
        return ExecutionResult.pending(s);
    }

    private static ExecutionResult verdict(ExecutionResult r, Status status) {
        return new ExecutionResult(r.submissionId(), status, r.language(), "out", "", 0, null, 0.1, 0.1, 1024L,
                false, false, null, r.createdAt(), r.startedAt(), r.startedAt(), r.workerId(), r.attempts());
    }

    @Test
    void created_result_is_read_back() {
        ExecutionResult p = pending();
        store.create(p);
        assertThat(store.get(p.submissionId())).contains(p);
    }

    @Test
    void unknown_id_reads_empty() {
        store.create(pending());
        assertThat(store.get(SubmissionId.random())).isEmpty();
    }

    @Test
    void second_create_of_the_same_id_is_rejected_and_keeps_the_first() {
        ExecutionResult first = pending();
        store.create(first);
        ExecutionResult again = first.internalError("imposter", clock.instant());

        assertThatThrownBy(() -> store.create(again))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(first.submissionId().toString());
        assertThat(store.get(first.submissionId())).contains(first);
    }

    @Test
    void transition_from_the_current_status_replaces_the_result() {
        ExecutionResult p = pending();
        store.create(p);
        ExecutionResult processing = p.processing("worker-1", clock.instant());

        assertThat(store.transition(p.submissionId(), Status.PENDING, processing)).isTrue();
        assertThat(store.get(p.submissionId())).contains(processing);

        ExecutionResult ok = verdict(processing, Status.OK);
        assertThat(store.transition(p.submissionId(), Status.PROCESSING, ok)).isTrue();
        assertThat(store.get(p.submissionId())).contains(ok);
    }

    @Test
    void transition_from_a_stale_status_fails_and_changes_nothing() {
        ExecutionResult p = pending();
        store.create(p);
        ExecutionResult byWorker1 = p.processing("worker-1", clock.instant());
        store.transition(p.submissionId(), Status.PENDING, byWorker1);

        // a second worker still believes the job is PENDING
        ExecutionResult byWorker2 = p.processing("worker-2", clock.instant());
        assertThat(store.transition(p.submissionId(), Status.PENDING, byWorker2)).isFalse();
        assertThat(store.get(p.submissionId())).contains(byWorker1);
    }

    @Test
    void stored_verdict_is_not_overwritten_by_a_stale_worker() {
        ExecutionResult p = pending();
        store.create(p);
        ExecutionResult processing = p.processing("worker-1", clock.instant());
        store.transition(p.submissionId(), Status.PENDING, processing);
        ExecutionResult ok = verdict(processing, Status.OK);
        store.transition(p.submissionId(), Status.PROCESSING, ok);

        assertThat(store.transition(p.submissionId(), Status.PROCESSING, verdict(processing, Status.TLE))).isFalse();
        assertThat(store.transition(p.submissionId(), Status.OK, verdict(processing, Status.RE))).isFalse();
        assertThat(store.get(p.submissionId())).contains(ok);
    }

    @Test
    void transition_to_a_status_the_table_forbids_fails_even_when_from_matches() {
        ExecutionResult p = pending();
        store.create(p);

        assertThat(store.transition(p.submissionId(), Status.PENDING, verdict(p, Status.OK))).isFalse();
        assertThat(store.get(p.submissionId())).contains(p);
    }

    @Test
    void transition_of_an_unknown_id_fails_and_creates_nothing() {
        ExecutionResult p = pending();
        assertThat(store.transition(p.submissionId(), Status.PENDING, p.processing("w", clock.instant()))).isFalse();
        assertThat(store.get(p.submissionId())).isEmpty();
        assertThat(store.size()).isZero();
    }

    @Test
    void transition_to_the_result_of_another_submission_is_refused_and_changes_nothing() {
        ExecutionResult p = pending();
        ExecutionResult other = pending();
        store.create(p);
        store.create(other);

        assertThatThrownBy(() -> store.transition(p.submissionId(), Status.PENDING, other.processing("w", clock.instant())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(p.submissionId().toString()).hasMessageContaining(other.submissionId().toString());
        assertThat(store.get(p.submissionId())).contains(p);
        assertThat(store.get(other.submissionId())).contains(other);
    }

    @Test
    void result_expires_ttl_after_it_was_created() {
        ExecutionResult p = pending();
        store.create(p);

        clock.advance(TTL.minus(NANO));
        assertThat(store.get(p.submissionId())).contains(p);
        clock.advance(NANO);
        assertThat(store.get(p.submissionId())).isEmpty();
    }

    @Test
    void ttl_counts_from_the_last_write() {
        ExecutionResult p = pending();
        store.create(p);
        clock.advance(TTL.dividedBy(2));
        ExecutionResult processing = p.processing("worker-1", clock.instant());
        store.transition(p.submissionId(), Status.PENDING, processing);

        clock.advance(TTL.minus(NANO));
        assertThat(store.get(p.submissionId())).as("TTL - 1ns after the transition").contains(processing);
        clock.advance(NANO);
        assertThat(store.get(p.submissionId())).isEmpty();
    }

    @Test
    void a_failed_transition_does_not_extend_the_ttl() {
        ExecutionResult p = pending();
        store.create(p);
        clock.advance(TTL.dividedBy(2));
        store.transition(p.submissionId(), Status.PROCESSING, verdict(p, Status.OK));

        clock.advance(TTL.dividedBy(2));
        assertThat(store.get(p.submissionId())).isEmpty();
    }

    @Test
    void expired_result_cannot_be_transitioned() {
        ExecutionResult p = pending();
        store.create(p);
        clock.advance(TTL);

        assertThat(store.transition(p.submissionId(), Status.PENDING, p.processing("w", clock.instant()))).isFalse();
        assertThat(store.get(p.submissionId())).isEmpty();
    }

    @Test
    void id_whose_result_expired_may_be_created_again_before_eviction() {
        ExecutionResult p = pending();
        store.create(p);
        clock.advance(TTL);
        ExecutionResult again = pending(p.submissionId());

        store.create(again);

        assertThat(store.get(p.submissionId())).containsSame(again);
        assertThat(store.size()).isEqualTo(1);
        clock.advance(TTL.minus(NANO));
        assertThat(store.get(p.submissionId())).as("a fresh TTL from the new create").containsSame(again);
    }

    @Test
    void id_one_nanosecond_before_expiry_still_exists() {
        ExecutionResult p = pending();
        store.create(p);
        clock.advance(TTL.minus(NANO));

        assertThatThrownBy(() -> store.create(pending(p.submissionId()))).isInstanceOf(IllegalStateException.class);
        assertThat(store.get(p.submissionId())).containsSame(p);
    }

    @Test
    void evict_expired_frees_only_expired_entries() {
        ExecutionResult old = pending();
        store.create(old);
        clock.advance(TTL.dividedBy(2));
        ExecutionResult young = pending();
        store.create(young);
        clock.advance(TTL.dividedBy(2));

        assertThat(store.size()).as("expired entries stay in memory until evicted").isEqualTo(2);
        assertThat(store.evictExpired()).isEqualTo(1);
        assertThat(store.size()).isEqualTo(1);
        assertThat(store.get(young.submissionId())).contains(young);
        assertThat(store.evictExpired()).isZero();
    }

    @Test
    void delete_forgets_the_submission() {
        ExecutionResult p = pending();
        ExecutionResult other = pending();
        store.create(p);
        store.create(other);

        store.delete(p.submissionId());

        assertThat(store.get(p.submissionId())).isEmpty();
        assertThat(store.get(other.submissionId())).contains(other);
        assertThat(store.size()).isEqualTo(1);
    }

    @Test
    void deleted_id_may_be_created_again() {
        ExecutionResult p = pending();
        store.create(p);
        store.delete(p.submissionId());
        store.create(p);
        assertThat(store.get(p.submissionId())).contains(p);
    }

    @Test
    void deleting_an_unknown_id_changes_nothing() {
        ExecutionResult p = pending();
        store.create(p);
        store.delete(SubmissionId.random());
        assertThat(store.size()).isEqualTo(1);
    }
}
