package dev.runbox.sandbox;

import java.time.Duration;

/**
 * Every limit of one sandboxed run.
 *
 * @param cpuTime        CPU time of all processes together; reaching it ends the run (CPU_TIME_LIMIT)
 * @param wallTime       real time from start; reaching it ends the run (WALL_TIME_LIMIT)
 * @param memoryBytes    cgroup memory limit, tmpfs files included; the kernel OOM-kills past it
 * @param cpuCores       CPU bandwidth quota in cores
 * @param maxProcesses   processes and threads alive at once (cgroup pids.max)
 * @param outputBytes    bytes kept of stdout and of stderr each; more ends the run (OUTPUT_LIMIT)
 * @param writableBytes  size of each writable tmpfs (/box, /tmp, /dev/shm) and the largest file
 * @param openFiles      file descriptors per process (RLIMIT_NOFILE)
 */
public record RunLimits(Duration cpuTime, Duration wallTime, long memoryBytes, double cpuCores, int maxProcesses,
                        long outputBytes, long writableBytes, int openFiles) {
}
