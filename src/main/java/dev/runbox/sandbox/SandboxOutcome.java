package dev.runbox.sandbox;

import java.time.Duration;

/**
 * How a run ended.
 *
 * @param termination   why it ended
 * @param exitCode      the program's exit status when it exited by itself, else null
 * @param signal        the signal that ended it, else null
 * @param wallTime      real time from start to end
 * @param cpuTime       CPU time of all its processes (cgroup accounting)
 * @param memoryPeakBytes highest memory use (cgroup accounting)
 */
public record SandboxOutcome(Termination termination, Integer exitCode, Integer signal, Duration wallTime,
                             Duration cpuTime, long memoryPeakBytes, CapturedOutput stdout, CapturedOutput stderr) {

    public enum Termination {
        /** The program ended by itself: exit (any status) or a signal it caused. */
        EXITED,
        CPU_TIME_LIMIT,
        WALL_TIME_LIMIT,
        /** The kernel's OOM killer killed a process of the run at the memory limit. */
        MEMORY_LIMIT,
        /** stdout or stderr passed its cap; the run was killed. */
        OUTPUT_LIMIT
    }

    /** Bytes kept of one stream, and whether more was written than kept. */
    public record CapturedOutput(byte[] bytes, boolean truncated) {
    }
}
