package dev.runbox.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runbox.job.ExecutionResult;
import dev.runbox.job.Limits;
import dev.runbox.job.Status;
import dev.runbox.job.Submission;
import dev.runbox.job.SubmissionId;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * How jobs and results are written in Redis: JSON with the API's snake_case names. Readers ignore
 * fields they do not know, so a newer writer does not break an older reader during a rolling upgrade.
 */
public final class Codec {

    private static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private Codec() {
    }

    public static String job(Submission s) {
        ObjectNode n = JSON.createObjectNode();
        n.put("submission_id", s.id().toString());
        n.put("language", s.language());
        n.put("source_code", s.sourceCode());
        n.put("stdin_data", s.stdin());
        n.put("cpu_time_ns", s.limits().cpuTime().toNanos());
        n.put("memory_bytes", s.limits().memoryBytes());
        n.put("cpu_cores", s.limits().cpuCores());
        n.put("created_at", s.createdAt().toString());
        return write(n);
    }

    public static Submission job(String json) {
        JsonNode n = read(json);
        return new Submission(new SubmissionId(UUID.fromString(n.path("submission_id").asText())),
                n.path("language").asText(), n.path("source_code").asText(), n.path("stdin_data").asText(""),
                new Limits(Duration.ofNanos(n.path("cpu_time_ns").asLong()), n.path("memory_bytes").asLong(),
                        n.path("cpu_cores").asDouble()),
                Instant.parse(n.path("created_at").asText()));
    }

    public static String result(ExecutionResult r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("submission_id", r.submissionId().toString());
        n.put("status", r.status().name());
        n.put("language", r.language());
        n.put("stdout", r.stdout());
        n.put("stderr", r.stderr());
        n.put("exit_code", r.exitCode());
        n.put("signal", r.signal());
        n.put("time_sec", r.timeSec());
        n.put("cpu_time_sec", r.cpuTimeSec());
        n.put("memory_kb", r.memoryKb());
        n.put("stdout_truncated", r.stdoutTruncated());
        n.put("stderr_truncated", r.stderrTruncated());
        n.put("message", r.message());
        n.put("created_at", iso(r.createdAt()));
        n.put("started_at", iso(r.startedAt()));
        n.put("finished_at", iso(r.finishedAt()));
        n.put("worker_id", r.workerId());
        n.put("attempts", r.attempts());
        return write(n);
    }

    public static ExecutionResult result(String json) {
        JsonNode n = read(json);
        return new ExecutionResult(new SubmissionId(UUID.fromString(n.path("submission_id").asText())),
                Status.valueOf(n.path("status").asText()), text(n, "language"), text(n, "stdout"), text(n, "stderr"),
                n.hasNonNull("exit_code") ? n.get("exit_code").asInt() : null,
                n.hasNonNull("signal") ? n.get("signal").asInt() : null,
                n.hasNonNull("time_sec") ? n.get("time_sec").asDouble() : null,
                n.hasNonNull("cpu_time_sec") ? n.get("cpu_time_sec").asDouble() : null,
                n.hasNonNull("memory_kb") ? n.get("memory_kb").asLong() : null,
                n.path("stdout_truncated").asBoolean(false), n.path("stderr_truncated").asBoolean(false),
                text(n, "message"), instant(n, "created_at"), instant(n, "started_at"), instant(n, "finished_at"),
                text(n, "worker_id"), n.path("attempts").asInt(0));
    }

    /** A JSON object as a string; for small records such as heartbeats. */
    public static String write(JsonNode n) {
        try {
            return JSON.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree always serializes", e);
        }
    }

    public static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
    }

    public static ObjectNode object() {
        return JSON.createObjectNode();
    }

    private static String text(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asText() : null;
    }

    private static Instant instant(JsonNode n, String field) {
        return n.hasNonNull(field) ? Instant.parse(n.get(field).asText()) : null;
    }

    private static String iso(Instant t) {
        return t == null ? null : t.toString();
    }
}
