package dev.runbox.cli;

import dev.runbox.Runbox;
import dev.runbox.client.RunboxClient;
import dev.runbox.config.ConfigException;
import dev.runbox.config.RunboxConfig;
import dev.runbox.logging.Logging;
import dev.runbox.sandbox.SandboxFailure;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * A Runbox in this process for {@code runbox run} without a server: the same code path as a server
 * (validation, queue, worker, sandbox), one worker, no sandbox prepared ahead, its HTTP API on a random
 * loopback port for as long as the run lasts.
 *
 * <p>Several can run at once, and beside {@code runbox serve}: each claims a slot N (0…63) by locking
 * {@code /run/runbox-run/N.lock}, and uses the state dir {@code /run/runbox-run/N} (under /var/lib where /run is noexec) and the sandbox uids
 * {@code sandbox-uid-base + 4096 + 2N} and the next one, above those of any server with the same base.
 * The state dir is removed when the run ends (and cleaned at the next start in the slot if a run was killed).
 */
final class EmbeddedRunbox implements AutoCloseable {

    static final Path SLOTS = RunboxConfig.STATE_BASE.resolve("runbox-run"); // /var/lib/runbox-run where /run is noexec
    static final int MAX_SLOTS = 64;
    /** Above the uids a server can use: workers and prepared sandboxes are at most 256 each. */
    static final int UID_OFFSET = 4096;
    /** One worker and no sandbox prepared ahead take four uids: 3 × workers + prepared + 1 (see SandboxHost). */
    static final int UIDS_PER_SLOT = 4;

    /** A claimed slot: its number, held by the lock for as long as this process uses it. */
    private record Slot(int number, FileLock lock) {
    }

    private final Runbox runbox;
    private final Path stateDir;
    private final Slot slot;
    private final Thread onExit;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedRunbox(Runbox runbox, Path stateDir, Slot slot) {
        this.runbox = runbox;
        this.stateDir = stateDir;
        this.slot = slot;
        // Ctrl-C: still kill the run and remove its cgroup and files
        this.onExit = new Thread(this::stop, "embedded-runbox-exit");
        Runtime.getRuntime().addShutdownHook(onExit);
    }

    static EmbeddedRunbox start() throws CliFailure {
        if (!isRoot()) {
            throw new CliFailure(ExitCodes.RUNBOX_FAILED, "without --server, run starts the sandbox in this process, which needs root"
                    + " (like serve: it makes a cgroup per run and runs it under its own uid); run as root, or pass --server URL"
                    + " (or set RUNBOX_SERVER)");
        }
        RunboxConfig fromEnv = config(Map.of());
        Slot slot = claimSlot();
        int n = slot.number();
        Path stateDir = SLOTS.resolve(Integer.toString(n));
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put("host", "127.0.0.1");
        flags.put("port", "0");
        flags.put("workers", "1");
        flags.put("prepared-sandboxes", "0");
        flags.put("state-dir", stateDir.toString());
        flags.put("sandbox-uid-base", Long.toString((long) fromEnv.sandboxUidBase() + UID_OFFSET + (long) UIDS_PER_SLOT * n));
        try {
            RunboxConfig config = config(flags);
            // Runbox's own log lines would mix with the program's stderr: warnings and errors only, unless asked
            Logging.configure(config.logFormat(), Optional.ofNullable(System.getenv("RUNBOX_LOG_LEVEL")).or(() -> Optional.of("WARN")));
            return new EmbeddedRunbox(Runbox.start(config), stateDir, slot);
        } catch (SandboxFailure e) {
            release(slot);
            throw new CliFailure(ExitCodes.RUNBOX_FAILED, e.getMessage());
        } catch (IOException | RuntimeException e) {
            release(slot);
            throw new CliFailure(ExitCodes.RUNBOX_FAILED, "cannot start Runbox in this process: " + e.getMessage());
        } catch (InterruptedException e) {
            release(slot);
            Thread.currentThread().interrupt();
            throw new CliFailure(ExitCodes.RUNBOX_FAILED, "interrupted while starting Runbox");
        }
    }

    RunboxClient client() {
        return RunboxClient.create("http://127.0.0.1:" + runbox.port());
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(onExit);
        } catch (IllegalStateException e) {
            // already shutting down
        }
    }

    private void stop() {
        if (!closed.compareAndSet(false, true)) return;
        runbox.close();
        deleteTree(stateDir);
        release(slot);
    }

    private static RunboxConfig config(Map<String, String> flags) throws CliFailure {
        try {
            return RunboxConfig.from(System.getenv(), flags);
        } catch (ConfigException e) {
            throw new CliFailure(ExitCodes.USAGE, e.getMessage());
        }
    }

    private static Slot claimSlot() throws CliFailure {
        try {
            if (!Files.isDirectory(SLOTS, LinkOption.NOFOLLOW_LINKS)) Files.createDirectories(SLOTS);
            // 0711, as a state dir's parent must be (BoxMount): bwrap, as the run's uid, resolves the
            // box of a compiled language by a path through it. Set on every start: a host where an
            // earlier version made it 0700 could not run C ("Can't find source path /proc/self/fd/9").
            Files.setPosixFilePermissions(SLOTS, PosixFilePermissions.fromString("rwx--x--x"));
            for (int n = 0; n < MAX_SLOTS; n++) {
                FileChannel channel = FileChannel.open(SLOTS.resolve(n + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        LinkOption.NOFOLLOW_LINKS);
                FileLock lock = channel.tryLock();
                if (lock != null) return new Slot(n, lock);
                channel.close();
            }
        } catch (IOException e) {
            throw new CliFailure(ExitCodes.RUNBOX_FAILED, "cannot claim a slot in " + SLOTS + ": " + e.getMessage());
        }
        throw new CliFailure(ExitCodes.RUNBOX_FAILED, MAX_SLOTS + " runs without a server are going on already; use a server (runbox serve)");
    }

    private static void release(Slot slot) {
        try {
            slot.lock().release();
            slot.lock().channel().close();
        } catch (IOException e) {
            // the lock dies with the process anyway
        }
    }

    private static boolean isRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            System.err.println("runbox: could not remove " + dir + ": " + e.getMessage());
        }
    }
}
