package dev.runbox.sandbox.cgroup;

import dev.runbox.sandbox.SandboxFailure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongFunction;
import java.util.regex.Pattern;

/**
 * Whether Runbox's own cgroup v2 can hold run cgroups, and when it cannot, why and the exact fix.
 *
 * <p>cgroup v2 enables a controller for a group's children only when the group has it (its parent
 * enabled it for the group: on systemd, {@code Delegate=yes}) and only while the group itself holds no
 * process. Runbox moves itself into the leaf {@code runbox-supervisor}; processes it did not start
 * (the shell or Maven that launched it, an ssh session's) it leaves where they are and names instead.
 * Everything here only reads, so {@code check-host} leaves no trace.
 */
public final class CgroupV2Placement {

    static final List<String> CONTROLLERS = List.of("memory", "pids", "cpu");
    /** A login session's scope (pam_systemd): systemd owns it and never delegates it. */
    private static final Pattern LOGIN_SESSION = Pattern.compile("^/user\\.slice/(.+/)?session-[^/]+\\.scope$");

    /** Why the cgroup is not usable, and what to do. */
    public record Problem(String detail, String fix) {
    }

    /**
     * What is known of the host around the cgroup tree.
     *
     * @param systemd    systemd is PID 1 (sd_booted: /run/systemd/system exists)
     * @param systemdRun systemd-run is on the PATH
     * @param relaunched ./runbox already relaunched this process in a transient scope (RUNBOX_SCOPED=1)
     * @param command    how the user starts Runbox, for the command lines in fixes
     */
    public record Host(boolean systemd, boolean systemdRun, boolean relaunched, String command) {
        public static Host current() {
            boolean onPath = false;
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "systemd-run"))) onPath = true;
            }
            String launcher = System.getenv().getOrDefault("RUNBOX_LAUNCHER", "./runbox");
            return new Host(Files.isDirectory(Path.of("/run/systemd/system")), onPath,
                    "1".equals(System.getenv("RUNBOX_SCOPED")), launcher + " serve");
        }
    }

    private CgroupV2Placement() {
    }

    /**
     * The decision the ./runbox script takes (and mirrors in bash, see there): relaunch in a transient
     * scope with {@code Delegate=yes} only from a login session under systemd, where the cgroup is
     * never ours; a unit or a container's cgroup is left as it is.
     */
    public static boolean relaunchInScope(String ownPath, Host host) {
        return host.systemd() && host.systemdRun() && !host.relaunched() && LOGIN_SESSION.matcher(ownPath).matches();
    }

    /**
     * @param mountPoint the cgroup2 mount, whose cgroup.controllers lists what the kernel offers; null when unknown
     * @param parent     Runbox's own cgroup, where run cgroups go
     * @param ownPath    the same as /proc/self/cgroup names it
     * @param names      the command name of a pid, for messages
     * @return empty when {@link CgroupV2#prepare} can make {@code parent} ready
     */
    public static Optional<Problem> problem(Path mountPoint, Path parent, String ownPath, long selfPid, Host host,
                                     LongFunction<String> names) throws SandboxFailure {
        List<String> enabled = words(CgroupFiles.read(parent.resolve("cgroup.subtree_control")));
        if (enabled.containsAll(CONTROLLERS)) return Optional.empty();
        String available = CgroupFiles.read(parent.resolve("cgroup.controllers"));
        List<String> missing = CONTROLLERS.stream().filter(c -> !words(available).contains(c)).toList();
        if (!missing.isEmpty()) {
            List<String> offered = offered(mountPoint);
            List<String> absent = missing.stream().filter(c -> !offered.contains(c)).toList();
            if (!absent.isEmpty()) return Optional.of(kernelLacks(absent, mountPoint));
            return Optional.of(notDelegated(missing, available, mountPoint, parent, ownPath, host));
        }
        List<Long> others = new ArrayList<>(CgroupFiles.pids(parent.resolve("cgroup.procs")));
        others.remove(selfPid);
        if (!others.isEmpty()) return Optional.of(busy(others, parent, ownPath, host, names));
        return Optional.empty();
    }

    /** What the kernel offers, from the root's cgroup.controllers; all Runbox needs when that cannot be told. */
    private static List<String> offered(Path mountPoint) {
        if (mountPoint == null) return CONTROLLERS;
        try {
            return words(CgroupFiles.read(mountPoint.resolve("cgroup.controllers")));
        } catch (SandboxFailure unreadable) {
            return CONTROLLERS;
        }
    }

    private static Problem kernelLacks(List<String> absent, Path mountPoint) {
        String list = String.join(", ", absent);
        return new Problem("the kernel offers no cgroup v2 controller " + list + " (" + mountPoint.resolve("cgroup.controllers") + ")",
                "remove cgroup_disable=" + String.join(",", absent) + " from the kernel command line if /proc/cmdline has it;"
                        + " on a hybrid host the controller is bound to cgroup v1 instead: boot with systemd.unified_cgroup_hierarchy=1"
                        + " (GRUB_CMDLINE_LINUX in /etc/default/grub, then update-grub and reboot); 'cpu' also needs a kernel"
                        + " built with CONFIG_CFS_BANDWIDTH");
    }

    private static Problem notDelegated(List<String> missing, String available, Path mountPoint, Path parent, String ownPath,
                                        Host host) {
        String detail = "cgroup v2 controller" + (missing.size() > 1 ? "s " : " ") + quoted(missing) + " not delegated to "
                + parent + " (available: " + available.strip() + ")";
        if (host.systemd()) {
            String why = LOGIN_SESSION.matcher(ownPath).matches()
                    ? "a login session's scope is never delegated; " : "";
            return new Problem(detail, why + "run Runbox as a systemd unit with Delegate=yes: `./runbox install-service`"
                    + " (dist/runbox.service), or add the line `Delegate=yes` to the [Service] section of your own unit;"
                    + " for a one-off run: `systemd-run --scope -p Delegate=yes " + host.command() + "`");
        }
        // without a manager, whoever owns the tree enables the controllers on each ancestor, top down
        List<String> steps = new ArrayList<>();
        Path top = mountPoint == null ? parent.getRoot() : mountPoint;
        for (Path p = parent.getParent(); p != null && p.startsWith(top); p = p.getParent()) {
            steps.add(0, "echo '+memory +pids +cpu' > " + p.resolve("cgroup.subtree_control"));
        }
        return new Problem(detail, "enable them for each cgroup above " + parent + ", from the root down: `"
                + String.join(" && ", steps) + "`");
    }

    private static Problem busy(List<Long> others, Path parent, String ownPath, Host host, LongFunction<String> names) {
        List<String> named = others.stream().map(p -> p + " (" + names.apply(p) + ")").toList();
        String pids = String.join(" ", others.stream().map(String::valueOf).toList());
        String detail = "other processes share Runbox's cgroup " + parent + ": " + String.join(", ", named)
                + "; cgroup v2 enables controllers for a cgroup's children only while it holds no process itself"
                + " (writing cgroup.subtree_control fails with 'Device or resource busy')";
        String fix;
        if (host.systemd() && LOGIN_SESSION.matcher(ownPath).matches()) {
            fix = "start Runbox in a scope of its own: `systemd-run --scope -p Delegate=yes " + host.command() + "`"
                    + " (./runbox does so by itself from a login session when systemd-run is installed),"
                    + " or install it as a service: `./runbox install-service`";
        } else if (host.systemd()) {
            fix = "make Runbox the only process of its unit: ExecStart= the runbox command itself (./runbox ends in exec java),"
                    + " not a shell or Maven that stays around it; or start it with `systemd-run --scope -p Delegate=yes "
                    + host.command() + "`";
        } else {
            fix = "move the other processes into a leaf of their own, then start Runbox again: `mkdir -p " + parent.resolve("others")
                    + " && for p in " + pids + "; do echo $p > " + parent.resolve("others/cgroup.procs") + "; done`";
        }
        return new Problem(detail, fix);
    }

    /** The command name of a process, from /proc/PID/comm; "?" when it is gone. */
    public static String commandName(long pid) {
        try {
            return KernelFiles.read(Path.of("/proc", Long.toString(pid), "comm")).strip();
        } catch (IOException e) {
            return "?";
        }
    }

    private static List<String> words(String s) {
        return List.of(s.strip().split("\\s+"));
    }

    private static String quoted(List<String> names) {
        return String.join(", ", names.stream().map(n -> "'" + n + "'").toList());
    }
}
