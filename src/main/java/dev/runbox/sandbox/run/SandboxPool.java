package dev.runbox.sandbox.run;

import dev.runbox.sandbox.SandboxFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Environments of one shape made ahead of their jobs, so that a job does not wait for namespaces,
 * mounts and cgroup moves (the slow part of a run). With reuse on, an environment comes back after
 * each run and serves the next, as long as it says it may ({@link Environment#reusable}: its run
 * and the reset after it went as they must, and it served fewer than {@code maxRuns}); any other is
 * destroyed and a background thread makes a replacement. With reuse off, each is used once and a
 * replacement is started at each take.
 *
 * <p>Only environments this pool made come back to it: they were made by the pool's own threads,
 * which live as long as the pool (bubblewrap's launcher dies with the thread that started it).
 */
public final class SandboxPool implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SandboxPool.class);
    /** Pause before trying again when making a sandbox failed, so a broken host is not hammered. */
    private static final long RETRY_DELAY_MS = 1000;
    /** Most sandboxes made at once. */
    private static final int MAX_MAKERS = 4;

    private final SandboxParts parts;
    private final Environment.Maker maker;
    private final SandboxShape shape;
    private final int maxRuns;
    private final AtomicLong made = new AtomicLong();
    private final BlockingQueue<Environment> ready;
    private final ScheduledExecutorService makers;
    private volatile boolean closed;

    /** @param maxRuns runs each environment serves at most (1: reuse off) */
    public SandboxPool(SandboxParts parts, Environment.Maker maker, SandboxShape shape, int size, int maxRuns) {
        if (maxRuns < 1) throw new IllegalArgumentException("an environment serves at least one run, not " + maxRuns);
        this.parts = parts;
        this.maker = maker;
        this.shape = shape;
        this.maxRuns = maxRuns;
        this.ready = new ArrayBlockingQueue<>(Math.max(1, size));
        // a few makers: making a sandbox mostly waits (bwrap's setup, the kernel's cgroup move), so
        // several in parallel keep up with back-to-back jobs; their threads live as long as the pool,
        // which matters: a launcher dies with the thread that started it (parent-death signal)
        this.makers = Executors.newScheduledThreadPool(Math.max(1, Math.min(size, MAX_MAKERS)), r -> {
            Thread t = new Thread(r, "sandbox-maker");
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < size; i++) makeOne(0);
    }

    public SandboxShape shape() {
        return shape;
    }

    /** A ready environment, if one is waiting; without reuse, a replacement is started at once. Give it back after its run. */
    public Optional<Environment> take() {
        for (;;) {
            Environment s = ready.poll();
            if (s != null && maxRuns == 1) makeOne(0);
            if (s == null || s.reusable()) return Optional.ofNullable(s);
            // its cgroup's renewal failed while it waited: replaced
            parts.io().execute(s::close);
            makeOne(0);
        }
    }

    /**
     * An environment from {@link #take} after its run: ready again if it may serve another, else
     * destroyed (in the background: its processes are all gone already) and, with reuse, replaced.
     */
    public void giveBack(Environment s) {
        if (!closed && maxRuns > 1 && s.reusable() && ready.offer(s)) {
            // its next run is made ready off the run's path, in the background (the cgroup renewed on v2,
            // the next reaper made); a run that takes it before that is done does it first itself
            // (Environment serializes the two)
            if (s.needsPreparing()) parts.io().execute(() -> {
                try {
                    s.prepareNextRun();
                } catch (SandboxFailure | RuntimeException e) {
                    log.warn("an environment's next run could not be made ready; it serves no further run: {}", e.getMessage());
                }
            });
            return;
        }
        parts.io().execute(s::close);
        if (maxRuns > 1) makeOne(0);
    }

    /** Environments this pool has made so far (for tests: the same count before and after a run means it was reused). */
    public long made() {
        return made.get();
    }

    private void makeOne(long delayMs) {
        if (closed) return;
        makers.schedule(() -> {
            if (closed) return;
            try {
                Environment s = maker.make(shape, maxRuns);
                made.incrementAndGet();
                if (closed || !ready.offer(s)) s.close();
            } catch (SandboxFailure e) {
                log.warn("could not prepare a sandbox ahead (retrying in {} ms): {}", RETRY_DELAY_MS, e.getMessage());
                makeOne(RETRY_DELAY_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                log.error("preparing a sandbox failed", e);
                makeOne(RETRY_DELAY_MS);
            }
        }, delayMs, TimeUnit.MILLISECONDS);
    }

    /** Sandboxes ready now (for metrics and tests). */
    public int readyCount() {
        return ready.size();
    }

    @Override
    public void close() {
        closed = true;
        // Close the waiting sandboxes while the thread that made them is alive: runbox-launch dies with
        // the thread that started it (parent-death signal), and a killed reaper leaves zombies behind.
        Environment s;
        while ((s = ready.poll()) != null) s.close();
        // a sandbox being made is let finish (it closes itself, seeing `closed`), not interrupted half-made
        makers.shutdown();
        try {
            if (!makers.awaitTermination(30, TimeUnit.SECONDS)) makers.shutdownNow();
        } catch (InterruptedException e) {
            makers.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
