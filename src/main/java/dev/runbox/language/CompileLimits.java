package dev.runbox.language;

/**
 * The limits of a compile step, set by the languages file (the request cannot change them). A compile
 * that hits one ends with status CE and a message naming the limit; the program does not run.
 *
 * @param timeLimitSec    CPU time of the compiler's processes together, seconds; the wall-time limit is
 *                        twice that. Default {@value #DEFAULT_TIME_LIMIT_SEC}.
 * @param memoryLimitMb   peak memory of the compile (cgroup), MiB; the kernel kills the compiler past it.
 *                        Default {@value #DEFAULT_MEMORY_LIMIT_MB}.
 * @param outputCapBytes  bytes kept of the compiler's stdout and stderr each; more stops the compile.
 *                        {@code compile_output} holds at most this much. Default {@value #DEFAULT_OUTPUT_CAP_BYTES}.
 * @param cpuCores        CPU bandwidth of the compile, cores. Default {@value #DEFAULT_CPU_CORES}.
 */
public record CompileLimits(double timeLimitSec, int memoryLimitMb, int outputCapBytes, double cpuCores) {

    public static final double DEFAULT_TIME_LIMIT_SEC = 10;
    public static final int DEFAULT_MEMORY_LIMIT_MB = 512;
    public static final int DEFAULT_OUTPUT_CAP_BYTES = 64 * 1024;
    public static final double DEFAULT_CPU_CORES = 1.0;
    public static final CompileLimits DEFAULTS = new CompileLimits(DEFAULT_TIME_LIMIT_SEC, DEFAULT_MEMORY_LIMIT_MB,
            DEFAULT_OUTPUT_CAP_BYTES, DEFAULT_CPU_CORES);

    public CompileLimits {
        if (!(timeLimitSec > 0 && timeLimitSec <= 600)) throw new IllegalArgumentException("time_limit_sec must be in (0, 600]");
        if (memoryLimitMb < 16 || memoryLimitMb > 65536) throw new IllegalArgumentException("memory_limit_mb must be in [16, 65536]");
        if (outputCapBytes < 1) throw new IllegalArgumentException("output_cap_bytes must be >= 1");
        if (!(cpuCores >= 0.01 && cpuCores <= 1024)) throw new IllegalArgumentException("cpu_cores must be in [0.01, 1024]");
    }
}
