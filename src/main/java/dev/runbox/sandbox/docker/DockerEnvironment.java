package dev.runbox.sandbox.docker;

import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.LogConfig;
import com.github.dockerjava.api.model.Ulimit;
import com.github.dockerjava.api.model.Volume;
import dev.runbox.sandbox.RunLimits;
import dev.runbox.sandbox.RunSpec;
import dev.runbox.sandbox.SandboxFailure;
import dev.runbox.sandbox.SandboxOutcome;
import dev.runbox.sandbox.SandboxOutcome.Termination;
import dev.runbox.sandbox.cgroup.CgroupFiles;
import dev.runbox.sandbox.cgroup.CgroupLimits;
import dev.runbox.sandbox.cgroup.RunCgroup;
import dev.runbox.sandbox.run.Environment;
import dev.runbox.sandbox.run.InitJob;
import dev.runbox.sandbox.run.LimitWatch;
import dev.runbox.sandbox.run.RunFrames;
import dev.runbox.sandbox.run.RunOutcomes;
import dev.runbox.sandbox.run.SandboxShape;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * One environment of the Docker sandbox ({@link Environment}): a container that serves up to
 * {@code maxRuns} runs, each in namespaces, mounts and processes of its own, reset between them as the
 * default sandbox's are, by the same runbox-init (native/init.c, serve mode with {@code --container}).
 *
 * <p>How a container becomes an environment. It is made with no network, a read-only root, every
 * capability dropped, no-new-privileges, the image's places a program never needs masked
 * ({@link DockerMasks}), and as the environment's unprivileged uid. runbox-init is its pid 1; it enters
 * a user namespace of its own that maps only that uid (capabilities there, and only there, are what
 * let it make each run's pid, mount, IPC, network and UTS namespaces and mounts) and gives every
 * program Runbox's seccomp filter, no capability and no_new_privs. Two of Docker's defaults make that
 * impossible and are off for these containers: its seccomp profile (it refuses unshare and mount
 * without CAP_SYS_ADMIN; Runbox's own filter, the default sandbox's, is loaded by every program
 * instead) and its /proc masks (the kernel lets a user namespace mount a fresh /proc only where none of
 * /proc is hidden; init puts the same masks on each run's own /proc). AppArmor's profile, where the
 * host has AppArmor, is off too (Docker's forbids mount). So a program here is confined as in the
 * default sandbox, inside a container.
 *
 * <p>The job goes in, and frames come out, through FIFOs in a fresh directory of the host's staging
 * dir that only root can write to ("jobs", "frames", and "said" for init's own errors), bound
 * read-only at {@value #IO_DIR}; each run has an empty tmpfs over that place, so no program can reach
 * them. Output is framed by init as in the default sandbox ({@link RunFrames}).
 *
 * <p>Each run's cgroup is its own: after "prep", runbox-init's one child is the next run's reaper, not
 * yet started on its job; Runbox moves it into a fresh run cgroup (memory, pids and CPU, with the job's
 * limits) before it sends the job, so the program and all it starts are counted there from zero (on
 * cgroup v1 and v2 alike), and the cgroup is removed after the run. The container's own cgroup holds
 * only init. The reset, and what stops reuse, are as in the default sandbox: the result is returned
 * once init said the run's pid namespace is empty and its checks passed, and the run's cgroup is
 * empty; a run killed at a limit, an OOM kill, a failed job, or anything else out of place ends the
 * environment, and {@link #close} removes the container.
 */
final class DockerEnvironment implements Environment {

    private static final Logger log = LoggerFactory.getLogger(DockerEnvironment.class);
    /** Where the FIFO dir is bound in the container. */
    static final String IO_DIR = "/.runbox-io";
    private static final Duration SETUP_BOUND = Duration.ofSeconds(30);
    private static final Duration TEARDOWN_BOUND = Duration.ofSeconds(10);
    private static final byte[] PREP = "4:prep,".getBytes(StandardCharsets.US_ASCII);
    /** Processes of a run's pids limit that are not the program's: the run's pid 1 (init's reaper). */
    private static final int RUN_OVERHEAD_PROCESSES = 1;
    /** The container's own limits: they hold runbox-init only (each run is in a cgroup of its own). */
    private static final CgroupLimits IDLE = new CgroupLimits(64L * 1024 * 1024, 8, 1.0);

    private final ContainerParts parts;
    private final SandboxShape shape;
    private final String name;
    private final int uid;
    private final boolean ownsUid;
    private final int maxRuns;
    private final Path io;
    private DockerCgroupParent parent;
    private String container;
    private long initPid;
    private OutputStream jobs;
    private InputStream frames;
    private InputStream said;
    /** The next run's cgroup, holding its reaper, once "prep" was sent and the reaper moved in. */
    private RunCgroup next;
    private int runs;
    private boolean clean = true;

    private DockerEnvironment(ContainerParts parts, SandboxShape shape, String name, int uid, boolean ownsUid, int maxRuns, Path io) {
        this.parts = parts;
        this.shape = shape;
        this.name = name;
        this.uid = uid;
        this.ownsUid = ownsUid;
        this.maxRuns = maxRuns;
        this.io = io;
    }

    /** Makes an environment of {@code shape} under {@code uid} and waits until runbox-init in it is ready. */
    static DockerEnvironment make(ContainerParts parts, SandboxShape shape, int uid, boolean ownsUid, int maxRuns)
            throws SandboxFailure, InterruptedException {
        if (maxRuns < 1) throw new IllegalArgumentException("an environment serves at least one run");
        String name = ContainerParts.randomName();
        DockerEnvironment env = new DockerEnvironment(parts, shape, name, uid, ownsUid, maxRuns, parts.sandbox().stagingRoot().resolve("docker-" + name));
        try {
            env.start();
            env.prepareNextRun();
            return env;
        } catch (SandboxFailure | InterruptedException | RuntimeException e) {
            env.close();
            throw e;
        }
    }

    private void start() throws SandboxFailure, InterruptedException {
        try {
            Files.createDirectory(io, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
            Files.setPosixFilePermissions(io, PosixFilePermissions.fromString("rwx--x--x")); // past the umask
            makeFifos();
        } catch (IOException e) {
            throw new SandboxFailure("cannot make the FIFOs of a Docker environment: " + e, e);
        }
        parent = DockerCgroupParent.create(parts.sandbox().cgroups(), parts.cgroupMounts(), name, IDLE);
        try {
            container = parts.bounded("create a container", SETUP_BOUND, this::create);
            parts.bounded("start the container", SETUP_BOUND, () -> parts.docker().startContainerCmd(container).exec());
            openFifos();
            awaitReady();
            Long pid = parts.bounded("inspect the container", SETUP_BOUND,
                    () -> parts.docker().inspectContainerCmd(container).exec().getState().getPidLong());
            if (pid == null || pid <= 0) throw new SandboxFailure("the container " + container + " has no process");
            initPid = pid;
        } catch (RuntimeException e) {
            throw new SandboxFailure("Docker: " + e.getMessage(), e);
        }
    }

    /** jobs, frames, said: the uid's own (init opens them as that uid), 0600, in a dir only root writes to. */
    private void makeFifos() throws IOException, SandboxFailure, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/mkfifo", "-m", "0600"));
        for (String f : List.of("jobs", "frames", "said")) cmd.add(io.resolve(f).toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().clear();
        Process p = pb.start();
        if (!p.waitFor(SETUP_BOUND.toSeconds(), TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new SandboxFailure("mkfifo in " + io + " failed: " + new String(p.getInputStream().readNBytes(4096), StandardCharsets.UTF_8));
        }
        for (String f : List.of("jobs", "frames", "said")) {
            Files.setAttribute(io.resolve(f), "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(io.resolve(f), "unix:gid", uid, LinkOption.NOFOLLOW_LINKS);
        }
    }

    /**
     * Opens Runbox's ends in the order init opens its own (each open of a FIFO waits for the other
     * end). Should init never come, the ends still waiting are met by Runbox itself, so no thread stays
     * blocked.
     */
    private void openFifos() throws SandboxFailure, InterruptedException {
        Future<Void> opening = parts.sandbox().io().submit(() -> {
            jobs = new FileOutputStream(io.resolve("jobs").toFile());
            frames = new FileInputStream(io.resolve("frames").toFile());
            said = new FileInputStream(io.resolve("said").toFile());
            return null;
        });
        try {
            opening.get(SETUP_BOUND.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            unblock(opening);
            throw new SandboxFailure("runbox-init in container " + container + " did not open its FIFOs within " + SETUP_BOUND.toSeconds() + " s");
        } catch (ExecutionException e) {
            throw new SandboxFailure("cannot open the FIFOs of container " + container + ": " + e.getCause(), e.getCause());
        }
    }

    /**
     * Meets every open still waiting: a read-write open of a FIFO never waits itself and counts as
     * both ends, so the waiting open returns; then those ends are closed again.
     */
    private void unblock(Future<Void> opening) throws InterruptedException {
        List<RandomAccessFile> ends = new ArrayList<>();
        try {
            for (String f : List.of("jobs", "frames", "said")) {
                try {
                    ends.add(new RandomAccessFile(io.resolve(f).toFile(), "rw"));
                } catch (IOException ignored) {
                    // the FIFO is gone: nothing waits on it
                }
            }
            try {
                opening.get(TEARDOWN_BOUND.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException ignored) {
                // the setup failed either way; close() ends what is left
            }
        } finally {
            for (RandomAccessFile end : ends) {
                try {
                    end.close();
                } catch (IOException ignored) {
                    // a FIFO's end: nothing to flush
                }
            }
        }
    }

    /** runbox-init writes "R" on "said" when it waits for jobs; anything else is a setup error. */
    private void awaitReady() throws SandboxFailure, InterruptedException {
        Future<Integer> first = parts.sandbox().io().submit(() -> said.read());
        int b;
        try {
            b = first.get(SETUP_BOUND.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            first.cancel(true);
            throw new SandboxFailure("container " + container + " not ready after " + SETUP_BOUND.toSeconds() + " s");
        } catch (ExecutionException e) {
            throw new SandboxFailure("reading the readiness of container " + container + " failed: " + e.getCause(), e.getCause());
        }
        if (b == 'R') return;
        throw new SandboxFailure("container setup failed: " + (b < 0 ? "" : String.valueOf((char) b)) + initSaid());
    }

    /** What runbox-init said on "said" before it ended (it has ended, or the read waits for it). */
    private String initSaid() {
        try {
            String s = new String(said.readNBytes(4096), StandardCharsets.UTF_8).strip();
            return s.isEmpty() ? "runbox-init ended without a word" : s;
        } catch (IOException e) {
            return e.toString();
        }
    }

    private String create() {
        // the container's own /tmp, /box and /dev/shm are only mount points: each run gets fresh ones
        String mountPoint = "ro,nosuid,nodev,noexec,size=4096,mode=0755";
        Map<String, String> tmpfs = new HashMap<>(Map.of("/tmp", mountPoint));
        if (shape.hostBox().isEmpty()) tmpfs.put(RunSpec.WORK_DIR, mountPoint);
        List<String> masks = new ArrayList<>(parts.masksFor(shape.readOnlyMounts(), tmpfs));
        // a fresh /proc per run needs an unmasked one here; init masks the same places in each run's
        masks.removeIf(m -> m.startsWith("/proc/"));
        HostConfig host = new MaskingHostConfig(masks, List.of())
                .withNetworkMode("none")
                .withReadonlyRootfs(true)
                .withTmpFs(tmpfs)
                .withShmSize(4096L)
                .withMemory(IDLE.memoryBytes())
                .withMemorySwap(IDLE.memoryBytes())
                .withNanoCPUs(1_000_000_000L)
                .withPidsLimit((long) IDLE.maxProcesses())
                .withCapDrop(Capability.ALL)
                .withSecurityOpts(List.of("no-new-privileges", "seccomp=unconfined", "apparmor=unconfined"))
                .withCgroupParent(parent.path())
                .withInit(false)
                .withIpcMode("private")
                .withLogConfig(new LogConfig(LogConfig.LoggingType.NONE))
                .withUlimits(List.of(new Ulimit("core", 0L, 0L)))
                .withAutoRemove(false);
        List<Bind> binds = new ArrayList<>();
        binds.add(new Bind(io.toString(), new Volume(IO_DIR), AccessMode.ro));
        shape.hostBox().ifPresent(b -> binds.add(new Bind(b.toString(), new Volume(RunSpec.WORK_DIR), AccessMode.rw)));
        for (Path p : shape.readOnlyMounts()) binds.add(new Bind(p.toString(), new Volume(p.toString()), AccessMode.ro));
        host.withBinds(binds);
        CreateContainerCmd cmd = parts.docker().createContainerCmd(parts.image())
                .withName("runbox-" + parts.instance() + "-" + name)
                .withLabels(Map.of(DockerImages.INSTANCE_LABEL, parts.instance()))
                .withEntrypoint(DockerImages.INIT_PATH, "--serve", Long.toString(shape.writableBytes()),
                        shape.hostBox().isPresent() ? "host-box" : "fresh-box", "--container", IO_DIR)
                .withCmd(List.of())
                .withUser(uid + ":" + uid)
                .withWorkingDir("/")
                .withEnv(List.of())
                .withHostName("runbox")
                .withNetworkDisabled(true)
                .withHostConfig(host);
        return cmd.exec().getId();
    }

    @Override
    public SandboxShape shape() {
        return shape;
    }

    @Override
    public synchronized boolean reusable() {
        return clean && runs < maxRuns && container != null;
    }

    @Override
    public synchronized boolean needsPreparing() {
        return next == null;
    }

    /** "prep", then the reaper init made for it moved into a fresh run cgroup: the next job then starts at once. */
    @Override
    public synchronized void prepareNextRun() throws SandboxFailure {
        if (next != null || !reusable()) return;
        clean = false; // until the reaper is seen where it must be
        try {
            jobs.write(PREP);
            jobs.flush();
        } catch (IOException e) {
            throw new SandboxFailure("container " + container + " did not take 'prep': " + e.getMessage(), e);
        }
        String reaper = awaitOnlyChild();
        RunCgroup cgroup = parts.sandbox().cgroups().create(name + "-" + runs, IDLE);
        try {
            for (Path procs : cgroup.procsFiles()) CgroupFiles.write(procs, reaper);
            // still the one child, and in the run cgroup: nothing else can have been started by it yet
            if (!initChildren().equals(List.of(reaper)) || !CgroupFiles.pids(cgroup.procsFiles().get(0)).equals(List.of(Long.parseLong(reaper)))) {
                throw new SandboxFailure("the reaper of container " + container + " is not alone in its run cgroup");
            }
        } catch (SandboxFailure | RuntimeException e) {
            closeQuietly(cgroup);
            throw e;
        }
        next = cgroup;
        clean = true;
    }

    /** The pid of init's one child (the reaper "prep" made), once there is one. */
    private String awaitOnlyChild() throws SandboxFailure {
        long deadline = System.nanoTime() + SETUP_BOUND.toNanos();
        for (;;) {
            List<String> children = initChildren();
            if (children.size() == 1) return children.get(0);
            if (children.size() > 1) throw new SandboxFailure("runbox-init in container " + container + " has " + children.size() + " children");
            if (System.nanoTime() > deadline) throw new SandboxFailure("runbox-init in container " + container + " made no reaper");
            // the clone takes well under a millisecond; a slow one is not waited for by burning a core
            LockSupport.parkNanos(50_000);
        }
    }

    /** Host pids of runbox-init's children (the kernel's list: init is single-threaded, so its one task has them all). */
    private List<String> initChildren() throws SandboxFailure {
        Path file = Path.of("/proc", Long.toString(initPid), "task", Long.toString(initPid), "children");
        try {
            String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
            return text.isEmpty() ? List.of() : List.of(text.split("\\s+"));
        } catch (IOException e) {
            throw new SandboxFailure("cannot read " + file + " (runbox-init of container " + container + " gone?): " + e, e);
        }
    }

    @Override
    public synchronized SandboxOutcome run(RunSpec spec) throws SandboxFailure, InterruptedException {
        if (!reusable()) throw new IllegalStateException("this environment serves no further run");
        if (!shape.fits(spec)) throw new IllegalArgumentException("spec does not fit this environment's shape");
        prepareNextRun();
        RunCgroup cgroup = next;
        next = null;
        runs++;
        clean = false; // until this run and its reset are seen to have gone as they must
        try {
            return runIn(cgroup, spec);
        } finally {
            // every process of the run is gone (runIn saw to it); the cgroup's removal is not the result's business
            parts.sandbox().io().execute(() -> closeQuietly(cgroup));
        }
    }

    private SandboxOutcome runIn(RunCgroup cgroup, RunSpec spec) throws SandboxFailure, InterruptedException {
        RunLimits limits = spec.limits();
        cgroup.setLimits(new CgroupLimits(limits.memoryBytes(), limits.maxProcesses() + RUN_OVERHEAD_PROCESSES, limits.cpuCores()));
        byte[] go = InitJob.encodeForEnvironment(spec);
        AtomicReference<Termination> killedFor = new AtomicReference<>();
        Runnable killForOutput = () -> {
            killedFor.compareAndSet(null, Termination.OUTPUT_LIMIT);
            killRun(cgroup);
        };
        RunFrames out = new RunFrames(frames, limits.outputBytes(), killForOutput);
        long start = System.nanoTime();
        Future<?> feeder = parts.sandbox().io().submit(() -> {
            jobs.write(go);
            jobs.flush();
            return null;
        });
        Future<Optional<RunFrames.End>> ended = parts.sandbox().io().submit(out);
        Optional<RunFrames.End> end;
        long wallNanos;
        try {
            Termination hit = LimitWatch.untilEnd(limits, start, () -> cgroup.cpuUsage().toNanos(), ended);
            if (hit != null) {
                killedFor.compareAndSet(null, hit);
                killRun(cgroup);
            }
            wallNanos = System.nanoTime() - start;
            end = awaitEnd(ended);
            if (end.isEmpty()) {
                // runbox-init is gone: so is every process of the container; the run's cgroup is emptied too
                killRun(cgroup);
                awaitEmpty(cgroup);
            }
        } catch (InterruptedException | SandboxFailure | RuntimeException e) {
            killRun(cgroup);
            ended.cancel(true);
            feeder.cancel(true);
            removeContainer(); // nothing of it can be trusted now
            throw e;
        }
        long oomKills = cgroup.oomKills();
        Duration wall = Duration.ofNanos(wallNanos);
        int status;
        if (end.isPresent()) {
            status = end.get().status();
            if (killedFor.get() == null && end.get().programNanos() >= 0) wall = Duration.ofNanos(end.get().programNanos());
        } else {
            if (killedFor.get() == null && oomKills == 0) {
                throw new SandboxFailure("container " + container + " ended before its run did: " + initSaid());
            }
            status = 128 + 9;
        }
        SandboxOutcome outcome = RunOutcomes.outcome(spec, status, killedFor.get(), oomKills > 0, wall, cgroup.cpuUsage(),
                cgroup.memoryPeakBytes(), out.stdout(), out.stderr());
        boolean empty = cgroup.isEmpty();
        if (!empty) {
            killRun(cgroup);
            awaitEmpty(cgroup);
        }
        clean = end.isPresent() && end.get().clean() && killedFor.get() == null && oomKills == 0 && fed(feeder) && empty
                && initChildren().isEmpty();
        if (!clean) log.debug("Docker environment {} serves no further run (end {}, killed for {}, OOM kills {})", name, end, killedFor.get(), oomKills);
        return outcome;
    }

    private static boolean fed(Future<?> feeder) throws InterruptedException {
        try {
            feeder.get(TEARDOWN_BOUND.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException | TimeoutException e) {
            feeder.cancel(true);
            return false;
        }
    }

    private Optional<RunFrames.End> awaitEnd(Future<Optional<RunFrames.End>> ended) throws SandboxFailure, InterruptedException {
        try {
            return ended.get(TEARDOWN_BOUND.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            removeContainer(); // its end of the frames goes with it
            throw new SandboxFailure("the output of container " + container + " stayed open " + TEARDOWN_BOUND.toSeconds() + " s after the run ended");
        } catch (ExecutionException e) {
            throw new SandboxFailure("reading the output of container " + container + " failed: " + e.getCause(), e.getCause());
        }
    }

    /** SIGKILL to every process of the run: the reaper's death then takes its pid namespace along. */
    private void killRun(RunCgroup cgroup) {
        try {
            cgroup.killAll();
        } catch (SandboxFailure e) {
            log.warn("killing a run in Docker environment {} failed: {}", name, e.getMessage());
            removeContainer();
        }
    }

    private void awaitEmpty(RunCgroup cgroup) throws SandboxFailure, InterruptedException {
        long deadline = System.nanoTime() + TEARDOWN_BOUND.toNanos();
        while (!cgroup.isEmpty()) {
            cgroup.killAll();
            if (System.nanoTime() > deadline) {
                throw new SandboxFailure("processes of a run survived SIGKILL for " + TEARDOWN_BOUND.toSeconds() + " s");
            }
            Thread.sleep(1); // the kernel needs a moment to reap what was killed
        }
    }

    private synchronized void removeContainer() {
        if (container == null) return;
        String c = container;
        container = null;
        try {
            parts.bounded("remove the container", TEARDOWN_BOUND,
                    () -> parts.docker().removeContainerCmd(c).withForce(true).withRemoveVolumes(true).exec());
        } catch (NotFoundException e) {
            // gone already
        } catch (SandboxFailure | RuntimeException e) {
            log.warn("cannot remove container {} (the next start sweeps it): {}", c, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        removeContainer(); // pid 1 dies first: the kernel kills every process of the container with it
        RunCgroup left;
        synchronized (this) {
            left = next;
            next = null;
        }
        if (left != null) closeQuietly(left);
        if (parent != null) {
            try {
                parent.close();
            } catch (SandboxFailure e) {
                log.warn("cannot remove the cgroup of Docker environment {}: {}", name, e.getMessage());
            }
        }
        for (AutoCloseable c : new AutoCloseable[] {jobs, frames, said}) {
            if (c == null) continue;
            try {
                c.close();
            } catch (Exception ignored) {
                // a FIFO's end: nothing to flush
            }
        }
        try {
            if (Files.isDirectory(io, LinkOption.NOFOLLOW_LINKS)) {
                try (var files = Files.list(io)) {
                    for (Path f : files.toList()) Files.delete(f);
                }
                Files.delete(io);
            }
        } catch (IOException e) {
            log.warn("cannot delete {}: {}", io, e.toString());
        }
        if (ownsUid) parts.sandbox().uids().release(uid);
    }

    private void closeQuietly(RunCgroup cgroup) {
        try {
            cgroup.close();
        } catch (SandboxFailure e) {
            log.warn("cannot remove a run cgroup of Docker environment {}: {}", name, e.getMessage());
        }
    }
}
