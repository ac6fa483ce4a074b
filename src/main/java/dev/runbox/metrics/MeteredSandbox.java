package dev.runbox.metrics;

import dev.runbox.sandbox.RunSpec;
import dev.runbox.sandbox.Sandbox;
import dev.runbox.sandbox.SandboxFailure;
import dev.runbox.sandbox.SandboxOutcome;
import dev.runbox.sandbox.WorkDir;

import java.time.Duration;
import java.util.Map;

/**
 * A sandbox whose runs are timed from the worker's side: the whole call (taking or preparing a
 * sandbox, limits, start, output collection, teardown) against the program's own wall time, which the
 * sandbox measures. Their difference is the overhead Runbox adds to every run.
 */
final class MeteredSandbox implements Sandbox {

    private final Sandbox sandbox;
    private final RunboxMetrics metrics;

    MeteredSandbox(Sandbox sandbox, RunboxMetrics metrics) {
        this.sandbox = sandbox;
        this.metrics = metrics;
    }

    @Override
    public SandboxOutcome run(RunSpec spec) throws SandboxFailure, InterruptedException {
        return metered(() -> sandbox.run(spec));
    }

    /** One run through either door (a plain run, or a run in a work dir). */
    private interface RunCall {
        SandboxOutcome run() throws SandboxFailure, InterruptedException;
    }

    private SandboxOutcome metered(RunCall call) throws SandboxFailure, InterruptedException {
        long start = System.nanoTime();
        SandboxOutcome outcome;
        try {
            outcome = call.run();
        } catch (SandboxFailure e) {
            metrics.sandboxFailed();
            throw e;
        }
        metrics.sandboxRun(Duration.ofNanos(System.nanoTime() - start), outcome.wallTime());
        return outcome;
    }

    /** Work dirs of compiled languages: each run through one is metered like any other run. */
    @Override
    public WorkDir openWorkDir(Map<String, byte[]> files, long sizeBytes) throws SandboxFailure, InterruptedException {
        WorkDir dir = sandbox.openWorkDir(files, sizeBytes);
        return new WorkDir() {
            @Override
            public SandboxOutcome run(RunSpec spec) throws SandboxFailure, InterruptedException {
                return metered(() -> dir.run(spec));
            }

            @Override
            public void close() throws SandboxFailure {
                dir.close();
            }
        };
    }
}
