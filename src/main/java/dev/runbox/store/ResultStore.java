package dev.runbox.store;

import dev.runbox.job.ExecutionResult;
import dev.runbox.job.Status;
import dev.runbox.job.SubmissionId;

import java.util.Optional;

/**
 * The latest result of every submission, kept for a time-to-live after it was last written.
 * Writes after the first are compare-and-set on the status, along {@link Status#canMoveTo}.
 */
public interface ResultStore {

    /**
     * Stores the first (PENDING) result of a new submission; an id whose result expired is new again.
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
}
