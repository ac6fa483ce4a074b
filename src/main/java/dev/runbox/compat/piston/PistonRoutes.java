package dev.runbox.compat.piston;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.runbox.api.Problem;
import dev.runbox.api.SubmissionGateway;
import dev.runbox.config.RunboxConfig;
import dev.runbox.job.ExecutionResult;
import dev.runbox.language.Language;
import dev.runbox.language.LanguageRegistry;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * Piston v2's API, for clients written against Piston: {@code POST /api/v2/execute},
 * {@code GET /api/v2/runtimes}, {@code /api/v2/packages} and the WebSocket {@code /api/v2/connect}
 * ({@link PistonConnect}), also under {@code /api/v2/piston} (the path of the public Piston server,
 * which some clients use). A Piston request becomes a Runbox request ({@link PistonRequest}) run on
 * Runbox's own path ({@link SubmissionGateway}: API keys, queue, workers, result store, so it behaves
 * the same embedded and with separate API and worker processes), and its final result is answered in
 * Piston's shape ({@link PistonResult}): there is no second way to run a program.
 *
 * <p>Errors under these paths are Piston's {@code {"message": "…"}}, with Runbox's status codes
 * ({@link #error}); bodies are read as JSON whatever their Content-Type says, since Piston's own clients
 * send none. Packages are refused: what a Runbox server runs is its operator's languages file.
 */
public final class PistonRoutes {

    /** The paths Piston clients call: its own, and the public server's. */
    public static final List<String> PREFIXES = List.of("/api/v2", "/api/v2/piston");

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final RunboxConfig config;
    private final LanguageRegistry languages;
    private final SubmissionGateway runs;
    private final LongSupplier maxBodyBytes;
    private final PistonConnect connect;

    public PistonRoutes(RunboxConfig config, LanguageRegistry languages, SubmissionGateway runs, LongSupplier maxBodyBytes) {
        this.config = config;
        this.languages = languages;
        this.runs = runs;
        this.maxBodyBytes = maxBodyBytes;
        this.connect = new PistonConnect(runs);
    }

    public void install(JavalinConfig c) {
        for (String prefix : PREFIXES) {
            c.routes.post(prefix + "/execute", this::execute);
            c.routes.get(prefix + "/runtimes", this::runtimes);
            c.routes.get(prefix + "/packages", this::packages);
            c.routes.post(prefix + "/packages", this::packages);
            c.routes.delete(prefix + "/packages", this::packages);
            connect.install(c, prefix + "/connect");
        }
    }

    /** Whether {@code path} is the Piston API's, whose errors are {@link #error}s. */
    public static boolean owns(String path) {
        return path.equals("/api/v2") || path.startsWith("/api/v2/");
    }

    /** An error as Piston writes one: {@code {"message": "…"}}. */
    public static void error(Context ctx, Problem p) {
        ctx.status(p.status());
        p.headers().forEach(ctx::header);
        ctx.contentType("application/json");
        try {
            ctx.result(JSON.writeValueAsBytes(Map.of("message", p.getMessage())));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a message must serialize", e);
        }
    }

    private void execute(Context ctx) {
        PistonRequest req = PistonRequest.parse(body(ctx), config, languages);
        CompletableFuture<ExecutionResult> running = runToEnd(ctx, req);
        ctx.future(() -> running.thenAccept(r -> answer(ctx, req, r)));
    }

    private CompletableFuture<ExecutionResult> runToEnd(Context ctx, PistonRequest req) {
        try {
            return runs.runToEnd(ctx, req.runboxBody());
        } catch (Problem p) {
            if (p.errors().isEmpty()) throw p;
            throw PistonRequest.invalid(req.pistonMessage(p));
        }
    }

    private void answer(Context ctx, PistonRequest req, ExecutionResult r) {
        if (!r.status().isFinal()) {
            // Piston has no "come back later"; say where the run can still be read
            error(ctx, Problem.of(504, "piston-wait", "Still running", "the run did not end within max-wait-sec ("
                    + config.maxWait().toSeconds() + " s); its result will be at GET /result/" + r.submissionId()));
            return;
        }
        json(ctx, 200, PistonResult.of(r, req.language(), req.version()));
    }

    private void runtimes(Context ctx) {
        json(ctx, 200, languages.all().stream().map(PistonRoutes::runtime).toList());
    }

    private static Map<String, Object> runtime(Language l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("language", l.id());
        m.put("version", SemVer.fromToolchain(l.detectedVersion()).toString());
        m.put("aliases", l.aliases());
        return m;
    }

    private void packages(Context ctx) {
        throw Problem.of(501, "piston-packages", "Packages are not managed here",
                "this server is Runbox: its languages are set by its operator in the languages file (setting languages-file),"
                        + " not installed over the API; GET " + prefixOf(ctx.path()) + "/runtimes lists what it runs");
    }

    private static String prefixOf(String path) {
        return path.startsWith("/api/v2/piston/") ? "/api/v2/piston" : "/api/v2";
    }

    /** The body as JSON, whatever its Content-Type; an empty body is {@code {}}, as Piston's server reads it. */
    private JsonNode body(Context ctx) {
        if (ctx.contentLength() > maxBodyBytes.getAsLong()) {
            throw Problem.of(413, "body-too-large", "Request body too large", "the body may be at most " + maxBodyBytes.getAsLong() + " bytes");
        }
        byte[] raw = ctx.bodyAsBytes();
        if (raw.length == 0) return JSON.createObjectNode();
        try {
            return JSON.readTree(raw);
        } catch (JsonProcessingException e) {
            throw PistonRequest.invalid("the body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw PistonRequest.invalid("the body is not valid JSON text: " + e.getMessage());
        }
    }

    private static void json(Context ctx, int status, Object body) {
        ctx.status(status);
        ctx.contentType("application/json");
        try {
            ctx.result(JSON.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an answer must serialize", e);
        }
    }
}
