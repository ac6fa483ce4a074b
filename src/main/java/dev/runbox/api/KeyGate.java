package dev.runbox.api;

import dev.runbox.job.SubmissionId;
import dev.runbox.keys.ApiKey;
import dev.runbox.keys.ApiKeys;
import dev.runbox.keys.Buckets;
import dev.runbox.config.RunboxConfig;
import dev.runbox.keys.KeyLimits;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.router.Endpoint;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * API keys at the HTTP edge (off unless {@code api-keys-file} is set). With keys on:
 * <ul>
 *   <li>every route but {@link #PUBLIC} (and static files) needs {@code Authorization: Bearer <key>},
 *       else 401 with {@code WWW-Authenticate: Bearer};</li>
 *   <li>POST /execute takes one token of the key's bucket, a batch one per item; an empty bucket is a
 *       429 with {@code Retry-After} (seconds until enough tokens are back);</li>
 *   <li>a job counts against the key's concurrent quota from acceptance until its result is final
 *       (429 past it);</li>
 *   <li>a submission is visible only to the key that made it: to any other it is 404, exactly as an
 *       unknown id, so ids tell nothing across keys.</li>
 * </ul>
 * Errors and logs name the key's name, never the key. Under {@link #JUDGE0_PREFIX} the key may also come
 * as Judge0 clients send it: an {@code X-Auth-Token} header or query parameter.
 */
final class KeyGate {

    static final Set<String> PUBLIC = Set.of("/health", "/ready", "/openapi.json", "/docs");
    private static final String CALLER = "runbox.api-key";
    /** The Judge0 drop-in API's routes (dev.runbox.compat.judge0), where Judge0's way of sending the key also works. */
    static final String JUDGE0_PREFIX = "/judge0/";
    static final String JUDGE0_AUTH = "X-Auth-Token";

    private final Optional<ApiKeys> keys;
    private final KeyLimits limits;
    private final ResultPush push;
    private final Executor executor;
    private final RunboxConfig config;

    KeyGate(Optional<ApiKeys> keys, KeyLimits limits, ResultPush push, Executor executor, RunboxConfig config) {
        this.config = config;
        this.keys = keys;
        this.limits = limits;
        this.push = push;
        this.executor = executor;
    }

    boolean on() {
        return keys.isPresent();
    }

    void install(JavalinConfig c) {
        if (keys.isEmpty()) return;
        c.routes.beforeMatched(ctx -> {
            Endpoint e = ctx.endpoints().matchedHttpEndpoint();
            // a CORS preflight carries no credentials by design (the Judge0 layer answers them)
            if (e == null || PUBLIC.contains(e.path) || ctx.method() == HandlerType.OPTIONS) return;
            ApiKey key = authenticate(ctx);
            ctx.attribute(CALLER, key);
            // a submission of another key is answered exactly as an unknown one (a malformed id is the route's 400)
            String raw = ctx.pathParamMap().get("id");
            if (raw != null) SubmissionId.parse(raw).ifPresent(id -> checkVisible(Optional.of(key), id));
        });
        // a WebSocket (the Piston layer's /connect) is authenticated at its upgrade, a plain HTTP request
        // with no matched HTTP endpoint above; the caller is then read from its context (callerOf)
        c.routes.wsBeforeUpgrade(ctx -> ctx.attribute(CALLER, authenticate(ctx)));
    }

    /** The caller of a WebSocket, found at its upgrade. */
    static Optional<ApiKey> callerOf(io.javalin.websocket.WsContext ctx) {
        return Optional.ofNullable(ctx.attribute(CALLER));
    }

    private ApiKey authenticate(Context ctx) {
        String h = ctx.header("Authorization");
        if ((h == null || h.isBlank()) && ctx.path().startsWith(JUDGE0_PREFIX)) {
            String token = ctx.header(JUDGE0_AUTH) != null ? ctx.header(JUDGE0_AUTH) : ctx.queryParam(JUDGE0_AUTH);
            if (token != null && !token.isBlank()) {
                return keys.get().find(token.strip())
                        .orElseThrow(() -> unauthorized("the API key in " + JUDGE0_AUTH + " is not valid (ask the operator for one)",
                                "invalid_token"));
            }
        }
        if (h == null || h.isBlank()) {
            throw unauthorized("this server needs an API key: send the header 'Authorization: Bearer <key>'", null);
        }
        if (!h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw unauthorized("the Authorization header must be 'Bearer <key>'", "invalid_request");
        }
        return keys.get().find(h.substring(7).strip())
                .orElseThrow(() -> unauthorized("the API key is not valid (ask the operator for one)", "invalid_token"));
    }

    private static Problem unauthorized(String detail, String error) {
        String challenge = "Bearer realm=\"runbox\"" + (error == null ? "" : ", error=\"" + error + "\"");
        return new Problem(401, "unauthorized", "API key required", detail, List.of(), Map.of("WWW-Authenticate", challenge));
    }

    static Optional<ApiKey> caller(Context ctx) {
        return Optional.ofNullable(ctx.attribute(CALLER));
    }

    /** Takes {@code requests} tokens from the caller's bucket, or refuses with 429. */
    void charge(Context ctx, int requests) {
        charge(caller(ctx), requests);
    }

    void charge(Optional<ApiKey> key, int requests) {
        if (key.isEmpty()) return;
        Optional<Duration> wait;
        try {
            wait = limits.take(key.get(), requests);
        } catch (Buckets.TooManyForBucketException e) {
            throw Problem.of(429, "batch-exceeds-rate", "Batch larger than the key's burst", e.getMessage());
        }
        if (wait.isPresent()) {
            long sec = Math.max(1, (wait.get().toMillis() + 999) / 1000);
            throw new Problem(429, "rate-limited", "Rate limit of the API key reached",
                    "key " + key.get().name() + " may send " + describe(key.get()) + "; "
                            + (requests == 1 ? "a submission" : "these " + requests + " submissions") + " can go in " + sec + " s",
                    List.of(), Map.of("Retry-After", Long.toString(sec)));
        }
    }

    private static String describe(ApiKey k) {
        ApiKey.Rate r = k.rate().orElseThrow();
        String unit = r.period().toSeconds() == 1 ? "s" : r.period().toMinutes() == 1 ? "min" : "h";
        return r.tokens() + " submissions per " + unit + " (bursts up to " + r.burst() + ")";
    }

    /**
     * Counts a new job of {@code key} (429 past its quota) and records it as the key's; call
     * {@link Admission#queued} once it is queued, or {@link Admission#refused} when it was not.
     */
    Admission admit(Optional<ApiKey> key, SubmissionId id, boolean runs) {
        if (key.isEmpty()) return Admission.NONE;
        ApiKey k = key.get();
        limits.own(id, k.name()); // before anyone learns the id
        if (!runs) return Admission.NONE;
        if (!limits.startJob(k, id)) {
            throw new Problem(429, "too-many-jobs", "Concurrent job quota of the API key reached",
                    "key " + k.name() + " may have " + k.concurrent() + " jobs waiting or running at once; retry when one is done",
                    List.of(), Map.of("Retry-After", Integer.toString(Submissions.RETRY_AFTER_SEC)));
        }
        return new Admission() {
            @Override
            public void queued() {
                // the store's thread must not block on Redis: hand the bookkeeping to the executor
                push.whenFinal(id).thenRunAsync(() -> {
                    limits.endJob(k, id);
                    limits.own(id, k.name()); // the final result lives a TTL from now; its owner as long
                }, executor);
            }

            @Override
            public void refused() {
                limits.endJob(k, id);
            }
        };
    }

    interface Admission {
        Admission NONE = new Admission() {
            @Override
            public void queued() {
            }

            @Override
            public void refused() {
            }
        };

        void queued();

        void refused();
    }

    /** 404, as for an unknown id, unless keys are off or {@code id} is the caller's. */
    void checkVisible(Optional<ApiKey> caller, SubmissionId id) {
        if (!visible(caller, id)) throw SubmissionIds.unknown(id, config);
    }

    /** Whether the caller may see {@code id}: keys are off, or the caller submitted it. */
    boolean visible(Optional<ApiKey> caller, SubmissionId id) {
        return caller.isEmpty() || limits.owner(id).map(caller.get().name()::equals).orElse(false);
    }
}
