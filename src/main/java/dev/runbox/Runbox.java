package dev.runbox;

import dev.runbox.api.HttpApi;
import dev.runbox.config.RunboxConfig;
import dev.runbox.keys.ApiKeys;
import dev.runbox.language.LanguageRegistry;
import dev.runbox.metrics.RunboxMetrics;
import dev.runbox.registry.WorkerStatus;
import dev.runbox.sandbox.EnvironmentReuse;
import dev.runbox.sandbox.Sandbox;
import dev.runbox.sandbox.SandboxFailure;
import dev.runbox.sandbox.Sandboxes;
import dev.runbox.sandbox.host.SandboxHost;
import dev.runbox.store.ResultStore;
import dev.runbox.worker.Executor;
import dev.runbox.worker.ImageVersions;
import dev.runbox.worker.WorkerPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One Runbox process, in one of three shapes:
 * <ul>
 *   <li>embedded ({@code serve}): HTTP API, in-memory queue and store, worker threads;</li>
 *   <li>Redis API ({@code serve --redis URL [--workers N]}): HTTP API on the shared Redis queue and
 *       store, with N local worker threads (0: API only, no sandbox needed on this host);</li>
 *   <li>Redis worker ({@code worker --redis URL --concurrency N}): worker threads only.</li>
 * </ul>
 */
public final class Runbox implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Runbox.class);

    private final RunboxConfig config;
    private final HttpApi api;
    private final WorkerPool workers;
    private final Backends backend;
    private final Sandboxes sandbox;
    private final ExecutorService outputReaders;
    private final ScheduledExecutorService housekeeping;
    private final RunboxMetrics metrics;

    private Runbox(RunboxConfig config, HttpApi api, WorkerPool workers, Backends backend, Sandboxes sandbox,
                   ExecutorService outputReaders, ScheduledExecutorService housekeeping, RunboxMetrics metrics) {
        this.sandbox = sandbox;
        this.config = config;
        this.api = api;
        this.workers = workers;
        this.backend = backend;
        this.outputReaders = outputReaders;
        this.housekeeping = housekeeping;
        this.metrics = metrics;
    }

    /** Starts the HTTP API and {@code workers} worker threads; refuses (throws) when this host cannot sandbox programs. */
    public static Runbox start(RunboxConfig config) throws SandboxFailure, IOException, InterruptedException {
        return start(config, true);
    }

    /** Starts a worker process: worker threads on the shared Redis queue, no HTTP API. */
    public static Runbox startWorker(RunboxConfig config) throws SandboxFailure, IOException, InterruptedException {
        if (config.redisUrl().isEmpty()) throw new IllegalArgumentException("a worker process needs redis-url");
        if (config.workers() < 1) throw new IllegalArgumentException("a worker process needs concurrency >= 1");
        return start(config, false);
    }

    private static Runbox start(RunboxConfig config, boolean serveHttp) throws SandboxFailure, IOException, InterruptedException {
        Clock clock = Clock.systemUTC();
        String workerId = workerId();
        LanguageRegistry languages = LanguageRegistry.load(config);
        // a bad keys file stops the start before anything runs
        Optional<ApiKeys> keys = serveHttp ? config.apiKeysFile().map(ApiKeys::load) : Optional.empty();
        if (languages.ids().isEmpty()) throw new IOException("no language of the languages file is installed on this host");
        ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(daemon("housekeeping"));
        Backends backend = Backends.open(config, workerId, clock, housekeeping);
        ExecutorService readers = null;
        Sandboxes sandbox = null;
        WorkerPool workers = null;
        HttpApi api = null;
        // all instrumentation wraps the seams here, in one place (see RunboxMetrics)
        RunboxMetrics metrics = new RunboxMetrics();
        ResultStore store = metrics.meter(backend.store());
        try {
            if (config.workers() > 0) {
                // stdin writer, stdout and stderr readers of each run; threads are reused, not made per job
                readers = Executors.newCachedThreadPool(daemon("sandbox-io"));
                // each image with the programs its languages name: those stay visible in its containers
                Map<String, Set<Path>> images = languages.all().stream().filter(l -> l.image().isPresent())
                        .collect(Collectors.groupingBy(l -> l.image().get(), Collectors.flatMapping(l -> l.programs().stream(),
                                Collectors.toSet())));
                boolean onHost = languages.all().stream().anyMatch(l -> l.image().isEmpty());
                sandbox = SandboxHost.openAll(config.stateDir(), config.sandboxUidBase(), config.workers(),
                        config.preparedSandboxes(), config.writableMb() * 1024L * 1024L, config.maxProcesses(), readers,
                        onHost, images, config.dockerHost(),
                        new EnvironmentReuse(config.sandboxReuse(), config.sandboxMaxRuns()));
                Sandboxes opened = sandbox;
                // not metered: a probe is not a job
                languages = languages.probedInImages(new ImageVersions(language -> opened.of(language.image()), config));
                if (languages.ids().isEmpty()) {
                    throw new SandboxFailure("no language is left to offer: the version command of none answered in its image "
                            + images.keySet() + " (the log above says why for each): check that the image holds the toolchains"
                            + " the languages file names (docker-image, or the languages' image)");
                }
                Map<Optional<String>, Sandbox> metered = new HashMap<>();
                if (onHost) metered.put(Optional.empty(), metrics.meter(sandbox.of(Optional.empty())));
                for (String image : images.keySet()) metered.put(Optional.of(image), metrics.meter(sandbox.of(Optional.of(image))));
                Executor.SandboxChoice choice = language -> {
                    Sandbox s = metered.get(language.image());
                    if (s == null) throw new SandboxFailure("no sandbox for language " + language.id());
                    return s;
                };
                workers = new WorkerPool(backend.queue(), store, new Executor(choice, languages, config, clock, backend.live()),
                        clock, config.maxAttempts(), workerId, config.leaseRenewal());
                workers.start(config.workers());
                scheduleHeartbeats(config, backend, workers, housekeeping);
            }
            if (backend.redis() != null) scheduleReclaimReport(config, backend, housekeeping);
            WorkerPool local = workers;
            Sandboxes localSandbox = sandbox;
            metrics.gauges(backend.queue(), () -> local == null ? 0 : local.busy(), config.workers(),
                    () -> localSandbox == null ? 0 : localSandbox.readyCount());
            if (serveHttp) {
                api = new HttpApi(config, backend.queue(), store, languages, clock, () -> local == null ? 0 : local.busy(),
                        backend.registry(), backend.unready(), keys, backend.keyLimits(config, clock), backend.live())
                        .extend(metrics::install).start();
                keys.ifPresent(k -> log.info("API keys on: {} keys ({}), limits {}", k.names().size(), String.join(", ", k.names()),
                        backend.redis() == null ? "in this process" : "shared through Redis"));
                log.info("Runbox listening on http://{}:{} with {} workers{}; languages: {}", config.host(), api.port(),
                        config.workers(), backend.redis() == null ? "" : " on Redis at " + backend.redis().where(), languages.ids());
            } else {
                log.info("Runbox worker {} running {} jobs at once from Redis at {}; languages: {}", workerId, config.workers(),
                        backend.redis().where(), languages.ids());
            }
            return new Runbox(config, api, workers, backend, sandbox, readers, housekeeping, metrics);
        } catch (SandboxFailure | InterruptedException | RuntimeException e) {
            metrics.close();
            if (workers != null) workers.close();
            if (sandbox != null) sandbox.close();
            if (readers != null) readers.shutdownNow();
            housekeeping.shutdownNow();
            if (backend.redis() != null) backend.redis().close();
            throw e;
        }
    }

    private static void scheduleHeartbeats(RunboxConfig config, Backends backend, WorkerPool workers,
                                           ScheduledExecutorService housekeeping) {
        Instant started = Instant.now();
        String host = hostName();
        long pid = ProcessHandle.current().pid();
        long every = config.workerHeartbeat().toMillis();
        housekeeping.scheduleAtFixedRate(() -> {
            try {
                backend.registry().beat(new WorkerStatus(workers.workerId(), host, pid, workers.concurrency(), workers.busy(),
                        workers.jobsDone(), workers.isStopping() ? "stopping" : "running", started, config.workerHeartbeat(), null));
            } catch (RuntimeException e) {
                log.debug("heartbeat not recorded: {}", e.getMessage());
            }
        }, 0, every, TimeUnit.MILLISECONDS);
    }

    /** Expired leases are claimed by takers; this only makes them visible in the log, and tidies the group. */
    private static void scheduleReclaimReport(RunboxConfig config, Backends backend, ScheduledExecutorService housekeeping) {
        long every = config.visibilityTimeout().toMillis();
        housekeeping.scheduleWithFixedDelay(() -> {
            try {
                int expired = backend.queue().reclaimExpired();
                if (expired > 0) log.info("{} jobs wait on expired leases (their workers stopped); workers claim them first", expired);
            } catch (RuntimeException e) {
                log.debug("lease check skipped: {}", e.getMessage());
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    /** Unique per process, even for two containers that both run as pid 1 on one host name. */
    private static String workerId() {
        byte[] r = new byte[2];
        ThreadLocalRandom.current().nextBytes(r);
        return hostName() + "/" + ProcessHandle.current().pid() + "-" + HexFormat.of().formatHex(r);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown-host";
        }
    }

    public int port() {
        if (api == null) throw new IllegalStateException("this process serves no HTTP API");
        return api.port();
    }

    /** The sandboxes of this process's workers (null in an API-only process). */
    public Sandboxes sandbox() {
        return sandbox;
    }

    /** The results (readable after {@link #close} too in embedded mode, for embedding and tests). */
    public ResultStore results() {
        return backend.store();
    }

    /** The HTTP API of this process (null in a worker process). */
    public HttpApi api() {
        return api;
    }

    /** Graceful stop: no new jobs are taken, running ones get the grace period, then everything stops. */
    @Override
    public void close() {
        if (api != null) api.stopAccepting();
        if (workers != null) {
            log.info("stopping: finishing running jobs (up to {} s)", config.shutdownGrace().toSeconds());
            workers.stop(config.shutdownGrace());
            try {
                backend.registry().leave(workers.workerId());
            } catch (RuntimeException e) {
                log.debug("could not remove this worker's heartbeat: {}", e.getMessage());
            }
        }
        if (api != null) api.stop();
        if (sandbox != null) sandbox.close();
        housekeeping.shutdownNow();
        if (outputReaders != null) {
            // let the teardown of the last runs finish (it removes their cgroups), then stop the rest
            outputReaders.shutdown();
            try {
                if (!outputReaders.awaitTermination(10, TimeUnit.SECONDS)) outputReaders.shutdownNow();
            } catch (InterruptedException e) {
                outputReaders.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        if (backend.redis() != null) {
            try {
                backend.redis().close();
            } catch (RuntimeException e) {
                log.debug("closing the Redis connection: {}", e.getMessage());
            }
        }
        metrics.close();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
