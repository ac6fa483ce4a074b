package dev.runbox.compat.piston;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runbox.job.ExecutionResult;
import io.javalin.http.Context;

import java.util.concurrent.CompletableFuture;

/**
 * All the Piston layer asks of Runbox: run one request of Runbox's own {@code POST /execute} to its end,
 * on the same path as any other (API keys, queue, workers, result store), so that it behaves the same
 * embedded and with separate API and worker processes.
 */
@FunctionalInterface
public interface RunboxRuns {

    /**
     * Accepts {@code body}, a Runbox {@code POST /execute} body, as {@code ctx}'s caller; the future
     * completes with the final result, or with the current one when the server's {@code max-wait-sec}
     * passed first.
     *
     * @throws dev.runbox.api.Problem when the request is refused (invalid, over a key's quota, queue full)
     */
    CompletableFuture<ExecutionResult> runToEnd(Context ctx, JsonNode body);
}
