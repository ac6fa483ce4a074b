package dev.runbox.sandbox.cgroup;

import dev.runbox.sandbox.SandboxFailure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * cgroup v2 (unified): a run gets {@code <parent>/runbox-run-<instance>-<name>} with memory, pids and cpu
 * controllers. v2 lets only leaves hold processes, so {@link #prepare} first moves Runbox itself into
 * {@code <parent>/runbox-supervisor} and then enables the controllers for the parent's children; on a
 * systemd host the parent must be delegated to Runbox (e.g. {@code Delegate=yes} in its unit).
 */
public final class CgroupV2 implements Cgroups {

    static final String SUPERVISOR = "runbox-supervisor";

    private final String runPrefix;
    private final Path parent;
    private final Path mountPoint;
    private final String ownPath;
    private final CgroupV2Placement.Host host;

    public CgroupV2(String instance, Path parent) {
        this(instance, parent, null, "", CgroupV2Placement.Host.current());
    }

    /**
     * @param mountPoint the cgroup2 mount (null when unknown), to tell a controller the kernel lacks from one not delegated
     * @param ownPath    Runbox's cgroup as /proc/self/cgroup names it
     */
    CgroupV2(String instance, Path parent, Path mountPoint, String ownPath, CgroupV2Placement.Host host) {
        this.runPrefix = Cgroups.runPrefix(instance);
        this.parent = parent;
        this.mountPoint = mountPoint;
        this.ownPath = ownPath;
        this.host = host;
    }

    /**
     * Makes {@code parent} usable for run cgroups: moves the given process (Runbox itself) into a
     * leaf and enables the memory, pids and cpu controllers for children. When that cannot work (a
     * controller not delegated, other processes in {@code parent}) it changes nothing and says why,
     * with the fix.
     */
    public void prepare(long selfPid) throws SandboxFailure {
        var problem = CgroupV2Placement.problem(mountPoint, parent, ownPath, selfPid, host, CgroupV2Placement::commandName);
        if (problem.isPresent()) {
            throw new SandboxFailure(problem.get().detail() + "; fix: " + problem.get().fix() + " (run `runbox check-host`)");
        }
        String enabled = CgroupFiles.read(parent.resolve("cgroup.subtree_control"));
        if (List.of(enabled.split("\\s+")).containsAll(CgroupV2Placement.CONTROLLERS)) return;
        Path supervisor = parent.resolve(SUPERVISOR);
        try {
            Files.createDirectories(supervisor);
        } catch (IOException e) {
            throw new SandboxFailure("cannot create " + supervisor + ": " + e, e);
        }
        CgroupFiles.write(supervisor.resolve("cgroup.procs"), Long.toString(selfPid));
        CgroupFiles.write(parent.resolve("cgroup.subtree_control"), "+memory +pids +cpu");
    }

    @Override
    public RunCgroup create(String runName, CgroupLimits limits) throws SandboxFailure {
        Path dir = parent.resolve(runPrefix + runName);
        try {
            Files.createDirectory(dir);
        } catch (IOException e) {
            throw new SandboxFailure("cannot create cgroup " + dir + ": " + e + " (run `runbox check-host`)", e);
        }
        Run run = new Run(dir);
        try {
            Path swap = dir.resolve("memory.swap.max");
            if (Files.exists(swap)) CgroupFiles.write(swap, "0");
            // memory.oom.group stays 0: the kernel kills the process it picks (the largest) and the rest of
            // the run goes on, as on v1, which has no group kill; any OOM kill makes the run MLE on both
            run.setLimits(limits);
        } catch (SandboxFailure e) {
            try {
                run.close();
            } catch (SandboxFailure ignored) {
                // sweepStale() collects it at the next start
            }
            throw e;
        }
        return run;
    }

    @Override
    public int sweepStale() {
        int removed = 0;
        try (Stream<Path> children = Files.list(parent)) {
            for (Path dir : children.filter(p -> p.getFileName().toString().startsWith(runPrefix)).toList()) {
                try {
                    new Run(dir).close();
                    removed++;
                } catch (SandboxFailure ignored) {
                    // reported by check-host
                }
            }
        } catch (IOException ignored) {
            // unreadable parent: check-host reports it
        }
        return removed;
    }

    @Override
    public boolean peakRenewsByMove() {
        return true;
    }

    @Override
    public String describe() {
        return "cgroup v2 (" + parent + ")";
    }

    private static final class Run implements RunCgroup {
        private final Path dir;
        /** Highest memory.current seen, for kernels without memory.peak (before 5.19). */
        private final AtomicLong sampledPeak = new AtomicLong();

        Run(Path dir) {
            this.dir = dir;
        }

        /** The limits last written (a reused environment's next job has the same ones most often: not written again). */
        private CgroupLimits written;

        @Override
        public void setLimits(CgroupLimits limits) throws SandboxFailure {
            if (written == null || limits.memoryBytes() != written.memoryBytes()) {
                CgroupFiles.write(dir.resolve("memory.max"), Long.toString(limits.memoryBytes()));
            }
            if (written == null || limits.maxProcesses() != written.maxProcesses()) {
                CgroupFiles.write(dir.resolve("pids.max"), Integer.toString(limits.maxProcesses()));
            }
            if (written == null || limits.cpuQuotaMicros() != written.cpuQuotaMicros()) {
                CgroupFiles.write(dir.resolve("cpu.max"), limits.cpuQuotaMicros() + " " + CgroupLimits.CPU_PERIOD_US);
            }
            written = limits;
        }

        @Override
        public void resetPeak() {
            // memory.peak resets only per open file (kernel 6.12+); the idle sandbox's few MiB stay in it
        }

        @Override
        public List<Path> procsFiles() {
            return List.of(dir.resolve("cgroup.procs"));
        }

        @Override
        public Duration cpuUsage() throws SandboxFailure {
            if (Files.exists(dir.resolve("memory.current")) && !Files.exists(dir.resolve("memory.peak"))) {
                sampledPeak.accumulateAndGet(CgroupFiles.readLong(dir.resolve("memory.current")), Math::max);
            }
            return Duration.ofNanos(CgroupFiles.readKey(dir.resolve("cpu.stat"), "usage_usec") * 1000);
        }

        @Override
        public long memoryPeakBytes() throws SandboxFailure {
            Path peak = dir.resolve("memory.peak");
            if (Files.exists(peak)) return CgroupFiles.readLong(peak);
            return sampledPeak.get();
        }

        @Override
        public long oomKills() throws SandboxFailure {
            Path events = dir.resolve("memory.events");
            return CgroupFiles.readKey(events, "oom_kill") + CgroupFiles.readKey(events, "oom_group_kill");
        }

        @Override
        public boolean isEmpty() throws SandboxFailure {
            return CgroupFiles.pids(dir.resolve("cgroup.procs")).isEmpty();
        }

        @Override
        public void killAll() throws SandboxFailure {
            Path kill = dir.resolve("cgroup.kill"); // since 5.14: the kernel kills the group atomically
            if (Files.exists(kill)) CgroupFiles.write(kill, "1");
            else CgroupFiles.killPids(dir.resolve("cgroup.procs"));
        }

        @Override
        public void close() throws SandboxFailure {
            if (!Files.exists(dir)) return;
            killAll();
            CgroupFiles.removeDir(dir, dir.resolve("cgroup.procs"), System.nanoTime() + 5_000_000_000L);
        }
    }
}
