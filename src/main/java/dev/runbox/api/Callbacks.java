package dev.runbox.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.runbox.config.RunboxConfig;
import dev.runbox.job.ExecutionResult;
import dev.runbox.job.SubmissionId;
import dev.runbox.wire.Wire;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Delivers final results to {@code callback_url}s: one POST of the result JSON (the body of
 * GET /result/{id}; a compatibility layer may send its own shape with its own method), signed with HMAC-SHA256 under the server's {@code callback-secret}.
 *
 * <p>Guarantees: at most {@code callback-max-attempts} attempts per submission; an attempt that fails
 * on the network or answers 5xx is retried after {@code callback-backoff-ms} × 2^(attempt−1), capped
 * at {@code callback-max-backoff-sec}; any other answer ends delivery (2xx: delivered; 3xx, 4xx: the
 * receiver refused it, logged). Redirects are not followed. Before every attempt the target is
 * checked again ({@link CallbackTargets#checkAddresses}). Delivery is made by the API process that
 * accepted the submission, without blocking a thread while waiting: a process that stops drops the
 * deliveries it still had pending.
 *
 * <p>Signature: {@code X-Runbox-Signature: sha256=<hex>} where hex is HMAC-SHA256(secret,
 * {@code <X-Runbox-Timestamp> + "." + <body bytes>}); the timestamp (Unix seconds, signed anew on
 * each attempt) lets receivers refuse replays.
 */
final class Callbacks implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Callbacks.class);
    static final String SIGNATURE = "X-Runbox-Signature";
    static final String TIMESTAMP = "X-Runbox-Timestamp";
    static final String SUBMISSION = "X-Runbox-Submission-Id";
    static final String ATTEMPT = "X-Runbox-Attempt";
    /** How long one attempt may take, connecting included. */
    static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(10);

    private final RunboxConfig config;
    private final ResultPush push;
    private final Clock clock;
    private final ExecutorService executor;
    private final HttpClient http;
    private final byte[] secret;

    Callbacks(RunboxConfig config, ResultPush push, Clock clock, ExecutorService executor) {
        this.config = config;
        this.push = push;
        this.clock = clock;
        this.executor = executor;
        this.secret = config.callbackSecret().map(s -> s.value().getBytes(StandardCharsets.UTF_8)).orElse(null);
        this.http = HttpClient.newBuilder()
                .executor(executor)
                .connectTimeout(ATTEMPT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                // no proxy: the address check must be about the address actually connected to
                .proxy(HttpClient.Builder.NO_PROXY)
                .build();
    }

    /** POSTs the final result of {@code id} to {@code url} once it is stored. */
    void deliverWhenFinal(SubmissionId id, URI url) {
        deliverWhenFinal(id, new Delivery(url, "POST", Callbacks::runboxBody));
    }

    /**
     * Sends the final result of {@code id} as {@code delivery} says, once it is stored, with the same
     * signature, retries and address checks as Runbox's own callbacks (a compatibility layer's shape:
     * Judge0 PUTs its own JSON).
     */
    void deliverWhenFinal(SubmissionId id, Delivery delivery) {
        push.whenFinal(id).thenAcceptAsync(r -> attempt(delivery, r, 1), executor);
    }

    /**
     * One callback's target, HTTP method and body.
     *
     * @param body the bytes sent for a final result (JSON)
     */
    record Delivery(URI url, String method, Function<ExecutionResult, byte[]> body) {
    }

    private static byte[] runboxBody(ExecutionResult r) {
        try {
            return HttpApi.JSON.writeValueAsBytes(Wire.publicTree(r));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a result must serialize", e);
        }
    }

    private void attempt(Delivery d, ExecutionResult r, int attempt) {
        URI url = d.url();
        try {
            CallbackTargets.checkAddresses(url, config.callbackAllowPrivate());
        } catch (CallbackTargets.Refused e) {
            if (e.transientFailure()) {
                retryOrGiveUp(d, r, attempt, e.getMessage());
            } else {
                log.warn("callback of {} to {} not sent: {}", r.submissionId(), url, e.getMessage());
            }
            return;
        }
        byte[] body = d.body().apply(r);
        String timestamp = Long.toString(clock.instant().getEpochSecond());
        HttpRequest req = HttpRequest.newBuilder(url)
                .timeout(ATTEMPT_TIMEOUT)
                .header("Content-Type", "application/json")
                .header("User-Agent", "Runbox-Callback/1")
                .header(SUBMISSION, r.submissionId().toString())
                .header(ATTEMPT, Integer.toString(attempt))
                .header(TIMESTAMP, timestamp)
                .header(SIGNATURE, "sha256=" + sign(secret, timestamp, body))
                .method(d.method(), HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        http.sendAsync(req, HttpResponse.BodyHandlers.discarding()).whenComplete((resp, err) -> {
            if (err != null) {
                retryOrGiveUp(d, r, attempt, "network error: " + err);
            } else if (resp.statusCode() >= 500) {
                retryOrGiveUp(d, r, attempt, "the receiver answered " + resp.statusCode());
            } else if (resp.statusCode() >= 300) {
                log.warn("callback of {} to {} refused by the receiver with {} (attempt {}); not retried",
                        r.submissionId(), url, resp.statusCode(), attempt);
            } else {
                log.info("callback of {} delivered to {} (attempt {})", r.submissionId(), url, attempt);
            }
        });
    }

    private void retryOrGiveUp(Delivery d, ExecutionResult r, int attempt, String why) {
        URI url = d.url();
        if (attempt >= config.callbackMaxAttempts()) {
            log.warn("callback of {} to {} failed after {} attempts; giving up. Last failure: {}", r.submissionId(), url,
                    attempt, why);
            return;
        }
        Duration delay = backoff(attempt, config.callbackBackoff(), config.callbackMaxBackoff());
        log.info("callback of {} to {} failed (attempt {}/{}: {}); retrying in {} ms", r.submissionId(), url, attempt,
                config.callbackMaxAttempts(), why, delay.toMillis());
        CompletableFuture.runAsync(() -> attempt(d, r, attempt + 1),
                CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS, executor));
    }

    /** The wait after failed attempt {@code attempt} (from 1): first × 2^(attempt−1), at most max. */
    static Duration backoff(int attempt, Duration first, Duration max) {
        long ms = first.toMillis() << Math.min(attempt - 1, 30);
        return ms <= 0 || ms > max.toMillis() ? max : Duration.ofMillis(ms);
    }

    /** Hex HMAC-SHA256 of {@code timestamp + "." + body}: what receivers compute to verify a callback. */
    static String sign(byte[] secret, String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
