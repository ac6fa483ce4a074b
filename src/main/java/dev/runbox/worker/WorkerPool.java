package dev.runbox.worker;

import dev.runbox.job.ExecutionResult;
import dev.runbox.job.Status;
import dev.runbox.queue.JobQueue;
import dev.runbox.queue.Lease;
import dev.runbox.sandbox.SandboxFailure;
import dev.runbox.store.ResultStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Worker threads: take a job, mark it PROCESSING, run it, store the final result, acknowledge it.
 *
 * <p>Two failure channels: whatever the program did is a final result (never retried). When Runbox
 * itself fails (the sandbox could not run it) the run is tried again, up to {@code maxAttempts}
 * times, then stored as INTERNAL_ERROR with the reason. A job is acknowledged only once its final
 * result is stored.
 */
public final class WorkerPool implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WorkerPool.class);
    private static final Duration POLL = Duration.ofMillis(250);

    private final JobQueue queue;
    private final ResultStore store;
    private final Executor executor;
    private final Clock clock;
    private final int maxAttempts;
    private final String workerId;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicInteger busy = new AtomicInteger();
    private volatile boolean stopping;

    public WorkerPool(JobQueue queue, ResultStore store, Executor executor, Clock clock, int maxAttempts, String workerId) {
        this.queue = queue;
        this.store = store;
        this.executor = executor;
        this.clock = clock;
        this.maxAttempts = maxAttempts;
        this.workerId = workerId;
    }

    public void start(int count) {
        for (int i = 0; i < count; i++) {
            Thread t = new Thread(this::loop, "worker-" + i);
            threads.add(t);
            t.start();
        }
    }

    public int busy() {
        return busy.get();
    }

    private void loop() {
        while (!stopping) {
            Optional<Lease> lease;
            try {
                lease = queue.take(POLL);
            } catch (InterruptedException e) {
                return;
            }
            if (lease.isEmpty()) continue;
            busy.incrementAndGet();
            MDC.put("submission", lease.get().job().id().toString());
            try {
                handle(lease.get());
            } catch (InterruptedException e) {
                // shutdown past its grace period: say so rather than leave the job PROCESSING forever
                var job = lease.get().job();
                store.get(job.id()).filter(r -> r.status() == Status.PROCESSING).ifPresent(r -> store.transition(job.id(),
                        Status.PROCESSING, r.internalError("Runbox was stopped while running the program", clock.instant())));
                log.warn("stopped while running {}", job.id());
                return;
            } catch (RuntimeException e) {
                log.error("worker failed on a job", e);
            } finally {
                busy.decrementAndGet();
                MDC.remove("submission");
            }
        }
    }

    private void handle(Lease lease) throws InterruptedException {
        var job = lease.job();
        ExecutionResult current = store.get(job.id()).orElse(null);
        if (current == null) {
            log.warn("result of {} expired before it ran; dropping the job", job.id());
            queue.ack(lease);
            return;
        }
        if (current.status().isFinal()) {
            queue.ack(lease); // already finished by another delivery
            return;
        }
        ExecutionResult processing = current.processing(workerId, clock.instant());
        if (!store.transition(job.id(), current.status(), processing)) {
            log.info("{} changed status under us; leaving it", job.id());
            return;
        }
        log.info("running {} ({})", job.id(), job.language());
        ExecutionResult last = processing;
        String failure = null;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            try {
                ExecutionResult done = executor.execute(job, last);
                if (store.transition(job.id(), Status.PROCESSING, done)) {
                    log.info("{} finished: {}", job.id(), done.status());
                } else {
                    log.warn("{} finished ({}) but its result had changed or expired meanwhile; kept the stored one",
                            job.id(), done.status());
                }
                queue.ack(lease);
                return;
            } catch (SandboxFailure e) {
                failure = e.getMessage();
                log.warn("sandbox failed on {} (attempt {}/{}): {}", job.id(), attempt, maxAttempts, failure);
            }
        }
        store.transition(job.id(), Status.PROCESSING, last.internalError(
                "Runbox could not run the program after " + maxAttempts + " attempts: " + failure, clock.instant()));
        queue.ack(lease);
    }

    /** Stops taking jobs; waits up to {@code grace} for running ones, then interrupts them. */
    public void stop(Duration grace) {
        stopping = true;
        long deadline = System.nanoTime() + grace.toNanos();
        for (Thread t : threads) {
            try {
                long left = deadline - System.nanoTime();
                if (left > 0) t.join(TimeUnit.NANOSECONDS.toMillis(left) + 1);
                if (t.isAlive()) t.interrupt();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        stop(Duration.ZERO);
    }
}
