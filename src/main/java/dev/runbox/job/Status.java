package dev.runbox.job;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The life of a submission. Every change of status goes through {@link #canMoveTo}: a final status is
 * never left, and nothing moves backwards (a stale worker cannot overwrite a stored verdict).
 */
public enum Status {
    PENDING, PROCESSING,
    /** The program exited with status 0 within every limit. */
    OK,
    /** CPU time or wall time limit reached. */
    TLE,
    /** The memory limit was reached and the kernel killed a process of the run. */
    MLE,
    /** stdout or stderr passed the output cap. */
    OLE,
    /** Non-zero exit or death by a signal. */
    RE,
    /** Compilation failed (languages with a compile step). */
    CE,
    /** The program's output differed from the expected output. */
    WA,
    /** Runbox itself failed (after its retries); the message says why. */
    INTERNAL_ERROR,
    /**
     * A judged submission's checker program failed (did not compile, crashed, hit its limits, or said
     * FAIL): the problem's fault, not the program's; the message says which test and why.
     */
    CHECKER_FAILED;

    private static final Set<Status> FINAL = EnumSet.of(OK, TLE, MLE, OLE, RE, CE, WA, INTERNAL_ERROR, CHECKER_FAILED);

    private static final Map<Status, Set<Status>> ALLOWED = Map.of(
            // PENDING -> final without PROCESSING: a job given up on before a worker ran it
            PENDING, EnumSet.of(PROCESSING, INTERNAL_ERROR),
            // PROCESSING -> PROCESSING: a job reclaimed from a lost worker is taken again
            PROCESSING, EnumSet.of(PROCESSING, OK, TLE, MLE, OLE, RE, CE, WA, INTERNAL_ERROR, CHECKER_FAILED));

    public boolean isFinal() {
        return FINAL.contains(this);
    }

    public boolean canMoveTo(Status next) {
        return ALLOWED.getOrDefault(this, Set.of()).contains(next);
    }
}
