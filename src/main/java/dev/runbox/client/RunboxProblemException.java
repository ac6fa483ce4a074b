package dev.runbox.client;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Optional;

/**
 * The server answered with an error: an RFC 9457 problem ({@code application/problem+json}), kept
 * whole in {@link #problem()}. {@link #status()} is the HTTP status (400 invalid request, 404 unknown
 * id, 413, 415, 503 queue full…).
 */
public final class RunboxProblemException extends RunboxException {

    private final int status;
    private final JsonNode problem;
    private final Optional<Long> retryAfterSec;

    RunboxProblemException(int status, JsonNode problem, Optional<Long> retryAfterSec) {
        super(describe(status, problem));
        this.status = status;
        this.problem = problem;
        this.retryAfterSec = retryAfterSec;
    }

    public int status() {
        return status;
    }

    /** The problem document as the server sent it ({@code type}, {@code title}, {@code detail}, {@code errors}…). */
    public JsonNode problem() {
        return problem;
    }

    /** {@code urn:runbox:problem:invalid-request} and the like. */
    public String type() {
        return problem.path("type").asText("about:blank");
    }

    public String detail() {
        return problem.path("detail").asText("");
    }

    /** The first field the server found invalid, when it named one. */
    public Optional<String> field() {
        return problem.hasNonNull("field") ? Optional.of(problem.get("field").asText()) : Optional.empty();
    }

    /** Seconds the server asked to wait before retrying (503 queue full), when it said. */
    public Optional<Long> retryAfterSec() {
        return retryAfterSec;
    }

    private static String describe(int status, JsonNode problem) {
        String title = problem.path("title").asText("HTTP " + status);
        String detail = problem.path("detail").asText("");
        return status + " " + title + (detail.isEmpty() ? "" : ": " + detail);
    }
}
