package dev.runbox.job;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonView;
import dev.runbox.judge.CollectedFile;
import dev.runbox.judge.TestResult;
import dev.runbox.wire.Wire;

import java.time.Instant;
import java.util.List;

/**
 * Everything known about a submission at one moment; the store keeps the latest one. Fields of the
 * run (stdout, times, exit code…) are null until the status is final, and stay null when the program
 * never ran (CE). {@code compileOutput} is what the compiler printed (stdout, then stderr, capped), or
 * null for a language without a compile step. {@code cached} is true for a result copied from the
 * result cache instead of run (see {@link #cachedCopy}). {@code stdoutTruncated} and
 * {@code stderrTruncated}, like the run's other fields, are null while the status is not final.
 *
 * <p>A judged submission (one with tests) has {@code tests}: one {@link TestResult} per finished test,
 * growing while it is PROCESSING, all of them once final; {@code testsPassed} and {@code points} (the sum
 * of what its tests earned) are set once final. Its own stdout, stderr, exit code and signal are null
 * (each test has its own); its times and memory are the largest of its tests'. A plain run has null there.
 * {@code collected} holds the files of the request's {@code collect}, once final (null when it asked for none).
 *
 * <p>Its wire shape is its components ({@link Wire}); clients see them in the order below (the README's
 * and openapi.yaml's), without {@code worker_id} and {@code attempts}.
 */
@JsonPropertyOrder({"submission_id", "status", "stdout", "stderr", "exit_code", "time_sec", "cpu_time_sec", "memory_kb",
        "signal", "stdout_truncated", "stderr_truncated", "message", "compile_output", "language", "created_at",
        "started_at", "finished_at", "cached", "tests", "tests_passed", "points", "collected"})
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
        boolean cached,
        List<TestResult> tests,
        Integer testsPassed,
        Double points,
        List<CollectedFile> collected) {

    public ExecutionResult {
        if (status != null && !status.isFinal()) {
            // unknown until the run ends, whatever a writer passed
            stdoutTruncated = null;
            stderrTruncated = null;
        }
        if (tests != null) tests = List.copyOf(tests);
        if (collected != null) collected = List.copyOf(collected);
    }

    /** A result without tests (a plain run, or a judged one before its first test ended). */
    public ExecutionResult(SubmissionId submissionId, Status status, String language, String stdout, String stderr,
                           Integer exitCode, Integer signal, Double timeSec, Double cpuTimeSec, Long memoryKb,
                           Boolean stdoutTruncated, Boolean stderrTruncated, String message, Instant createdAt,
                           Instant startedAt, Instant finishedAt, String workerId, int attempts, String compileOutput,
                           boolean cached) {
        this(submissionId, status, language, stdout, stderr, exitCode, signal, timeSec, cpuTimeSec, memoryKb,
                stdoutTruncated, stderrTruncated, message, createdAt, startedAt, finishedAt, workerId, attempts, compileOutput,
                cached, null, null, null, null);
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
                stdoutTruncated, stderrTruncated, message, now, now, now, null, 0, compileOutput, true, tests, testsPassed, points,
                collected);
    }

    public static ExecutionResult pending(Submission s) {
        return new ExecutionResult(s.id(), Status.PENDING, s.language(), null, null, null, null, null, null, null,
                null, null, null, s.createdAt(), null, null, null, 0);
    }

    /** This final result with the files collected from /box after the run. */
    public ExecutionResult withCollected(List<CollectedFile> files) {
        return new ExecutionResult(submissionId, status, language, stdout, stderr, exitCode, signal, timeSec, cpuTimeSec, memoryKb,
                stdoutTruncated, stderrTruncated, message, createdAt, startedAt, finishedAt, workerId, attempts, compileOutput, cached,
                tests, testsPassed, points, files);
    }

    /** This PROCESSING result showing the tests finished so far (without their output). */
    public ExecutionResult withTestsSoFar(String compileOutput, List<TestResult> finished) {
        if (status != Status.PROCESSING) throw new IllegalStateException("tests so far are shown while PROCESSING, not " + status);
        return new ExecutionResult(submissionId, status, language, null, null, null, null, null, null, null, null, null, null,
                createdAt, startedAt, null, workerId, attempts, compileOutput, false,
                finished.stream().map(TestResult::withoutOutput).toList(), null, null, null);
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
