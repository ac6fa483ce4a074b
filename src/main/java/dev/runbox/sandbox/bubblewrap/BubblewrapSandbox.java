package dev.runbox.sandbox.bubblewrap;

import dev.runbox.sandbox.RunSpec;
import dev.runbox.sandbox.Sandbox;
import dev.runbox.sandbox.SandboxFailure;
import dev.runbox.sandbox.SandboxOutcome;
import dev.runbox.sandbox.WorkDir;
import dev.runbox.sandbox.run.HostBoxWorkDir;
import dev.runbox.sandbox.run.SandboxParts;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The default sandbox: bubblewrap for namespaces and mounts, a cgroup per run for memory, processes
 * and CPU, rlimits and a seccomp filter, and limits on CPU and wall time enforced by SIGKILL of the
 * whole run. Sandboxes of the common shape are prepared ahead ({@link SandboxPool}); others are made
 * when their job comes.
 *
 * <p>Guarantees, when {@link #run} returns or throws: every process of the run is dead (the pid
 * namespace dies with bwrap, and the cgroup is emptied and removed); nothing the program wrote exists
 * (its writable places are tmpfs mounts inside its own mount namespace); the host side never opened a
 * path the program could reach (the job goes in through a pipe, outputs come back through pipes).
 */
public final class BubblewrapSandbox implements Sandbox, AutoCloseable {

    private static final SecureRandom RANDOM = new SecureRandom();
    /** Debian's bubblewrap; the only one Runbox runs. */
    public static final Path BWRAP = Path.of("/usr/bin/bwrap");

    private final SandboxParts parts;
    private final Path boxesRoot;
    private final SandboxPool pool;
    private final int maxProcesses;

    /**
     * @param boxesRoot     where work dirs of compiled languages are mounted ({@link BoxMount})
     * @param preparedAhead sandboxes kept ready for jobs of the default shape (0: none)
     * @param defaultShape  the shape most jobs have (no extra mounts, the configured tmpfs size)
     */
    private BubblewrapSandbox(SandboxParts parts, Path boxesRoot, int preparedAhead, SandboxShape defaultShape, int maxProcesses) {
        this.parts = parts;
        this.maxProcesses = maxProcesses;
        this.boxesRoot = boxesRoot;
        this.pool = preparedAhead > 0 ? new SandboxPool(parts, defaultShape, preparedAhead, maxProcesses) : null;
    }

    /**
     * The default sandbox, keeping {@code preparedAhead} sandboxes ready for jobs with no extra mounts
     * and tmpfs mounts of {@code writableBytes}.
     */
    public static BubblewrapSandbox open(SandboxParts parts, Path boxesRoot, int preparedAhead, long writableBytes, int maxProcesses) {
        return new BubblewrapSandbox(parts, boxesRoot, preparedAhead, new SandboxShape(List.of(), writableBytes, Optional.empty()),
                maxProcesses);
    }

    /** Which of the merged-/usr symlinks (/bin, /lib64 …) this host has. */
    public static List<String> hostUsrLinks() {
        return LaunchCommand.hostUsrLinks();
    }

    @Override
    public SandboxOutcome run(RunSpec spec) throws SandboxFailure, InterruptedException {
        SandboxShape shape = SandboxShape.of(spec);
        Optional<PreparedSandbox> ready = pool != null && pool.shape().equals(shape) ? pool.take() : Optional.empty();
        PreparedSandbox sandbox = ready.isPresent() ? ready.get() : PreparedSandbox.prepare(parts, shape, maxProcesses);
        try {
            return sandbox.run(spec);
        } finally {
            // every process of the run is dead by now (run() made sure); removing its cgroup and
            // staging dir need not delay the result
            parts.io().execute(sandbox::close);
        }
    }

    /**
     * A host-mounted work dir ({@link BoxMount}) under its own uid, held until it is closed; each run
     * through it is a sandbox of its own (own cgroup and limits) with the box bound at /box.
     */
    @Override
    public WorkDir openWorkDir(Map<String, byte[]> files, long sizeBytes) throws SandboxFailure, InterruptedException {
        return HostBoxWorkDir.open(parts, boxesRoot, HexFormat.of().formatHex(randomBytes()), files, sizeBytes, (spec, uid, box) -> {
            try (PreparedSandbox sandbox = PreparedSandbox.prepareAs(parts, SandboxShape.withBox(spec, box), maxProcesses, uid)) {
                return sandbox.run(spec);
            }
        });
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return b;
    }

    /** Sandboxes prepared and waiting for a job. */
    public int readyCount() {
        return pool == null ? 0 : pool.readyCount();
    }

    @Override
    public void close() {
        if (pool != null) pool.close();
    }
}
