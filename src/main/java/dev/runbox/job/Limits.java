package dev.runbox.job;

import java.time.Duration;

/**
 * The limits of one run, as requested (already validated against the server's maximums).
 *
 * @param cpuTime    CPU time of all processes of the run together
 * @param memoryBytes peak memory of the run (cgroup), including its tmpfs files
 * @param cpuCores   CPU bandwidth: 0.5 means half of one core
 */
public record Limits(Duration cpuTime, long memoryBytes, double cpuCores) {

    /** Wall time is this multiple of the CPU time a run could use at its CPU quota. */
    public static final double WALL_TIME_FACTOR = 2.0;

    public Limits {
        if (cpuTime.isNegative() || cpuTime.isZero()) throw new IllegalArgumentException("cpuTime must be > 0");
        if (memoryBytes <= 0) throw new IllegalArgumentException("memoryBytes must be > 0");
        if (!(cpuCores > 0) || Double.isInfinite(cpuCores)) throw new IllegalArgumentException("cpuCores must be > 0");
    }

    /**
     * Wall time limit: {@value #WALL_TIME_FACTOR} × cpuTime ÷ min(1, cpuCores), so that a program which
     * sleeps or waits ends too, while one throttled to half a core still gets its whole CPU time.
     */
    public Duration wallTime() {
        double seconds = cpuTime.toNanos() / 1e9 * WALL_TIME_FACTOR / Math.min(1.0, cpuCores);
        return Duration.ofNanos((long) (seconds * 1e9));
    }
}
