package dev.runbox.compat.judge0;

import dev.runbox.job.ExecutionResult;

/**
 * Judge0 CE's statuses (its {@code statuses} table, ids 1–14), and which one a Runbox result is. Runbox's
 * verdicts are fewer and coarser in one place and finer in another: a run killed by a signal is told
 * apart by the signal, as Judge0 does; Runbox's MLE has no Judge0 status of its own and is 12 (Runtime
 * Error (Other)) with Runbox's message, as Judge0 reports a run killed at its memory limit; OLE is 8
 * (SIGXFSZ), what Judge0 answers for output past its file size limit. 14 (Exec Format Error) is never
 * given: Runbox builds every program it runs.
 */
enum Judge0Status {
    IN_QUEUE(1, "In Queue"),
    PROCESSING(2, "Processing"),
    ACCEPTED(3, "Accepted"),
    WRONG_ANSWER(4, "Wrong Answer"),
    TIME_LIMIT_EXCEEDED(5, "Time Limit Exceeded"),
    COMPILATION_ERROR(6, "Compilation Error"),
    RUNTIME_ERROR_SIGSEGV(7, "Runtime Error (SIGSEGV)"),
    RUNTIME_ERROR_SIGXFSZ(8, "Runtime Error (SIGXFSZ)"),
    RUNTIME_ERROR_SIGFPE(9, "Runtime Error (SIGFPE)"),
    RUNTIME_ERROR_SIGABRT(10, "Runtime Error (SIGABRT)"),
    RUNTIME_ERROR_NZEC(11, "Runtime Error (NZEC)"),
    RUNTIME_ERROR_OTHER(12, "Runtime Error (Other)"),
    INTERNAL_ERROR(13, "Internal Error"),
    EXEC_FORMAT_ERROR(14, "Exec Format Error");

    private static final int SIGABRT = 6;
    private static final int SIGFPE = 8;
    private static final int SIGSEGV = 11;
    private static final int SIGXFSZ = 25;

    final int id;
    final String description;

    Judge0Status(int id, String description) {
        this.id = id;
        this.description = description;
    }

    static Judge0Status of(ExecutionResult r) {
        return switch (r.status()) {
            case PENDING -> IN_QUEUE;
            case PROCESSING -> PROCESSING;
            case OK -> ACCEPTED;
            case WA -> WRONG_ANSWER;
            case TLE -> TIME_LIMIT_EXCEEDED;
            case CE -> COMPILATION_ERROR;
            case OLE -> RUNTIME_ERROR_SIGXFSZ;
            case MLE -> RUNTIME_ERROR_OTHER;
            case RE -> runtimeError(r.signal());
            // a checker program is a judged submission's, which this layer never makes
            case INTERNAL_ERROR, CHECKER_FAILED -> INTERNAL_ERROR;
        };
    }

    private static Judge0Status runtimeError(Integer signal) {
        if (signal == null) return RUNTIME_ERROR_NZEC;
        return switch (signal) {
            case SIGSEGV -> RUNTIME_ERROR_SIGSEGV;
            case SIGXFSZ -> RUNTIME_ERROR_SIGXFSZ;
            case SIGFPE -> RUNTIME_ERROR_SIGFPE;
            case SIGABRT -> RUNTIME_ERROR_SIGABRT;
            default -> RUNTIME_ERROR_OTHER;
        };
    }
}
