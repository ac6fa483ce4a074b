package dev.runbox.client;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A submission's result as {@code GET /result/{id}} gave it (the README documents every field).
 * Fields of the run are null until the status is final. Fields this client does not know are kept
 * in {@link #json()}.
 */
public record Result(String submissionId, String status, String stdout, String stderr, Integer exitCode, Integer signal,
                     Double timeSec, Double cpuTimeSec, Long memoryKb, Boolean stdoutTruncated, Boolean stderrTruncated,
                     String message, String compileOutput, String language, Instant createdAt, Instant startedAt,
                     Instant finishedAt, Boolean cached, JsonNode json) {

    /**
     * Whether the status is final. Anything but PENDING and PROCESSING is final, so that a status added
     * by a newer server still ends a wait.
     */
    public boolean isFinal() {
        return !status.equals("PENDING") && !status.equals("PROCESSING");
    }

    /** Exited with status 0 within every limit. */
    public boolean isOk() {
        return status.equals("OK");
    }

    /** A judged submission's tests passed (null for a plain run, or until final). */
    public Integer testsPassed() {
        return integer(json, "tests_passed");
    }

    /** A judged submission's points (null for a plain run, or until final). */
    public Double points() {
        return decimal(json, "points");
    }

    /** A judged submission's test results, in the request's order (empty for a plain run). */
    public List<JsonNode> tests() {
        List<JsonNode> out = new ArrayList<>();
        if (json != null && json.path("tests").isArray()) json.get("tests").forEach(out::add);
        return out;
    }

    /** Reads a result document (the body of {@code GET /result/{id}}, or one received by other means). */
    public static Result from(JsonNode n) {
        return new Result(text(n, "submission_id"), text(n, "status"), text(n, "stdout"), text(n, "stderr"),
                integer(n, "exit_code"), integer(n, "signal"), decimal(n, "time_sec"), decimal(n, "cpu_time_sec"),
                n.hasNonNull("memory_kb") ? n.get("memory_kb").asLong() : null, bool(n, "stdout_truncated"),
                bool(n, "stderr_truncated"), text(n, "message"), text(n, "compile_output"), text(n, "language"),
                instant(n, "created_at"), instant(n, "started_at"), instant(n, "finished_at"), bool(n, "cached"), n);
    }

    private static String text(JsonNode n, String f) {
        return n.hasNonNull(f) ? n.get(f).asText() : null;
    }

    private static Instant instant(JsonNode n, String f) {
        return n.hasNonNull(f) ? Instant.parse(n.get(f).asText()) : null;
    }

    private static Integer integer(JsonNode n, String f) {
        return n.hasNonNull(f) ? n.get(f).asInt() : null;
    }

    private static Double decimal(JsonNode n, String f) {
        return n.hasNonNull(f) ? n.get(f).asDouble() : null;
    }

    private static Boolean bool(JsonNode n, String f) {
        return n.hasNonNull(f) ? n.get(f).asBoolean() : null;
    }
}
