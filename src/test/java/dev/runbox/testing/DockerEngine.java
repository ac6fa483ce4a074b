package dev.runbox.testing;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.awaitility.Awaitility.await;

/**
 * A real Docker engine for the Docker backend's tests: Debian's {@code dockerd}, started as a child
 * of the test JVM on a socket of its own, once per JVM ({@link #shared()}), and stopped when the JVM
 * exits together with everything it started (containerd, the shims and their containers).
 *
 * <p>Everything of one instance lives in a fresh run directory (socket, exec-root, pidfile, log), so
 * it never meets the host's own Docker. Its images live in a persistent data-root,
 * {@value #PERSISTENT_DATA_ROOT}, so the base image ({@link TestImage}) is built once per machine,
 * not once per run. Only one engine may use a data-root: when another holds it (a second test JVM,
 * a dockerd left over by a killed one), this one runs on a temporary data-root and says so.
 */
public final class DockerEngine {

    public static final Path DOCKERD = Path.of("/usr/sbin/dockerd");
    static final String PERSISTENT_DATA_ROOT = "/var/lib/runbox-test-docker";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration KILL_CONTAINERS_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(5);
    private static final int LOG_TAIL_LINES = 40;

    private static DockerEngine shared;
    private static RuntimeException sharedFailure;
    // held for the JVM's life: tells other test JVMs that the persistent data-root is taken
    private static FileLock dataRootLock;

    private final Path runDir;
    private final Path dataRoot;
    private final boolean temporaryDataRoot;
    private final Process dockerd;
    private final DockerHttpClient http;
    private final DockerClient client;
    private boolean stopped;

    private DockerEngine(Path runDir, Path dataRoot, boolean temporaryDataRoot, Process dockerd) {
        this.runDir = runDir;
        this.dataRoot = dataRoot;
        this.temporaryDataRoot = temporaryDataRoot;
        this.dockerd = dockerd;
        this.http = newHttpClient(host());
        this.client = DockerClientImpl.getInstance(config(host()), http);
    }

    /**
     * The engine of this JVM, started on first use and stopped by a shutdown hook. A start that
     * failed is not tried again: every later caller gets the same failure at once.
     */
    public static synchronized DockerEngine shared() {
        if (sharedFailure != null) throw sharedFailure;
        if (shared == null) {
            try {
                shared = start();
            } catch (RuntimeException e) {
                sharedFailure = e;
                throw e;
            }
        }
        return shared;
    }

    private static DockerEngine start() {
        if (!Files.isExecutable(DOCKERD)) {
            throw new IllegalStateException(DOCKERD + " is missing: install docker.io; ./runbox test does");
        }
        try {
            Path runDir = Files.createTempDirectory(Path.of("/run"), "runbox-test-docker-");
            Optional<String> busy = persistentDataRootBusy();
            Path dataRoot;
            if (busy.isEmpty()) {
                dataRoot = Files.createDirectories(Path.of(PERSISTENT_DATA_ROOT));
            } else {
                dataRoot = Files.createTempDirectory(Path.of("/var/lib"), "runbox-test-docker-tmp-");
                System.err.println("runbox-test: " + PERSISTENT_DATA_ROOT + " is in use (" + busy.get()
                        + "); this engine runs on a temporary data-root, " + dataRoot
                        + ", so its images are imported again and deleted at exit");
            }
            long started = System.nanoTime();
            Process dockerd = new ProcessBuilder(DOCKERD.toString(),
                    "--host", "unix://" + runDir.resolve("docker.sock"),
                    "--exec-root", runDir.resolve("exec").toString(),
                    "--pidfile", runDir.resolve("dockerd.pid").toString(),
                    "--data-root", dataRoot.toString(),
                    // no network for containers: no bridge, and no firewall rules on the host
                    "--bridge=none", "--iptables=false", "--ip6tables=false",
                    // no systemd on the machines this runs on
                    "--exec-opt", "native.cgroupdriver=cgroupfs")
                    .redirectErrorStream(true)
                    .redirectOutput(runDir.resolve("dockerd.log").toFile())
                    .start();
            DockerEngine engine = new DockerEngine(runDir, dataRoot, !busy.isEmpty(), dockerd);
            // from here on, whatever fails, the JVM's exit takes dockerd down
            Runtime.getRuntime().addShutdownHook(new Thread(engine::stop, "runbox-test-dockerd-stop"));
            engine.awaitReady();
            engine.removeLeftoverContainers();
            System.err.printf("runbox-test: dockerd (pid %d) ready on %s in %d ms, data-root %s%n", dockerd.pid(),
                    engine.host(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), dataRoot);
            return engine;
        } catch (IOException e) {
            throw new IllegalStateException("could not start dockerd: " + e, e);
        }
    }

    /**
     * Why the persistent data-root cannot be used, if it cannot: another test JVM holds its lock, or
     * a dockerd runs on it (one whose JVM was killed, so its lock is gone but it is not).
     */
    private static Optional<String> persistentDataRootBusy() throws IOException {
        if (dataRootLock == null) {
            Files.createDirectories(Path.of(PERSISTENT_DATA_ROOT).getParent());
            FileChannel channel = FileChannel.open(Path.of(PERSISTENT_DATA_ROOT + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            dataRootLock = channel.tryLock();
            if (dataRootLock == null) {
                channel.close();
                return Optional.of("locked by another test JVM");
            }
        }
        for (ProcessHandle p : HostProcesses.mentioning(PERSISTENT_DATA_ROOT)) {
            List<String> args = HostProcesses.arguments(p.pid());
            // exact arguments: a temporary data-root's name starts with the persistent one's
            if (args.contains(PERSISTENT_DATA_ROOT) || args.contains("--data-root=" + PERSISTENT_DATA_ROOT)) {
                return Optional.of("pid " + p.pid() + ", left by a test JVM that was killed? `kill " + p.pid()
                        + "` lets the next run use the cached images again: " + String.join(" ", args));
            }
        }
        return Optional.empty();
    }

    private void awaitReady() {
        try {
            await().atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(50))
                    .failFast("dockerd exited", () -> !dockerd.isAlive())
                    .ignoreExceptions()
                    .until(() -> {
                        client.pingCmd().exec();
                        return true;
                    });
        } catch (TerminalFailureException | ConditionTimeoutException e) {
            String why = dockerd.isAlive()
                    ? "did not answer /_ping on " + host() + " within " + START_TIMEOUT.toSeconds() + " s"
                    : "exited with status " + dockerd.exitValue();
            String tail = logTail();
            stop();
            throw new IllegalStateException("dockerd " + why + "; last lines of " + log() + ":\n" + tail);
        }
    }

    /**
     * Removes the containers that an earlier test JVM left in the persistent data-root (one that
     * was killed before it could remove its own), so they do not pile up from run to run.
     */
    private void removeLeftoverContainers() {
        for (Container c : client.listContainersCmd().withShowAll(true).exec()) {
            client.removeContainerCmd(c.getId()).withForce(true).exec();
        }
    }

    /** {@code unix:///run/runbox-test-docker-…/docker.sock} */
    public String host() {
        return "unix://" + runDir.resolve("docker.sock");
    }

    /** A docker-java client for this engine (Apache HttpClient 5 transport). */
    public DockerClient client() {
        return client;
    }

    /** The directory of the data-root in use: the persistent one, or a temporary one (see the class doc). */
    public Path dataRoot() {
        return dataRoot;
    }

    /** dockerd's log file. */
    public Path log() {
        return runDir.resolve("dockerd.log");
    }

    public long pid() {
        return dockerd.pid();
    }

    /**
     * The HTTP transport under {@link #client()}, for the one call docker-java gets wrong: its
     * {@code createImageCmd(repository, InputStream)} sends the stream JSON-encoded, not as the tar
     * (docker-java issue 2377), so {@link TestImage} posts the import itself.
     */
    DockerHttpClient http() {
        return http;
    }

    private static DockerClientConfig config(String host) {
        return DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(host)
                .withDockerTlsVerify(false)
                .build();
    }

    private static DockerHttpClient newHttpClient(String host) {
        DockerClientConfig config = config(host);
        return new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .connectionTimeout(Duration.ofSeconds(5))
                // long enough for the import of the base image (hundreds of MB); over a unix socket
                // this transport does not enforce it, so waits that must end are bounded by us
                .responseTimeout(Duration.ofMinutes(5))
                .build();
    }

    /**
     * Stops dockerd (SIGTERM: it stops its containers, then the containerd it started), waits a
     * bounded time, then SIGKILLs whatever of this instance is left: dockerd, containerd, and the
     * shims, found by the run directory in their command lines, with the containers under them.
     */
    synchronized void stop() {
        if (stopped) return;
        stopped = true;
        long started = System.nanoTime();
        killRunningContainers();
        try {
            client.close();
            http.close();
        } catch (IOException ignored) {
            // the process goes away next; a connection left open does not matter
        }
        dockerd.destroy();
        try {
            dockerd.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // every daemon of this instance names a path in its run directory: the socket, exec-root or
        // containerd's address
        List<ProcessHandle> left = HostProcesses.daemonsMentioning(runDir + "/");
        if (dockerd.isAlive()) left = concat(dockerd.toHandle(), left);
        if (!left.isEmpty()) {
            System.err.println("runbox-test: dockerd did not stop all of its own within " + STOP_TIMEOUT.toSeconds()
                    + " s; killing " + left.stream().map(ProcessHandle::pid).toList());
            List<ProcessHandle> alive = HostProcesses.killTrees(left, KILL_TIMEOUT);
            if (!alive.isEmpty()) System.err.println("runbox-test: still alive after SIGKILL: " + alive);
        }
        boolean clean = left.isEmpty() && dockerd.exitValue() == 0;
        System.err.printf("runbox-test: dockerd (pid %d) %s in %d ms%n", dockerd.pid(),
                clean ? "stopped" : "ended unclean, its log is in " + log(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        // the log stays readable while there is a reason to read it: keep the run directory on failure,
        // but not the network namespaces a killed dockerd leaves mounted in it
        // (and not the data-root's self bind mount, which only a clean stop removes)
        if (clean) {
            SafeDelete.tree(runDir);
        } else {
            SafeDelete.unmountAllUnder(runDir);
            SafeDelete.unmountAllUnder(dataRoot);
        }
        if (temporaryDataRoot) SafeDelete.tree(dataRoot);
    }

    /**
     * Kills the containers still running, at once: on SIGTERM dockerd would give each of them 10 s
     * to stop (their default stop timeout), and surefire gives an exiting test JVM only 30 s. The
     * wait is ours: over a unix socket docker-java's response timeout does not apply, and a request
     * to a dockerd that hangs would block the JVM's exit for good.
     */
    private void killRunningContainers() {
        CompletableFuture<Void> kill = CompletableFuture.runAsync(() -> {
            for (Container c : client.listContainersCmd().exec()) client.killContainerCmd(c.getId()).exec();
        });
        try {
            kill.get(KILL_CONTAINERS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException unanswered) {
            // a dockerd that does not answer is killed next, with its containers
        }
    }

    private static List<ProcessHandle> concat(ProcessHandle first, List<ProcessHandle> rest) {
        ArrayList<ProcessHandle> all = new ArrayList<>(List.of(first));
        rest.stream().filter(p -> p.pid() != first.pid()).forEach(all::add);
        return all;
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log());
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
