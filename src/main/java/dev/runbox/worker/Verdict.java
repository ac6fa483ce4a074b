package dev.runbox.worker;

import dev.runbox.job.Limits;
import dev.runbox.job.Status;
import dev.runbox.judge.ExpectedOutput;
import dev.runbox.sandbox.SandboxFailure;
import dev.runbox.sandbox.SandboxOutcome;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** The status and message a run's outcome earns; the first matching rule wins. */
final class Verdict {
    private Verdict() {
    }

    record Judged(Status status, String message) {
    }

    /**
     * @param limits         the limits the run had (the messages state them)
     * @param outputCapBytes bytes kept per stream
     * @throws SandboxFailure when the outcome says the program exited but carries neither an exit
     *                        status nor a signal: the sandbox failed to tell how the program ended, which
     *                        is Runbox's failure (retried, then INTERNAL_ERROR), not the program's. Calling
     *                        it OK would pass a run nobody saw end; calling it RE would blame the program.
     */
    static Judged of(SandboxOutcome o, Limits limits, long outputCapBytes) throws SandboxFailure {
        return switch (o.termination()) {
            case OUTPUT_LIMIT -> new Judged(Status.OLE, "output passed the cap of " + outputCapBytes
                    + " bytes per stream; the program was killed and its output truncated");
            case MEMORY_LIMIT -> new Judged(Status.MLE, "memory limit of " + limits.memoryBytes() / (1024 * 1024) + " MB reached;"
                    + " the kernel killed the program");
            case CPU_TIME_LIMIT -> new Judged(Status.TLE, "CPU time limit of " + limits.cpuTime().toNanos() / 1e9 + " s reached");
            case WALL_TIME_LIMIT -> new Judged(Status.TLE, "wall time limit of " + seconds(limits.wallTime())
                    + " s reached after " + seconds(o.wallTime()) + " s (the program was waiting or sleeping)");
            case EXITED -> {
                if (o.signal() != null) yield new Judged(Status.RE, "killed by signal " + o.signal() + signalName(o.signal()));
                if (o.exitCode() == null) {
                    throw new SandboxFailure("the sandbox reported that the program exited, but with neither an exit status"
                            + " nor a signal");
                }
                if (o.exitCode() != 0) yield new Judged(Status.RE, "exited with status " + o.exitCode());
                yield new Judged(Status.OK, null);
            }
        };
    }

    /**
     * A managed runtime whose heap ran out (sized from the memory limit, so it fails before the kernel
     * would kill it) exits with an error of its own; it said so on stderr: MLE, not RE.
     */
    static Judged heapExhausted(Judged j, String stderr, List<String> markers, long memoryLimitMb) {
        if (j.status() != Status.RE) return j;
        for (String m : markers) {
            if (stderr.contains(m)) {
                return new Judged(Status.MLE, "memory limit of " + memoryLimitMb + " MB reached: the runtime's heap"
                        + " (sized from the limit) ran out (" + m + ")");
            }
        }
        return j;
    }

    /** An OK run whose stdout is not the expected output: WA, saying where they differ. */
    static Judged againstExpected(Judged j, String stdout, String expectedOutput) {
        if (j.status() != Status.OK || expectedOutput == null) return j;
        return ExpectedOutput.difference(stdout, expectedOutput)
                .map(d -> new Judged(Status.WA, "stdout differs from expected_output (trailing whitespace ignored): " + d))
                .orElse(j);
    }

    /** Why a compile failed, or empty when it succeeded (exit status 0 within every limit). */
    static java.util.Optional<String> compileFailure(SandboxOutcome c, double timeLimitSec, long memoryLimitMb,
                                                     long outputCapBytes) {
        String why = switch (c.termination()) {
            case OUTPUT_LIMIT -> "compiler output passed the cap of " + outputCapBytes + " bytes; the compile was stopped";
            case MEMORY_LIMIT -> "the compile reached its memory limit of " + memoryLimitMb + " MB; the kernel killed the compiler";
            case CPU_TIME_LIMIT -> "the compile reached its CPU time limit of " + timeLimitSec + " s";
            case WALL_TIME_LIMIT -> "the compile reached its wall time limit of "
                    + seconds(c.wallTime()) + " s";
            case EXITED -> {
                if (c.signal() != null) yield "the compiler was killed by signal " + c.signal() + signalName(c.signal());
                if (c.exitCode() != null && c.exitCode() != 0) yield "compilation failed (exit status " + c.exitCode() + ")";
                yield null;
            }
        };
        return java.util.Optional.ofNullable(why);
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.3f", d.toNanos() / 1e9);
    }

    private static String signalName(int signal) {
        return switch (signal) {
            case 4 -> " (SIGILL)";
            case 6 -> " (SIGABRT)";
            case 8 -> " (SIGFPE)";
            case 9 -> " (SIGKILL)";
            case 11 -> " (SIGSEGV)";
            case 13 -> " (SIGPIPE)";
            case 15 -> " (SIGTERM)";
            case 24 -> " (SIGXCPU)";
            case 25 -> " (SIGXFSZ: file size limit)";
            default -> "";
        };
    }
}
