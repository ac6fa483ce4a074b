package dev.runbox.judge;

import dev.runbox.job.Status;

/** The verdict of one test of a judged submission. */
public enum TestStatus {
    /** The run ended OK and the checker accepted its output. */
    OK,
    /** The run ended OK and the checker refused its output. */
    WA,
    /** The run ended OK and the checker program said: presentation error (testlib's exit code 2). */
    PE,
    /** The run ended OK and the checker program gave part of the test's points (testlib's quitp, exit code 7). */
    PARTIAL,
    /** The checker program or the interactor failed (crashed, hit its limits, said FAIL, or answered what testlib never does): the problem's fault, not the program's. */
    CHECKER_FAILED,
    TLE, MLE, OLE, RE,
    /** Not run: an earlier test failed and the submission asked to stop on the first failure. */
    SKIPPED;

    /** The submission's status when this is its first failing test (or OK). */
    public Status submissionStatus() {
        return switch (this) {
            case OK, SKIPPED -> Status.OK;
            case WA, PE, PARTIAL -> Status.WA;
            case CHECKER_FAILED -> Status.CHECKER_FAILED;
            case TLE -> Status.TLE;
            case MLE -> Status.MLE;
            case OLE -> Status.OLE;
            case RE -> Status.RE;
        };
    }

    /** The test's status for a run that ended with {@code s} (before any checker). */
    public static TestStatus ofRun(Status s) {
        return switch (s) {
            case OK -> OK;
            case WA -> WA;
            case TLE -> TLE;
            case MLE -> MLE;
            case OLE -> OLE;
            case RE -> RE;
            default -> throw new IllegalArgumentException("a run of a test does not end " + s);
        };
    }

    /** Whether a limit the machine's load may move ended the test. */
    public boolean hitALimit() {
        return this == TLE || this == MLE || this == OLE;
    }
}
