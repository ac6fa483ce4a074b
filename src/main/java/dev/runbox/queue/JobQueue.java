package dev.runbox.queue;

import dev.runbox.job.Submission;

import java.time.Duration;
import java.util.Optional;

/**
 * Jobs waiting for a worker. Delivery is at-least-once: a taken job stays leased until {@link #ack};
 * a lease that is never acknowledged (its worker died) is handed out again by {@link #reclaimExpired}.
 */
public interface JobQueue {

    /** Queues the job, or refuses it at once when the queue is full; never blocks. */
    void enqueue(Submission job) throws QueueFullException;

    /** Waits up to {@code wait} for a job. */
    Optional<Lease> take(Duration wait) throws InterruptedException;

    /** The job's final result is stored: forget it. */
    void ack(Lease lease);

    /** Puts back jobs whose leases expired; returns how many. */
    int reclaimExpired();

    /** Jobs queued and not yet taken. */
    int depth();
}
