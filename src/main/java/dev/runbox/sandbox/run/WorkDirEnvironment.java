package dev.runbox.sandbox.run;

import dev.runbox.sandbox.RunSpec;
import dev.runbox.sandbox.SandboxFailure;
import dev.runbox.sandbox.SandboxOutcome;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The environment that serves one work dir's runs: made at its first run under the work dir's uid with
 * the box bound at /box, then reused for the next runs of the same shape, exactly as a pooled
 * environment is ({@link Environment}: each run in fresh namespaces with fresh /tmp and /dev/shm,
 * the reset checked before the result is returned), except that /box is the work dir's own and keeps
 * what the runs write there, which is what a work dir is for. It serves only that work dir, so only
 * runs of one submission (its compile, its runs or tests; or one checker's or interactor's), all under
 * the uid the work dir holds anyway. An environment that is unfit after a run, has served its runs, or
 * does not fit the next run's shape is closed and another made.
 */
public final class WorkDirEnvironment implements HostBoxWorkDir.Runs {

    private final SandboxParts parts;
    private final Environment.Maker maker;
    private final int maxRuns;
    private final AtomicLong made;
    private Environment current;

    public WorkDirEnvironment(SandboxParts parts, Environment.Maker maker, int maxRuns, AtomicLong made) {
        this.parts = parts;
        this.maker = maker;
        this.maxRuns = maxRuns;
        this.made = made;
    }

    @Override
    public synchronized SandboxOutcome run(RunSpec spec, int uid, Path box) throws SandboxFailure, InterruptedException {
        SandboxShape shape = SandboxShape.withBox(spec, box);
        if (current != null && (!current.reusable() || !current.shape().equals(shape))) close();
        if (current == null) {
            current = maker.makeAs(shape, uid, maxRuns);
            made.incrementAndGet();
        }
        try {
            return current.run(spec);
        } finally {
            if (!current.reusable()) {
                close();
            } else {
                // the next run's reaper is made while this run's result is judged (the environment serializes)
                Environment next = current;
                parts.io().execute(() -> {
                    try {
                        next.prepareNextRun();
                    } catch (SandboxFailure | RuntimeException e) {
                        // unfit now: the next run replaces it
                    }
                });
            }
        }
    }

    @Override
    public synchronized void close() {
        if (current == null) return;
        current.close();
        current = null;
    }
}
