package dev.runbox.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Runbox process ({@code runbox serve} or {@code runbox worker}) started by a test as a child JVM
 * on the test's class path, with its own state dir and sandbox uid range; its output goes to a log
 * file the test can read.
 */
public final class RunboxProcess implements AutoCloseable {

    private static final List<String> JVM = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k", "-Xmx256m");

    public final String name;
    public final Path stateDir;
    public final Path log;
    private final List<String> command;
    private final Map<String, String> env;
    private Process process;

    private RunboxProcess(String name, List<String> command, Map<String, String> env, Path stateDir, Path log) {
        this.name = name;
        this.command = command;
        this.env = env;
        this.stateDir = stateDir;
        this.log = log;
    }

    /**
     * Starts {@code runbox <args>} with {@code env} added to the environment, a fresh state dir and
     * a fresh uid range (appended as --set flags).
     */
    public static RunboxProcess start(String name, Map<String, String> env, String... args) throws IOException {
        Path state = TestStateDirs.fresh();
        int uidBase = 100_000 + ThreadLocalRandom.current().nextInt(100_000) * 10;
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JVM);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.runbox.cli.Main"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--set", "state-dir=" + state, "--set", "sandbox-uid-base=" + uidBase));
        Path log = Files.createTempFile("runbox-" + name + "-", ".log");
        RunboxProcess p = new RunboxProcess(name, cmd, env, state, log);
        p.launch();
        return p;
    }

    private void launch() throws IOException {
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        b.environment().keySet().removeIf(k -> k.startsWith("RUNBOX_"));
        b.environment().putAll(env);
        process = b.start();
    }

    /** Starts the same command again (same state dir and uid range) after it died. */
    public void restart() throws IOException {
        if (isAlive()) throw new IllegalStateException(name + " is still running");
        launch();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** SIGKILL, as a machine lost or an OOM kill would: no shutdown hook runs. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM: graceful stop; returns the exit code, or -1 if it did not end within {@code within}. */
    public int stop(Duration within) throws InterruptedException {
        process.destroy();
        return process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Waits until GET {@code url} answers 200 (the process is up), or fails with its log. */
    public static void awaitHttp(RunboxProcess p, String url, Duration within) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) throw new AssertionError(p.name + " exited: " + p.log());
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return;
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new AssertionError(p.name + " did not answer " + url + " within " + within + ": " + p.log());
    }

    @Override
    public void close() throws Exception {
        if (isAlive()) kill();
        dev.runbox.sandbox.Leftovers.removeRunCgroups(stateDir);
        // the FIFOs' root of interactive tests (see Executor): empty once every test is over, else this throws
        Files.deleteIfExists(stateDir.resolveSibling(stateDir.getFileName() + ".pipes"));
        if (Files.exists(stateDir)) {
            try (Stream<Path> walk = Files.walk(stateDir)) {
                for (Path f : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
            } catch (IOException e) {
                // a cgroup or mount left by a killed process; the next start of that dir sweeps it
            }
        }
        Files.deleteIfExists(log);
    }
}
