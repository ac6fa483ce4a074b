package dev.runbox.sandbox.cgroup;

import dev.runbox.sandbox.SandboxFailure;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The cgroup (one per controller hierarchy on v1, one directory on v2) of one run. */
public interface RunCgroup extends AutoCloseable {

    /** The {@code cgroup.procs} files a process writes its pid into to join the run. */
    List<Path> procsFiles();

    /** Sets (or changes) the run's memory, process and CPU limits. */
    void setLimits(CgroupLimits limits) throws SandboxFailure;

    /** Starts peak-memory accounting afresh, where the kernel allows it (cgroup v1; v2 keeps the peak). */
    void resetPeak() throws SandboxFailure;

    /** CPU time used by all processes of the run so far. */
    Duration cpuUsage() throws SandboxFailure;

    /** Highest memory use of the run seen by the kernel, in bytes (or the highest sampled). */
    long memoryPeakBytes() throws SandboxFailure;

    /** How many times the kernel's OOM killer killed a process of the run. */
    long oomKills() throws SandboxFailure;

    /** Whether any process is still in the run. */
    boolean isEmpty() throws SandboxFailure;

    /** SIGKILL to every process of the run. */
    void killAll() throws SandboxFailure;

    /** Kills what is left and removes the cgroup; waits (bounded) until the kernel lets it go. */
    @Override
    void close() throws SandboxFailure;
}
