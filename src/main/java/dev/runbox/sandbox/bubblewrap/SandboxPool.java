package dev.runbox.sandbox.bubblewrap;

import dev.runbox.sandbox.SandboxFailure;
import dev.runbox.sandbox.run.SandboxParts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Sandboxes of one shape made ahead of their jobs, so that a job does not wait for namespaces,
 * mounts and cgroup moves (the slow part of a run). Each is used once and destroyed; a background
 * thread makes a new one after each take. A sandbox is never reused across submissions.
 */
final class SandboxPool implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SandboxPool.class);
    /** Pause before trying again when making a sandbox failed, so a broken host is not hammered. */
    private static final long RETRY_DELAY_MS = 1000;
    /** Most sandboxes made at once. */
    private static final int MAX_MAKERS = 4;

    private final SandboxParts parts;
    private final SandboxShape shape;
    private final int maxProcesses;
    private final BlockingQueue<PreparedSandbox> ready;
    private final ScheduledExecutorService maker;
    private volatile boolean closed;

    SandboxPool(SandboxParts parts, SandboxShape shape, int size, int maxProcesses) {
        this.parts = parts;
        this.shape = shape;
        this.maxProcesses = maxProcesses;
        this.ready = new ArrayBlockingQueue<>(Math.max(1, size));
        // a few makers: making a sandbox mostly waits (bwrap's setup, the kernel's cgroup move), so
        // several in parallel keep up with back-to-back jobs; their threads live as long as the pool,
        // which matters: a launcher dies with the thread that started it (parent-death signal)
        this.maker = Executors.newScheduledThreadPool(Math.max(1, Math.min(size, MAX_MAKERS)), r -> {
            Thread t = new Thread(r, "sandbox-maker");
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < size; i++) makeOne(0);
    }

    SandboxShape shape() {
        return shape;
    }

    /** A ready sandbox, if one is waiting; a replacement is started either way. */
    Optional<PreparedSandbox> take() {
        PreparedSandbox s = ready.poll();
        if (s != null) makeOne(0);
        return Optional.ofNullable(s);
    }

    private void makeOne(long delayMs) {
        if (closed) return;
        maker.schedule(() -> {
            if (closed) return;
            try {
                PreparedSandbox s = PreparedSandbox.prepare(parts, shape, maxProcesses);
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
    int readyCount() {
        return ready.size();
    }

    @Override
    public void close() {
        closed = true;
        // Close the waiting sandboxes while the thread that made them is alive: runbox-launch dies with
        // the thread that started it (parent-death signal), and a killed reaper leaves zombies behind.
        PreparedSandbox s;
        while ((s = ready.poll()) != null) s.close();
        // a sandbox being made is let finish (it closes itself, seeing `closed`), not interrupted half-made
        maker.shutdown();
        try {
            if (!maker.awaitTermination(30, TimeUnit.SECONDS)) maker.shutdownNow();
        } catch (InterruptedException e) {
            maker.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
