package dev.runbox.sandbox.cgroup;

import dev.runbox.sandbox.SandboxFailure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * cgroup v1: one hierarchy per controller. A run gets a directory {@code runbox-run-<instance>-<name>} under
 * Runbox's own cgroup in each of the memory, pids, cpu and cpuacct hierarchies (co-mounted
 * hierarchies share one directory).
 */
public final class CgroupV1 implements Cgroups {

    /** memory.max_usage_in_bytes is reset by writing to it. */
    @Override
    public boolean peakResetsPerRun() {
        return true;
    }

    private final String runPrefix;
    private final Path memory;
    private final Path pids;
    private final Path cpu;
    private final Path cpuacct;

    /** Each path is the parent directory for run cgroups in that controller's hierarchy. */
    public CgroupV1(String instance, Path memory, Path pids, Path cpu, Path cpuacct) {
        this.runPrefix = Cgroups.runPrefix(instance);
        this.memory = memory;
        this.pids = pids;
        this.cpu = cpu;
        this.cpuacct = cpuacct;
    }

    private List<Path> parents() {
        Set<Path> distinct = new LinkedHashSet<>(List.of(memory, pids, cpu, cpuacct));
        return List.copyOf(distinct);
    }

    @Override
    public RunCgroup create(String runName, CgroupLimits limits) throws SandboxFailure {
        List<Path> dirs = new ArrayList<>();
        for (Path parent : parents()) {
            Path dir = parent.resolve(runPrefix + runName);
            try {
                Files.createDirectory(dir);
            } catch (IOException e) {
                destroyDirs(dirs);
                throw new SandboxFailure("cannot create cgroup " + dir + ": " + e + " (run `runbox check-host`)", e);
            }
            dirs.add(dir);
        }
        Run run = new Run(dirs, memory.resolve(runPrefix + runName), pids.resolve(runPrefix + runName),
                cpu.resolve(runPrefix + runName), cpuacct.resolve(runPrefix + runName));
        try {
            Path swappiness = run.memoryDir.resolve("memory.swappiness");
            if (Files.exists(swappiness)) {
                try {
                    CgroupFiles.write(swappiness, "0");
                } catch (SandboxFailure ignored) {
                    // some kernels refuse per-group swappiness; memsw (when present) still bounds swap
                }
            }
            CgroupFiles.write(run.cpuDir.resolve("cpu.cfs_period_us"), Long.toString(CgroupLimits.CPU_PERIOD_US));
            run.setLimits(limits);
        } catch (SandboxFailure e) {
            destroyDirs(dirs);
            throw e;
        }
        return run;
    }

    private static void destroyDirs(List<Path> dirs) {
        for (Path d : dirs) {
            try {
                CgroupFiles.removeDir(d, d.resolve("cgroup.procs"), System.nanoTime() + 2_000_000_000L);
            } catch (SandboxFailure ignored) {
                // best effort on a failed setup; sweepStale() collects it at the next start
            }
        }
    }

    /**
     * Counts runs, not directories: a run has one in each hierarchy (one for co-mounted ones), and it
     * counts once, when every one of them could be removed.
     */
    @Override
    public int sweepStale() {
        Map<String, Boolean> allRemoved = new HashMap<>();
        for (Path parent : parents()) {
            try (Stream<Path> children = Files.list(parent)) {
                for (Path dir : children.filter(p -> p.getFileName().toString().startsWith(runPrefix)).toList()) {
                    boolean removed;
                    try {
                        CgroupFiles.removeDir(dir, dir.resolve("cgroup.procs"), System.nanoTime() + 2_000_000_000L);
                        removed = true;
                    } catch (SandboxFailure e) {
                        removed = false; // still busy: tried again at the next start; check-host shows it
                    }
                    allRemoved.merge(dir.getFileName().toString(), removed, Boolean::logicalAnd);
                }
            } catch (IOException ignored) {
                // unreadable parent: check-host reports it
            }
        }
        return (int) allRemoved.values().stream().filter(Boolean::booleanValue).count();
    }

    @Override
    public String describe() {
        return "cgroup v1 (memory " + memory + ", pids " + pids + ", cpu " + cpu + ", cpuacct " + cpuacct + ")";
    }

    private static final class Run implements RunCgroup {
        private final List<Path> dirs;
        private final Path memoryDir;
        private final Path pidsDir;
        private final Path cpuDir;
        private final Path cpuacctDir;

        Run(List<Path> dirs, Path memoryDir, Path pidsDir, Path cpuDir, Path cpuacctDir) {
            this.dirs = dirs;
            this.memoryDir = memoryDir;
            this.pidsDir = pidsDir;
            this.cpuDir = cpuDir;
            this.cpuacctDir = cpuacctDir;
        }

        /** The limits last written (a reused environment's next job has the same ones most often: not written again). */
        private CgroupLimits written;

        @Override
        public void setLimits(CgroupLimits limits) throws SandboxFailure {
            if (written == null || limits.memoryBytes() != written.memoryBytes()) {
                String bytes = Long.toString(limits.memoryBytes());
                Path mem = memoryDir.resolve("memory.limit_in_bytes");
                // no swap: memory + swap gets the same limit where swap accounting exists; the kernel
                // wants memsw >= mem at every moment, so the order of the two writes depends on the direction
                Path memsw = memoryDir.resolve("memory.memsw.limit_in_bytes");
                if (Files.exists(memsw) && limits.memoryBytes() > CgroupFiles.readLong(mem)) {
                    CgroupFiles.write(memsw, bytes);
                    CgroupFiles.write(mem, bytes);
                } else {
                    CgroupFiles.write(mem, bytes);
                    if (Files.exists(memsw)) CgroupFiles.write(memsw, bytes);
                }
            }
            if (written == null || limits.maxProcesses() != written.maxProcesses()) {
                CgroupFiles.write(pidsDir.resolve("pids.max"), Integer.toString(limits.maxProcesses()));
            }
            if (written == null || limits.cpuQuotaMicros() != written.cpuQuotaMicros()) {
                CgroupFiles.write(cpuDir.resolve("cpu.cfs_quota_us"), Long.toString(limits.cpuQuotaMicros()));
            }
            written = limits;
        }

        @Override
        public void resetPeak() throws SandboxFailure {
            CgroupFiles.write(memoryDir.resolve("memory.max_usage_in_bytes"), "0");
        }

        @Override
        public List<Path> procsFiles() {
            return dirs.stream().map(d -> d.resolve("cgroup.procs")).toList();
        }

        @Override
        public Duration cpuUsage() throws SandboxFailure {
            return Duration.ofNanos(CgroupFiles.readLong(cpuacctDir.resolve("cpuacct.usage")));
        }

        @Override
        public long memoryPeakBytes() throws SandboxFailure {
            return CgroupFiles.readLong(memoryDir.resolve("memory.max_usage_in_bytes"));
        }

        @Override
        public long oomKills() throws SandboxFailure {
            return CgroupFiles.readKey(memoryDir.resolve("memory.oom_control"), "oom_kill");
        }

        @Override
        public boolean isEmpty() throws SandboxFailure {
            for (Path procs : procsFiles()) {
                if (!CgroupFiles.pids(procs).isEmpty()) return false;
            }
            return true;
        }

        @Override
        public void killAll() throws SandboxFailure {
            for (Path procs : procsFiles()) CgroupFiles.killPids(procs);
        }

        @Override
        public void close() throws SandboxFailure {
            long deadline = System.nanoTime() + 5_000_000_000L;
            SandboxFailure first = null;
            for (Path d : dirs) {
                try {
                    CgroupFiles.removeDir(d, d.resolve("cgroup.procs"), deadline);
                } catch (SandboxFailure e) {
                    if (first == null) first = e;
                }
            }
            if (first != null) throw first;
        }
    }
}
