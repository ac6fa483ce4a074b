package dev.runbox.sandbox.bubblewrap;

import dev.runbox.sandbox.EnvironmentReuse;
import dev.runbox.sandbox.RunSpec;
import dev.runbox.sandbox.Sandbox;
import dev.runbox.sandbox.SandboxFailure;
import dev.runbox.sandbox.SandboxOutcome;
import dev.runbox.sandbox.WorkDir;
import dev.runbox.sandbox.run.Environment;
import dev.runbox.sandbox.run.HostBoxWorkDir;
import dev.runbox.sandbox.run.SandboxParts;
import dev.runbox.sandbox.run.SandboxPool;
import dev.runbox.sandbox.run.SandboxShape;
import dev.runbox.sandbox.run.WorkDirEnvironment;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The default sandbox: bubblewrap for namespaces and mounts, a cgroup per run for memory, processes
 * and CPU, rlimits and a seccomp filter, and limits on CPU and wall time enforced by SIGKILL of the
 * whole run. Environments of the common shape are prepared ahead ({@link SandboxPool}) and, with
 * {@link EnvironmentReuse#on reuse}, serve up to {@link EnvironmentReuse#maxRuns} runs each; others are made when their job
 * comes and serve that job only.
 *
 * <p>Guarantees, when {@link #run} returns or throws: every process of the run is dead (the run's own
 * pid namespace is empty, or the whole environment is killed and its cgroup emptied and removed);
 * nothing the program wrote exists (its writable places are tmpfs mounts inside the run's own mount
 * namespace); the host side never opened a path the program could reach (the job goes in through a
 * pipe, outputs come back through pipes). What an environment keeps from one run to the next, and why
 * no run can use it: {@link PreparedSandbox}.
 */
public final class BubblewrapSandbox implements Sandbox, AutoCloseable {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(BubblewrapSandbox.class);

    private static final SecureRandom RANDOM = new SecureRandom();
    /** Debian's bubblewrap; the only one Runbox runs. */
    public static final Path BWRAP = Path.of("/usr/bin/bwrap");

    private final SandboxParts parts;
    private final Path boxesRoot;
    private final SandboxPool pool;
    private final int maxProcesses;
    private final boolean reuses;
    /** Runs an environment serves (1: one environment per run). */
    private final int runsPerEnvironment;
    private final java.util.concurrent.atomic.AtomicLong madeHere = new java.util.concurrent.atomic.AtomicLong();
    private final Environment.Maker maker;

    /**
     * @param boxesRoot     where work dirs of compiled languages are mounted ({@link BoxMount})
     * @param preparedAhead sandboxes kept ready for jobs of the default shape (0: none)
     * @param defaultShape  the shape most jobs have (no extra mounts, the configured tmpfs size)
     */
    private BubblewrapSandbox(SandboxParts parts, Path boxesRoot, int preparedAhead, SandboxShape defaultShape, int maxProcesses,
                              EnvironmentReuse reuse) {
        this.parts = parts;
        this.maxProcesses = maxProcesses;
        this.boxesRoot = boxesRoot;
        int runs = reuse.runsPerEnvironment();
        if (runs > 1 && !parts.cgroups().peakResetsPerRun() && !parts.cgroups().peakRenewsByMove()) {
            // a run's memory peak would show in the next run's result: one environment per run instead
            log.info("sandbox-reuse is on, but {} cannot reset a cgroup's memory peak between runs: one environment per run",
                    parts.cgroups().describe());
            runs = 1;
        }
        this.maker = new Environment.Maker() {
            @Override
            public Environment make(SandboxShape shape, int maxRuns) throws SandboxFailure, InterruptedException {
                return PreparedSandbox.prepare(parts, shape, maxProcesses, maxRuns);
            }

            @Override
            public Environment makeAs(SandboxShape shape, int uid, int maxRuns) throws SandboxFailure, InterruptedException {
                return PreparedSandbox.prepareAs(parts, shape, maxProcesses, uid, maxRuns);
            }
        };
        this.pool = preparedAhead > 0 ? new SandboxPool(parts, maker, defaultShape, preparedAhead, runs) : null;
        this.reuses = pool != null && runs > 1;
        this.runsPerEnvironment = runs;
    }

    /** Whether environments serve more than one run here (reuse asked for, prepared sandboxes, and a host that allows it). */
    public boolean reusesEnvironments() {
        return reuses;
    }

    /**
     * The default sandbox, keeping {@code preparedAhead} sandboxes ready for jobs with no extra mounts
     * and tmpfs mounts of {@code writableBytes}.
     */
    public static BubblewrapSandbox open(SandboxParts parts, Path boxesRoot, int preparedAhead, long writableBytes, int maxProcesses,
                                         EnvironmentReuse reuse) {
        return new BubblewrapSandbox(parts, boxesRoot, preparedAhead, new SandboxShape(List.of(), writableBytes, Optional.empty()),
                maxProcesses, reuse);
    }

    /** Which of the merged-/usr symlinks (/bin, /lib64 …) this host has. */
    public static List<String> hostUsrLinks() {
        return LaunchCommand.hostUsrLinks();
    }

    @Override
    public SandboxOutcome run(RunSpec spec) throws SandboxFailure, InterruptedException {
        SandboxShape shape = SandboxShape.of(spec);
        Optional<Environment> ready = pool != null && pool.shape().equals(shape) ? pool.take() : Optional.empty();
        Environment sandbox;
        if (ready.isPresent()) {
            sandbox = ready.get();
        } else {
            // made by this thread, which may not outlive it: for this run only
            sandbox = PreparedSandbox.prepare(parts, shape, maxProcesses, 1);
            madeHere.incrementAndGet();
        }
        try {
            return sandbox.run(spec);
        } finally {
            // every process of the run is dead by now (run() made sure); a reset environment serves the
            // next run, any other is destroyed without delaying the result
            if (ready.isPresent()) pool.giveBack(sandbox);
            else parts.io().execute(sandbox::close);
        }
    }

    /**
     * Environments made so far, ahead or for a job: a count unchanged across two runs means the second
     * ran in the environment of the first (tests of the reset rely on it).
     */
    public long environmentsMade() {
        return madeHere.get() + (pool == null ? 0 : pool.made());
    }

    /**
     * A host-mounted work dir ({@link BoxMount}) under its own uid, held until it is closed; its runs (the
     * compile, then the program, or each test) are served by one environment with the box bound at /box
     * ({@link WorkDirEnvironment}), reset between them as any reused environment is, and replaced as one
     * is: after {@code sandbox-max-runs} runs, after any run that leaves it unfit, or for a run of another
     * shape (an interactive test's pipes root).
     */
    @Override
    public WorkDir openWorkDir(Map<String, byte[]> files, long sizeBytes) throws SandboxFailure, InterruptedException {
        return HostBoxWorkDir.open(parts, boxesRoot, HexFormat.of().formatHex(randomBytes()), files, sizeBytes,
                new WorkDirEnvironment(parts, maker, runsPerEnvironment, madeHere));
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
