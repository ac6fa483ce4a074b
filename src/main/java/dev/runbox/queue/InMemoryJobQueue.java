package dev.runbox.queue;

import dev.runbox.job.Submission;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The embedded queue: a bounded FIFO in this process. Leases need no expiry here, because a worker
 * and the queue live and die together: jobs of a crashed process are gone with the whole process
 * (use the Redis queue for delivery that survives a process).
 */
public final class InMemoryJobQueue implements JobQueue {

    private final BlockingQueue<Submission> jobs;
    private final int capacity;

    public InMemoryJobQueue(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("queue capacity must be >= 1");
        this.capacity = capacity;
        this.jobs = new ArrayBlockingQueue<>(capacity);
    }

    @Override
    public void enqueue(Submission job) throws QueueFullException {
        if (!jobs.offer(job)) throw new QueueFullException(capacity);
    }

    @Override
    public Optional<Lease> take(Duration wait) throws InterruptedException {
        Submission job = jobs.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
        return job == null ? Optional.empty() : Optional.of(new Lease(job, 1, job.id().toString()));
    }

    @Override
    public void ack(Lease lease) {
        // nothing to forget: an in-memory job leaves the queue when taken
    }

    @Override
    public boolean renew(Lease lease) {
        return true; // leases do not expire here
    }

    @Override
    public boolean release(Lease lease) {
        return false; // the queue stops with the worker that would hand it back
    }

    @Override
    public int reclaimExpired() {
        return 0;
    }

    @Override
    public int depth() {
        return jobs.size();
    }
}
