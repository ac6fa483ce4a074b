package dev.runbox.bench;

import dev.runbox.sandbox.RunLimits;
import dev.runbox.sandbox.RunSpec;
import dev.runbox.sandbox.Sandbox;
import dev.runbox.sandbox.SandboxFailure;
import dev.runbox.sandbox.SandboxOutcome;
import dev.runbox.sandbox.Sandboxes;
import dev.runbox.sandbox.bubblewrap.BubblewrapSandbox;
import dev.runbox.sandbox.host.SandboxHost;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * "Sandbox alone": Runbox's real sandbox opened in this process, as a worker opens it, and driven
 * through {@link dev.runbox.sandbox.Sandbox#run} with no HTTP, queue or store in the way. The time
 * of one run is the call: job handed to the sandbox → program exec'd → teardown the caller waits for.
 */
final class InProcessSandbox implements AutoCloseable {

    /** The limits a default submission gets (README: 2 s CPU, 256 MiB, 1 core, 128 processes…). */
    static final RunLimits DEFAULT_LIMITS = new RunLimits(Duration.ofSeconds(2), Duration.ofSeconds(4), 256L << 20, 1.0,
            128, 1 << 20, 64L << 20, 256);

    private final Sandbox sandbox;
    private final AutoCloseable owner;
    private final ExecutorService readers;

    private InProcessSandbox(Sandbox sandbox, AutoCloseable owner, ExecutorService readers) {
        this.sandbox = sandbox;
        this.owner = owner;
        this.readers = readers;
    }

    private static ExecutorService readers() {
        return Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "bench-output-reader");
            t.setDaemon(true);
            return t;
        });
    }

    static InProcessSandbox open(Path stateDir, int uidBase, int maxParallel) throws SandboxFailure {
        ExecutorService readers = readers();
        // as a server runs it: one sandbox prepared ahead per run at once
        BubblewrapSandbox bwrap = SandboxHost.open(stateDir, uidBase, maxParallel, maxParallel, 64L << 20, 128, readers);
        return new InProcessSandbox(bwrap, bwrap, readers);
    }

    /** The Docker sandbox ({@code sandbox=docker}) on the Engine at {@code dockerHost}, with containers of {@code image}. */
    static InProcessSandbox openDocker(Path stateDir, int uidBase, int maxParallel, String dockerHost, String image)
            throws SandboxFailure, InterruptedException {
        ExecutorService readers = readers();
        // as a server runs it: one container prepared ahead per run at once, each reused as an environment
        Sandboxes all = SandboxHost.openAll(stateDir, uidBase, maxParallel, maxParallel, 64L << 20, 128, readers, false, Map.of(image, Set.of()),
                dockerHost);
        return new InProcessSandbox(all.of(Optional.of(image)), all, readers);
    }

    static RunSpec spec(Program p) {
        return new RunSpec(p.sandboxCommand(), p.files(), new byte[0], DEFAULT_LIMITS, List.of(), p.sandboxEnvironment());
    }

    /** One run; throws unless the program exited 0 printing exactly what it should. */
    void runChecked(RunSpec spec, Program p) throws SandboxFailure, InterruptedException, IOException {
        checked(sandbox.run(spec), p);
    }

    private static SandboxOutcome checked(SandboxOutcome o, Program p) throws IOException {
        String out = new String(o.stdout().bytes(), StandardCharsets.UTF_8);
        if (o.termination() != SandboxOutcome.Termination.EXITED || o.exitCode() == null || o.exitCode() != 0
                || !out.equals(p.expectedStdout())) {
            throw new IOException(p.label() + " in the sandbox ended " + o.termination() + " exit " + o.exitCode() + " signal "
                    + o.signal() + ", stdout '" + out.strip() + "', stderr '"
                    + new String(o.stderr().bytes(), StandardCharsets.UTF_8).strip() + "'");
        }
        return o;
    }

    /** The wall time each of {@code count} runs reports ({@code time_sec}), in nanoseconds. */
    long[] programTimes(Program p, int count) throws Exception {
        RunSpec spec = spec(p);
        long[] ns = new long[count];
        for (int i = 0; i < count; i++) ns[i] = checked(sandbox.run(spec), p).wallTime().toNanos();
        return ns;
    }

    long[] latencies(Program p, int count) throws Exception {
        RunSpec spec = spec(p);
        long[] ns = new long[count];
        for (int i = 0; i < count; i++) {
            long t0 = System.nanoTime();
            runChecked(spec, p);
            ns[i] = System.nanoTime() - t0;
        }
        return ns;
    }

    /** {@code parallel} threads calling run back to back, as {@code parallel} workers would. */
    Rate throughput(Program p, int parallel, double warmupSec, double windowSec) throws InterruptedException {
        RunSpec spec = spec(p);
        return Saturation.measure("sandbox " + p.label(), parallel, warmupSec, windowSec, () -> runChecked(spec, p));
    }

    /**
     * The same C hello spawned bare from this JVM (ProcessBuilder, output read to EOF): shows how much
     * of the sandbox's cost is the JVM's own way of starting a process.
     */
    static long[] jvmSpawnLatencies(Program p, int count) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(p.hostCommand()).directory(p.workDir().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().clear();
        pb.environment().putAll(p.environment());
        long[] ns = new long[count];
        for (int i = 0; i < count; i++) {
            long t0 = System.nanoTime();
            Process proc = pb.start();
            byte[] out = proc.getInputStream().readAllBytes();
            proc.getErrorStream().readAllBytes();
            int code = proc.waitFor();
            ns[i] = System.nanoTime() - t0;
            if (code != 0 || !new String(out, StandardCharsets.UTF_8).equals(p.expectedStdout())) {
                throw new IOException(p.label() + " spawned from the JVM exited " + code);
            }
        }
        return ns;
    }

    @Override
    public void close() throws Exception {
        owner.close();
        readers.shutdownNow();
    }
}
