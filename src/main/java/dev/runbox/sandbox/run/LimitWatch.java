package dev.runbox.sandbox.run;

import dev.runbox.sandbox.RunLimits;
import dev.runbox.sandbox.SandboxFailure;
import dev.runbox.sandbox.SandboxOutcome.Termination;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits for a run to end while watching its CPU and wall time, checking CPU time as often as the run
 * could have reached its limit (at most every {@link #MAX_CHECK_INTERVAL_NANOS}): that bounds how far
 * past a limit a run can get. The same for every sandbox backend.
 */
public final class LimitWatch {

    public static final long MAX_CHECK_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(25);

    /** What the watch needs of a running sandbox. */
    public interface Running {
        /** CPU time used by the run so far, in nanoseconds. */
        long cpuNanos() throws SandboxFailure;

        /** Waits up to {@code nanos} for the run to end; true if it has. */
        boolean awaitEnd(long nanos) throws InterruptedException, SandboxFailure;
    }

    /** CPU time used by a run so far, in nanoseconds. */
    @FunctionalInterface
    public interface CpuClock {
        long cpuNanos() throws SandboxFailure;
    }

    private LimitWatch() {
    }

    /**
     * {@link #untilEnd(RunLimits, long, Running)} for a run that has ended when {@code ended} completes;
     * one that completed exceptionally (its frames could not be read) has ended too: the caller's own
     * wait on it says why.
     */
    public static Termination untilEnd(RunLimits limits, long start, CpuClock cpu, Future<?> ended)
            throws InterruptedException, SandboxFailure {
        return untilEnd(limits, start, new Running() {
            @Override
            public long cpuNanos() throws SandboxFailure {
                return cpu.cpuNanos();
            }

            @Override
            public boolean awaitEnd(long nanos) throws InterruptedException {
                try {
                    ended.get(nanos, TimeUnit.NANOSECONDS);
                    return true;
                } catch (TimeoutException e) {
                    return false;
                } catch (ExecutionException e) {
                    return true;
                }
            }
        });
    }

    /**
     * Returns when the run has ended by itself (null) or has reached a time limit (which one); the caller
     * kills it then. {@code start} is {@link System#nanoTime()} at the run's start.
     */
    public static Termination untilEnd(RunLimits limits, long start, Running run) throws InterruptedException, SandboxFailure {
        long wallLimit = limits.wallTime().toNanos();
        long cpuLimit = limits.cpuTime().toNanos();
        double cores = Math.max(limits.cpuCores(), 0.01);
        while (true) {
            long elapsed = System.nanoTime() - start;
            if (elapsed >= wallLimit) return Termination.WALL_TIME_LIMIT;
            long cpuUsed = run.cpuNanos();
            if (cpuUsed >= cpuLimit) return Termination.CPU_TIME_LIMIT;
            // CPU time grows at most `cores` seconds per second under the quota
            long untilCpuLimit = (long) ((cpuLimit - cpuUsed) / cores);
            long wait = Math.min(wallLimit - elapsed, Math.min(untilCpuLimit, MAX_CHECK_INTERVAL_NANOS));
            if (run.awaitEnd(Math.max(wait, 1_000_000))) return null;
        }
    }
}
