package dev.runbox.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.runbox.config.RunboxConfig;
import dev.runbox.job.ExecutionResult;
import dev.runbox.job.SubmissionId;
import dev.runbox.store.ResultStore;
import dev.runbox.wire.Wire;
import io.javalin.http.Context;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * {@code POST /execute?wait=true&timeout_sec=N}: the answer is the final result (200) as soon as it is
 * stored, or the current result (202) when {@code timeout_sec} passes first. The request holds no
 * thread while it waits: it is an asynchronous response (Javalin's {@code ctx.future}) completed by
 * the store's push ({@link ResultPush#whenFinal}) or by the JDK's shared timer, and written on the
 * push executor.
 */
final class WaitForResult {

    /** The query parameters, validated before anything is queued (so a refused request changes nothing). */
    record Params(boolean waiting, Duration timeout) {
        static Params of(Context ctx, RunboxConfig config) {
            String wait = ctx.queryParam("wait");
            String timeout = ctx.queryParam("timeout_sec");
            boolean waiting;
            if (wait == null || wait.equals("false")) {
                waiting = false;
            } else if (wait.equals("true")) {
                waiting = true;
            } else {
                throw invalid("wait", "must be true or false");
            }
            long maxSec = config.maxWait().toSeconds();
            if (timeout == null) return new Params(waiting, config.maxWait());
            if (!waiting) throw invalid("timeout_sec", "is only meaningful with wait=true");
            double sec;
            try {
                sec = Double.parseDouble(timeout);
            } catch (NumberFormatException e) {
                throw invalid("timeout_sec", "must be a number of seconds, got '" + abbreviate(timeout) + "'");
            }
            if (!(sec > 0 && sec <= maxSec)) throw invalid("timeout_sec", "must be > 0 and <= " + maxSec + " (seconds)");
            return new Params(true, Duration.ofMillis(Math.max(1, Math.round(sec * 1000))));
        }
    }

    private final ResultPush push;
    private final ResultStore store;
    private final Executor executor;

    WaitForResult(ResultPush push, ResultStore store, Executor executor) {
        this.push = push;
        this.store = store;
        this.executor = executor;
    }

    /** Answers {@code ctx} with the final result of {@code id}, or its current one after {@code timeout}. */
    void answer(Context ctx, SubmissionId id, Duration timeout) {
        ctx.future(() -> result(id, timeout).thenAccept(r -> {
            ctx.status(r.status().isFinal() ? 200 : 202).header("Location", "/result/" + id);
            try {
                HttpApi.json(ctx, Wire.publicTree(r));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a result must serialize", e);
            }
        }));
    }

    /**
     * The final result of {@code id}, or its current one after {@code timeout}; completed on the
     * push executor, where the caller's answer is then written.
     */
    CompletableFuture<ExecutionResult> result(SubmissionId id, Duration timeout) {
        return push.whenFinal(id)
                .completeOnTimeout(null, timeout.toMillis(), TimeUnit.MILLISECONDS)
                // at the timeout, the current result (which may have just become final)
                .thenApplyAsync(fin -> fin != null ? fin : store.get(id).orElseThrow(() -> Problem.of(404,
                        "unknown-submission", "Unknown submission", "the result of " + id + " expired while waiting")), executor);
    }

    private static Problem invalid(String field, String message) {
        return Problem.invalidFields(List.of(new Problem.FieldError(field, message)));
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
