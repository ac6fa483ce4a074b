package dev.runbox.bench;

/**
 * How much of each measurement one run does. {@code loadWarmupSec}: HTTP load at saturation before the
 * throughput windows (on the embedded server; two thirds of it on Redis mode's), so that the windows
 * measure servers and clients whose code is compiled, not their JIT at work (see bench/README). Latency series are measured in {@code rounds}
 * interleaved with their baseline (bare C, sandbox C, bare python, …, then again), so that a change
 * of load on the machine hits subject and baseline alike; throughput windows likewise alternate.
 */
record Plan(String mode, int warmupRuns, int rounds, int bareCPerRound, int sandboxCPerRound, int pythonPerRound,
            int httpCPerRound, int throughputRounds, double throughputWarmupSec, double throughputWindowSec, double loadWarmupSec,
            int clientsPerWorker, long throughputPollNanos, long latencyPollNanos, double wrkSec, int wrkConnections,
            int queuedSmall, int queuedLarge, long settleMillis, int judgeTests, int judgeMemoryTests) {

    /** About two and a half minutes on 2 quiet cores; five when other work keeps them busy (load ~15). */
    static final Plan FULL = new Plan("full", 10, 5, 100, 80, 24, 24, 2, 1.0, 4, 15, 8, 50_000_000L, 5_000_000L, 10, 32,
            1_000, 100_000, 2_000, 100, 1_000);

    /** Every row with tiny counts, so that the benchmark cannot rot: seconds, not minutes. Numbers mean nothing. */
    static final Plan SMOKE = new Plan("smoke", 2, 1, 20, 5, 3, 3, 1, 0.2, 0.8, 0.3, 2, 10_000_000L, 5_000_000L, 1, 4,
            20, 200, 300, 5, 20);

    static Plan named(String mode) {
        return switch (mode) {
            case "full" -> FULL;
            case "smoke" -> SMOKE;
            default -> throw new IllegalArgumentException("unknown mode " + mode + " (full or smoke)");
        };
    }
}
