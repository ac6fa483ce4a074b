package dev.runbox.job;

import java.time.Instant;

/**
 * Everything known about a submission at one moment; the store keeps the latest one. Fields of the
 * run (stdout, times, exit code…) are null until the status is final.
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
        int attempts) {

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
