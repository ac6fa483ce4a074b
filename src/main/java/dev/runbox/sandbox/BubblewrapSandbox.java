package dev.runbox.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbox.sandbox.SandboxOutcome.Termination;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The default sandbox: bubblewrap for namespaces and mounts, a cgroup per run for memory, processes
 * and CPU, rlimits and a seccomp filter set by runbox-launch, and limits on CPU and wall time enforced
 * here by SIGKILL of the whole run.
 *
 * <p>Guarantees, when {@link #run} returns or throws: every process of the run is dead (the pid
 * namespace dies with bwrap, and the cgroup is emptied and removed); nothing the program wrote exists
 * (its writable places are tmpfs mounts inside its own mount namespace); the host side never opened a
 * path the program could reach (inputs are staged in Runbox's private 0700 directory and passed as
 * file descriptors; outputs come back only through pipes).
 *
 * <p>Runs through a {@link WorkDir} ({@link #openWorkDir}) keep the same guarantees, except that
 * their /box is a host-mounted tmpfs ({@link BoxMount}) which lives until the work dir is closed;
 * Runbox still never opens anything in it after the first program started.
 */
public final class BubblewrapSandbox implements Sandbox {

    private static final Logger log = LoggerFactory.getLogger(BubblewrapSandbox.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Longest pause between two checks of CPU time: bounds how far past its limit a run can get. */
    private static final long MAX_CHECK_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(25);
    /** How long the end of a run may take (kill, pipes closing) before Runbox calls it a failure. */
    private static final Duration TEARDOWN_BOUND = Duration.ofSeconds(5);

    private final Path launcher;
    private final Path bwrap;
    private final Path stagingRoot;
    private final Path boxesRoot;
    private final Cgroups cgroups;
    private final UidPool uids;
    private final ExecutorService outputReaders;
    private final List<String> usrLinks = LaunchCommand.hostUsrLinks();

    /**
     * @param stagingRoot a directory only root can enter, for the inputs of runs in progress
     * @param firstUid    first of {@code maxConcurrentRuns} unprivileged uids used for runs
     */
    public BubblewrapSandbox(Path launcher, Path bwrap, Path stagingRoot, Cgroups cgroups, int firstUid,
                             int maxConcurrentRuns, ExecutorService outputReaders) {
        this.launcher = launcher;
        this.bwrap = bwrap;
        this.stagingRoot = stagingRoot;
        this.boxesRoot = stagingRoot.resolveSibling(BoxMount.BOXES_DIR);
        this.cgroups = cgroups;
        this.uids = new UidPool(firstUid, maxConcurrentRuns);
        this.outputReaders = outputReaders;
    }

    @Override
    public SandboxOutcome run(RunSpec spec) throws SandboxFailure, InterruptedException {
        int uid = uids.take();
        try {
            return runAs(uid, spec, Optional.empty());
        } finally {
            uids.release(uid);
        }
    }

    /**
     * A host-mounted work dir ({@link BoxMount}) under its own uid, held until it is closed; each run
     * through it is a full sandboxed run of its own, with the box bound at /box.
     */
    @Override
    public WorkDir openWorkDir(Map<String, byte[]> files, long sizeBytes) throws SandboxFailure, InterruptedException {
        int uid = uids.take();
        BoxMount box;
        try {
            box = BoxMount.mount(launcher, boxesRoot, HexFormat.of().formatHex(randomBytes(16)), sizeBytes, uid, files);
        } catch (SandboxFailure | RuntimeException e) {
            uids.release(uid);
            throw e;
        }
        log.debug("box {} for uid {}", box.path(), uid);
        return new WorkDir() {
            private boolean closed;

            @Override
            public SandboxOutcome run(RunSpec spec) throws SandboxFailure, InterruptedException {
                if (closed) throw new IllegalStateException("work dir " + box.path() + " is closed");
                if (!spec.files().isEmpty()) throw new IllegalArgumentException("a work dir's files are placed when it is opened");
                return runAs(uid, spec, Optional.of(box));
            }

            @Override
            public void close() throws SandboxFailure {
                if (closed) return;
                closed = true;
                try {
                    box.close();
                } finally {
                    uids.release(uid);
                }
            }
        };
    }

    private SandboxOutcome runAs(int uid, RunSpec spec, Optional<BoxMount> box) throws SandboxFailure, InterruptedException {
        String runName = HexFormat.of().formatHex(randomBytes(8));
        Path staging = stagingRoot.resolve(runName);
        try {
            List<String> fileNames = stage(staging, spec);
            RunLimits l = spec.limits();
            try (RunCgroup cgroup = cgroups.create(runName, new CgroupLimits(l.memoryBytes(), l.maxProcesses(), l.cpuCores()))) {
                Path status = staging.resolve("status.json");
                List<String> cmd = LaunchCommand.build(launcher, bwrap, uid, cgroup.procsFiles(), staging, status,
                        fileNames, spec, usrLinks, box.map(BoxMount::path));
                log.debug("run {} as uid {}: {}", runName, uid, cmd);
                return execute(cmd, staging.resolve("stdin"), status, spec.limits(), cgroup);
            }
        } finally {
            deleteStaging(staging);
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    /** Writes the inputs into a fresh private directory; returns the file names in staging order. */
    private List<String> stage(Path staging, RunSpec spec) throws SandboxFailure {
        try {
            Files.createDirectory(staging);
            List<String> names = new ArrayList<>();
            for (Map.Entry<String, byte[]> f : spec.files().entrySet()) {
                Files.write(staging.resolve("file-" + names.size()), f.getValue());
                names.add(f.getKey());
            }
            Files.write(staging.resolve("stdin"), spec.stdin());
            return names;
        } catch (IOException e) {
            throw new SandboxFailure("cannot stage the run's inputs in " + staging + ": " + e, e);
        }
    }

    private SandboxOutcome execute(List<String> cmd, Path stdinFile, Path statusFile, RunLimits limits, RunCgroup cgroup)
            throws SandboxFailure, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().clear(); // nothing of Runbox's environment goes further
        pb.redirectInput(stdinFile.toFile());
        AtomicReference<Termination> killedFor = new AtomicReference<>();
        long start = System.nanoTime();
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new SandboxFailure("cannot start " + launcher + ": " + e, e);
        }
        Runnable killForOutput = () -> {
            killedFor.compareAndSet(null, Termination.OUTPUT_LIMIT);
            killQuietly(cgroup, process);
        };
        BoundedOutput stdout = new BoundedOutput(process.getInputStream(), limits.outputBytes(), killForOutput);
        BoundedOutput stderr = new BoundedOutput(process.getErrorStream(), limits.outputBytes(), killForOutput);
        Future<?> outReader = outputReaders.submit(stdout);
        Future<?> errReader = outputReaders.submit(stderr);
        Duration cpu;
        long wallNanos;
        try {
            wallNanos = watch(process, cgroup, limits, killedFor, start);
            // the run is over when its last process is: daemons and strays die here, not later
            ensureEmpty(cgroup, process);
            awaitReader(outReader, "stdout", cgroup, process);
            awaitReader(errReader, "stderr", cgroup, process);
            cpu = cgroup.cpuUsage();
        } catch (InterruptedException | SandboxFailure | RuntimeException e) {
            killQuietly(cgroup, process);
            outReader.cancel(true);
            errReader.cancel(true);
            throw e;
        }
        long oomKills = cgroup.oomKills();
        long memoryPeak = cgroup.memoryPeakBytes();
        BwrapStatus status = BwrapStatus.read(statusFile);
        SandboxOutcome.CapturedOutput out = stdout.result();
        SandboxOutcome.CapturedOutput err = stderr.result();
        if (!status.childStarted() && killedFor.get() == null) {
            // bwrap or the launcher failed before the program existed: Runbox's failure, not a verdict
            throw new SandboxFailure("sandbox setup failed (exit " + process.exitValue() + "): "
                    + new String(err.bytes(), StandardCharsets.UTF_8).strip());
        }
        Termination termination = killedFor.get();
        if (oomKills > 0) termination = Termination.MEMORY_LIMIT;
        else if (termination == null && cpu.compareTo(limits.cpuTime()) >= 0) termination = Termination.CPU_TIME_LIMIT;
        else if (termination == null) termination = Termination.EXITED;
        Integer exitCode = null;
        Integer signal = null;
        int code = status.exitCode().orElse(process.exitValue());
        // bwrap reports death by signal N as 128 + N, as shells do
        if (code > 128 && code < 128 + 65) signal = code - 128;
        else exitCode = code;
        return new SandboxOutcome(termination, exitCode, signal, Duration.ofNanos(wallNanos), cpu, memoryPeak, out, err);
    }

    /**
     * Waits for the program to end, checking its CPU time as often as it could have reached the limit
     * (at most every {@link #MAX_CHECK_INTERVAL_NANOS}); kills it at the CPU or wall time limit.
     * Returns the wall time.
     */
    private long watch(Process process, RunCgroup cgroup, RunLimits limits, AtomicReference<Termination> killedFor,
                       long start) throws InterruptedException, SandboxFailure {
        long wallLimit = limits.wallTime().toNanos();
        long cpuLimit = limits.cpuTime().toNanos();
        double cores = Math.max(limits.cpuCores(), 0.01);
        while (true) {
            long elapsed = System.nanoTime() - start;
            if (elapsed >= wallLimit) {
                killedFor.compareAndSet(null, Termination.WALL_TIME_LIMIT);
                killQuietly(cgroup, process);
                process.waitFor();
                return System.nanoTime() - start;
            }
            long cpuUsed = cgroup.cpuUsage().toNanos();
            if (cpuUsed >= cpuLimit) {
                killedFor.compareAndSet(null, Termination.CPU_TIME_LIMIT);
                killQuietly(cgroup, process);
                process.waitFor();
                return System.nanoTime() - start;
            }
            // CPU time grows at most `cores` seconds per second under the quota
            long untilCpuLimit = (long) ((cpuLimit - cpuUsed) / cores);
            long wait = Math.min(wallLimit - elapsed, Math.min(untilCpuLimit, MAX_CHECK_INTERVAL_NANOS));
            if (process.waitFor(Math.max(wait, 1_000_000), TimeUnit.NANOSECONDS)) {
                return System.nanoTime() - start;
            }
        }
    }

    private void ensureEmpty(RunCgroup cgroup, Process process) throws SandboxFailure, InterruptedException {
        long deadline = System.nanoTime() + TEARDOWN_BOUND.toNanos();
        while (!cgroup.isEmpty()) {
            killQuietly(cgroup, process);
            if (System.nanoTime() > deadline) throw new SandboxFailure("processes of the run survived SIGKILL for "
                    + TEARDOWN_BOUND.toSeconds() + " s");
            Thread.sleep(1); // the kernel needs a moment to reap what was killed
        }
    }

    private void awaitReader(Future<?> reader, String name, RunCgroup cgroup, Process process)
            throws SandboxFailure, InterruptedException {
        try {
            reader.get(TEARDOWN_BOUND.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            killQuietly(cgroup, process);
            throw new SandboxFailure(name + " of the run stayed open " + TEARDOWN_BOUND.toSeconds()
                    + " s after its last process ended");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new SandboxFailure("reading " + name + " failed: " + e.getCause(), e.getCause());
        }
    }

    private static void killQuietly(RunCgroup cgroup, Process process) {
        try {
            cgroup.killAll();
        } catch (SandboxFailure e) {
            log.warn("killing the run's cgroup failed: {}", e.getMessage());
        }
        // bwrap's pid-1 dies with it (--die-with-parent), taking the whole pid namespace along. Through
        // the handle: Process.destroyForcibly() would also close the pipes under the output readers.
        process.toHandle().destroyForcibly();
    }

    private void deleteStaging(Path staging) {
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

    /** bwrap's --json-status-fd output: child-pid once the program was started, exit-code at the end. */
    record BwrapStatus(boolean childStarted, java.util.OptionalInt exitCode) {
        static BwrapStatus read(Path file) throws SandboxFailure {
            boolean started = false;
            java.util.OptionalInt exit = java.util.OptionalInt.empty();
            String text;
            try {
                text = Files.exists(file, LinkOption.NOFOLLOW_LINKS) ? Files.readString(file) : "";
            } catch (IOException e) {
                throw new SandboxFailure("cannot read bwrap status " + file + ": " + e, e);
            }
            try (var parser = JSON.getFactory().createParser(text)) {
                var it = JSON.readValues(parser, JsonNode.class);
                while (it.hasNext()) {
                    JsonNode n = it.next();
                    if (n.has("child-pid")) started = true;
                    if (n.has("exit-code")) exit = java.util.OptionalInt.of(n.get("exit-code").asInt());
                }
            } catch (IOException | RuntimeException e) {
                throw new SandboxFailure("unreadable bwrap status '" + text + "': " + e, e);
            }
            return new BwrapStatus(started, exit);
        }
    }
}
