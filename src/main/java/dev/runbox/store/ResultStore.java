package dev.runbox.store;

import dev.runbox.job.ExecutionResult;
import dev.runbox.job.Status;
import dev.runbox.job.SubmissionId;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * The latest result of every submission, kept for a time-to-live after it was last written.
 * Writes after the first are compare-and-set on the status, along {@link Status#canMoveTo}.
 */
public interface ResultStore {

    /**
     * Stores the first result of a new submission: PENDING, or final when it came from the result
     * cache; an id whose result expired is new again.
     *
     * @throws IllegalStateException when a result of that id exists (and has not expired)
     */
    void create(ExecutionResult pending);

    /** The result, unless it never existed or expired. */
    Optional<ExecutionResult> get(SubmissionId id);

    /**
     * Replaces the result if its status is still {@code from} and may move to {@code next.status()};
     * returns false (and changes nothing) otherwise.
     *
     * @throws IllegalArgumentException when {@code next} is the result of another submission than {@code id}
     */
    boolean transition(SubmissionId id, Status from, ExecutionResult next);

    /** Forgets a submission that could not be queued after all (so a refused request changes nothing). */
    void delete(SubmissionId id);

    /**
     * Calls {@code listener} with each result of {@code id} stored from now on (every successful
     * {@link #transition}, in the order stored) until the returned {@link Watch} is closed. This is how
     * the API pushes results (waiting requests, Server-Sent Events, callbacks, the result cache) instead
     * of polling.
     *
     * <p>To miss nothing, watch first, then {@link #get}: a result may then be seen twice. Listeners run
     * on the store's notifying thread (in process: the thread that made the transition, usually a
     * worker), so they must return quickly and never block; they hand real work to an executor. A
     * listener that throws is logged and does not stop the others.
     *
     * <p>A store shared between processes implements this with its own notification channel: the
     * Redis store publishes each transition (in the same MULTI as the write) on the channel
     * {@code runbox:result:<id>} and calls listeners from one pub/sub connection per process, so an
     * API server hears results stored by workers in other processes; after a reconnect it re-reads
     * the watched ids with {@link #get} and passes on what changed meanwhile.
     */
    Watch watch(SubmissionId id, Consumer<ExecutionResult> listener);

    /** A registration made by {@link #watch}; closing it is idempotent. */
    interface Watch extends AutoCloseable {
        @Override
        void close();
    }
}
