package dev.runbox.metrics;

import dev.runbox.job.ExecutionResult;
import dev.runbox.job.Status;
import dev.runbox.job.SubmissionId;
import dev.runbox.store.ResultStore;

import java.time.Duration;
import java.util.Optional;

/**
 * A store that counts what passes through it. Transitions are compare-and-set, so a successful move
 * to a final status happens once per submission: the counter counts each submission once, even when
 * a job was delivered twice.
 */
final class MeteredResultStore implements ResultStore {

    private final ResultStore store;
    private final RunboxMetrics metrics;

    MeteredResultStore(ResultStore store, RunboxMetrics metrics) {
        this.store = store;
        this.metrics = metrics;
    }

    @Override
    public void create(ExecutionResult pending) {
        store.create(pending);
    }

    @Override
    public Optional<ExecutionResult> get(SubmissionId id) {
        return store.get(id);
    }

    @Override
    public boolean transition(SubmissionId id, Status from, ExecutionResult next) {
        boolean moved = store.transition(id, from, next);
        if (!moved) return false;
        if (from == Status.PENDING && next.status() == Status.PROCESSING && next.startedAt() != null) {
            metrics.queueWait(Duration.between(next.createdAt(), next.startedAt()));
        }
        if (next.status().isFinal()) {
            metrics.submissionFinished(next.language(), next.status());
            if (next.tests() != null) next.tests().forEach(t -> metrics.testFinished(next.language(), t.status().name()));
        }
        return true;
    }

    @Override
    public void delete(SubmissionId id) {
        store.delete(id);
    }

    @Override
    public Watch watch(SubmissionId id, java.util.function.Consumer<ExecutionResult> listener) {
        return store.watch(id, listener);
    }
}
