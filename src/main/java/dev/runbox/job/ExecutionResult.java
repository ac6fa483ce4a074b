package dev.runbox.job;

import java.time.Instant;

/**
 * Everything known about a submission at one moment; the store keeps the latest one. Fields of the
 * run (stdout, times, exit code…) are null until the status is final, and stay null when the program
 * never ran (CE). {@code compileOutput} is what the compiler printed (stdout, then stderr, capped), or
 * null for a language without a compile step. {@code cached} is true for a result copied from the
 * result cache instead of run (see {@link #cachedCopy}).
 */
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
        boolean stdoutTruncated,
        boolean stderrTruncated,
        String message,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        String workerId,
        int attempts,
        String compileOutput,
        boolean cached) {

    /** A result that was run, not taken from the cache, without compile output. */
    public ExecutionResult(SubmissionId submissionId, Status status, String language, String stdout, String stderr,
                           Integer exitCode, Integer signal, Double timeSec, Double cpuTimeSec, Long memoryKb,
                           boolean stdoutTruncated, boolean stderrTruncated, String message, Instant createdAt,
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
                false, false, null, s.createdAt(), null, null, null, 0);
    }

    public ExecutionResult processing(String worker, Instant now) {
        return new ExecutionResult(submissionId, Status.PROCESSING, language, null, null, null, null, null, null,
                null, false, false, null, createdAt, now, null, worker, attempts + 1);
    }

    public ExecutionResult internalError(String why, Instant now) {
        return new ExecutionResult(submissionId, Status.INTERNAL_ERROR, language, null, null, null, null, null,
                null, null, false, false, why, createdAt, startedAt, now, workerId, attempts);
    }
}
