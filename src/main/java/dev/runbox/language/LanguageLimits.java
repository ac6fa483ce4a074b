package dev.runbox.language;

import dev.runbox.config.RunboxConfig;

/**
 * A language's own bounds for the request's limits; each null means "the server's setting". They can
 * only narrow the server's: a maximum above the server's maximum is the server's maximum.
 *
 * @param defaultTimeLimitSec  {@code time_limit_sec} when the request has none (seconds of CPU time)
 * @param maxTimeLimitSec      largest {@code time_limit_sec} accepted
 * @param defaultMemoryLimitMb {@code memory_limit_mb} when the request has none (MiB)
 * @param minMemoryLimitMb     smallest {@code memory_limit_mb} accepted (e.g. what a JVM needs to start)
 * @param maxMemoryLimitMb     largest {@code memory_limit_mb} accepted
 */
public record LanguageLimits(Double defaultTimeLimitSec, Double maxTimeLimitSec, Integer defaultMemoryLimitMb,
                             Integer minMemoryLimitMb, Integer maxMemoryLimitMb) {

    public static final LanguageLimits SERVER = new LanguageLimits(null, null, null, null, null);

    /** The bounds in effect for this language on a server with {@code config}. */
    public Bounds resolve(RunboxConfig config) {
        double maxTime = Math.min(or(maxTimeLimitSec, config.maxTimeLimitSec()), config.maxTimeLimitSec());
        double defaultTime = Math.min(or(defaultTimeLimitSec, config.defaultTimeLimitSec()), maxTime);
        int minMem = Math.max(or(minMemoryLimitMb, config.minMemoryLimitMb()), config.minMemoryLimitMb());
        int maxMem = Math.min(or(maxMemoryLimitMb, config.maxMemoryLimitMb()), config.maxMemoryLimitMb());
        int defaultMem = Math.max(minMem, Math.min(or(defaultMemoryLimitMb, config.defaultMemoryLimitMb()), maxMem));
        return new Bounds(defaultTime, maxTime, defaultMem, minMem, maxMem);
    }

    /** Effective bounds; {@link #possible()} is false when the language needs more than the server allows. */
    public record Bounds(double defaultTimeLimitSec, double maxTimeLimitSec, int defaultMemoryLimitMb,
                         int minMemoryLimitMb, int maxMemoryLimitMb) {
        public boolean possible() {
            return minMemoryLimitMb <= maxMemoryLimitMb;
        }
    }

    private static double or(Double v, double fallback) {
        return v == null ? fallback : v;
    }

    private static int or(Integer v, int fallback) {
        return v == null ? fallback : v;
    }
}
