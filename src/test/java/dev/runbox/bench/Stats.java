package dev.runbox.bench;

import java.util.Arrays;

/**
 * Summary of a latency series. Percentiles are nearest-rank (the p-th percentile is a sample that
 * was really measured, never an interpolation), so a p99 of fewer than 100 samples is the maximum.
 */
record Stats(int n, double p50Ms, double p99Ms, double meanMs, double minMs, double maxMs) {

    static Stats of(long[] nanos) {
        if (nanos.length == 0) throw new IllegalArgumentException("no samples");
        long[] s = nanos.clone();
        Arrays.sort(s);
        double mean = Arrays.stream(s).average().orElseThrow();
        return new Stats(s.length, ms(rank(s, 50)), ms(rank(s, 99)), mean / 1e6, ms(s[0]), ms(s[s.length - 1]));
    }

    private static long rank(long[] sorted, double p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
