package dev.runbox.sandbox.run;

import dev.runbox.sandbox.SandboxFailure;
import dev.runbox.sandbox.cgroup.MountInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The host side of a work dir that outlives one sandbox run (a compile, then the run of what it
 * built): a tmpfs that runbox-launch mounts on the host at {@code <state-dir>/boxes/<random name>},
 * capped in size and inodes, nosuid and nodev, its root owned by the run's uid with mode 0700.
 *
 * <p>Guarantees: the files are written by Runbox right after the mount, before any program of the
 * run exists, so nothing could have been planted on their path. After that Runbox never reads,
 * lists or follows anything inside: the sandbox binds the box by file descriptor, and {@link #close}
 * detaches the mount (MNT_DETACH) and removes the empty mount point by its own, Runbox-chosen path
 * (the Judge0 CVE-2024-28185/28189 class of attack — a symlink planted in the work dir and followed
 * by the host afterwards — has nothing to act on).
 *
 * <p>The boxes dir and the state dir above it are 0711: bwrap, running as the run's uid, resolves a
 * bind source by path, so it must be able to traverse them. Traversal only: nothing can be listed,
 * and a box is entered only by its uid.
 */
public final class BoxMount implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BoxMount.class);
    public static final String BOXES_DIR = "boxes";
    /** Files and directories a run may create in its box (tmpfs nr_inodes); more fail with ENOSPC. */
    public static final long MAX_INODES = 16_384;
    private static final long LAUNCHER_TIMEOUT_SEC = 10;

    private final Path launcher;
    private final Path dir;
    private boolean mounted;

    private BoxMount(Path launcher, Path dir) {
        this.launcher = launcher;
        this.dir = dir;
    }

    /**
     * Makes {@code <stateDir>/boxes} (0711, root's) and removes what an earlier process left there:
     * unmounts its boxes, then deletes their mount points. Returns the boxes dir.
     */
    public static Path prepareRoot(Path stateDir, Path launcher) throws SandboxFailure {
        Path root = stateDir.resolve(BOXES_DIR);
        try {
            Files.setPosixFilePermissions(stateDir, PosixFilePermissions.fromString("rwx--x--x"));
            if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) Files.createDirectory(root);
            if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) throw new SandboxFailure(root + " is not a directory");
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
        } catch (IOException e) {
            throw new SandboxFailure("cannot prepare the boxes dir " + root + ": " + e, e);
        }
        int unmounted = 0;
        for (Path mountPoint : mountsUnder(root)) {
            launch(launcher, "--umount-box", mountPoint.toString());
            unmounted++;
        }
        if (unmounted > 0) log.info("unmounted {} boxes left by an earlier process", unmounted);
        try (Stream<Path> left = Files.list(root)) {
            for (Path p : left.toList()) Files.delete(p); // empty mount points, unmounted above
        } catch (IOException e) {
            throw new SandboxFailure("cannot clear " + root + ": " + e, e);
        }
        return root;
    }

    /**
     * Mounts a fresh box named {@code name} under {@code root} for {@code uid} and writes {@code files}
     * into it. On failure nothing is left mounted.
     */
    public static BoxMount mount(Path launcher, Path root, String name, long sizeBytes, int uid, Map<String, byte[]> files)
            throws SandboxFailure {
        Path dir = root.resolve(name);
        BoxMount box = new BoxMount(launcher, dir);
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new SandboxFailure("cannot create the box dir " + dir + ": " + e, e);
        }
        try {
            launch(launcher, "--mount-box", dir.toString(), Long.toString(sizeBytes), Long.toString(MAX_INODES),
                    Integer.toString(uid));
            box.mounted = true;
            // no program of this run exists yet: these paths are exactly what Runbox names
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                if (!RUN_FILE_NAME.matcher(f.getKey()).matches()) {
                    throw new SandboxFailure("bad file name for the work dir: " + f.getKey());
                }
                Files.write(dir.resolve(f.getKey()), f.getValue(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                        LinkOption.NOFOLLOW_LINKS);
            }
            return box;
        } catch (IOException | SandboxFailure | RuntimeException e) {
            try {
                box.close();
            } catch (SandboxFailure cleanup) {
                e.addSuppressed(cleanup);
            }
            if (e instanceof SandboxFailure f) throw f;
            throw new SandboxFailure("cannot write the run's files into its box " + dir + ": " + e, e);
        }
    }

    private static final java.util.regex.Pattern RUN_FILE_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}");

    /** Where the box is mounted on the host; handed to the sandbox only, never opened by Runbox. */
    public Path path() {
        return dir;
    }

    /** Detaches the mount and removes its mount point; safe to call twice. */
    @Override
    public void close() throws SandboxFailure {
        if (mounted) {
            launch(launcher, "--umount-box", dir.toString());
            mounted = false;
        }
        try {
            Files.deleteIfExists(dir); // the bare mount point: empty, root's
        } catch (IOException e) {
            throw new SandboxFailure("cannot remove the box dir " + dir + ": " + e, e);
        }
    }

    /** Mount points of this host's mount namespace under {@code root}, from /proc/self/mountinfo. */
    public static List<Path> mountsUnder(Path root) throws SandboxFailure {
        List<Path> found = new ArrayList<>();
        Path prefix = root.toAbsolutePath();
        try {
            for (MountInfo.Mount m : MountInfo.read()) {
                if (m.mountPoint().startsWith(prefix) && !m.mountPoint().equals(prefix)) found.add(m.mountPoint());
            }
        } catch (IOException e) {
            throw new SandboxFailure("cannot read /proc/self/mountinfo: " + e, e);
        }
        // deepest first, should anything ever be stacked
        found.sort((a, b) -> b.getNameCount() - a.getNameCount());
        return found;
    }

    /**
     * Runs runbox-launch in one of its box modes and waits for it (it is quick). An interrupt does not
     * cut the wait short, so a mount or unmount is never left half known; the interrupt is kept.
     */
    private static void launch(Path launcher, String... args) throws SandboxFailure {
        List<String> cmd = new ArrayList<>();
        cmd.add(launcher.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().clear();
        Process p;
        String out;
        try {
            p = pb.start();
            p.getOutputStream().close();
            out = new String(p.getInputStream().readNBytes(4096), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new SandboxFailure("cannot run " + String.join(" ", cmd) + ": " + e, e);
        }
        boolean interrupted = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LAUNCHER_TIMEOUT_SEC);
        try {
            while (true) {
                try {
                    if (!p.waitFor(Math.max(deadline - System.nanoTime(), 0), TimeUnit.NANOSECONDS)) {
                        p.destroyForcibly();
                        throw new SandboxFailure(String.join(" ", cmd) + " did not finish in " + LAUNCHER_TIMEOUT_SEC + " s");
                    }
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
        if (p.exitValue() != 0) {
            throw new SandboxFailure(String.join(" ", cmd) + " failed (exit " + p.exitValue() + "): " + out);
        }
    }
}
