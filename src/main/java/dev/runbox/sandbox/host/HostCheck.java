package dev.runbox.sandbox.host;

import dev.runbox.sandbox.SandboxFailure;
import dev.runbox.sandbox.bubblewrap.BubblewrapSandbox;
import dev.runbox.sandbox.cgroup.CgroupDetector;
import dev.runbox.sandbox.cgroup.CgroupV2Placement;
import dev.runbox.sandbox.cgroup.KernelFiles;
import dev.runbox.sandbox.cgroup.MountInfo;
import dev.runbox.sandbox.docker.DockerBackend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether this host can sandbox programs, each check with the fix for its failure (in the spirit of
 * isolate's isolate-check-environment). Runbox refuses to run code when any check fails.
 */
public final class HostCheck {

    public record Check(String name, boolean ok, String detail, String fix) {
    }

    public record Report(List<Check> checks) {
        public boolean ok() {
            return checks.stream().allMatch(Check::ok);
        }

        public String render() {
            StringBuilder sb = new StringBuilder();
            for (Check c : checks) {
                sb.append(c.ok() ? "ok    " : "FAIL  ").append(c.name()).append(": ").append(c.detail()).append('\n');
                if (!c.ok()) sb.append("      fix: ").append(c.fix()).append('\n');
            }
            return sb.toString();
        }
    }

    private HostCheck() {
    }

    /** The checks of the default sandbox with its state dir, and of the Docker Engine at {@code dockerHost} when given. */
    public static Report run(Path stateDir, java.util.Optional<String> dockerHost) {
        List<Check> checks = new ArrayList<>(run(stateDir).checks());
        dockerHost.ifPresent(h -> checks.add(docker(h)));
        return new Report(checks);
    }

    /** Reads only: no cgroup, file or directory is made or changed. */
    public static Report run(Path stateDir) {
        List<Check> checks = new ArrayList<>();
        boolean root = "root".equals(System.getProperty("user.name"));
        checks.add(new Check("root", root, root ? "running as root" : "running as " + System.getProperty("user.name"),
                "run Runbox as root: it creates cgroups and starts each run under its own unprivileged uid"));
        boolean bwrap = Files.isExecutable(BubblewrapSandbox.BWRAP);
        checks.add(new Check("bubblewrap", bwrap, bwrap ? BubblewrapSandbox.BWRAP.toString() : "not installed",
                "apt-get install -y bubblewrap"));
        checks.add(userNamespaces(readOr("/proc/sys/user/max_user_namespaces", "?"),
                readOr("/proc/sys/kernel/unprivileged_userns_clone", "absent"),
                readOr("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", "absent")));
        checks.add(stateDir(stateDir, MountInfo.holding(stateDir)));
        try {
            checks.add(cgroups(CgroupDetector.locate(), ProcessHandle.current().pid(), CgroupV2Placement.Host.current(),
                    CgroupV2Placement::commandName));
        } catch (SandboxFailure e) {
            checks.add(new Check("cgroups", false, e.getMessage(),
                    "mount the memory, pids, cpu and cpuacct controllers (cgroup v1) or cgroup2 at /sys/fs/cgroup"));
        }
        return new Report(checks);
    }

    /**
     * bwrap runs as the run's unprivileged uid (runbox-launch drops root before exec), not setuid, so it
     * needs unprivileged user namespaces: a non-zero limit, Debian's unprivileged_userns_clone (kernels
     * before 5.10 patched it in) and, on Ubuntu 24.04+, no AppArmor restriction.
     */
    static Check userNamespaces(String max, String unprivilegedClone, String apparmorRestrict) {
        List<String> fixes = new ArrayList<>();
        if (max.equals("0")) fixes.add("sysctl -w user.max_user_namespaces=15000");
        if (unprivilegedClone.equals("0")) fixes.add("sysctl -w kernel.unprivileged_userns_clone=1");
        if (apparmorRestrict.equals("1")) fixes.add("sysctl -w kernel.apparmor_restrict_unprivileged_userns=0");
        String detail = "max_user_namespaces=" + max
                + (unprivilegedClone.equals("absent") ? "" : ", unprivileged_userns_clone=" + unprivilegedClone)
                + (apparmorRestrict.equals("absent") ? "" : ", apparmor_restrict_unprivileged_userns=" + apparmorRestrict)
                + " (bwrap runs unprivileged and needs them)";
        return new Check("user namespaces", fixes.isEmpty(), detail, String.join(" && ", fixes)
                + " (and the same lines in /etc/sysctl.d/90-runbox.conf to keep them after a reboot)");
    }

    /** runbox-launch runs from the state dir, and compiled programs from its work dirs: its mount must allow exec. */
    static Check stateDir(Path stateDir, java.util.Optional<MountInfo.Mount> mount) {
        if (mount.isPresent() && mount.get().noexec()) {
            return new Check("state dir", false, stateDir + " is on " + mount.get().mountPoint() + ", mounted noexec",
                    "--set state-dir=/var/lib/runbox (or RUNBOX_STATE_DIR=/var/lib/runbox)");
        }
        return new Check("state dir", true, stateDir + mount.map(m -> " (on " + m.mountPoint() + ", exec allowed)").orElse(""), "");
    }

    public static Check cgroups(CgroupDetector.Location where, long selfPid, CgroupV2Placement.Host host,
                         java.util.function.LongFunction<String> names) {
        if (where instanceof CgroupDetector.V1Location v1) {
            return new Check("cgroups", true, "cgroup v1 (" + v1.memory() + ")", "");
        }
        CgroupDetector.V2Location v2 = (CgroupDetector.V2Location) where;
        String relaunch = CgroupV2Placement.relaunchInScope(v2.ownPath(), host)
                ? "; ./runbox serve, worker and run start in a transient scope with Delegate=yes from this login session" : "";
        try {
            var problem = CgroupV2Placement.problem(v2.mountPoint(), v2.parent(), v2.ownPath(), selfPid, host, names);
            if (problem.isPresent()) return new Check("cgroups", false, problem.get().detail() + relaunch, problem.get().fix());
            return new Check("cgroups", true, "cgroup v2 (" + v2.parent() + ")", "");
        } catch (SandboxFailure e) {
            return new Check("cgroups", false, e.getMessage(), "mount cgroup2 at /sys/fs/cgroup");
        }
    }

    /** The Docker Engine at {@code host} (unix:///...), for the Docker sandbox: answering, on the cgroupfs driver. */
    public static Check docker(String host) {
        String install = "apt-get install -y docker.io and start dockerd, or point docker-host at its socket";
        if (!host.startsWith("unix:///")) return new Check("docker", false, "docker-host " + host + " is not a unix socket URL", install);
        java.util.concurrent.ExecutorService once = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "check-docker");
            t.setDaemon(true);
            return t;
        });
        try (com.github.dockerjava.api.DockerClient docker = DockerBackend.client(host)) {
            // bounded: over a unix socket docker-java sets no response timeout, and a stuck daemon must not hang the check
            var info = once.submit(() -> docker.infoCmd().exec()).get(10, java.util.concurrent.TimeUnit.SECONDS);
            String detail = "Docker " + info.getServerVersion() + " at " + host + ", " + info.getCGroupDriver() + " cgroup driver"
                    + DockerBackend.appArmorWithoutParser(info.getSecurityOptions(), DockerBackend.APPARMOR_PARSERS).map(p -> "; " + p).orElse("");
            return new Check("docker", DockerBackend.usable(info), detail, DockerBackend.FIX);
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            Throwable why = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
            while (why.getCause() != null && why.getCause() != why) why = why.getCause();
            return new Check("docker", false, "no Docker Engine answers at " + host + " (" + why.getMessage() + ")", install);
        } finally {
            once.shutdownNow();
        }
    }

    private static String readOr(String file, String fallback) {
        try {
            return KernelFiles.read(Path.of(file)).trim();
        } catch (IOException e) {
            return fallback;
        }
    }
}
