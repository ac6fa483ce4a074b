package dev.runbox.sandbox.bubblewrap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbox.sandbox.RunLimits;
import dev.runbox.sandbox.RunSpec;
import dev.runbox.sandbox.SandboxFailure;
import dev.runbox.sandbox.SandboxOutcome.Termination;
import dev.runbox.sandbox.SandboxOutcome;
import dev.runbox.sandbox.cgroup.CgroupLimits;
import dev.runbox.sandbox.cgroup.RunCgroup;
import dev.runbox.sandbox.run.Environment;
import dev.runbox.sandbox.run.InitJob;
import dev.runbox.sandbox.run.RunFrames;
import dev.runbox.sandbox.run.LimitWatch;
import dev.runbox.sandbox.run.RunOutcomes;
import dev.runbox.sandbox.run.SandboxParts;
import dev.runbox.sandbox.run.SandboxShape;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One environment of the default sandbox ({@link Environment}: made before its job is known, it serves
 * up to {@code maxRuns} runs, each in namespaces, mounts and processes of its own, with a reset between
 * them that leaves nothing of one run to the next; or, the first time anything about a run or its reset
 * is not as it should be, no further run at all).
 *
 * <p>{@link #prepare} does everything slow, once: a cgroup, runbox-launch (which stays outside as the
 * environment's reaper) starting a child that joins the cgroup and drops to an unprivileged uid,
 * bubblewrap building the environment's namespaces and mounts, and runbox-init inside (serve mode,
 * native/init.c) reporting ready. {@link #run} sets the job's limits on the cgroup, sends the job to
 * runbox-init, watches CPU and wall time, and collects the outcome from init's frames ({@link RunFrames}).
 * Per run, init clones the run's pid 1 into fresh pid, mount, IPC, network and UTS namespaces, with
 * fresh tmpfs /box, /tmp and /dev/shm, a read-only /dev and a /proc of its own; the program sets its
 * signals, rlimits, umask and environment anew, drops every capability and loads the seccomp filter.
 *
 * <p>The reset, and what stops reuse: a run's result is returned only once init said the run is over,
 * which it says only when the run's pid namespace is empty (every process of it killed and reaped;
 * its mounts, IPC objects and sockets die with their namespaces) and its own checks passed (no child
 * of its own left, its nice value unchanged). Then Runbox checks that the cgroup holds exactly the
 * processes it held before the first run (bwrap's and init's). The environment serves another run only
 * if all of that held, the run was not killed by Runbox at a limit (that kills the whole environment),
 * no OOM kill happened, runbox-init took the job without a failure, and it has served fewer than
 * {@code maxRuns}. Otherwise {@link #close} kills whatever is left and removes the cgroup and the
 * staging dir.
 *
 * <p>What an environment keeps across its runs, and why that is safe: its uid (every path outside the
 * per-run tmpfs mounts is read-only: /usr, the root, /dev), its user namespace (no run holds a
 * capability in it), runbox-init (outside every run's pid namespace: no run can name, signal or trace
 * it; the run's pid 1, which a run can see, is per run), and the cgroup (its limits are set afresh per
 * run and its peak reset on v1; on v2, which cannot reset a peak, the environment moves into a fresh
 * cgroup between runs, {@link #renewCgroupIfNeeded}; CPU time and OOM kills are counted as differences). Page-cache charges of earlier
 * runs may show in a later run's memory peak on cgroup v1.
 */
final class PreparedSandbox implements Environment {

    private static final Logger log = LoggerFactory.getLogger(PreparedSandbox.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    /** How long making a sandbox, or the end of a run (kill, pipes closing), may take. */
    private static final Duration SETUP_BOUND = Duration.ofSeconds(10);
    private static final Duration TEARDOWN_BOUND = Duration.ofSeconds(5);
    /** Processes of a run's pids limit that are not the program's: the run's pid 1 (init's reaper). */
    static final int RUN_OVERHEAD_PROCESSES = 1;

    private final SandboxParts parts;
    private final SandboxShape shape;
    private final String name;
    private final int uid;
    private final Path staging;
    /** The environment's cgroup; on cgroup v2 a fresh one per run ({@link #renewCgroupIfNeeded}). */
    private RunCgroup cgroup;
    /** Whether the next run needs a fresh cgroup first (a run ended in this one, on a host that renews). */
    private boolean renewBeforeRun;
    private final CgroupLimits idleLimits;
    /** Whether runbox-init was told "prep" for the next run (its reaper is made, or being made). */
    private boolean prepped;
    private static final byte[] PREP = "4:prep,".getBytes(StandardCharsets.US_ASCII);
    private final Process process;
    /** Whether the uid goes back to the pool when this sandbox is closed (not when a work dir holds it). */
    private final boolean ownsUid;
    private final int maxRuns;
    private int runs;
    /** Whether the last run, and the reset after it, went as they must for another run to follow. */
    private boolean clean = true;
    /** The cgroup's processes before the first run: bwrap's and runbox-init (the same after every clean run). */
    private Set<String> baseline;

    private PreparedSandbox(SandboxParts parts, SandboxShape shape, String name, int uid, boolean ownsUid, Path staging,
                            RunCgroup cgroup, Process process, int maxRuns, CgroupLimits idleLimits) {
        this.idleLimits = idleLimits;
        this.parts = parts;
        this.ownsUid = ownsUid;
        this.shape = shape;
        this.name = name;
        this.uid = uid;
        this.staging = staging;
        this.cgroup = cgroup;
        this.process = process;
        this.maxRuns = maxRuns;
    }

    @Override
    public SandboxShape shape() {
        return shape;
    }

    @Override
    public synchronized boolean reusable() {
        return clean && runs < maxRuns && process.isAlive();
    }

    /** Makes an environment under a uid of its own, for up to {@code maxRuns} runs, and waits until runbox-init in it is ready. */
    static PreparedSandbox prepare(SandboxParts parts, SandboxShape shape, int maxProcesses, int maxRuns)
            throws SandboxFailure, InterruptedException {
        return prepare(parts, shape, maxProcesses, parts.uids().take(), true, maxRuns);
    }

    /** Makes an environment for up to {@code maxRuns} runs under {@code uid}, which its holder (a work dir) keeps after it is closed. */
    static PreparedSandbox prepareAs(SandboxParts parts, SandboxShape shape, int maxProcesses, int uid, int maxRuns)
            throws SandboxFailure, InterruptedException {
        return prepare(parts, shape, maxProcesses, uid, false, maxRuns);
    }

    private static PreparedSandbox prepare(SandboxParts parts, SandboxShape shape, int maxProcesses, int uid, boolean ownsUid,
                                           int maxRuns)
            throws SandboxFailure, InterruptedException {
        if (maxRuns < 1) throw new IllegalArgumentException("an environment serves at least one run");
        byte[] id = new byte[8];
        RANDOM.nextBytes(id);
        String name = HexFormat.of().formatHex(id);
        Path staging = parts.stagingRoot().resolve(name);
        RunCgroup cgroup = null;
        Process process = null;
        try {
            Files.createDirectory(staging);
            // the job's own memory and CPU limits are set in run(); until then the sandbox idles
            cgroup = parts.cgroups().create(name, idleLimits(maxProcesses));
            List<String> cmd = LaunchCommand.build(parts.launcher(), parts.init(), parts.bwrap(), uid, cgroup.procsFiles(),
                    staging.resolve("status.json"), shape, parts.usrLinks());
            log.debug("preparing sandbox {} as uid {}: {}", name, uid, cmd);
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().clear(); // nothing of Runbox's environment goes further
            process = pb.start();
            awaitReady(parts, process);
            PreparedSandbox made = new PreparedSandbox(parts, shape, name, uid, ownsUid, staging, cgroup, process, maxRuns,
                    idleLimits(maxProcesses));
            made.baseline = made.processes(); // before any reaper exists
            made.prepareNextRun();
            return made;
        } catch (IOException e) {
            cleanUp(parts, uid, ownsUid, staging, cgroup, process);
            throw new SandboxFailure("cannot prepare a sandbox: " + e, e);
        } catch (SandboxFailure | InterruptedException | RuntimeException e) {
            cleanUp(parts, uid, ownsUid, staging, cgroup, process);
            throw e;
        }
    }

    /** runbox-init writes "R" on stderr when it waits for its job; anything else is a setup error. */
    private static void awaitReady(SandboxParts parts, Process process) throws SandboxFailure, InterruptedException {
        InputStream err = process.getErrorStream();
        Future<Integer> first = parts.io().submit((java.util.concurrent.Callable<Integer>) err::read);
        int b;
        try {
            b = first.get(SETUP_BOUND.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            process.toHandle().destroy();
            throw new SandboxFailure("sandbox not ready after " + SETUP_BOUND.toSeconds() + " s");
        } catch (ExecutionException e) {
            throw new SandboxFailure("reading the sandbox's readiness failed: " + e.getCause(), e.getCause());
        }
        if (b == 'R') return;
        process.toHandle().destroy();
        String rest;
        try {
            rest = new String(err.readNBytes(4096), StandardCharsets.UTF_8);
        } catch (IOException e) {
            rest = "";
        }
        String said = (b < 0 ? "" : String.valueOf((char) b)) + rest;
        throw new SandboxFailure("sandbox setup failed: " + (said.isBlank() ? "exited without a word" : said.strip()));
    }

    /** The limits of the environment's cgroup while it idles: the job's own are set in run(). */
    private static CgroupLimits idleLimits(int maxProcesses) {
        return new CgroupLimits(64L * 1024 * 1024, maxProcesses + RUN_OVERHEAD_PROCESSES, 1.0);
    }

    @Override
    public synchronized boolean needsPreparing() {
        return renewBeforeRun || !prepped;
    }

    /**
     * Makes the next run ready ahead of its job, off the run's path: the cgroup renewed where it must
     * be ({@link #renewCgroupIfNeeded}), then runbox-init told "prep", so that the next run's reaper,
     * namespaces and mounts are made now rather than when the job comes (native/init.c, serve mode).
     * Only after the last run's checks, which expect no reaper; a failure leaves the environment unfit.
     */
    @Override
    public synchronized void prepareNextRun() throws SandboxFailure {
        renewCgroupIfNeeded();
        if (prepped || !reusable()) return;
        try {
            OutputStream in = process.getOutputStream();
            in.write(PREP);
            in.flush();
            prepped = true;
        } catch (IOException e) {
            clean = false;
            throw new SandboxFailure("sandbox " + name + " did not take 'prep': " + e.getMessage(), e);
        }
    }

    /**
     * On a host where a run's memory peak cannot be reset but renews by a move (cgroup v2 before
     * kernel 6.12's per-file reset): moves the environment's idle processes (bwrap's and runbox-init,
     * exactly the baseline: the last run was clean) into a fresh cgroup and removes the old one, so the
     * next run's peak, CPU time and OOM kills are counted from zero. If any step fails the environment
     * serves no further run.
     */
    synchronized void renewCgroupIfNeeded() throws SandboxFailure {
        if (!renewBeforeRun) return;
        renewBeforeRun = false;
        clean = false; // until the renewal is seen to have gone as it must
        RunCgroup fresh = parts.cgroups().create(name + "-" + runs, idleLimits);
        try {
            for (String pid : baseline) {
                for (Path procs : fresh.procsFiles()) dev.runbox.sandbox.cgroup.CgroupFiles.write(procs, pid);
            }
            if (!cgroup.isEmpty()) throw new SandboxFailure("processes other than the environment's were left in " + name);
        } catch (SandboxFailure | RuntimeException e) {
            try {
                fresh.close(); // kills what moved: this environment is done
            } catch (SandboxFailure also) {
                e.addSuppressed(also);
            }
            throw e;
        }
        RunCgroup old = cgroup;
        cgroup = fresh;
        old.close();
        clean = true;
    }

    @Override
    public synchronized SandboxOutcome run(RunSpec spec) throws SandboxFailure, InterruptedException {
        if (!reusable()) throw new IllegalStateException("this environment serves no further run");
        if (!shape.fits(spec)) throw new IllegalArgumentException("spec does not fit this sandbox's shape");
        prepareNextRun();
        prepped = false; // the reaper made ahead takes this run's job
        runs++;
        clean = false; // until this run and its reset are seen to have gone as they must
        RunLimits limits = spec.limits();
        cgroup.setLimits(new CgroupLimits(limits.memoryBytes(), limits.maxProcesses() + RUN_OVERHEAD_PROCESSES, limits.cpuCores()));
        cgroup.resetPeak();
        long cpuBefore = cgroup.cpuUsage().toNanos();
        long oomBefore = cgroup.oomKills();
        byte[] go = InitJob.encodeForEnvironment(spec);
        AtomicReference<Termination> killedFor = new AtomicReference<>();
        Runnable killForOutput = () -> {
            killedFor.compareAndSet(null, Termination.OUTPUT_LIMIT);
            kill();
        };
        RunFrames frames = new RunFrames(process.getInputStream(), limits.outputBytes(), killForOutput);
        long start = System.nanoTime();
        Future<?> feeder = parts.io().submit(() -> feed(go));
        Future<Optional<RunFrames.End>> ended = parts.io().submit(frames);
        long wallNanos;
        long cpuNanos;
        Optional<RunFrames.End> end;
        try {
            wallNanos = watch(limits, cpuBefore, killedFor, start, ended);
            end = await(ended);
            if (end.isEmpty()) {
                // the environment is gone (killed at a limit, or died): its launcher reaps all of it
                kill();
                awaitExit(process);
                ensureEmpty();
            }
            cpuNanos = cgroup.cpuUsage().toNanos() - cpuBefore;
        } catch (InterruptedException | SandboxFailure | RuntimeException e) {
            kill();
            ended.cancel(true);
            feeder.cancel(true);
            throw e;
        }
        long oomKills = cgroup.oomKills() - oomBefore;
        long memoryPeak = cgroup.memoryPeakBytes();
        SandboxOutcome.CapturedOutput out = frames.stdout();
        SandboxOutcome.CapturedOutput err = frames.stderr();
        int status;
        Duration wall = Duration.ofNanos(wallNanos);
        if (end.isPresent()) {
            status = end.get().status();
            // the program's own time as init saw it; Runbox's own measure when the run was killed
            if (killedFor.get() == null && end.get().programNanos() >= 0) wall = Duration.ofNanos(end.get().programNanos());
        } else {
            if (killedFor.get() == null && oomKills == 0) {
                throw new SandboxFailure("sandbox " + name + " ended before its run did: " + environmentSaid());
            }
            status = exitCodeFromStatus().orElse(process.exitValue());
        }
        SandboxOutcome outcome = RunOutcomes.outcome(spec, status, killedFor.get(), oomKills > 0, wall,
                Duration.ofNanos(cpuNanos), memoryPeak, out, err);
        Set<String> left = processes();
        clean = end.isPresent() && end.get().clean() && killedFor.get() == null && oomKills == 0 && fed(feeder)
                && left.equals(baseline);
        renewBeforeRun = clean && runs < maxRuns && !parts.cgroups().peakResetsPerRun();
        if (!clean && end.isPresent()) log.debug("sandbox {} serves no further run (end {}, killed for {}, OOM kills {}, processes {} vs {})",
                name, end.get(), killedFor.get(), oomKills, left, baseline);
        return outcome;
    }

    /** The pids in the cgroup (any hierarchy: the launcher's child joined them all). */
    private Set<String> processes() throws SandboxFailure {
        Path procs = cgroup.procsFiles().get(0);
        try {
            return new HashSet<>(Files.readAllLines(procs, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new SandboxFailure("cannot read " + procs + ": " + e, e);
        }
    }

    /** Whether the job went to runbox-init whole (it had to, for init to run it). */
    private static boolean fed(Future<?> feeder) throws InterruptedException {
        try {
            feeder.get(TEARDOWN_BOUND.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException | TimeoutException e) {
            feeder.cancel(true);
            return false;
        }
    }

    /** What runbox-init or bwrap said on the environment's stderr before it ended (it has ended). */
    private String environmentSaid() {
        try {
            String said = new String(process.getErrorStream().readNBytes(4096), StandardCharsets.UTF_8).strip();
            return said.isEmpty() ? "exited with status " + process.exitValue() + " without a word" : said;
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Writes the job (the program's stdin in it); the pipe stays open for the next job. */
    private Void feed(byte[] go) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write(go);
        in.flush();
        return null;
    }

    /** Waits for the program to end, or kills it at its CPU or wall time limit ({@link LimitWatch}); returns the wall time. */
    private long watch(RunLimits limits, long cpuBefore, AtomicReference<Termination> killedFor, long start,
                       Future<Optional<RunFrames.End>> ended)
            throws InterruptedException, SandboxFailure {
        Termination hit = LimitWatch.untilEnd(limits, start, () -> cgroup.cpuUsage().toNanos() - cpuBefore, ended);
        return hit == null ? System.nanoTime() - start : killFor(hit, killedFor, start);
    }

    private long killFor(Termination why, AtomicReference<Termination> killedFor, long start) throws InterruptedException {
        killedFor.compareAndSet(null, why);
        kill();
        awaitExit(process);
        return System.nanoTime() - start;
    }

    /**
     * Waits for runbox-launch, asked to end the run, to have reaped every process of it. Should that
     * take longer than {@link #TEARDOWN_BOUND}, the launcher is killed: the run still dies with it
     * (parent-death signals), only its last zombies are then left to the host's init.
     */
    private static void awaitExit(Process process) throws InterruptedException {
        if (!process.waitFor(TEARDOWN_BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
            process.toHandle().destroyForcibly();
            process.waitFor();
        }
    }

    private void ensureEmpty() throws SandboxFailure, InterruptedException {
        long deadline = System.nanoTime() + TEARDOWN_BOUND.toNanos();
        while (!cgroup.isEmpty()) {
            kill();
            if (System.nanoTime() > deadline) {
                throw new SandboxFailure("processes of the run survived SIGKILL for " + TEARDOWN_BOUND.toSeconds() + " s");
            }
            Thread.sleep(1); // the kernel needs a moment to reap what was killed
        }
    }

    private Optional<RunFrames.End> await(Future<Optional<RunFrames.End>> ended) throws SandboxFailure, InterruptedException {
        try {
            return ended.get(TEARDOWN_BOUND.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            kill();
            throw new SandboxFailure("the output of sandbox " + name + " stayed open " + TEARDOWN_BOUND.toSeconds()
                    + " s after the run ended");
        } catch (ExecutionException e) {
            throw new SandboxFailure("reading the output of sandbox " + name + " failed: " + e.getCause(), e.getCause());
        }
    }

    /** SIGKILL to every process of the sandbox. */
    private void kill() {
        try {
            cgroup.killAll();
        } catch (SandboxFailure e) {
            log.warn("killing the cgroup of sandbox {} failed: {}", name, e.getMessage());
        }
        // SIGTERM asks runbox-launch to SIGKILL bwrap, whose pid 1 dies with it (--die-with-parent), taking
        // the whole pid namespace along; the launcher then reaps them all (SIGKILL to the launcher would
        // leave their zombies to the host's init). Through the handle: Process.destroy() would also
        // close the pipes under the output readers.
        process.toHandle().destroy();
    }

    /** bwrap's --json-status-fd output: {"exit-code": N} once the sandbox's command ended. */
    private OptionalInt exitCodeFromStatus() throws SandboxFailure {
        Path file = staging.resolve("status.json");
        String text;
        try {
            text = Files.exists(file, LinkOption.NOFOLLOW_LINKS) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new SandboxFailure("cannot read bwrap status " + file + ": " + e, e);
        }
        OptionalInt exit = OptionalInt.empty();
        try (var parser = JSON.getFactory().createParser(text)) {
            var it = JSON.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n.has("exit-code")) exit = OptionalInt.of(n.get("exit-code").asInt());
            }
        } catch (IOException | RuntimeException e) {
            throw new SandboxFailure("unreadable bwrap status '" + text + "': " + e, e);
        }
        return exit;
    }

    @Override
    public void close() {
        cleanUp(parts, uid, ownsUid, staging, cgroup, process);
    }

    private static void cleanUp(SandboxParts parts, int uid, boolean ownsUid, Path staging, RunCgroup cgroup,
                                Process process) {
        if (process != null) {
            process.toHandle().destroy(); // runbox-launch ends the sandbox and reaps it (see kill())
            // bounded, and not cut short by an interrupt: a SIGKILLed reaper leaves zombies behind
            boolean interrupted = Thread.interrupted();
            try {
                awaitExit(process);
            } catch (InterruptedException e) {
                interrupted = true;
                process.toHandle().destroyForcibly();
            } finally {
                if (interrupted) Thread.currentThread().interrupt();
            }
        }
        if (cgroup != null) {
            try {
                cgroup.close();
            } catch (SandboxFailure e) {
                log.warn("cannot remove a sandbox cgroup: {}", e.getMessage());
            }
        }
        deleteStaging(staging);
        if (ownsUid) parts.uids().release(uid);
    }

    private static void deleteStaging(Path staging) {
        try {
            if (!Files.exists(staging, LinkOption.NOFOLLOW_LINKS)) return;
            try (var files = Files.list(staging)) {
                for (Path f : files.toList()) Files.delete(f);
            }
            Files.delete(staging);
        } catch (IOException e) {
            log.warn("cannot delete staging dir {}: {}", staging, e.toString());
        }
    }
}
