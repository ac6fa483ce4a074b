package dev.runbox.job;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonView;
import dev.runbox.wire.Wire;

import java.time.Instant;

/**
 * Everything known about a submission at one moment; the store keeps the latest one. Fields of the
 * run (stdout, times, exit code…) are null until the status is final, and stay null when the program
 * never ran (CE). {@code compileOutput} is what the compiler printed (stdout, then stderr, capped), or
 * null for a language without a compile step. {@code cached} is true for a result copied from the
 * result cache instead of run (see {@link #cachedCopy}). {@code stdoutTruncated} and
 * {@code stderrTruncated}, like the run's other fields, are null while the status is not final.
 *
 * <p>Its wire shape is its components ({@link Wire}); clients see them in the order below (the README's
 * and openapi.yaml's), without {@code worker_id} and {@code attempts}.
 */
@JsonPropertyOrder({"submission_id", "status", "stdout", "stderr", "exit_code", "time_sec", "cpu_time_sec", "memory_kb",
        "signal", "stdout_truncated", "stderr_truncated", "message", "compile_output", "language", "created_at",
        "started_at", "finished_at", "cached"})
public record ExecutionResult(
        SubmissionId submissionId,
        Status status,
        String language,
        String stdout,
        String stderr,
        Integer exitCode,
        Integer signal,
        Double timeSec,
        Double cpuTimeSec,
        Long memoryKb,
        Boolean stdoutTruncated,
        Boolean stderrTruncated,
        String message,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        @JsonView(Wire.Internal.class) String workerId,
        @JsonView(Wire.Internal.class) int attempts,
        String compileOutput,
        boolean cached) {

    public ExecutionResult {
        if (status != null && !status.isFinal()) {
            // unknown until the run ends, whatever a writer passed
            stdoutTruncated = null;
            stderrTruncated = null;
        }
    }

    /** A result that was run, not taken from the cache, without compile output. */
    public ExecutionResult(SubmissionId submissionId, Status status, String language, String stdout, String stderr,
                           Integer exitCode, Integer signal, Double timeSec, Double cpuTimeSec, Long memoryKb,
                           Boolean stdoutTruncated, Boolean stderrTruncated, String message, Instant createdAt,
                           Instant startedAt, Instant finishedAt, String workerId, int attempts) {
        this(submissionId, status, language, stdout, stderr, exitCode, signal, timeSec, cpuTimeSec, memoryKb,
                stdoutTruncated, stderrTruncated, message, createdAt, startedAt, finishedAt, workerId, attempts, null, false);
    }

    /**
     * This final result as the result of another submission {@code id}, accepted at {@code now}: the
     * run's fields (output, times, memory, verdict) are this one's; created, started and finished are
     * {@code now}, since nothing ran for it.
     */
    public ExecutionResult cachedCopy(SubmissionId id, Instant now) {
        if (!status.isFinal()) throw new IllegalStateException("only a final result can be copied, not " + status);
        return new ExecutionResult(id, status, language, stdout, stderr, exitCode, signal, timeSec, cpuTimeSec, memoryKb,
                stdoutTruncated, stderrTruncated, message, now, now, now, null, 0, compileOutput, true);
    }

    public static ExecutionResult pending(Submission s) {
        return new ExecutionResult(s.id(), Status.PENDING, s.language(), null, null, null, null, null, null, null,
                null, null, null, s.createdAt(), null, null, null, 0);
    }

    public ExecutionResult processing(String worker, Instant now) {
        return new ExecutionResult(submissionId, Status.PROCESSING, language, null, null, null, null, null, null,
                null, null, null, null, createdAt, now, null, worker, attempts + 1);
    }

    public ExecutionResult internalError(String why, Instant now) {
        return new ExecutionResult(submissionId, Status.INTERNAL_ERROR, language, null, null, null, null, null,
                null, null, false, false, why, createdAt, startedAt, now, workerId, attempts);
    }
}
