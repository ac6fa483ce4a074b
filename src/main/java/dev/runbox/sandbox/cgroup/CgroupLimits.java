package dev.runbox.sandbox.cgroup;

/** What a run's cgroup enforces: memory (bytes, swap included), processes, CPU bandwidth in cores. */
public record CgroupLimits(long memoryBytes, int maxProcesses, double cpuCores) {

    /** CFS period; the quota is cpuCores × this. */
    public static final long CPU_PERIOD_US = 100_000;

    public long cpuQuotaMicros() {
        return Math.max(1000, Math.round(cpuCores * CPU_PERIOD_US));
    }
}
