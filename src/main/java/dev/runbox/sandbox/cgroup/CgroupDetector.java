package dev.runbox.sandbox.cgroup;

import dev.runbox.sandbox.SandboxFailure;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds where this process may create run cgroups, from /proc/self/cgroup and /proc/self/mountinfo.
 * Run cgroups go under the cgroup Runbox itself is in: on systemd hosts the delegated subtree is the
 * only place it may write, and in containers it is the only place it can see.
 */
public final class CgroupDetector {

    private static final List<String> V1_CONTROLLERS = List.of("memory", "pids", "cpu", "cpuacct");

    private CgroupDetector() {
    }

    /** A cgroup filesystem mount: where it is, which subtree it shows, v1 controllers it carries. */
    public record Mount(Path mountPoint, String root, boolean v2, List<String> controllers) {
    }

    /** @param instance names this Runbox process's run cgroups (see {@link Cgroups#runPrefix}) */
    public static Cgroups detect(String instance) throws SandboxFailure {
        try {
            return detect(instance, KernelFiles.read(Path.of("/proc/self/cgroup")),
                    KernelFiles.read(Path.of("/proc/self/mountinfo")), ProcessHandle.current().pid());
        } catch (IOException e) {
            throw new SandboxFailure("cannot read /proc/self/cgroup or mountinfo: " + e, e);
        }
    }

    /** Where run cgroups go: one directory per v1 controller, or Runbox's own cgroup v2. Found without changing anything. */
    public sealed interface Location permits V1Location, V2Location {
    }

    public record V1Location(Path memory, Path pids, Path cpu, Path cpuacct) implements Location {
    }

    /** @param ownPath Runbox's cgroup as /proc/self/cgroup names it (its supervisor leaf stripped) */
    public record V2Location(Path mountPoint, Path parent, String ownPath) implements Location {
    }

    /** Chooses v1 when the memory controller is mounted as v1 (hybrid hosts), else v2; then prepares the tree. */
    static Cgroups detect(String instance, String procSelfCgroup, String mountinfo, long selfPid) throws SandboxFailure {
        Location where = locate(procSelfCgroup, mountinfo);
        if (where instanceof V1Location v1) return new CgroupV1(instance, v1.memory(), v1.pids(), v1.cpu(), v1.cpuacct());
        V2Location at = (V2Location) where;
        CgroupV2 v2 = new CgroupV2(instance, at.parent(), at.mountPoint(), at.ownPath(), CgroupV2Placement.Host.current());
        v2.prepare(selfPid);
        return v2;
    }

    /** The location of this process's run cgroups, read from /proc and nothing written (check-host). */
    public static Location locate() throws SandboxFailure {
        try {
            return locate(KernelFiles.read(Path.of("/proc/self/cgroup")), KernelFiles.read(Path.of("/proc/self/mountinfo")));
        } catch (IOException e) {
            throw new SandboxFailure("cannot read /proc/self/cgroup or mountinfo: " + e, e);
        }
    }

    static Location locate(String procSelfCgroup, String mountinfo) throws SandboxFailure {
        List<Mount> mounts = parseMounts(mountinfo);
        Map<String, String> ownV1 = new HashMap<>();
        String ownV2 = null;
        for (String line : procSelfCgroup.split("\n")) {
            String[] parts = line.split(":", 3);
            if (parts.length != 3) continue;
            if (parts[0].equals("0") && parts[1].isEmpty()) {
                ownV2 = parts[2];
            } else {
                for (String c : parts[1].split(",")) ownV1.put(c, parts[2]);
            }
        }
        Optional<Mount> memoryV1 = mounts.stream().filter(m -> !m.v2() && m.controllers().contains("memory")).findFirst();
        if (memoryV1.isPresent() && ownV1.containsKey("memory")) {
            Path[] dirs = new Path[V1_CONTROLLERS.size()];
            for (int i = 0; i < dirs.length; i++) {
                String c = V1_CONTROLLERS.get(i);
                Mount m = mounts.stream().filter(x -> !x.v2() && x.controllers().contains(c)).findFirst()
                        .orElseThrow(() -> new SandboxFailure("cgroup v1 controller '" + c + "' is not mounted"
                                + " (run `runbox check-host`)"));
                String own = ownV1.get(c);
                if (own == null) throw new SandboxFailure("this process is in no '" + c + "' cgroup");
                dirs[i] = resolve(m, own);
            }
            return new V1Location(dirs[0], dirs[1], dirs[2], dirs[3]);
        }
        Optional<Mount> unified = mounts.stream().filter(Mount::v2).findFirst();
        if (unified.isPresent() && ownV2 != null) {
            String own = ownV2;
            // after a restart Runbox may already sit in its supervisor leaf: use the parent again
            if (own.endsWith("/" + CgroupV2.SUPERVISOR)) own = own.substring(0, own.length() - CgroupV2.SUPERVISOR.length() - 1);
            return new V2Location(unified.get().mountPoint(), resolve(unified.get(), own), own);
        }
        throw new SandboxFailure("no usable cgroup hierarchy (neither a v1 memory controller nor cgroup2) is mounted;"
                + " run `runbox check-host`");
    }

    /** The cgroup filesystems among the mounts of {@code mountinfo} ({@link MountInfo}). */
    public static List<Mount> parseMounts(String mountinfo) {
        return cgroupMounts(MountInfo.parse(mountinfo));
    }

    /** The cgroup filesystems mounted in this process's mount namespace. */
    public static List<Mount> mounts() throws SandboxFailure {
        try {
            return cgroupMounts(MountInfo.read());
        } catch (IOException e) {
            throw new SandboxFailure("cannot read /proc/self/mountinfo: " + e, e);
        }
    }

    private static List<Mount> cgroupMounts(List<MountInfo.Mount> mounts) {
        List<Mount> out = new java.util.ArrayList<>();
        for (MountInfo.Mount m : mounts) {
            if (m.fsType().equals("cgroup2")) out.add(new Mount(m.mountPoint(), m.root(), true, List.of()));
            else if (m.fsType().equals("cgroup")) out.add(new Mount(m.mountPoint(), m.root(), false, m.superOptions()));
        }
        return out;
    }

    /**
     * Where this process's cgroup {@code ownPath} (as /proc/self/cgroup names it) is under the mount
     * point of {@code m}, which shows only the subtree at {@code m.root()}.
     */
    private static Path resolve(Mount m, String ownPath) throws SandboxFailure {
        String root = m.root().equals("/") ? "" : m.root().replaceAll("/+$", "");
        // "/.." parts: the cgroup lies outside this process's cgroup namespace, so outside every mount of it
        boolean outside = List.of(ownPath.split("/")).contains("..");
        String rel;
        if (!outside && ownPath.equals(root)) {
            rel = "";
        } else if (!outside && ownPath.startsWith(root + "/")) {
            // a whole path element: the root "/docker/abc" does not hold "/docker/abcdef"
            rel = ownPath.substring(root.length());
        } else {
            throw new SandboxFailure("this process's cgroup " + ownPath + " is not under " + m.root()
                    + ", the part of the hierarchy mounted at " + m.mountPoint() + ", so Runbox cannot make run cgroups"
                    + " under its own; mount the cgroup filesystem so that it shows this process's cgroup"
                    + " (run `runbox check-host`)");
        }
        rel = rel.replaceAll("^/+", "");
        return rel.isEmpty() ? m.mountPoint() : m.mountPoint().resolve(rel);
    }
}
