package dev.runbox.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.runbox.config.RunboxConfig;
import dev.runbox.job.ExecutionResult;
import dev.runbox.job.Submission;
import dev.runbox.job.SubmissionId;
import dev.runbox.language.Language;
import dev.runbox.language.LanguageRegistry;
import dev.runbox.queue.JobQueue;
import dev.runbox.queue.QueueFullException;
import dev.runbox.queue.QueueUnavailableException;
import dev.runbox.store.ResultStore;
import dev.runbox.store.StoreUnavailableException;
import dev.runbox.worker.LocalWorkerRegistry;
import dev.runbox.worker.WorkerRegistry;
import dev.runbox.worker.WorkerStatus;
import io.javalin.Javalin;
import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The HTTP API. Talks only to the queue, the store and the language list; every error leaves
 * through {@link #renderProblem}, as problem+json.
 */
public final class HttpApi {

    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
    /** Seconds a client should wait before retrying when the queue is full. */
    private static final int RETRY_AFTER_SEC = 2;

    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS) // so NaN/Infinity get a field-named error, not a parse error
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final RunboxConfig config;
    private final JobQueue queue;
    private final ResultStore store;
    private final LanguageRegistry languages;
    private final Clock clock;
    private final IntSupplier busyWorkers;
    private final WorkerRegistry workers;
    private final Supplier<Optional<String>> unready;
    private Javalin app;

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
        this.config = config;
        this.queue = queue;
        this.store = store;
        this.languages = languages;
        this.clock = clock;
        this.busyWorkers = busyWorkers;
        this.workers = workers;
        this.unready = unready;
    }

    /** Largest request body: the source and stdin caps, with room for JSON escaping. */
    long maxBodyBytes() {
        return 2L * (config.maxSourceBytes() + (long) config.maxStdinBytes()) + 64 * 1024;
    }

    public HttpApi start() {
        app = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.startup.showOldJavalinVersionWarning = false;
            c.http.maxRequestSize = maxBodyBytes();
            c.jetty.host = config.host();
            c.jetty.port = config.port();
            c.routes.post("/execute", this::execute);
            c.routes.get("/result/{id}", this::result);
            c.routes.get("/health", this::health);
            c.routes.get("/languages", this::languages);
            c.routes.get("/ready", this::ready);
            c.routes.get("/workers", this::workers);
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

    public void stop() {
        if (app != null) app.stop();
    }

    private void execute(Context ctx) throws JsonProcessingException {
        String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase();
        String mime = type.split(";", 2)[0].trim();
        if (!mime.equals("application/json")) {
            throw Problem.of(415, "unsupported-media-type", "Unsupported media type",
                    "send the body as application/json (got '" + (type.isEmpty() ? "no content type" : type) + "')");
        }
        long length = ctx.contentLength();
        if (length > maxBodyBytes()) {
            throw Problem.of(413, "body-too-large", "Request body too large", "the body may be at most " + maxBodyBytes() + " bytes");
        }
        byte[] raw = ctx.bodyAsBytes();
        if (raw.length == 0) {
            throw Problem.invalidFields(List.of(new Problem.FieldError("body", "is empty; send a JSON object")));
        }
        JsonNode body;
        try {
            body = JSON.readTree(raw);
        } catch (JsonProcessingException e) {
            throw Problem.invalidFields(List.of(new Problem.FieldError("body", "is not valid JSON: " + e.getOriginalMessage())));
        } catch (java.io.IOException e) {
            // invalid UTF-8 and other byte-level errors of the body
            throw Problem.invalidFields(List.of(new Problem.FieldError("body", "is not valid JSON text: " + e.getMessage())));
        }
        ExecuteRequest req = ExecuteRequest.parse(body, config, languages);
        Submission job = new Submission(SubmissionId.random(), req.language(), req.sourceCode(), req.stdinData(), req.limits(),
                clock.instant());
        store.create(ExecutionResult.pending(job));
        try {
            queue.enqueue(job);
        } catch (QueueUnavailableException e) {
            try {
                store.delete(job.id());
            } catch (StoreUnavailableException also) {
                // the orphan PENDING result expires with its TTL; nobody knows its id
            }
            throw e;
        } catch (QueueFullException e) {
            store.delete(job.id());
            throw new Problem(503, "queue-full", "Too many submissions waiting", e.getMessage() + "; retry later",
                    List.of(), Map.of("Retry-After", Integer.toString(RETRY_AFTER_SEC)));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("submission_id", job.id().toString());
        out.put("status", "PENDING");
        ctx.status(202).header("Location", "/result/" + job.id());
        json(ctx, out);
    }

    private void result(Context ctx) throws JsonProcessingException {
        String raw = ctx.pathParam("id");
        SubmissionId id = SubmissionId.parse(raw).orElseThrow(() -> new Problem(400, "invalid-id", "Invalid submission id",
                "a submission id is a lower-case UUID such as 3f0c2a1e-…", List.of(new Problem.FieldError("submission_id",
                "is not a UUID")), Map.of()));
        ExecutionResult r = store.get(id).orElseThrow(() -> Problem.of(404, "unknown-submission", "Unknown submission",
                "no result for " + id + ": it never existed or expired after " + config.resultTtl().toSeconds() + " s"));
        json(ctx, ResultJson.of(r));
    }

    private static Problem unavailable(RuntimeException e) {
        log.warn("answering 503: {}", e.getMessage());
        return new Problem(503, "backend-unavailable", "Queue or result store unavailable",
                "the queue or result store (Redis) cannot be reached right now; a submission was not accepted; retry later",
                List.of(), Map.of("Retry-After", Integer.toString(RETRY_AFTER_SEC)));
    }

    /** Readiness (for a load balancer): 200 when this API can accept and answer, else 503. */
    private void ready(Context ctx) throws JsonProcessingException {
        Optional<String> why = unready.get();
        if (why.isPresent()) {
            throw new Problem(503, "not-ready", "Not ready", why.get(), List.of(), Map.of("Retry-After", Integer.toString(RETRY_AFTER_SEC)));
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
        List<Map<String, Object>> out = languages.all().stream().map(HttpApi::languageJson).toList();
        json(ctx, out);
    }

    private static Map<String, Object> languageJson(Language l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", l.id());
        m.put("name", l.name());
        m.put("version", l.detectedVersion());
        m.put("source_file", l.sourceFile());
        return m;
    }

    private static void json(Context ctx, Object body) throws JsonProcessingException {
        ctx.contentType("application/json");
        ctx.result(JSON.writeValueAsBytes(body));
    }

    private static boolean isProblem(Context ctx) {
        String t = ctx.res().getContentType();
        return t != null && t.startsWith("application/problem+json");
    }

    private static void renderProblem(Context ctx, Problem p) {
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
