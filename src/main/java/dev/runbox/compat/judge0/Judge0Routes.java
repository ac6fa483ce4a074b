package dev.runbox.compat.judge0;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbox.api.HttpApi;
import dev.runbox.api.Problem;
import dev.runbox.api.SubmissionGateway;
import dev.runbox.job.ExecutionResult;
import dev.runbox.job.SubmissionId;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The Judge0 CE 1.13.1 API under {@code /judge0}, so that a Judge0 client switches to Runbox by changing its
 * base URL. Every submission goes Runbox's own way ({@link SubmissionGateway}: the body of POST /execute,
 * the queue, the store, pushed results), so this works as Runbox does, embedded or with Redis and API and
 * worker processes apart; the layer only translates the request ({@link Judge0Request}) and the answer
 * ({@link Judge0View}). Errors are Judge0's shapes: {@code {"error": "…"}}, and {@code {"field": ["…"]}}
 * (422) for a refused submission; a 401 of API keys is Runbox's, given before any route runs.
 */
public final class Judge0Routes {

    static final String PREFIX = "/judge0";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An answer {@code {"error": message}} with a status, as Judge0 gives its errors. */
    static final class Judge0Error extends RuntimeException {
        final int status;
        final Map<String, String> headers;

        Judge0Error(int status, String message) {
            this(status, message, Map.of());
        }

        Judge0Error(int status, String message, Map<String, String> headers) {
            super(message);
            this.status = status;
            this.headers = headers;
        }
    }

    private final SubmissionGateway gateway;
    private final Judge0Info info;

    public Judge0Routes(SubmissionGateway gateway) {
        this.gateway = gateway;
        this.info = new Judge0Info(gateway);
    }

    public void register(RoutesConfig r) {
        // Judge0 answers any origin (its web IDE runs in a browser elsewhere); keys travel in headers, never cookies
        r.before(PREFIX + "/*", ctx -> ctx.header("Access-Control-Allow-Origin", "*"));
        r.options(PREFIX + "/*", Judge0Routes::preflight);
        // batch before {token}: the first route that matches a path wins
        r.post(PREFIX + "/submissions/batch", wrap(this::batchCreate));
        r.get(PREFIX + "/submissions/batch", wrap(this::batchShow));
        r.post(PREFIX + "/submissions", wrap(this::create));
        r.get(PREFIX + "/submissions", wrap(this::index));
        r.get(PREFIX + "/submissions/{token}", wrap(this::show));
        r.delete(PREFIX + "/submissions/{token}", wrap(this::destroy));
        r.get(PREFIX + "/languages", wrap(info::languages));
        r.get(PREFIX + "/languages/all", wrap(info::allLanguages));
        r.get(PREFIX + "/languages/{id}", wrap(info::language));
        r.get(PREFIX + "/statuses", wrap(info::statuses));
        r.get(PREFIX + "/about", wrap(info::about));
        r.get(PREFIX + "/config_info", wrap(info::configInfo));
        r.get(PREFIX + "/system_info", wrap(info::systemInfo));
        r.get(PREFIX + "/workers", wrap(info::workers));
    }

    /** A browser's CORS preflight: any method of the layer, the headers it asks for. */
    private static void preflight(Context ctx) {
        String asked = ctx.header("Access-Control-Request-Headers");
        ctx.header("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS");
        ctx.header("Access-Control-Allow-Headers", asked == null || asked.isBlank() ? "Content-Type, X-Auth-Token, Authorization" : asked);
        ctx.header("Access-Control-Max-Age", "86400");
        ctx.status(204);
    }

    /** Every Judge0 route answers its errors in Judge0's shape, Runbox's problems included. */
    private static Handler wrap(Handler h) {
        return ctx -> {
            try {
                h.handle(ctx);
            } catch (Judge0Error e) {
                answeredError(ctx);
                e.headers.forEach(ctx::header);
                json(ctx.status(e.status), Map.of("error", e.getMessage()));
            } catch (Judge0Request.Invalid e) {
                answeredError(ctx);
                json(ctx.status(422), e.errors);
            } catch (Problem p) {
                answeredError(ctx);
                p.headers().forEach(ctx::header);
                json(ctx.status(p.status()), Map.of("error", p.getMessage()));
            }
        };
    }

    /** Runbox's error pages (404, 405, 413 as problems) are to leave this answer as it is. */
    private static void answeredError(Context ctx) {
        ctx.attribute(HttpApi.ANSWERED_ERROR, true);
    }

    static void json(Context ctx, Object body) throws JsonProcessingException {
        ctx.contentType("application/json");
        ctx.result(JSON.writeValueAsBytes(body));
    }

    private static boolean base64(Context ctx) {
        return "true".equals(ctx.queryParam("base64_encoded"));
    }

    private void create(Context ctx) throws JsonProcessingException {
        boolean base64 = base64(ctx);
        boolean wait = "true".equals(ctx.queryParam("wait"));
        Judge0View.Fields fields = Judge0View.Fields.parse(ctx.queryParam("fields"));
        gateway.charge(ctx, 1);
        Judge0Request req = Judge0Request.parse(gateway.readJson(ctx), base64, gateway);
        SubmissionId id = accept(ctx, req);
        if (!wait) {
            json(ctx.status(201), Map.of("token", id.toString()));
            return;
        }
        // as Runbox's own wait: no thread held; at max-wait-sec the current result (In Queue or Processing)
        ctx.future(() -> gateway.whenFinal(id)
                .completeOnTimeout(null, gateway.config().maxWait().toMillis(), TimeUnit.MILLISECONDS)
                .thenAcceptAsync(fin -> {
                    ExecutionResult r = fin != null ? fin : gateway.find(ctx, id).orElse(null);
                    try {
                        if (r == null) {
                            answeredError(ctx);
                            json(ctx.status(404), Map.of("error", "the result of " + id + " expired while waiting"));
                            return;
                        }
                        try {
                            json(ctx.status(201), Judge0View.render(r, fields, base64, gateway.languages()));
                        } catch (Judge0View.NotUtf8 e) {
                            Map<String, Object> out = new LinkedHashMap<>();
                            out.put("error", e.getMessage());
                            out.put("token", id.toString());
                            json(ctx.status(201), out);
                        }
                    } catch (JsonProcessingException e) {
                        throw new IllegalStateException("a result must serialize", e);
                    }
                }, gateway.executor()));
    }

    private SubmissionId accept(Context ctx, Judge0Request req) {
        ExecutionResult first = gateway.accept(ctx, req.execute());
        SubmissionId id = first.submissionId();
        req.callbackUrl().ifPresent(url -> gateway.deliverWhenFinal(id, url, "PUT", this::callbackBody));
        return id;
    }

    /** What Judge0 PUTs to a callback_url: these columns, base64. */
    private byte[] callbackBody(ExecutionResult r) {
        try {
            return JSON.writeValueAsBytes(Judge0View.render(r, new Judge0View.Fields(Judge0View.CALLBACK_FIELDS), true,
                    gateway.languages()));
        } catch (Judge0View.NotUtf8 | JsonProcessingException e) {
            throw new IllegalStateException("base64 output always serializes", e);
        }
    }

    private ExecutionResult find(Context ctx, String token) {
        Optional<SubmissionId> id = SubmissionId.parse(token);
        return id.flatMap(i -> gateway.find(ctx, i))
                .orElseThrow(() -> new Judge0Error(404, "submission with token " + abbreviate(token) + " not found (never made, or expired after "
                        + gateway.config().resultTtl().toSeconds() + " s)"));
    }

    private void show(Context ctx) throws JsonProcessingException {
        Judge0View.Fields fields = Judge0View.Fields.parse(ctx.queryParam("fields"));
        ExecutionResult r = find(ctx, ctx.pathParam("token"));
        try {
            json(ctx, Judge0View.render(r, fields, base64(ctx), gateway.languages()));
        } catch (Judge0View.NotUtf8 e) {
            throw new Judge0Error(400, e.getMessage());
        }
    }

    private void batchCreate(Context ctx) throws JsonProcessingException {
        boolean base64 = base64(ctx);
        JsonNode body = gateway.readJson(ctx);
        JsonNode items = body.isObject() ? body.get("submissions") : null;
        int n = items != null && items.isArray() ? items.size() : 0;
        checkBatchSize(n);
        gateway.charge(ctx, n);
        List<Object> out = new ArrayList<>();
        boolean any = false;
        for (JsonNode item : items) {
            try {
                SubmissionId id = accept(ctx, Judge0Request.parse(item, base64, gateway));
                out.add(Map.of("token", id.toString()));
                any = true;
            } catch (Judge0Request.Invalid e) {
                out.add(e.errors);
            } catch (Problem p) {
                // queue full, a key's quota: this item, not the batch (those queued before it stay queued)
                out.add(Map.of("error", p.getMessage()));
            }
        }
        json(ctx.status(any ? 201 : 422), out);
    }

    private void checkBatchSize(int n) {
        int max = gateway.config().judge0MaxBatch();
        if (n > max) throw new Judge0Error(400, "number of submissions in a batch should be less than or equal to " + max);
        if (n == 0) throw new Judge0Error(400, "there should be at least one submission in a batch");
    }

    private void batchShow(Context ctx) throws JsonProcessingException {
        Judge0View.Fields fields = Judge0View.Fields.parse(ctx.queryParam("fields"));
        String raw = ctx.queryParam("tokens") != null ? ctx.queryParam("tokens") : ctx.header("tokens");
        List<String> tokens = raw == null || raw.isBlank() ? List.of()
                : java.util.Arrays.stream(raw.strip().split(",")).map(String::strip).toList();
        checkBatchSize(tokens.size());
        List<Object> out = new ArrayList<>();
        for (String t : tokens) {
            Optional<ExecutionResult> r = SubmissionId.parse(t).flatMap(id -> gateway.find(ctx, id));
            try {
                out.add(r.isPresent() ? Judge0View.render(r.get(), fields, base64(ctx), gateway.languages()) : null);
            } catch (Judge0View.NotUtf8 e) {
                throw new Judge0Error(400, "some attributes for one or more submissions cannot be converted to UTF-8,"
                        + " use base64_encoded=true query parameter");
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("submissions", out);
        json(ctx, m);
    }

    /** Judge0's paginated list, over the submissions this API process accepted lately (see the README). */
    private void index(Context ctx) throws JsonProcessingException {
        Judge0View.Fields fields = Judge0View.Fields.parse(ctx.queryParam("fields"));
        int page = intParam(ctx, "page", 1);
        int perPage = intParam(ctx, "per_page", 20);
        if (page <= 0) throw new Judge0Error(400, "invalid page: " + page);
        if (perPage < 0) throw new Judge0Error(400, "invalid per_page: " + perPage);
        List<ExecutionResult> all = new ArrayList<>();
        for (SubmissionId id : gateway.recent(ctx)) gateway.find(ctx, id).ifPresent(all::add);
        int total = all.size();
        int pages = perPage == 0 ? 0 : (total + perPage - 1) / perPage;
        int from = (int) Math.min((long) (page - 1) * perPage, total);
        int to = Math.min(from + perPage, total);
        List<Object> subs = new ArrayList<>();
        try {
            for (ExecutionResult r : all.subList(from, to)) subs.add(Judge0View.render(r, fields, base64(ctx), gateway.languages()));
        } catch (Judge0View.NotUtf8 e) {
            throw new Judge0Error(400, "some attributes for one or more submissions cannot be converted to UTF-8,"
                    + " use base64_encoded=true query parameter");
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("current_page", page);
        meta.put("next_page", page < pages ? page + 1 : null);
        meta.put("prev_page", page > 1 ? page - 1 : null);
        meta.put("total_pages", pages);
        meta.put("total_count", total);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("submissions", subs);
        out.put("meta", meta);
        json(ctx, out);
    }

    private static int intParam(Context ctx, String name, int fallback) {
        String v = ctx.queryParam(name);
        if (v == null || v.isBlank()) return fallback;
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new Judge0Error(400, "invalid " + name + ": " + abbreviate(v));
        }
    }

    private void destroy(Context ctx) throws JsonProcessingException {
        if (!gateway.config().judge0EnableSubmissionDelete()) throw new Judge0Error(400, "delete not allowed");
        Judge0View.Fields fields = Judge0View.Fields.parse(ctx.queryParam("fields"));
        ExecutionResult r = find(ctx, ctx.pathParam("token"));
        if (!r.status().isFinal()) {
            Judge0Status s = Judge0Status.of(r);
            throw new Judge0Error(400, "submission cannot be deleted because its status is " + s.id + " (" + s.description + ")");
        }
        gateway.delete(r.submissionId());
        try {
            // as Judge0: base64, so that what was deleted can always be shown
            json(ctx, Judge0View.render(r, fields, true, gateway.languages()));
        } catch (Judge0View.NotUtf8 e) {
            throw new IllegalStateException("base64 output always serializes", e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
