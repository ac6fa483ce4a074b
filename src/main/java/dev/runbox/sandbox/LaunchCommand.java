package dev.runbox.sandbox;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Builds the command line of one run: runbox-launch (cgroups, rlimits, privilege drop, seccomp)
 * followed by bubblewrap (namespaces, mounts, environment) and the program. Pure: no I/O, so every
 * isolation choice is visible and unit-tested here.
 */
final class LaunchCommand {

    /** fds the launcher opens for bwrap; 0-2 are the program's stdio. */
    static final int FD_SECCOMP = 10;
    static final int FD_STATUS = 11;
    static final int FD_FIRST_FILE = 12;
    /** The host-mounted work dir of a run with a compile step, bound at /box (bwrap --bind-fd). */
    static final int FD_BOX = 9;

    /** Directories of the host's /usr that distributions make symlinks to (merged /usr). */
    private static final List<String> USR_SYMLINKS = List.of("bin", "lib", "lib32", "lib64", "libx32", "sbin");

    private LaunchCommand() {
    }

    /**
     * @param launcher   the runbox-launch binary
     * @param bwrap      the bubblewrap binary
     * @param uid        unprivileged host uid (and gid) of this run
     * @param procsFiles cgroup.procs files to join
     * @param staging    Runbox's private staging dir of this run: holds the input files, by index
     * @param statusFile where bwrap writes its JSON status (must not exist yet)
     * @param fileNames  names of spec.files(), in the order their contents were staged as file-0, file-1…
     */
    static List<String> build(Path launcher, Path bwrap, int uid, List<Path> procsFiles, Path staging,
                              Path statusFile, List<String> fileNames, RunSpec spec, List<String> usrLinks) {
        return build(launcher, bwrap, uid, procsFiles, staging, statusFile, fileNames, spec, usrLinks, Optional.empty());
    }

    /**
     * As above; with {@code hostBox}, the work dir is that host-mounted dir (see {@link BoxMount}), bound
     * read-write at /box instead of a fresh tmpfs. The launcher opens it as root, so bwrap gets it by fd.
     */
    static List<String> build(Path launcher, Path bwrap, int uid, List<Path> procsFiles, Path staging,
                              Path statusFile, List<String> fileNames, RunSpec spec, List<String> usrLinks,
                              Optional<Path> hostBox) {
        RunLimits l = spec.limits();
        List<String> cmd = new ArrayList<>();
        cmd.add(launcher.toString());
        for (Path p : procsFiles) add(cmd, "--cgroup-procs", p.toString());
        long cpuSeconds = (long) Math.ceil(l.cpuTime().toNanos() / 1e9);
        // backstops behind Runbox's own cgroup-wide checks: per-process CPU, file size, no core dumps
        add(cmd, "--rlimit", "cpu=" + (cpuSeconds + 1) + ":" + (cpuSeconds + 2));
        add(cmd, "--rlimit", "fsize=" + l.writableBytes() + ":" + l.writableBytes());
        add(cmd, "--rlimit", "core=0:0");
        add(cmd, "--rlimit", "nofile=" + l.openFiles() + ":" + l.openFiles());
        add(cmd, "--rlimit", "memlock=65536:65536");
        add(cmd, "--rlimit", "msgqueue=0:0");
        add(cmd, "--uid", Integer.toString(uid));
        add(cmd, "--gid", Integer.toString(uid));
        for (int i = 0; i < fileNames.size(); i++) {
            add(cmd, "--fd", (FD_FIRST_FILE + i) + "=" + staging.resolve("file-" + i));
        }
        hostBox.ifPresent(box -> add(cmd, "--fd", FD_BOX + "=" + box));
        add(cmd, "--fdw", FD_STATUS + "=" + statusFile);
        add(cmd, "--seccomp-fd", Integer.toString(FD_SECCOMP));
        cmd.add("--");

        cmd.add(bwrap.toString());
        // every namespace; no user namespaces inside; no way back to the host session or terminal
        cmd.addAll(List.of("--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent",
                "--new-session", "--cap-drop", "ALL", "--hostname", "runbox"));
        add(cmd, "--ro-bind", "/usr", "/usr");
        for (String link : usrLinks) add(cmd, "--symlink", "usr/" + link, "/" + link);
        for (Path p : spec.readOnlyMounts()) add(cmd, "--ro-bind", p.toString(), p.toString());
        add(cmd, "--proc", "/proc");
        add(cmd, "--dev", "/dev");
        for (String dir : hostBox.isPresent() ? List.of("/tmp", "/dev/shm") : List.of("/tmp", "/dev/shm", RunSpec.WORK_DIR)) {
            add(cmd, "--size", Long.toString(l.writableBytes()));
            add(cmd, "--perms", "1777");
            add(cmd, "--tmpfs", dir);
        }
        if (hostBox.isPresent()) add(cmd, "--bind-fd", Integer.toString(FD_BOX), RunSpec.WORK_DIR);
        for (int i = 0; i < fileNames.size(); i++) {
            add(cmd, "--ro-bind-data", Integer.toString(FD_FIRST_FILE + i), RunSpec.WORK_DIR + "/" + fileNames.get(i));
        }
        add(cmd, "--chdir", RunSpec.WORK_DIR);
        add(cmd, "--remount-ro", "/");
        add(cmd, "--seccomp", Integer.toString(FD_SECCOMP));
        add(cmd, "--json-status-fd", Integer.toString(FD_STATUS));
        cmd.add("--clearenv");
        for (Map.Entry<String, String> e : new TreeMap<>(spec.environment()).entrySet()) {
            add(cmd, "--setenv", e.getKey(), e.getValue());
        }
        cmd.add("--");
        cmd.addAll(spec.command());
        return cmd;
    }

    /** Which of the merged-/usr symlinks this host has (e.g. /lib64 → usr/lib64). */
    static List<String> hostUsrLinks() {
        List<String> links = new ArrayList<>();
        for (String name : USR_SYMLINKS) {
            if (java.nio.file.Files.isDirectory(Path.of("/usr", name))) links.add(name);
        }
        return links;
    }

    private static void add(List<String> cmd, String... args) {
        cmd.addAll(List.of(args));
    }
}
