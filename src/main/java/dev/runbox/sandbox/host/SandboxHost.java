package dev.runbox.sandbox.host;

import dev.runbox.sandbox.EnvironmentReuse;
import dev.runbox.sandbox.Sandbox;
import dev.runbox.sandbox.SandboxFailure;
import dev.runbox.sandbox.Sandboxes;
import dev.runbox.sandbox.bubblewrap.BubblewrapSandbox;
import dev.runbox.sandbox.cgroup.CgroupDetector;
import dev.runbox.sandbox.cgroup.Cgroups;
import dev.runbox.sandbox.docker.DockerBackend;
import dev.runbox.sandbox.run.BoxMount;
import dev.runbox.sandbox.run.SandboxParts;
import dev.runbox.sandbox.run.UidPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.stream.Stream;

/**
 * Prepares this host for sandboxed runs: Runbox's private state directory, the launcher binary
 * unpacked from the jar, the cgroup hierarchy, and the removal of anything an earlier process left.
 */
public final class SandboxHost {

    private static final Logger log = LoggerFactory.getLogger(SandboxHost.class);

    private SandboxHost() {
    }

    /**
     * The default sandbox alone (bubblewrap).
     *
     * @param preparedAhead  sandboxes to keep ready for jobs with no extra mounts (0: make each on demand)
     * @param writableBytes  size of each sandbox's writable tmpfs mounts
     * @param maxProcesses   pids limit of a sandbox
     */
    public static BubblewrapSandbox open(Path stateDir, int firstUid, int maxConcurrentRuns, int preparedAhead,
                                         long writableBytes, int maxProcesses, ExecutorService io) throws SandboxFailure {
        return open(stateDir, firstUid, maxConcurrentRuns, preparedAhead, writableBytes, maxProcesses, io, EnvironmentReuse.DEFAULT);
    }

    /** The default sandbox alone, its environments reused as {@code reuse} says. */
    public static BubblewrapSandbox open(Path stateDir, int firstUid, int maxConcurrentRuns, int preparedAhead,
                                         long writableBytes, int maxProcesses, ExecutorService io, EnvironmentReuse reuse)
            throws SandboxFailure {
        try {
            return openAll(stateDir, firstUid, maxConcurrentRuns, preparedAhead, writableBytes, maxProcesses, io, true,
                    Map.of(), "", reuse).of(java.util.Optional.empty()) instanceof BubblewrapSandbox b ? b : null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxFailure("interrupted while opening the sandbox", e);
        }
    }

    /**
     * The sandboxes this process's languages need: bubblewrap when some run on the host's /usr
     * ({@code onHost}), Docker (at {@code dockerHost}) when some name an image ({@code images}, each
     * made ready now, with the programs its languages name). Both share the state dir, the uids and
     * the run cgroups.
     */
    public static Sandboxes openAll(Path stateDir, int firstUid, int maxConcurrentRuns, int preparedAhead,
                                    long writableBytes, int maxProcesses, ExecutorService io, boolean onHost,
                                    Map<String, Set<Path>> images, String dockerHost) throws SandboxFailure, InterruptedException {
        return openAll(stateDir, firstUid, maxConcurrentRuns, preparedAhead, writableBytes, maxProcesses, io, onHost, images, dockerHost,
                EnvironmentReuse.DEFAULT);
    }

    /** As above, with environments (bubblewrap's, and Docker's containers) reused as {@code reuse} says ({@code sandbox-reuse}, {@code sandbox-max-runs}). */
    public static Sandboxes openAll(Path stateDir, int firstUid, int maxConcurrentRuns, int preparedAhead,
                                    long writableBytes, int maxProcesses, ExecutorService io, boolean onHost,
                                    Map<String, Set<Path>> images, String dockerHost, EnvironmentReuse reuse)
            throws SandboxFailure, InterruptedException {
        HostCheck.Report report = HostCheck.run(stateDir);
        if (onHost && !report.ok()) {
            throw new SandboxFailure("this host cannot sandbox programs, so Runbox will not run any:\n" + report.render());
        }
        privateDir(stateDir);
        lockExclusively(stateDir);
        Path staging = privateDir(stateDir.resolve("runs"));
        clearDir(staging);
        Path bin = privateDir(stateDir.resolve("bin"));
        Path launcher = unpack(bin, "runbox-launch");
        Path init = unpack(bin, "runbox-init");
        Path boxes = BoxMount.prepareRoot(stateDir, launcher); // work dirs of compiled languages: <state-dir>/boxes
        String instance = instanceTag(stateDir);
        Cgroups cgroups = CgroupDetector.detect(instance);
        int stale = cgroups.sweepStale();
        if (stale > 0) log.info("removed {} run cgroups left by an earlier process", stale);
        UidPool uids = new UidPool(firstUid, uidsFor(maxConcurrentRuns, preparedAhead, images.size()));
        SandboxParts parts = new SandboxParts(launcher, init, BubblewrapSandbox.BWRAP, staging, cgroups, uids, io, BubblewrapSandbox.hostUsrLinks());
        BubblewrapSandbox bubblewrap = null;
        DockerBackend docker = null;
        try {
            if (onHost) {
                log.info("sandbox: bubblewrap {}, {}", BubblewrapSandbox.BWRAP, cgroups.describe());
                bubblewrap = BubblewrapSandbox.open(parts, boxes, preparedAhead, writableBytes, maxProcesses, reuse);
            }
            java.util.Map<String, Sandbox> byImage = new java.util.LinkedHashMap<>();
            if (!images.isEmpty()) {
                docker = DockerBackend.connect(dockerHost, parts, boxes, instance);
                for (Map.Entry<String, Set<Path>> image : images.entrySet()) {
                    byImage.put(image.getKey(), docker.sandbox(image.getKey(), image.getValue(), preparedAhead, writableBytes,
                            reuse.runsPerEnvironment()));
                }
            }
            return new Sandboxes(java.util.Optional.ofNullable(bubblewrap), byImage,
                    bubblewrap == null ? () -> 0 : bubblewrap::readyCount,
                    docker == null ? java.util.List::of : docker::containers,
                    docker == null ? () -> 0 : docker::readyContainers,
                    java.util.Arrays.asList(bubblewrap, docker));
        } catch (SandboxFailure | InterruptedException | RuntimeException e) {
            if (bubblewrap != null) bubblewrap.close();
            if (docker != null) docker.close();
            throw e;
        }
    }

    /**
     * Sandbox uids a process uses from its first: a uid for every sandbox alive at once (running, being
     * torn down, waiting, one being made); a worker of an interactive test holds three (the program's,
     * the interactor's and the checker's work dirs); the prepared ones are bubblewrap's and each image's.
     */
    public static int uidsFor(int maxConcurrentRuns, int preparedAhead, int images) {
        return 3 * maxConcurrentRuns + preparedAhead * (1 + images) + 1;
    }

    /** Held for the life of the process: two Runbox processes never share a state dir. */
    private static final java.util.List<java.nio.channels.FileLock> LOCKS = new java.util.concurrent.CopyOnWriteArrayList<>();

    private static void lockExclusively(Path stateDir) throws SandboxFailure {
        try {
            var channel = java.nio.channels.FileChannel.open(stateDir.resolve("lock"),
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            var lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                throw new SandboxFailure("state dir " + stateDir + " is in use by another Runbox process;"
                        + " give each process its own (--set state-dir=...)");
            }
            LOCKS.add(lock);
        } catch (IOException | java.nio.channels.OverlappingFileLockException e) {
            throw new SandboxFailure("cannot lock " + stateDir + ": " + e, e);
        }
    }

    /** A short stable tag of the state dir, naming this process's run cgroups. */
    public static String instanceTag(Path stateDir) {
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(stateDir.toAbsolutePath().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(h, 0, 4);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    /** Creates (or checks) a root-owned 0700 directory that is not a symlink. */
    static Path privateDir(Path dir) throws SandboxFailure {
        try {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(dir);
            }
            PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isDirectory()) throw new SandboxFailure(dir + " is not a directory (a symlink?)");
            if (!a.owner().getName().equals("root")) throw new SandboxFailure(dir + " is owned by " + a.owner() + ", not root");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            return dir;
        } catch (IOException e) {
            throw new SandboxFailure("cannot prepare the private directory " + dir + ": " + e, e);
        }
    }

    private static void clearDir(Path dir) throws SandboxFailure {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (!p.equals(dir)) Files.delete(p);
            }
        } catch (IOException e) {
            throw new SandboxFailure("cannot clear " + dir + ": " + e, e);
        }
    }

    /** Copies a native binary out of the jar (runbox-init is read by the launcher as root, so 0700 is fine). */
    private static Path unpack(Path binDir, String name) throws SandboxFailure {
        Path target = binDir.resolve(name);
        try (InputStream in = SandboxHost.class.getResourceAsStream("/native/" + name)) {
            if (in == null) throw new SandboxFailure(name + " is missing from the jar: build with ./runbox or mvn package");
            Path tmp = Files.createTempFile(binDir, name, ".tmp");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx------"));
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new SandboxFailure("cannot unpack " + name + " into " + binDir + ": " + e, e);
        }
    }
}
