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
import dev.runbox.store.ResultStore;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

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
    /** Additions to the Javalin config made outside the API (e.g. GET /metrics), applied by {@link #start}. */
    private final List<Consumer<JavalinConfig>> extensions = new ArrayList<>();
    private Javalin app;

    public HttpApi(RunboxConfig config, JobQueue queue, ResultStore store, LanguageRegistry languages, Clock clock,
                   IntSupplier busyWorkers) {
        this.config = config;
        this.queue = queue;
        this.store = store;
        this.languages = languages;
        this.clock = clock;
        this.busyWorkers = busyWorkers;
    }

    /** Largest request body: the source and stdin caps, with room for JSON escaping. */
    long maxBodyBytes() {
        return 2L * (config.maxSourceBytes() + (long) config.maxStdinBytes()) + 64 * 1024;
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
            c.jetty.host = config.host();
            c.jetty.port = config.port();
            c.routes.post("/execute", this::execute);
            c.routes.get("/result/{id}", this::result);
            c.routes.get("/health", this::health);
            c.routes.get("/languages", this::languages);
            SubmissionMdc.install(c);
            extensions.forEach(e -> e.accept(c));
            c.routes.exception(Problem.class, (p, ctx) -> renderProblem(ctx, p));
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
        } catch (QueueFullException e) {
            store.delete(job.id());
            throw new Problem(503, "queue-full", "Too many submissions waiting", e.getMessage() + "; retry later",
                    List.of(), Map.of("Retry-After", Integer.toString(RETRY_AFTER_SEC)));
        }
        SubmissionMdc.put(job.id());
        log.info("queued {} ({})", job.id(), job.language());
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

    private void health(Context ctx) throws JsonProcessingException {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("status", "ok");
        out.put("queue_depth", queue.depth());
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
