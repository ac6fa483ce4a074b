package dev.runbox.worker;

import dev.runbox.job.Status;
import dev.runbox.sandbox.SandboxOutcome;

import java.util.Locale;

/** The status and message a run's outcome earns; the first matching rule wins. */
final class Verdict {
    private Verdict() {
    }

    record Judged(Status status, String message) {
    }

    static Judged of(SandboxOutcome o, double timeLimitSec, long memoryLimitMb, long outputCapBytes) {
        return switch (o.termination()) {
            case OUTPUT_LIMIT -> new Judged(Status.OLE, "output passed the cap of " + outputCapBytes
                    + " bytes per stream; the program was killed and its output truncated");
            case MEMORY_LIMIT -> new Judged(Status.MLE, "memory limit of " + memoryLimitMb + " MB reached;"
                    + " the kernel killed the program");
            case CPU_TIME_LIMIT -> new Judged(Status.TLE, "CPU time limit of " + timeLimitSec + " s reached");
            case WALL_TIME_LIMIT -> new Judged(Status.TLE, "wall time limit of "
                    + String.format(Locale.ROOT, "%.3f", o.wallTime().toNanos() / 1e9) + " s reached (the program was waiting or sleeping)");
            case EXITED -> {
                if (o.signal() != null) yield new Judged(Status.RE, "killed by signal " + o.signal() + signalName(o.signal()));
                if (o.exitCode() != null && o.exitCode() != 0) yield new Judged(Status.RE, "exited with status " + o.exitCode());
                yield new Judged(Status.OK, null);
            }
        };
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
