package dev.runbox.sandbox;

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

    /** The checks of the default sandbox, and of the Docker Engine at {@code dockerHost} when given. */
    public static Report run(java.util.Optional<String> dockerHost) {
        List<Check> checks = new ArrayList<>(run().checks());
        dockerHost.ifPresent(h -> checks.add(docker(h)));
        return new Report(checks);
    }

    public static Report run() {
        List<Check> checks = new ArrayList<>();
        boolean root = "root".equals(System.getProperty("user.name"));
        checks.add(new Check("root", root, root ? "running as root" : "running as " + System.getProperty("user.name"),
                "run Runbox as root: it creates cgroups and starts each run under its own unprivileged uid"));
        boolean bwrap = Files.isExecutable(SandboxHost.BWRAP);
        checks.add(new Check("bubblewrap", bwrap, bwrap ? SandboxHost.BWRAP.toString() : "not installed",
                "apt-get install -y bubblewrap"));
        String userns = readOr("/proc/sys/user/max_user_namespaces", "?");
        boolean usernsOk = !userns.equals("0") && !readOr("/proc/sys/kernel/unprivileged_userns_clone", "1").equals("0")
                && !readOr("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", "0").equals("1");
        checks.add(new Check("user namespaces", usernsOk, "max_user_namespaces=" + userns,
                "sysctl -w user.max_user_namespaces=15000 kernel.unprivileged_userns_clone=1"
                        + " (on Ubuntu 24.04+: sysctl -w kernel.apparmor_restrict_unprivileged_userns=0)"));
        try {
            Cgroups cg = CgroupDetector.detect("check");
            checks.add(new Check("cgroups", true, cg.describe(), ""));
        } catch (SandboxFailure e) {
            checks.add(new Check("cgroups", false, e.getMessage(),
                    "mount the memory, pids, cpu and cpuacct controllers (v1) or cgroup2 with them delegated to Runbox's cgroup (v2)"));
        }
        return new Report(checks);
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
            String detail = "Docker " + info.getServerVersion() + " at " + host + ", " + info.getCGroupDriver() + " cgroup driver";
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
            return Files.readString(Path.of(file)).trim();
        } catch (IOException e) {
            return fallback;
        }
    }
}
