package dev.runbox.sandbox.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.LogConfig;
import com.github.dockerjava.api.model.StreamType;
import com.github.dockerjava.api.model.Ulimit;
import com.github.dockerjava.api.model.Volume;
import com.github.dockerjava.core.command.WaitContainerResultCallback;
import dev.runbox.sandbox.RunLimits;
import dev.runbox.sandbox.RunSpec;
import dev.runbox.sandbox.Sandbox;
import dev.runbox.sandbox.SandboxFailure;
import dev.runbox.sandbox.SandboxOutcome.Termination;
import dev.runbox.sandbox.SandboxOutcome;
import dev.runbox.sandbox.WorkDir;
import dev.runbox.sandbox.cgroup.CgroupDetector;
import dev.runbox.sandbox.cgroup.CgroupLimits;
import dev.runbox.sandbox.run.Environment;
import dev.runbox.sandbox.run.HostBoxWorkDir;
import dev.runbox.sandbox.run.InitJob;
import dev.runbox.sandbox.run.LimitWatch;
import dev.runbox.sandbox.run.OutputCap;
import dev.runbox.sandbox.run.RunOutcomes;
import dev.runbox.sandbox.run.SandboxParts;
import dev.runbox.sandbox.run.SandboxPool;
import dev.runbox.sandbox.run.SandboxShape;
import dev.runbox.sandbox.run.WorkDirEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs programs in Docker containers of one image: a fresh container per run, with no network, a
 * read-only root, size-capped tmpfs for /box and /tmp, every capability dropped, no-new-privileges,
 * Docker's default seccomp profile, an unprivileged uid, memory (swap included), CPU and pids limits,
 * and no host path but, for a compile and its run, their own work dir (a Runbox-made, capped tmpfs), and
 * the spec's read-only mounts (an interactive test's FIFOs).
 * Of the image, a run sees what a program needs: /usr, /bin, /lib…, /etc less its secrets; the rest
 * ({@link DockerMasks}: /var, /root, /home, /sys…) is masked empty.
 * Docker's tini is the container's pid 1, so the program is not: signals behave as on a host.
 *
 * <p>The job goes in as in the default sandbox: the image holds runbox-init ({@link DockerImages}),
 * which reads it on stdin. CPU time, memory peak and OOM kills are read from a run cgroup of Runbox's
 * own that is the container's cgroup parent ({@link DockerCgroupParent}), since Docker removes the
 * container's cgroup with it. When {@link #run} returns or throws, the container is gone.
 *
 * <p>That is the sandbox without reuse ({@code sandbox-reuse=false}). With reuse (the default) a
 * container serves many runs instead, reset between them: a {@link DockerEnvironment}, pooled for
 * runs of the common shape ({@link SandboxPool}), one per work dir ({@link WorkDirEnvironment}), or
 * made for a run of another shape alone; when {@link #run} returns, every process of the run is gone,
 * and a container that serves no further run is removed just after.
 */
public final class DockerSandbox implements Sandbox, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DockerSandbox.class);
    /** How long making and starting a container, or removing it, may take. */
    private static final Duration SETUP_BOUND = Duration.ofSeconds(30);
    private static final Duration TEARDOWN_BOUND = Duration.ofSeconds(10);
    /** Bytes of the job buffered for docker-java's stdin thread at a time. */
    private static final int JOB_PIPE_BYTES = 64 * 1024;

    private final ContainerParts containers;
    private final DockerClient docker;
    private final String image;
    private final SandboxParts parts;
    private final Path boxesRoot;
    private final List<CgroupDetector.Mount> cgroupMounts;
    /** With reuse: environments of the common shape made ahead ({@link DockerEnvironment}); null without. */
    private final SandboxPool pool;
    private final int runsPerEnvironment;
    private final AtomicLong madeHere = new AtomicLong();
    private final Environment.Maker maker;

    /**
     * @param reuseRuns runs a container serves: 1 for a fresh container per run (Docker's own seccomp
     *                  profile and masks, no environment), more for {@link DockerEnvironment}s
     */
    DockerSandbox(ContainerParts containers, Path boxesRoot, int preparedAhead, long writableBytes, int reuseRuns) {
        this.containers = containers;
        this.docker = containers.docker();
        this.image = containers.image();
        this.parts = containers.sandbox();
        this.boxesRoot = boxesRoot;
        this.cgroupMounts = containers.cgroupMounts();
        this.runsPerEnvironment = reuseRuns;
        this.maker = new Environment.Maker() {
            @Override
            public Environment make(SandboxShape shape, int maxRuns) throws SandboxFailure, InterruptedException {
                // a failed make closes what it made, which gives the uid back
                return DockerEnvironment.make(containers, shape, parts.uids().take(), true, maxRuns);
            }

            @Override
            public Environment makeAs(SandboxShape shape, int uid, int maxRuns) throws SandboxFailure, InterruptedException {
                return DockerEnvironment.make(containers, shape, uid, false, maxRuns);
            }
        };
        this.pool = reuseRuns > 1 && preparedAhead > 0
                ? new SandboxPool(parts, maker, new SandboxShape(List.of(), writableBytes, Optional.empty()), preparedAhead, reuseRuns)
                : null;
    }

    /** Containers made to serve runs, ahead or for a job (tests of the reset: an unchanged count means reuse). */
    public long environmentsMade() {
        return madeHere.get() + (pool == null ? 0 : pool.made());
    }

    /** Containers waiting for a job. */
    public int readyCount() {
        return pool == null ? 0 : pool.readyCount();
    }

    @Override
    public void close() {
        if (pool != null) pool.close();
    }

    @Override
    public SandboxOutcome run(RunSpec spec) throws SandboxFailure, InterruptedException {
        if (runsPerEnvironment > 1) return runInEnvironment(spec);
        int uid = parts.uids().take();
        try {
            return runAs(spec, uid, Optional.empty());
        } finally {
            parts.uids().release(uid);
        }
    }

    /** A run in a pooled environment when one of its shape is waiting, else in one made for it alone. */
    private SandboxOutcome runInEnvironment(RunSpec spec) throws SandboxFailure, InterruptedException {
        SandboxShape shape = SandboxShape.of(spec);
        Optional<Environment> ready = pool != null && pool.shape().equals(shape) ? pool.take() : Optional.empty();
        Environment env;
        if (ready.isPresent()) {
            env = ready.get();
        } else {
            env = maker.make(shape, 1);
            madeHere.incrementAndGet();
        }
        try {
            return env.run(spec);
        } finally {
            if (ready.isPresent()) pool.giveBack(env);
            else parts.io().execute(env::close);
        }
    }

    /**
     * A work dir on the host ({@link HostBoxWorkDir}), bound at /box: with reuse, one container serves
     * its runs ({@link WorkDirEnvironment}), reset between them; without, each run has a container.
     */
    @Override
    public WorkDir openWorkDir(Map<String, byte[]> files, long sizeBytes) throws SandboxFailure, InterruptedException {
        HostBoxWorkDir.Runs runs = runsPerEnvironment > 1
                ? new WorkDirEnvironment(parts, maker, runsPerEnvironment, madeHere)
                : (spec, uid, box) -> runAs(spec, uid, Optional.of(box));
        return HostBoxWorkDir.open(parts, boxesRoot, ContainerParts.randomName(), files, sizeBytes, runs);
    }

    private SandboxOutcome runAs(RunSpec spec, int uid, Optional<Path> box)
            throws SandboxFailure, InterruptedException {
        RunLimits limits = spec.limits();
        String name = ContainerParts.randomName();
        DockerCgroupParent parent = DockerCgroupParent.create(parts.cgroups(), cgroupMounts, name,
                new CgroupLimits(limits.memoryBytes(), limits.maxProcesses(), limits.cpuCores()));
        String container = null;
        try {
            container = bounded("create a container", SETUP_BOUND, () -> create(spec, uid, box, parent.path(), name));
            return runIn(container, spec, parent);
        } catch (RuntimeException e) {
            // docker-java reports the Engine's errors unchecked: they are Runbox's failures, not the program's
            throw new SandboxFailure("Docker: " + e.getMessage(), e);
        } finally {
            if (container != null) remove(container);
            try {
                parent.close();
            } catch (SandboxFailure e) {
                log.warn("cannot remove the cgroup of Docker run {}: {}", name, e.getMessage());
            }
        }
    }

    private String create(RunSpec spec, int uid, Optional<Path> box, String cgroupParent, String name) {
        RunLimits l = spec.limits();
        // exec: as in the default sandbox, a program may run what it wrote (Docker's tmpfs default is noexec)
        String tmpfs = "rw,exec,nosuid,nodev,size=" + l.writableBytes();
        Map<String, String> tmpfsMounts = new java.util.HashMap<>(box.isPresent()
                ? Map.of("/tmp", tmpfs + ",mode=1777")
                : Map.of("/tmp", tmpfs + ",mode=1777", RunSpec.WORK_DIR, tmpfs + ",mode=0700,uid=" + uid + ",gid=" + uid));
        List<String> masks = containers.masksFor(spec.readOnlyMounts(), tmpfsMounts);
        // the image's places a program never needs are masked (DockerMasks), as the default sandbox shows only /usr
        HostConfig host = new MaskingHostConfig(masks)
                .withNetworkMode("none")
                .withReadonlyRootfs(true)
                .withTmpFs(tmpfsMounts)
                .withShmSize(l.writableBytes())
                .withMemory(l.memoryBytes())
                .withMemorySwap(l.memoryBytes())
                .withNanoCPUs(Math.max(1L, Math.round(l.cpuCores() * 1e9)))
                .withPidsLimit((long) l.maxProcesses())
                .withCapDrop(Capability.ALL)
                .withSecurityOpts(List.of("no-new-privileges"))
                .withCgroupParent(cgroupParent)
                .withInit(true)
                .withIpcMode("private")
                // the output comes through the attach stream; nothing of it is kept on the host's disk
                .withLogConfig(new LogConfig(LogConfig.LoggingType.NONE))
                // no core dumps, as in the default sandbox (runbox-init sets the other rlimits)
                .withUlimits(List.of(new Ulimit("core", 0L, 0L)))
                .withAutoRemove(false);
        List<Bind> binds = new java.util.ArrayList<>();
        box.ifPresent(b -> binds.add(new Bind(b.toString(), new Volume(RunSpec.WORK_DIR), AccessMode.rw)));
        for (Path p : spec.readOnlyMounts()) binds.add(new Bind(p.toString(), new Volume(p.toString()), AccessMode.ro));
        if (!binds.isEmpty()) host.withBinds(binds);
        CreateContainerCmd cmd = docker.createContainerCmd(image)
                .withName("runbox-" + containers.instance() + "-" + name)
                .withLabels(Map.of(DockerImages.INSTANCE_LABEL, containers.instance()))
                .withEntrypoint(DockerImages.INIT_PATH)
                .withCmd(List.of())
                .withUser(uid + ":" + uid)
                .withWorkingDir(RunSpec.WORK_DIR)
                // tini (pid 1) gets the program's environment too, so nothing else is visible in /proc/1/environ;
                // Docker adds HOSTNAME
                .withEnv(spec.environment().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).sorted().toList())
                .withHostName("runbox")
                .withNetworkDisabled(true)
                .withAttachStdin(true).withStdinOpen(true).withStdInOnce(true)
                .withAttachStdout(true).withAttachStderr(true).withTty(false)
                .withHostConfig(host);
        return cmd.exec().getId();
    }

    private SandboxOutcome runIn(String container, RunSpec spec, DockerCgroupParent cgroup) throws SandboxFailure, InterruptedException {
        RunLimits limits = spec.limits();
        AtomicReference<Termination> killedFor = new AtomicReference<>();
        // called on docker-java's stream thread, which must go on reading: Docker cannot end a
        // container whose output nobody reads, so the kill is sent from another thread
        Runnable killForOutput = () -> {
            killedFor.compareAndSet(null, Termination.OUTPUT_LIMIT);
            parts.io().execute(() -> kill(container));
        };
        Streams streams = new Streams(new OutputCap(limits.outputBytes(), killForOutput), new OutputCap(limits.outputBytes(), killForOutput));
        // The job goes in only once runbox-init said it is ready and the cgroup's CPU time so far is
        // read: what the container's start cost (runc, tini, init) is not the program's. It was counted
        // as the program's while the job went in with the attach: 2.6 s of CPU for a 1 s limit where
        // everything is 18 times slower (the VM stage), some ms on an ordinary host.
        PipedOutputStream job = new PipedOutputStream();
        PipedInputStream jobIn;
        try {
            jobIn = new PipedInputStream(job, JOB_PIPE_BYTES);
        } catch (IOException e) {
            throw new AssertionError("a fresh pipe connects", e);
        }
        try {
            docker.attachContainerCmd(container)
                    .withStdIn(jobIn)
                    .withStdOut(true).withStdErr(true).withFollowStream(true).withLogs(false)
                    .exec(streams);
            if (!streams.awaitStarted(SETUP_BOUND)) throw new SandboxFailure("attaching to the container took more than " + SETUP_BOUND.toSeconds() + " s");
            bounded("start the container", SETUP_BOUND, () -> docker.startContainerCmd(container).exec());
            if (!streams.ready.await(SETUP_BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new SandboxFailure("runbox-init in the container not ready after " + SETUP_BOUND.toSeconds() + " s");
            }
            if (!streams.initReady) {
                throw new SandboxFailure("the container did not start runbox-init: "
                        + new String(streams.stderr.captured().bytes(), StandardCharsets.UTF_8).strip());
            }
            long cpuBefore = cgroup.cpuUsage().toNanos();
            long start = System.nanoTime();
            try (job) {
                job.write(InitJob.encodeForContainer(spec));
            } catch (IOException e) {
                throw new SandboxFailure("sending the job into the container failed: " + e, e);
            }
            Termination hit = LimitWatch.untilEnd(limits, start, new LimitWatch.Running() {
                @Override
                public long cpuNanos() throws SandboxFailure {
                    return cgroup.cpuUsage().toNanos() - cpuBefore;
                }

                @Override
                public boolean awaitEnd(long nanos) throws InterruptedException {
                    return streams.ended.await(nanos, TimeUnit.NANOSECONDS);
                }
            });
            if (hit != null) {
                killedFor.compareAndSet(null, hit);
                kill(container);
            }
            if (!streams.ended.await(TEARDOWN_BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(container);
                throw new SandboxFailure("the container's output stayed open " + TEARDOWN_BOUND.toSeconds() + " s after it was killed");
            }
            long wallNanos = System.nanoTime() - start;
            if (streams.error.get() != null) {
                throw new SandboxFailure("reading the container's output failed: " + streams.error.get(), streams.error.get());
            }
            Integer status = docker.waitContainerCmd(container).exec(new WaitContainerResultCallback())
                    .awaitStatusCode(TEARDOWN_BOUND.toMillis(), TimeUnit.MILLISECONDS);
            InspectContainerResponse.ContainerState state = bounded("inspect the container", TEARDOWN_BOUND,
                    () -> docker.inspectContainerCmd(container).exec().getState());
            boolean oomKilled = Boolean.TRUE.equals(state.getOOMKilled()) || cgroup.oomKills() > 0;
            return RunOutcomes.outcome(spec, status, killedFor.get(), oomKilled, Duration.ofNanos(wallNanos),
                    cgroup.cpuUsage().minusNanos(cpuBefore), cgroup.memoryPeakBytes(), streams.stdout.captured(), streams.stderr.captured());
        } finally {
            closeQuietly(job); // a run that failed before its job went in: docker-java's stdin thread sees the end
            streams.close(); // the attach connection, also when the run failed before its end
        }
    }

    private static void closeQuietly(PipedOutputStream job) {
        try {
            job.close();
        } catch (IOException e) {
            log.debug("closing a container's job pipe: {}", e.toString());
        }
    }

    /** SIGKILL to the container's pid 1 (tini): the kernel then kills every process of its pid namespace. */
    private void kill(String container) {
        try {
            bounded("kill the container", TEARDOWN_BOUND, () -> docker.killContainerCmd(container).withSignal("KILL").exec());
        } catch (NotFoundException | ConflictException e) {
            // ended already
        } catch (SandboxFailure | RuntimeException e) {
            log.warn("killing container {} failed: {}", container, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void remove(String container) {
        try {
            bounded("remove the container", TEARDOWN_BOUND,
                    () -> docker.removeContainerCmd(container).withForce(true).withRemoveVolumes(true).exec());
        } catch (NotFoundException e) {
            // gone already
        } catch (SandboxFailure | RuntimeException e) {
            log.warn("cannot remove container {} (the next start sweeps it): {}", container, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private <T> T bounded(String what, Duration bound, Callable<T> call) throws SandboxFailure, InterruptedException {
        return containers.bounded(what, bound, call);
    }

    private void bounded(String what, Duration bound, Runnable call) throws SandboxFailure, InterruptedException {
        containers.bounded(what, bound, call);
    }

    /**
     * The container's stdout and stderr as Docker multiplexes them. The first byte on stderr is
     * runbox-init's "R" (ready for its job), which is not the program's.
     */
    private static final class Streams extends ResultCallback.Adapter<Frame> {
        final OutputCap stdout;
        final OutputCap stderr;
        final CountDownLatch ready = new CountDownLatch(1);
        final CountDownLatch ended = new CountDownLatch(1);
        final AtomicReference<Throwable> error = new AtomicReference<>();
        volatile boolean initReady;
        private boolean firstStderrByte = true;

        Streams(OutputCap stdout, OutputCap stderr) {
            this.stdout = stdout;
            this.stderr = stderr;
        }

        @Override
        public void close() {
            try {
                super.close();
            } catch (java.io.IOException e) {
                log.debug("closing an attach stream: {}", e.toString());
            }
        }

        boolean awaitStarted(Duration bound) throws InterruptedException {
            return awaitStarted(bound.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void onNext(Frame frame) {
            byte[] b = frame.getPayload();
            if (b == null || b.length == 0) return;
            if (frame.getStreamType() == StreamType.STDERR) {
                int off = 0;
                if (firstStderrByte) {
                    firstStderrByte = false;
                    if (b[0] == 'R') {
                        initReady = true;
                        off = 1;
                    }
                    ready.countDown();
                }
                stderr.accept(b, off, b.length - off);
            } else if (frame.getStreamType() == StreamType.STDOUT || frame.getStreamType() == StreamType.RAW) {
                stdout.accept(b, 0, b.length);
            }
        }

        @Override
        public void onError(Throwable t) {
            error.compareAndSet(null, t);
            ready.countDown();
            ended.countDown();
            super.onError(t); // closes the connection
        }

        @Override
        public void onComplete() {
            ready.countDown();
            ended.countDown();
            super.onComplete();
        }
    }
}
