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
import dev.runbox.sandbox.run.CappedOutputReader;
import dev.runbox.sandbox.run.InitJob;
import dev.runbox.sandbox.run.InitReport;
import dev.runbox.sandbox.run.LimitWatch;
import dev.runbox.sandbox.run.RunOutcomes;
import dev.runbox.sandbox.run.SandboxParts;
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
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One sandbox, made before its job is known and used for exactly one run.
 *
 * <p>{@link #prepare} does everything slow: a cgroup, runbox-launch (which stays outside as the
 * sandbox's reaper) starting a child that joins the cgroup and drops to an unprivileged uid,
 * bubblewrap building namespaces, mounts and the seccomp filter, and runbox-init inside reporting
 * ready. {@link #run} then sets the job's limits on the cgroup, sends the job to
 * runbox-init (which execs the program: nothing else starts), watches CPU and wall time, and collects
 * the outcome. {@link #close} kills whatever is left and removes the cgroup and the staging dir.
 */
final class PreparedSandbox implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PreparedSandbox.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    /** How long making a sandbox, or the end of a run (kill, pipes closing), may take. */
    private static final Duration SETUP_BOUND = Duration.ofSeconds(10);
    private static final Duration TEARDOWN_BOUND = Duration.ofSeconds(5);
    /** The staging file runbox-launch copies runbox-init's report into ({@link InitReport}). */
    private static final String INIT_REPORT = "init-report";

    private final SandboxParts parts;
    private final SandboxShape shape;
    private final String name;
    private final int uid;
    private final Path staging;
    private final RunCgroup cgroup;
    private final Process process;
    /** Whether the uid goes back to the pool when this sandbox is closed (not when a work dir holds it). */
    private final boolean ownsUid;
    private boolean used;

    private PreparedSandbox(SandboxParts parts, SandboxShape shape, String name, int uid, boolean ownsUid, Path staging,
                            RunCgroup cgroup, Process process) {
        this.parts = parts;
        this.ownsUid = ownsUid;
        this.shape = shape;
        this.name = name;
        this.uid = uid;
        this.staging = staging;
        this.cgroup = cgroup;
        this.process = process;
    }

    SandboxShape shape() {
        return shape;
    }

    /** Makes a sandbox under a uid of its own and waits until runbox-init in it is ready. */
    static PreparedSandbox prepare(SandboxParts parts, SandboxShape shape, int maxProcesses)
            throws SandboxFailure, InterruptedException {
        return prepare(parts, shape, maxProcesses, parts.uids().take(), true);
    }

    /** Makes a sandbox under {@code uid}, which its holder (a work dir) keeps after this sandbox is closed. */
    static PreparedSandbox prepareAs(SandboxParts parts, SandboxShape shape, int maxProcesses, int uid)
            throws SandboxFailure, InterruptedException {
        return prepare(parts, shape, maxProcesses, uid, false);
    }

    private static PreparedSandbox prepare(SandboxParts parts, SandboxShape shape, int maxProcesses, int uid, boolean ownsUid)
            throws SandboxFailure, InterruptedException {
        byte[] id = new byte[8];
        RANDOM.nextBytes(id);
        String name = HexFormat.of().formatHex(id);
        Path staging = parts.stagingRoot().resolve(name);
        RunCgroup cgroup = null;
        Process process = null;
        try {
            Files.createDirectory(staging);
            // the job's own memory and CPU limits are set in run(); until then the sandbox idles
            cgroup = parts.cgroups().create(name, new CgroupLimits(64L * 1024 * 1024, maxProcesses, 1.0));
            List<String> cmd = LaunchCommand.build(parts.launcher(), parts.init(), parts.bwrap(), uid, cgroup.procsFiles(),
                    staging.resolve("status.json"), staging.resolve(INIT_REPORT), shape, parts.usrLinks());
            log.debug("preparing sandbox {} as uid {}: {}", name, uid, cmd);
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().clear(); // nothing of Runbox's environment goes further
            process = pb.start();
            awaitReady(parts, process);
            return new PreparedSandbox(parts, shape, name, uid, ownsUid, staging, cgroup, process);
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

    /** Runs the job; the sandbox cannot be used again. */
    SandboxOutcome run(RunSpec spec) throws SandboxFailure, InterruptedException {
        if (used) throw new IllegalStateException("a sandbox runs one job only");
        used = true;
        if (!shape.fits(spec)) throw new IllegalArgumentException("spec does not fit this sandbox's shape");
        RunLimits limits = spec.limits();
        cgroup.setLimits(new CgroupLimits(limits.memoryBytes(), limits.maxProcesses(), limits.cpuCores()));
        cgroup.resetPeak();
        long cpuBefore = cgroup.cpuUsage().toNanos();
        long oomBefore = cgroup.oomKills();
        String nonce = InitReport.newNonce();
        byte[] go = InitJob.encodeReporting(spec, nonce);
        AtomicReference<Termination> killedFor = new AtomicReference<>();
        Runnable killForOutput = () -> {
            killedFor.compareAndSet(null, Termination.OUTPUT_LIMIT);
            kill();
        };
        CappedOutputReader stdout = new CappedOutputReader(process.getInputStream(), limits.outputBytes(), killForOutput);
        CappedOutputReader stderr = new CappedOutputReader(process.getErrorStream(), limits.outputBytes(), killForOutput);
        long start = System.nanoTime();
        Future<?> feeder = parts.io().submit(() -> feed(go, spec.stdin()));
        Future<?> outReader = parts.io().submit(stdout);
        Future<?> errReader = parts.io().submit(stderr);
        long wallNanos;
        long cpuNanos;
        try {
            wallNanos = watch(limits, cpuBefore, killedFor, start);
            // the run is over when its last process is: daemons and strays die here, not later
            ensureEmpty();
            await(outReader, "stdout");
            await(errReader, "stderr");
            feeder.cancel(true);
            cpuNanos = cgroup.cpuUsage().toNanos() - cpuBefore;
        } catch (InterruptedException | SandboxFailure | RuntimeException e) {
            kill();
            outReader.cancel(true);
            errReader.cancel(true);
            feeder.cancel(true);
            throw e;
        }
        long oomKills = cgroup.oomKills() - oomBefore;
        long memoryPeak = cgroup.memoryPeakBytes();
        SandboxOutcome.CapturedOutput out = stdout.result();
        SandboxOutcome.CapturedOutput err = stderr.result();
        int status = exitCodeFromStatus().orElse(process.exitValue());
        // the program's own time when init saw it end; Runbox's own measure when the run was killed
        Duration wall = killedFor.get() == null ? programTime(nonce).orElse(Duration.ofNanos(wallNanos)) : Duration.ofNanos(wallNanos);
        return RunOutcomes.outcome(spec, status, killedFor.get(), oomKills > 0, wall,
                Duration.ofNanos(cpuNanos), memoryPeak, out, err);
    }

    /** Writes the job, then the program's stdin, then end of file. */
    private Void feed(byte[] go, byte[] stdin) throws IOException {
        try (OutputStream in = process.getOutputStream()) {
            in.write(go);
            in.write(stdin);
        } catch (IOException e) {
            // the program ended (or closed stdin) before reading all of its input: that is its business
            log.debug("stdin of sandbox {} closed early: {}", name, e.toString());
        }
        return null;
    }

    /** Waits for the program to end, or kills it at its CPU or wall time limit ({@link LimitWatch}); returns the wall time. */
    private long watch(RunLimits limits, long cpuBefore, AtomicReference<Termination> killedFor, long start)
            throws InterruptedException, SandboxFailure {
        Termination hit = LimitWatch.untilEnd(limits, start, new LimitWatch.Running() {
            @Override
            public long cpuNanos() throws SandboxFailure {
                return cgroup.cpuUsage().toNanos() - cpuBefore;
            }

            @Override
            public boolean awaitEnd(long nanos) throws InterruptedException {
                return process.waitFor(nanos, TimeUnit.NANOSECONDS);
            }
        });
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

    private void await(Future<?> reader, String stream) throws SandboxFailure, InterruptedException {
        try {
            reader.get(TEARDOWN_BOUND.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            kill();
            throw new SandboxFailure(stream + " of the run stayed open " + TEARDOWN_BOUND.toSeconds()
                    + " s after its last process ended");
        } catch (ExecutionException e) {
            throw new SandboxFailure("reading " + stream + " failed: " + e.getCause(), e.getCause());
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

    /** What runbox-init measured, from the report runbox-launch copied into the staging dir (root's, 0700). */
    private java.util.Optional<Duration> programTime(String nonce) throws SandboxFailure {
        Path file = staging.resolve(INIT_REPORT);
        try {
            return Files.exists(file, LinkOption.NOFOLLOW_LINKS)
                    ? InitReport.programTime(Files.readString(file, StandardCharsets.US_ASCII), nonce) : java.util.Optional.empty();
        } catch (IOException e) {
            throw new SandboxFailure("cannot read runbox-init's report " + file + ": " + e, e);
        }
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
