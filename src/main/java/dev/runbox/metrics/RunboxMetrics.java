package dev.runbox.metrics;

import dev.runbox.job.Status;
import dev.runbox.queue.JobQueue;
import dev.runbox.sandbox.Sandbox;
import dev.runbox.store.ResultStore;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * Every metric of a Runbox process, defined in this one class and served at {@code GET /metrics} in
 * the Prometheus text format. The rest of Runbox is not instrumented by hand: the store and the
 * sandbox are wrapped ({@link #meter(ResultStore)}, {@link #meter(Sandbox)}), gauges read the queue,
 * the workers and the sandbox pool when scraped, and HTTP requests are timed by a Javalin hook.
 *
 * <p>Names as Prometheus shows them (the README documents each):
 * {@code runbox_submissions_total{language,status}}, {@code runbox_tests_total{language,status}}, {@code runbox_queue_depth}, {@code runbox_jobs_running},
 * {@code runbox_workers}, {@code runbox_sandboxes_ready}, {@code runbox_queue_wait_seconds},
 * {@code runbox_run_seconds}, {@code runbox_sandbox_overhead_seconds}, {@code runbox_sandbox_failures_total},
 * {@code http_server_requests_seconds{method,route,status}}, and the JVM's {@code jvm_*}, {@code process_*}.
 */
public final class RunboxMetrics implements AutoCloseable {

    /** Prometheus text format 0.0.4, which every Prometheus version scrapes. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    /** The route label of requests that matched no route, so that random paths cannot multiply series. */
    static final String UNMATCHED_ROUTE = "unmatched";

    private static final Duration[] RUN_BUCKETS = seconds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40);
    private static final Duration[] OVERHEAD_BUCKETS = seconds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5);
    private static final Duration[] WAIT_BUCKETS = seconds(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300);
    private static final Duration[] HTTP_BUCKETS = seconds(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final Timer runTime;
    private final Timer overhead;
    private final Timer queueWait;
    private final Counter sandboxFailures;

    public RunboxMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        gc.bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        runTime = Timer.builder("runbox.run")
                .description("Wall time of programs, as the sandbox measured it (from the start of the program to its end)")
                .serviceLevelObjectives(RUN_BUCKETS).register(registry);
        overhead = Timer.builder("runbox.sandbox.overhead")
                .description("Time a worker spent in the sandbox beyond the program's own wall time: taking or making a"
                        + " sandbox, setting limits, starting the program, collecting its output, tearing down")
                .serviceLevelObjectives(OVERHEAD_BUCKETS).register(registry);
        queueWait = Timer.builder("runbox.queue.wait")
                .description("Time from a submission's acceptance to a worker starting it")
                .serviceLevelObjectives(WAIT_BUCKETS).register(registry);
        sandboxFailures = Counter.builder("runbox.sandbox.failures")
                .description("Runs the sandbox could not carry out (Runbox's failures, retried; not the program's)")
                .register(registry);
    }

    /** The store, counting each submission once when its result becomes final, and its wait in the queue. */
    public ResultStore meter(ResultStore store) {
        return new MeteredResultStore(store, this);
    }

    /** The sandbox, timing each run: the program's wall time and the overhead around it. */
    public Sandbox meter(Sandbox sandbox) {
        return new MeteredSandbox(sandbox, this);
    }

    /** Gauges read when scraped. */
    public void gauges(JobQueue queue, IntSupplier jobsRunning, int workers, IntSupplier sandboxesReady) {
        Gauge.builder("runbox.queue.depth", queue::depth).description("Submissions waiting for a worker")
                .strongReference(true).register(registry);
        Gauge.builder("runbox.jobs.running", jobsRunning::getAsInt).description("Submissions being run by a worker now")
                .strongReference(true).register(registry);
        Gauge.builder("runbox.workers", () -> workers).description("Worker threads of this process (runs at once)")
                .strongReference(true).register(registry);
        Gauge.builder("runbox.sandboxes.ready", sandboxesReady::getAsInt)
                .description("Sandboxes prepared ahead and waiting for a job").strongReference(true).register(registry);
    }

    /** Adds {@code GET /metrics} and the timing of every HTTP request to the API's Javalin config. */
    public void install(JavalinConfig c) {
        c.routes.get("/metrics", ctx -> ctx.contentType(CONTENT_TYPE).result(scrape()));
        c.requestLogger.http((ctx, ms) -> Timer.builder("http.server.requests")
                .description("HTTP requests by method, route (the path template) and status")
                .tag("method", ctx.method().name()).tag("route", route(ctx)).tag("status", Integer.toString(ctx.statusCode()))
                .serviceLevelObjectives(HTTP_BUCKETS)
                .register(registry).record((long) (ms * 1_000_000), TimeUnit.NANOSECONDS));
    }

    /** The metrics now, in the Prometheus text format. */
    public String scrape() {
        return registry.scrape();
    }

    void submissionFinished(String language, Status status) {
        Counter.builder("runbox.submissions").description("Submissions that reached a final status")
                .tag("language", language).tag("status", status.name()).register(registry).increment();
    }

    /** One test of a judged submission, counted once its submission is final (SKIPPED ones too). */
    void testFinished(String language, String status) {
        Counter.builder("runbox.tests").description("Tests of judged submissions, by their status, once the submission is final")
                .tag("language", language).tag("status", status).register(registry).increment();
    }

    void queueWait(Duration waited) {
        if (!waited.isNegative()) queueWait.record(waited);
    }

    void sandboxRun(Duration total, Duration program) {
        runTime.record(program);
        overhead.record(total.minus(program).isNegative() ? Duration.ZERO : total.minus(program));
    }

    void sandboxFailed() {
        sandboxFailures.increment();
    }

    /** The route template that matched ({@code /result/{id}}), never the raw path. */
    private static String route(Context ctx) {
        try {
            var endpoint = ctx.endpoints().lastHttpEndpoint();
            return endpoint == null ? UNMATCHED_ROUTE : endpoint.path;
        } catch (RuntimeException e) {
            return UNMATCHED_ROUTE;
        }
    }

    private static Duration[] seconds(double... values) {
        Duration[] d = new Duration[values.length];
        for (int i = 0; i < values.length; i++) d[i] = Duration.ofNanos((long) (values[i] * 1e9));
        return d;
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
