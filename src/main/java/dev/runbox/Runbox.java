package dev.runbox;

import dev.runbox.api.HttpApi;
import dev.runbox.config.RunboxConfig;
import dev.runbox.language.LanguageRegistry;
import dev.runbox.metrics.RunboxMetrics;
import dev.runbox.queue.InMemoryJobQueue;
import dev.runbox.queue.JobQueue;
import dev.runbox.sandbox.BubblewrapSandbox;
import dev.runbox.sandbox.SandboxFailure;
import dev.runbox.sandbox.SandboxHost;
import dev.runbox.store.InMemoryResultStore;
import dev.runbox.store.ResultStore;
import dev.runbox.worker.Executor;
import dev.runbox.worker.WorkerPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** One embedded Runbox: HTTP API, in-memory queue and store, worker threads, sandbox. */
public final class Runbox implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Runbox.class);

    private final RunboxConfig config;
    private final HttpApi api;
    private final WorkerPool workers;
    private final BubblewrapSandbox sandbox;
    private final ExecutorService outputReaders;
    private final ScheduledExecutorService housekeeping;
    private final RunboxMetrics metrics;

    private Runbox(RunboxConfig config, HttpApi api, WorkerPool workers, BubblewrapSandbox sandbox,
                   ExecutorService outputReaders, ScheduledExecutorService housekeeping, RunboxMetrics metrics) {
        this.config = config;
        this.api = api;
        this.workers = workers;
        this.sandbox = sandbox;
        this.outputReaders = outputReaders;
        this.housekeeping = housekeeping;
        this.metrics = metrics;
    }

    /** Starts everything; refuses (throws) when this host cannot sandbox programs. */
    public static Runbox start(RunboxConfig config) throws SandboxFailure, IOException {
        Clock clock = Clock.systemUTC();
        LanguageRegistry languages = LanguageRegistry.load(config.languagesFile());
        if (languages.ids().isEmpty()) throw new IOException("no language of the languages file is installed on this host");
        // stdin writer, stdout and stderr readers of each run; threads are reused, not made per job
        ExecutorService readers = Executors.newCachedThreadPool(daemon("sandbox-io"));
        BubblewrapSandbox sandbox = SandboxHost.open(config.stateDir(), config.sandboxUidBase(), config.workers(),
                config.preparedSandboxes(), config.writableMb() * 1024L * 1024L, config.maxProcesses(), readers);
        JobQueue queue = new InMemoryJobQueue(config.queueCapacity());
        InMemoryResultStore store = new InMemoryResultStore(config.resultTtl(), clock);
        ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(daemon("housekeeping"));
        housekeeping.scheduleAtFixedRate(store::evictExpired, 30, 30, TimeUnit.SECONDS);
        RunboxMetrics metrics = new RunboxMetrics();
        ResultStore meteredStore = metrics.meter(store);
        WorkerPool workers = new WorkerPool(queue, meteredStore, new Executor(metrics.meter(sandbox), languages, config, clock),
                clock, config.maxAttempts(), InetAddress.getLocalHost().getHostName() + "/" + ProcessHandle.current().pid());
        metrics.gauges(queue, workers::busy, config.workers(), sandbox::readyCount);
        workers.start(config.workers());
        HttpApi api = new HttpApi(config, queue, meteredStore, languages, clock, workers::busy).extend(metrics::install).start();
        log.info("Runbox listening on http://{}:{} with {} workers; languages: {}", config.host(), api.port(),
                config.workers(), languages.ids());
        return new Runbox(config, api, workers, sandbox, readers, housekeeping, metrics);
    }

    public int port() {
        return api.port();
    }

    /** Graceful stop: no new jobs are taken, running ones get the grace period, then everything stops. */
    @Override
    public void close() {
        log.info("stopping: finishing running jobs (up to {} s)", config.shutdownGrace().toSeconds());
        workers.stop(config.shutdownGrace());
        api.stop();
        sandbox.close();
        housekeeping.shutdownNow();
        outputReaders.shutdownNow();
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
