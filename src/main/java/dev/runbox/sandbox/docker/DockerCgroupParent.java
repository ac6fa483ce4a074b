package dev.runbox.sandbox.docker;

import dev.runbox.sandbox.SandboxFailure;
import dev.runbox.sandbox.cgroup.CgroupDetector;
import dev.runbox.sandbox.cgroup.CgroupFiles;
import dev.runbox.sandbox.cgroup.CgroupLimits;
import dev.runbox.sandbox.cgroup.Cgroups;
import dev.runbox.sandbox.cgroup.RunCgroup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The cgroup a run's container is made in ({@code --cgroup-parent}): a run cgroup of Runbox's own, so
 * that its CPU time, memory peak and OOM kills can still be read after the container is gone (the
 * kernel accounts a child's use to its parents, and Docker removes the container's own cgroup with
 * the container). Needs Docker's cgroupfs driver: the systemd driver only takes slice names.
 *
 * <p>On cgroup v1, runc also makes the parent in the hierarchies Runbox does not use (cpuset, blkio,
 * devices, ...); {@link #close} removes those too, by Runbox's own run name, never by a path the run
 * could have chosen.
 */
final class DockerCgroupParent implements AutoCloseable {

    private final RunCgroup cgroup;
    private final String path;
    private final List<CgroupDetector.Mount> mounts;
    /** Runbox's own run cgroup dirs (removed by {@link RunCgroup#close}); the rest under {@link #path} is runc's. */
    private final Set<Path> own;
    /** cgroup v1: cpuacct at {@link #path}, which may not be where Runbox's own cpuacct run cgroup is. */
    private final Path cpuacct;

    private DockerCgroupParent(RunCgroup cgroup, String path, List<CgroupDetector.Mount> mounts, Set<Path> own, Path cpuacct) {
        this.cgroup = cgroup;
        this.path = path;
        this.mounts = mounts;
        this.own = own;
        this.cpuacct = cpuacct;
    }

    /**
     * Creates the run cgroup {@code name} with {@code limits}; {@code mounts} are the host's cgroup
     * mounts ({@link #cgroupMounts}, read once per process). Docker puts the container at the same
     * path in every hierarchy, so the path is that of the run's memory cgroup (its peak and OOM kills
     * are read there); on v1 the CPU time is read from cpuacct at that path, made here if need be.
     */
    static DockerCgroupParent create(Cgroups cgroups, List<CgroupDetector.Mount> mounts, String name, CgroupLimits limits)
            throws SandboxFailure {
        RunCgroup cgroup = cgroups.create(name, limits);
        try {
            Set<Path> own = new HashSet<>();
            String path = null;
            for (Path procs : cgroup.procsFiles()) {
                Path dir = procs.getParent();
                own.add(dir);
                CgroupDetector.Mount m = mountOf(mounts, dir);
                if (m.v2() || m.controllers().contains("memory")) path = hierarchyPath(m, dir);
                Path subtree = dir.resolve("cgroup.subtree_control");
                // cgroup v2: the container's cgroup below needs the controllers handed down to it
                if (m.v2()) CgroupFiles.write(subtree, "+memory +pids +cpu");
            }
            if (path == null) throw new SandboxFailure("the run cgroup " + cgroup.procsFiles() + " has no memory controller");
            Path cpuacct = null;
            for (CgroupDetector.Mount m : mounts) {
                if (m.v2() || !m.controllers().contains("cpuacct")) continue;
                cpuacct = underMount(m, path);
                if (cpuacct == null) throw new SandboxFailure("cgroup path " + path + " lies outside the cpuacct mount " + m.mountPoint());
                Files.createDirectories(cpuacct);
            }
            return new DockerCgroupParent(cgroup, path, mounts, own, cpuacct);
        } catch (IOException e) {
            closeQuietly(cgroup);
            throw new SandboxFailure("cannot make the cgroup parent of a Docker run: " + e, e);
        } catch (SandboxFailure | RuntimeException e) {
            closeQuietly(cgroup);
            throw e;
        }
    }

    private static void closeQuietly(RunCgroup cgroup) {
        try {
            cgroup.close();
        } catch (SandboxFailure ignored) {
            // swept at the next start
        }
    }

    /** The value for Docker's cgroup parent: the run cgroup's path from the hierarchy root. */
    String path() {
        return path;
    }

    /** CPU time of the run's container, also after the container is gone. */
    Duration cpuUsage() throws SandboxFailure {
        if (cpuacct == null) return cgroup.cpuUsage();
        return Duration.ofNanos(CgroupFiles.readLong(cpuacct.resolve("cpuacct.usage")));
    }

    long memoryPeakBytes() throws SandboxFailure {
        return cgroup.memoryPeakBytes();
    }

    long oomKills() throws SandboxFailure {
        return cgroup.oomKills();
    }

    /** Removes what runc made under the path in every hierarchy, then the run cgroup; the container must be gone. */
    @Override
    public void close() throws SandboxFailure {
        for (CgroupDetector.Mount m : mounts) {
            Path dir = underMount(m, path);
            if (dir == null || !Files.isDirectory(dir)) continue;
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path d : walk.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList()) {
                    if (!own.contains(d)) Files.deleteIfExists(d);
                }
            } catch (IOException | UncheckedIOException e) {
                // busy or already gone: the next start sweeps what is left
            }
        }
        cgroup.close();
    }

    /** Removes leftovers of run cgroups named {@code runPrefix}... in every hierarchy (at start, after a crash). */
    static void sweepStrays(List<CgroupDetector.Mount> mounts, String runPrefix) {
        for (CgroupDetector.Mount m : mounts) {
            try (Stream<Path> top = Files.walk(m.mountPoint(), 3)) {
                List<Path> ours = top.filter(Files::isDirectory)
                        .filter(d -> d.getFileName() != null && d.getFileName().toString().startsWith(runPrefix)).toList();
                for (Path d : ours) {
                    try (Stream<Path> walk = Files.walk(d)) {
                        for (Path x : walk.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList()) {
                            Files.deleteIfExists(x);
                        }
                    } catch (IOException | UncheckedIOException e) {
                        // busy: tried again at the next start
                    }
                }
            } catch (IOException | UncheckedIOException e) {
                // unreadable hierarchy: check-host reports it
            }
        }
    }

    static List<CgroupDetector.Mount> cgroupMounts() throws SandboxFailure {
        return CgroupDetector.mounts();
    }

    private static CgroupDetector.Mount mountOf(List<CgroupDetector.Mount> mounts, Path dir) throws SandboxFailure {
        CgroupDetector.Mount best = null;
        for (CgroupDetector.Mount m : mounts) {
            if (dir.startsWith(m.mountPoint()) && (best == null || m.mountPoint().getNameCount() > best.mountPoint().getNameCount())) {
                best = m;
            }
        }
        if (best == null) throw new SandboxFailure("run cgroup " + dir + " is under no cgroup mount");
        return best;
    }

    /** The path of cgroup dir {@code dir} from its hierarchy's root, e.g. "/runbox-run-1a2b-c3d4". */
    private static String hierarchyPath(CgroupDetector.Mount m, Path dir) {
        String root = m.root().equals("/") ? "" : m.root().replaceAll("/+$", "");
        return root + "/" + m.mountPoint().relativize(dir);
    }

    private static Path underMount(CgroupDetector.Mount m, String hierarchyPath) {
        String root = m.root().equals("/") ? "" : m.root().replaceAll("/+$", "");
        if (!hierarchyPath.startsWith(root + "/")) return null;
        return m.mountPoint().resolve(hierarchyPath.substring(root.length() + 1));
    }
}
