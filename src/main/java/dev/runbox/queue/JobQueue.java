package dev.runbox.queue;

import dev.runbox.job.Submission;

import java.time.Duration;
import java.util.Optional;

/**
 * Jobs waiting for a worker. Delivery is at-least-once: a taken job stays leased until {@link #ack};
 * a lease that is never acknowledged nor renewed (its worker died) is handed out again once it
 * expired, with its {@link Lease#delivery} one higher.
 *
 * <p>Every method may throw {@link QueueUnavailableException} when the queue's storage cannot be
 * reached (Redis down); none of them hangs longer than the configured command timeout.
 */
public interface JobQueue {

    /** Queues the job, or refuses it at once when the queue is full; never blocks. */
    void enqueue(Submission job) throws QueueFullException;

    /** Waits up to {@code wait} for a job. */
    Optional<Lease> take(Duration wait) throws InterruptedException;

    /** The job's final result is stored: forget it. */
    void ack(Lease lease);

    /**
     * The job is still running: extend its lease by the visibility timeout. Returns false when the
     * lease is no longer this holder's (it expired and was handed to another worker).
     */
    boolean renew(Lease lease);

    /**
     * Hands a job that will not be finished here (its worker is stopping) back for another worker at
     * once, without counting a delivery. Returns false when this queue cannot (the job would be lost
     * with this process): the caller must then record why it was not run.
     */
    boolean release(Lease lease);

    /** Puts back jobs whose leases expired; returns how many. */
    int reclaimExpired();

    /** Jobs queued and not yet taken. */
    int depth();
}
