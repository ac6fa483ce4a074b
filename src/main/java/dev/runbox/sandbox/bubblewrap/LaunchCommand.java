package dev.runbox.sandbox.bubblewrap;

import dev.runbox.sandbox.RunSpec;
import dev.runbox.sandbox.run.SandboxShape;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the command line that makes one environment: runbox-launch (cgroups, rlimits, privilege
 * drop, the seccomp filter built) followed by bubblewrap (namespaces, mounts) and runbox-init in serve
 * mode, which waits for jobs and gives each run namespaces, mounts, capabilities (none) and the
 * seccomp filter of its own (native/init.c). Pure: no I/O, so every isolation choice is visible and
 * unit-tested here.
 */
final class LaunchCommand {

    /** fds the launcher opens for bwrap; 0-2 are the sandbox's stdio. */
    static final int FD_SECCOMP = 10;
    static final int FD_STATUS = 11;
    static final int FD_INIT = 12;
    /** The host-mounted work dir of a run with a compile step, bound at /box (bwrap --bind-fd). */
    static final int FD_BOX = 9;
    /** Where runbox-init is placed inside the sandbox (a read-only copy). */
    static final String INIT_PATH = "/.runbox/init";

    /** Directories of the host's /usr that distributions make symlinks to (merged /usr). */
    private static final List<String> USR_SYMLINKS = List.of("bin", "lib", "lib32", "lib64", "libx32", "sbin");

    private LaunchCommand() {
    }

    /**
     * The command that makes a sandbox of {@code shape} and leaves runbox-init in it, waiting for
     * its job.
     *
     * @param launcher   the runbox-launch binary
     * @param init       the runbox-init binary (copied into the sandbox)
     * @param bwrap      the bubblewrap binary
     * @param uid        unprivileged host uid (and gid) of this sandbox
     * @param procsFiles cgroup.procs files to join
     * @param statusFile where bwrap writes its JSON status (in Runbox's private staging dir; must not exist)
     */
    static List<String> build(Path launcher, Path init, Path bwrap, int uid, List<Path> procsFiles, Path statusFile,
                              SandboxShape shape, List<String> usrLinks) {
        List<String> cmd = new ArrayList<>();
        cmd.add(launcher.toString());
        for (Path p : procsFiles) add(cmd, "--cgroup-procs", p.toString());
        // limits that do not depend on the job; runbox-init lowers the rest once the job is known
        add(cmd, "--rlimit", "core=0:0");
        add(cmd, "--rlimit", "memlock=65536:65536");
        add(cmd, "--rlimit", "msgqueue=0:0");
        add(cmd, "--uid", Integer.toString(uid));
        add(cmd, "--gid", Integer.toString(uid));
        add(cmd, "--fd", FD_INIT + "=" + init);
        // the launcher opens the box as root, so bwrap (unprivileged) gets it by fd
        shape.hostBox().ifPresent(box -> add(cmd, "--fd", FD_BOX + "=" + box));
        add(cmd, "--fdw", FD_STATUS + "=" + statusFile);
        // built here, loaded by runbox-init into each program right before exec
        add(cmd, "--seccomp-fd", Integer.toString(FD_SECCOMP));
        cmd.add("--");

        cmd.add(bwrap.toString());
        // every namespace; no user namespaces inside; no way back to the host session or terminal.
        // runbox-init keeps its capabilities in the sandbox's user namespace (which owns nothing of the
        // host's): it needs them to give each run its own namespaces and mounts; every program it
        // starts drops them all, bounding and ambient sets included, before its exec (native/init.c)
        cmd.addAll(List.of("--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent",
                "--new-session", "--cap-add", "ALL", "--hostname", "runbox"));
        // runbox-init is the run's pid 1: it times the program it forks, reaps every orphan, and no
        // signal of the program reaches it (the kernel delivers pid 1 only those it handles)
        cmd.add("--as-pid-1");
        add(cmd, "--ro-bind", "/usr", "/usr");
        for (String link : usrLinks) add(cmd, "--symlink", "usr/" + link, "/" + link);
        for (Path p : shape.readOnlyMounts()) add(cmd, "--ro-bind", p.toString(), p.toString());
        add(cmd, "--proc", "/proc");
        add(cmd, "--dev", "/dev");
        List<String> tmpfs = shape.hostBox().isPresent() ? List.of("/tmp", "/dev/shm") : List.of("/tmp", "/dev/shm", RunSpec.WORK_DIR);
        for (String dir : tmpfs) {
            add(cmd, "--size", Long.toString(shape.writableBytes()));
            add(cmd, "--perms", "1777");
            add(cmd, "--tmpfs", dir);
        }
        if (shape.hostBox().isPresent()) add(cmd, "--bind-fd", Integer.toString(FD_BOX), RunSpec.WORK_DIR);
        add(cmd, "--perms", "0555");
        add(cmd, "--ro-bind-data", Integer.toString(FD_INIT), INIT_PATH);
        add(cmd, "--chdir", RunSpec.WORK_DIR);
        add(cmd, "--remount-ro", "/");
        add(cmd, "--json-status-fd", Integer.toString(FD_STATUS));
        cmd.add("--clearenv"); // runbox-init gets nothing; the program gets exactly the job's environment
        cmd.add("--");
        cmd.add(INIT_PATH);
        cmd.add("--serve");
        cmd.add(Long.toString(shape.writableBytes()));
        cmd.add(shape.hostBox().isPresent() ? "host-box" : "fresh-box");
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
