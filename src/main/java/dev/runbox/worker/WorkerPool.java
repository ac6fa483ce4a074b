package dev.runbox.worker;

import dev.runbox.job.ExecutionResult;
import dev.runbox.job.Status;
import dev.runbox.queue.JobQueue;
import dev.runbox.queue.Lease;
import dev.runbox.queue.QueueUnavailableException;
import dev.runbox.sandbox.SandboxFailure;
import dev.runbox.store.ResultStore;
import dev.runbox.store.StoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Worker threads: take a job, mark it PROCESSING, run it, store the final result, acknowledge it.
 *
 * <p>Two failure channels: whatever the program did is a final result (never retried). When Runbox
 * itself fails the job is tried again, up to {@code maxAttempts} times, then stored as
 * INTERNAL_ERROR with the reason: a sandbox that could not run it is retried here at once; a worker
 * lost while running it shows up as a redelivery ({@link Lease#delivery}), and a delivery past the
 * cap is not run but given up on. A job is acknowledged only once its final result is stored.
 *
 * <p>While a job runs, its lease is renewed every {@code leaseRenewal}, until the run has lasted
 * longer than it possibly could (wall time × attempts + a minute): a wedged thread then lets the
 * job go to another worker instead of holding it forever.
 *
 * <p>When the queue or store cannot be reached (Redis down), threads back off (100 ms doubling to
 * 5 s) and carry on when it returns; a finished result waits up to {@link #STORE_PATIENCE} to be
 * stored, after which the job is left to be redelivered. Nothing is ever half-written: each store
 * write is one atomic compare-and-set.
 *
 * <p>Graceful stop: no new job is taken; running ones get the grace period; then they are
 * interrupted and their jobs handed back to the queue for another worker (or, with the in-memory
 * queue, which dies with this process, recorded as INTERNAL_ERROR).
 */
public final class WorkerPool implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WorkerPool.class);
    private static final Duration POLL = Duration.ofMillis(250);
    static final Duration BACKOFF_MIN = Duration.ofMillis(100);
    static final Duration BACKOFF_MAX = Duration.ofSeconds(5);
    /** How long a finished run waits for the store to come back before its job is left to be redelivered. */
    public static final Duration STORE_PATIENCE = Duration.ofMinutes(5);
    /** Lease renewal goes on this long past the longest possible run (sandbox setup, slow store). */
    static final Duration RENEW_SLACK = Duration.ofSeconds(60);

    private final JobQueue queue;
    private final ResultStore store;
    private final Executor executor;
    private final Clock clock;
    private final int maxAttempts;
    private final String workerId;
    private final Duration leaseRenewal;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicInteger busy = new AtomicInteger();
    private final AtomicLong jobsDone = new AtomicLong();
    /** Leases of running jobs → when to stop renewing them. */
    private final Map<Lease, Instant> running = new ConcurrentHashMap<>();
    private final ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lease-renewer");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean stopping;

    public WorkerPool(JobQueue queue, ResultStore store, Executor executor, Clock clock, int maxAttempts, String workerId) {
        this(queue, store, executor, clock, maxAttempts, workerId, Duration.ofSeconds(10));
    }

    public WorkerPool(JobQueue queue, ResultStore store, Executor executor, Clock clock, int maxAttempts, String workerId,
                      Duration leaseRenewal) {
        this.queue = queue;
        this.store = store;
        this.executor = executor;
        this.clock = clock;
        this.maxAttempts = maxAttempts;
        this.workerId = workerId;
        this.leaseRenewal = leaseRenewal;
    }

    public void start(int count) {
        for (int i = 0; i < count; i++) {
            Thread t = new Thread(this::loop, "worker-" + i);
            threads.add(t);
            t.start();
        }
        long every = Math.max(1, leaseRenewal.toMillis());
        renewer.scheduleWithFixedDelay(this::renewLeases, every, every, TimeUnit.MILLISECONDS);
    }

    public int busy() {
        return busy.get();
    }

    public long jobsDone() {
        return jobsDone.get();
    }

    public int concurrency() {
        return threads.size();
    }

    public String workerId() {
        return workerId;
    }

    public boolean isStopping() {
        return stopping;
    }

    private void loop() {
        MDC.put("worker", workerId);
        Backoff backoff = new Backoff(BACKOFF_MIN, BACKOFF_MAX);
        while (!stopping) {
            Optional<Lease> lease;
            try {
                lease = queue.take(POLL);
                backoff.reset();
            } catch (InterruptedException e) {
                return;
            } catch (QueueUnavailableException e) {
                try {
                    Duration d = backoff.pause();
                    log.warn("cannot take jobs: {}; retrying in {} ms", e.getMessage(), d.toMillis());
                } catch (InterruptedException stop) {
                    return;
                }
                continue;
            }
            if (lease.isEmpty()) continue;
            busy.incrementAndGet();
            MDC.put("submission", lease.get().job().id().toString());
            try {
                handle(lease.get());
            } catch (InterruptedException e) {
                handBack(lease.get());
                return;
            } catch (Abandoned e) {
                log.warn("left {} to be delivered again: {}", lease.get().job().id(), e.getMessage());
                if (Thread.currentThread().isInterrupted()) return;
            } catch (RuntimeException e) {
                log.error("worker failed on a job; it will be delivered again", e);
            } finally {
                running.remove(lease.get());
                busy.decrementAndGet();
                MDC.remove("submission");
            }
        }
    }

    private void handle(Lease lease) throws InterruptedException {
        var job = lease.job();
        if (lease.delivery() > maxAttempts) {
            giveUp(lease);
            return;
        }
        ExecutionResult current = persist("read the result", () -> store.get(job.id())).orElse(null);
        if (current == null) {
            log.warn("result of {} expired before it ran; dropping the job", job.id());
            persist("acknowledge", () -> ack(lease));
            return;
        }
        if (current.status().isFinal()) {
            persist("acknowledge", () -> ack(lease)); // already finished by another delivery
            return;
        }
        ExecutionResult processing = current.processing(workerId, clock.instant());
        if (!persist("mark it PROCESSING", () -> store.transition(job.id(), current.status(), processing))) {
            ExecutionResult now = persist("read the result", () -> store.get(job.id())).orElse(null);
            if (now == null || now.status().isFinal()) {
                persist("acknowledge", () -> ack(lease));
                return;
            }
            if (!processing.equals(now)) { // not merely our own write whose reply was lost
                log.info("{} changed status under us; leaving it to its holder", job.id());
                return;
            }
        }
        running.put(lease, clock.instant().plus(executor.longestRun(job).multipliedBy(maxAttempts)).plus(RENEW_SLACK));
        log.info("running {} ({}, delivery {})", job.id(), job.language(), lease.delivery());
        ExecutionResult done = null;
        String failure = null;
        for (int attempt = 1; attempt <= maxAttempts && done == null; attempt++) {
            try {
                done = executor.execute(job, processing, shown -> showProgress(job.id(), shown));
            } catch (SandboxFailure e) {
                failure = e.getMessage();
                log.warn("sandbox failed on {} (attempt {}/{}): {}", job.id(), attempt, maxAttempts, failure);
            }
        }
        if (done == null) {
            done = processing.internalError("Runbox could not run the program after " + maxAttempts + " attempts: " + failure,
                    clock.instant());
        }
        ExecutionResult last = done;
        if (persist("store the final result", () -> store.transition(job.id(), Status.PROCESSING, last))) {
            log.info("{} finished: {}", job.id(), last.status());
        } else {
            log.info("{} already had a final result (another delivery finished first); keeping that one", job.id());
        }
        persist("acknowledge", () -> ack(lease));
        jobsDone.incrementAndGet();
    }

    /**
     * Stores a PROCESSING result that shows a judged submission's finished tests; once, without retries:
     * a progress report that cannot be stored is not worth holding up the tests (the final result has them all).
     */
    private void showProgress(dev.runbox.job.SubmissionId id, ExecutionResult shown) {
        try {
            store.transition(id, Status.PROCESSING, shown);
        } catch (StoreUnavailableException e) {
            log.debug("could not show the progress of {}: {}", id, e.getMessage());
        }
    }

    /** A job delivered more often than allowed: its workers kept dying. Recorded, never run again. */
    private void giveUp(Lease lease) {
        var job = lease.job();
        int deliveries = lease.delivery() - 1;
        ExecutionResult current = persist("read the result", () -> store.get(job.id())).orElse(null);
        if (current != null && !current.status().isFinal()) {
            String why = "Runbox gave up after " + deliveries + " deliveries: the worker running it was lost each time"
                    + (current.workerId() == null ? "" : " (last: " + current.workerId() + ")")
                    + "; the program may be crashing its worker, or workers are being stopped";
            ExecutionResult failed = current.internalError(why, clock.instant());
            if (persist("store the final result", () -> store.transition(job.id(), current.status(), failed))) {
                log.warn("{} gave up after {} deliveries", job.id(), deliveries);
            }
        }
        persist("acknowledge", () -> ack(lease));
        jobsDone.incrementAndGet();
    }

    private boolean ack(Lease lease) {
        queue.ack(lease);
        return true;
    }

    /** Interrupted past the grace period: hand the job to another worker, or say why it was not run. */
    private void handBack(Lease lease) {
        boolean wasInterrupted = Thread.interrupted(); // the calls below must not see the interrupt
        var job = lease.job();
        try {
            if (queue.release(lease)) {
                log.warn("stopped while running {}; handed it back for another worker", job.id());
                return;
            }
            store.get(job.id()).filter(r -> r.status() == Status.PROCESSING).ifPresent(r -> store.transition(job.id(),
                    Status.PROCESSING, r.internalError("Runbox was stopped while running the program", clock.instant())));
            log.warn("stopped while running {}", job.id());
        } catch (QueueUnavailableException | StoreUnavailableException e) {
            log.warn("stopped while running {}; it will be delivered again once its lease expires ({})", job.id(), e.getMessage());
        } finally {
            if (wasInterrupted) Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs a queue or store call, retrying with backoff while they cannot be reached, for up to
     * {@link #STORE_PATIENCE}. Throws {@link Abandoned} past it, or when interrupted while waiting.
     */
    private <T> T persist(String what, Supplier<T> call) {
        Backoff backoff = new Backoff(BACKOFF_MIN, BACKOFF_MAX);
        long deadline = System.nanoTime() + STORE_PATIENCE.toNanos();
        while (true) {
            try {
                return call.get();
            } catch (QueueUnavailableException | StoreUnavailableException e) {
                if (System.nanoTime() > deadline) throw new Abandoned("could not " + what + " for " + STORE_PATIENCE.toMinutes()
                        + " min: " + e.getMessage());
                try {
                    Duration d = backoff.pause();
                    log.warn("could not {}: {}; retrying in {} ms", what, e.getMessage(), d.toMillis());
                } catch (InterruptedException stop) {
                    Thread.currentThread().interrupt();
                    throw new Abandoned("stopped while waiting to " + what);
                }
            }
        }
    }

    private void renewLeases() {
        Instant now = clock.instant();
        for (Map.Entry<Lease, Instant> e : running.entrySet()) {
            Lease lease = e.getKey();
            try {
                MDC.put("submission", lease.job().id().toString());
                if (now.isAfter(e.getValue())) {
                    log.warn("{} runs past the longest it could ({}); no longer renewing its lease, another worker may take it",
                            lease.job().id(), e.getValue());
                    running.remove(lease);
                } else if (!queue.renew(lease)) {
                    log.warn("lease on {} was lost (it expired and another worker took it); finishing anyway, the first"
                            + " final result stored wins", lease.job().id());
                    running.remove(lease);
                }
            } catch (QueueUnavailableException ex) {
                log.debug("cannot renew the lease on {} now: {}", lease.job().id(), ex.getMessage());
            } catch (RuntimeException ex) {
                log.error("renewing the lease on {} failed", lease.job().id(), ex);
            } finally {
                MDC.remove("submission");
            }
        }
    }

    /** Stops taking jobs; waits up to {@code grace} for running ones, then interrupts them (they hand their jobs back). */
    public void stop(Duration grace) {
        stopping = true;
        long deadline = System.nanoTime() + grace.toNanos();
        try {
            for (Thread t : threads) {
                long left = deadline - System.nanoTime();
                if (left > 0) t.join(TimeUnit.NANOSECONDS.toMillis(left) + 1);
                if (t.isAlive()) t.interrupt();
            }
            // interrupted runs end at once (the sandbox kills them) and hand their jobs back
            for (Thread t : threads) t.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            renewer.shutdownNow();
        }
    }

    @Override
    public void close() {
        stop(Duration.ZERO);
    }

    /** A job left unfinished on purpose: not acknowledged, so its lease expires and it is delivered again. */
    private static final class Abandoned extends RuntimeException {
        Abandoned(String message) {
            super(message);
        }
    }
}
