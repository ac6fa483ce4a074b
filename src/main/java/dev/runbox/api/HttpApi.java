package dev.runbox.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.runbox.compat.judge0.Judge0Routes;
import dev.runbox.compat.piston.PistonRoutes;
import dev.runbox.config.RunboxConfig;
import dev.runbox.job.ExecutionResult;
import dev.runbox.job.SubmissionId;
import dev.runbox.keys.ApiKeys;
import dev.runbox.keys.InMemoryKeyLimits;
import dev.runbox.keys.KeyLimits;
import dev.runbox.language.Language;
import dev.runbox.language.LanguageLimits;
import dev.runbox.language.LanguageRegistry;
import dev.runbox.queue.JobQueue;
import dev.runbox.queue.QueueFullException;
import dev.runbox.queue.QueueUnavailableException;
import dev.runbox.store.ResultStore;
import dev.runbox.store.StoreUnavailableException;
import dev.runbox.registry.LocalWorkerRegistry;
import dev.runbox.registry.WorkerRegistry;
import dev.runbox.registry.WorkerStatus;
import dev.runbox.wire.Wire;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.staticfiles.JavalinStaticResourceHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The HTTP API. Talks only to the queue, the store and the language list; every error leaves
 * through {@link #renderProblem}, as problem+json (under {@code /api/v2}, the Piston API's, as Piston's
 * {@code {"message"}}).
 */
public final class HttpApi {

    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);

    /**
     * Set (to true) on a request whose error a route answered in its own shape (the Judge0 layer's
     * {@code {"error"}}, the Piston layer's {@code {"message"}}), so that the error pages below leave it as it is.
     */
    public static final String ANSWERED_ERROR = "runbox.answered-error";

    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS) // so NaN/Infinity get a field-named error, not a parse error
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            // a body is one JSON value: `{...} junk` or `{...}{...}` is not valid JSON
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final RunboxConfig config;
    private final JobQueue queue;
    private final ResultStore store;
    private final LanguageRegistry languages;
    private final Clock clock;
    private final IntSupplier busyWorkers;
    private final List<String> routes = new CopyOnWriteArrayList<>();
    private final WorkerRegistry workers;
    private final Supplier<Optional<String>> unready;
    /** Additions to the Javalin config made outside the API (e.g. GET /metrics), applied by {@link #start}. */
    private final List<Consumer<JavalinConfig>> extensions = new ArrayList<>();
    private Javalin app;
    // the additions of the product surface: pushed results, batch, cache, callbacks, docs
    private final ThreadPoolExecutor pushExecutor = daemonPool("api-push", 8);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(daemon("api-timer"));
    private final ResultPush push;
    private final Callbacks callbacks;
    private final Submissions submissions;
    private final WaitForResult waiter;
    private final ResultEvents events;
    private final BatchRoutes batch;
    private final DocsRoutes docs = new DocsRoutes();
    private final PageRoutes pages = new PageRoutes();
    private final RecentSubmissions recent;
    private final KeyGate keys;
    private final SubmissionGateway gateway;
    private final Judge0Routes judge0;
    private final PistonRoutes piston;

    public HttpApi(RunboxConfig config, JobQueue queue, ResultStore store, LanguageRegistry languages, Clock clock,
                   IntSupplier busyWorkers) {
        this(config, queue, store, languages, clock, busyWorkers, new LocalWorkerRegistry(clock), Optional::empty);
    }

    /**
     * @param workers the heartbeats GET /workers lists
     * @param unready empty when this API can serve (its queue and store are reachable), else why not
     */
    public HttpApi(RunboxConfig config, JobQueue queue, ResultStore store, LanguageRegistry languages, Clock clock,
                   IntSupplier busyWorkers, WorkerRegistry workers, Supplier<Optional<String>> unready) {
        this(config, queue, store, languages, clock, busyWorkers, workers, unready, Optional.empty(),
                new InMemoryKeyLimits(config.resultTtl()), new dev.runbox.live.InMemoryLiveChannels(config.resultTtl(), clock));
    }

    /**
     * @param apiKeys the keys of {@code api-keys-file} (empty: keys off)
     * @param keyLimits where the keys' rate, quota and ownership live (in memory, or Redis when shared)
     * @param live      where live runs' input and output travel (the workers' channels)
     */
    public HttpApi(RunboxConfig config, JobQueue queue, ResultStore store, LanguageRegistry languages, Clock clock,
                   IntSupplier busyWorkers, WorkerRegistry workers, Supplier<Optional<String>> unready,
                   Optional<ApiKeys> apiKeys, KeyLimits keyLimits, dev.runbox.live.LiveChannels live) {
        this.config = config;
        this.queue = queue;
        this.store = store;
        this.languages = languages;
        this.clock = clock;
        this.busyWorkers = busyWorkers;
        this.push = new ResultPush(store, pushExecutor);
        this.callbacks = new Callbacks(config, push, clock, daemonPool("callbacks", 4));
        this.recent = new RecentSubmissions(store);
        this.keys = new KeyGate(apiKeys, keyLimits, push, pushExecutor, config);
        this.submissions = new Submissions(queue, store, new ResultCache(config, push), callbacks, clock, recent, keys);
        this.waiter = new WaitForResult(push, store, pushExecutor);
        this.events = new ResultEvents(store, push, config, pushExecutor, timer);
        this.batch = new BatchRoutes(config, languages, submissions, store, this::maxBodyBytes, keys);
        this.workers = workers;
        this.unready = unready;
        this.gateway = new SubmissionGateway(config, languages, submissions, store, push, callbacks, keys, recent, queue, workers,
                pushExecutor, live);
        this.judge0 = new Judge0Routes(gateway);
        this.piston = new PistonRoutes(config, languages, gateway, this::maxBodyBytes);
    }

    /**
     * Largest request body: the caps of source, stdin, expected output and the two argument lists,
     * with room for JSON escaping.
     */
    long maxBodyBytes() {
        return maxBodyBytes(config);
    }

    static long maxBodyBytes(RunboxConfig config) {
        return 2L * (config.maxSourceBytes() + (long) config.maxStdinBytes() + config.outputCapBytes()
                + 2L * ExecuteRequest.MAX_LIST_BYTES) + 64 * 1024;
    }

    /** Adds routes or hooks to the server before {@link #start}. */
    public HttpApi extend(Consumer<JavalinConfig> extension) {
        extensions.add(extension);
        return this;
    }

    public HttpApi start() {
        app = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.startup.showOldJavalinVersionWarning = false;
            c.http.maxRequestSize = maxBodyBytes();
            // a WebSocket's message (Piston's init) carries what a request body does; and a live run's socket
            // may be quiet while its job waits and runs: it is not closed for that before max-wait-sec
            c.jetty.modifyWebSocketServletFactory(f -> {
                f.setMaxTextMessageSize(maxBodyBytes());
                f.setIdleTimeout(config.maxWait().plusSeconds(60));
            });
            // a known path with another method is a 405, not a 404 (Javalin's default)
            c.http.prefer405over404 = true;
            c.jetty.host = config.host();
            c.jetty.port = config.port();
            c.events.handlerAdded(h -> routes.add(h.getHttpMethod() + " " + h.getPath())); // before the routes
            // a WebSocket is a GET with an upgrade, as the OpenAPI document writes it
            c.events.wsHandlerAdded(h -> {
                if (h.getHandlerType() == io.javalin.websocket.WsHandlerType.WEBSOCKET) routes.add("GET " + h.getPath());
            });
            c.routes.post("/execute", this::execute);
            c.routes.get("/result/{id}", this::result);
            c.routes.get("/health", this::health);
            c.routes.get("/languages", this::languages);
            // product surface (see README): live results, batch, docs
            c.routes.get("/result/{id}/events", events::handle);
            c.routes.post("/execute/batch", batch::execute);
            c.routes.get("/results", batch::results);
            c.routes.get("/openapi.json", docs::openApi);
            c.routes.get("/docs", docs::docs);
            // Javalin's own static files, found through the class loader: Jetty's would mount the whole
            // (fat) jar as a zip file system, some 200 bytes of heap for each of its ~20k entries
            c.resourceHandler(new JavalinStaticResourceHandler());
            c.staticFiles.enableWebjars();
            c.routes.get("/ready", this::ready);
            c.routes.get("/workers", this::workers);
            // pages (see README "Pages"): the playground, the monitor and what only the monitor needs
            c.routes.get("/", pages::playground);
            c.routes.get("/monitor", pages::monitor);
            c.routes.get("/submissions/recent", ctx -> recent.handle(ctx, id -> keys.visible(KeyGate.caller(ctx), id)));
            PageRoutes.serveAssets(c);
            judge0.register(c.routes); // the Judge0 CE drop-in API under /judge0 (see README "Coming from Judge0")
            piston.install(c); // the Piston v2 API (/api/v2), run on the path of POST /execute
            SubmissionMdc.install(c);
            keys.install(c); // API keys, when on: 401 before any other work
            extensions.forEach(e -> e.accept(c));
            c.routes.exception(Problem.class, (p, ctx) -> renderProblem(ctx, p));
            // Redis down: answer at once and tell the client when to come back, rather than hang
            c.routes.exception(QueueUnavailableException.class, (e, ctx) -> renderProblem(ctx, unavailable(e)));
            c.routes.exception(StoreUnavailableException.class, (e, ctx) -> renderProblem(ctx, unavailable(e)));
            c.routes.exception(Exception.class, (e, ctx) -> {
                log.error("unhandled error on {} {}", ctx.method(), ctx.path(), e);
                renderProblem(ctx, Problem.of(500, "internal", "Internal error", "an unexpected error occurred; it was logged"));
            });
            c.routes.error(404, ctx -> {
                if (!isProblem(ctx)) renderProblem(ctx, Problem.of(404, "not-found", "Not found", "no such resource: " + ctx.path()));
            });
            c.routes.error(405, ctx -> {
                if (!isProblem(ctx)) renderProblem(ctx, Problem.of(405, "method-not-allowed", "Method not allowed",
                        ctx.method() + " is not allowed on " + ctx.path()));
            });
            c.routes.error(413, ctx -> {
                if (!isProblem(ctx)) renderProblem(ctx, Problem.of(413, "body-too-large", "Request body too large",
                        "the body may be at most " + maxBodyBytes() + " bytes"));
            });
        }).start();
        return this;
    }

    public int port() {
        return app.port();
    }

    /** From now on POST /execute answers 503: the process is shutting down and will not run new jobs. */
    public void stopAccepting() {
        submissions.stopAccepting();
    }

    public void stop() {
        if (app != null) app.stop();
        callbacks.close();
        timer.shutdownNow();
        pushExecutor.shutdownNow();
    }

    /** Every route, as "METHOD /path" (for the test that holds the OpenAPI document to them). */
    public List<String> routes() {
        return List.copyOf(routes);
    }

    /** Threads of the HTTP server busy now (for the test that shows waiting requests hold none). */
    public int busyHttpThreads() {
        return app.jettyServer().threadPool() instanceof QueuedThreadPool q ? q.getBusyThreads() : -1;
    }

    private static ThreadPoolExecutor daemonPool(String name, int threads) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), daemon(name));
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private void execute(Context ctx) throws JsonProcessingException {
        keys.charge(ctx, 1);
        WaitForResult.Params wait = WaitForResult.Params.of(ctx, config);
        JsonNode body = JsonBody.read(ctx, maxBodyBytes());
        ExecuteRequest req = ExecuteRequest.parse(body, config, languages);
        // a judged submission takes one token per test: each is a run (the first was taken above)
        if (req.judge().tests().size() > 1) keys.charge(ctx, req.judge().tests().size() - 1);
        ExecutionResult first = submissions.accept(req, KeyGate.caller(ctx));
        SubmissionId id = first.submissionId();
        SubmissionMdc.put(id);
        log.info("accepted {} ({}): {}", id, req.language(), first.status());
        if (wait.waiting()) {
            waiter.answer(ctx, id, wait.timeout());
            return;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("submission_id", id.toString());
        out.put("status", first.status().name());
        ctx.status(202).header("Location", "/result/" + id);
        json(ctx, out);
    }

    private void result(Context ctx) throws JsonProcessingException {
        SubmissionId id = SubmissionIds.parse(ctx.pathParam("id"));
        json(ctx, Wire.publicTree(SubmissionIds.find(store, id, config)));
    }

    private static Problem unavailable(RuntimeException e) {
        log.warn("answering 503: {}", e.getMessage());
        return new Problem(503, "backend-unavailable", "Queue or result store unavailable",
                "the queue or result store (Redis) cannot be reached right now; a submission was not accepted; retry later",
                List.of(), Map.of("Retry-After", Integer.toString(Submissions.RETRY_AFTER_SEC)));
    }

    /** Readiness (for a load balancer): 200 when this API can accept and answer, else 503. */
    private void ready(Context ctx) throws JsonProcessingException {
        Optional<String> why = unready.get();
        if (why.isPresent()) {
            throw new Problem(503, "not-ready", "Not ready", why.get(), List.of(), Map.of("Retry-After", Integer.toString(Submissions.RETRY_AFTER_SEC)));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("status", "ready");
        json(ctx, out);
    }

    /** The worker processes that sent a heartbeat lately, alive or not. */
    private void workers(Context ctx) throws JsonProcessingException {
        WorkerRegistry.Snapshot snap = workers.list();
        List<Map<String, Object>> list = snap.workers().stream().map(w -> workerJson(w, snap.now())).toList();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("alive", list.stream().filter(w -> Boolean.TRUE.equals(w.get("alive"))).count());
        out.put("workers", list);
        json(ctx, out);
    }

    private static Map<String, Object> workerJson(WorkerStatus w, java.time.Instant now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", w.id());
        m.put("host", w.host());
        m.put("pid", w.pid());
        m.put("alive", w.aliveAt(now));
        m.put("state", w.state());
        m.put("concurrency", w.concurrency());
        m.put("busy", w.busy());
        m.put("jobs_done", w.jobsDone());
        m.put("started_at", w.startedAt().toString());
        m.put("last_seen", w.lastSeen() == null ? null : w.lastSeen().toString());
        m.put("last_seen_sec_ago", w.lastSeen() == null ? null : java.time.Duration.between(w.lastSeen(), now).toMillis() / 1000.0);
        m.put("heartbeat_sec", w.heartbeat().toMillis() / 1000.0);
        return m;
    }

    private void health(Context ctx) throws JsonProcessingException {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("status", "ok");
        Integer depth;
        try {
            depth = queue.depth();
        } catch (QueueUnavailableException e) {
            depth = null; // liveness does not depend on Redis; /ready does
        }
        out.put("queue_depth", depth);
        out.put("workers", config.workers());
        out.put("workers_busy", busyWorkers.getAsInt());
        json(ctx, out);
    }

    private void languages(Context ctx) throws JsonProcessingException {
        List<Map<String, Object>> out = languages.all().stream().map(l -> languageJson(l, languages.bounds(l.id()))).toList();
        json(ctx, out);
    }

    private static Map<String, Object> languageJson(Language l, LanguageLimits.Bounds b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", l.id());
        m.put("name", l.name());
        m.put("version", l.detectedVersion());
        m.put("source_file", l.sourceFile());
        m.put("compiled", l.compiled());
        m.put("compile_command", l.compiled() ? l.compile() : null);
        m.put("run_command", l.run());
        Map<String, Object> limits = new LinkedHashMap<>();
        limits.put("default_time_limit_sec", b.defaultTimeLimitSec());
        limits.put("max_time_limit_sec", b.maxTimeLimitSec());
        limits.put("default_memory_limit_mb", b.defaultMemoryLimitMb());
        limits.put("min_memory_limit_mb", b.minMemoryLimitMb());
        limits.put("max_memory_limit_mb", b.maxMemoryLimitMb());
        m.put("limits", limits);
        if (l.compiled()) {
            Map<String, Object> compile = new LinkedHashMap<>();
            compile.put("time_limit_sec", l.compileLimits().timeLimitSec());
            compile.put("memory_limit_mb", l.compileLimits().memoryLimitMb());
            compile.put("output_cap_bytes", l.compileLimits().outputCapBytes());
            m.put("compile_limits", compile);
        }
        return m;
    }

    static void json(Context ctx, Object body) throws JsonProcessingException {
        ctx.contentType("application/json");
        ctx.result(JSON.writeValueAsBytes(body));
    }

    /** Whether the error was answered already: a problem, or an error in a compatibility layer's own shape. */
    private static boolean isProblem(Context ctx) {
        String t = ctx.res().getContentType();
        return t != null && t.startsWith("application/problem+json") || Boolean.TRUE.equals(ctx.attribute(ANSWERED_ERROR));
    }

    private static void renderProblem(Context ctx, Problem p) {
        if (PistonRoutes.owns(ctx.path())) {
            ctx.attribute(ANSWERED_ERROR, true);
            PistonRoutes.error(ctx, p);
            return;
        }
        try {
            ctx.status(p.status());
            p.headers().forEach(ctx::header);
            ctx.contentType("application/problem+json");
            ctx.result(JSON.writeValueAsBytes(p.body(ctx.path())));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("problem details must serialize", e);
        }
    }
}
