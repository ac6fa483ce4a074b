package dev.runbox.cli;

import dev.runbox.client.Result;

/**
 * Exit statuses of {@code runbox run} and {@code runbox result}: the program's own when it ran to its
 * end, a distinct one when a limit stopped it or Runbox could not run it. A program may itself exit
 * with one of the codes below; the summary line on stderr always tells which it was.
 */
final class ExitCodes {
    private ExitCodes() {
    }

    /** Bad command line, unreadable file, unknown language, or the server refused the request (4xx). */
    static final int USAGE = 2;
    /** No final result yet (result without --wait, or the wait timed out): the submission goes on. */
    static final int NOT_FINAL = 75;
    /** A judged submission's checker program failed: the problem's fault. */
    static final int CHECKER_FAILED = 119;
    static final int WA = 120;
    static final int CE = 121;
    static final int OLE = 122;
    static final int MLE = 123;
    /** As GNU timeout(1). */
    static final int TLE = 124;
    /** Runbox failed: INTERNAL_ERROR, server unreachable or 5xx, no sandbox on this host. */
    static final int RUNBOX_FAILED = 125;
    /** A program killed by signal N exits with 128 + N, as in shells. */
    static final int SIGNAL_BASE = 128;

    static int of(Result r) {
        return switch (r.status()) {
            case "OK" -> 0;
            case "RE" -> {
                if (r.signal() != null) yield SIGNAL_BASE + r.signal();
                if (r.exitCode() != null && r.exitCode() != 0) yield r.exitCode() & 0xff;
                yield 1;
            }
            case "TLE" -> TLE;
            case "MLE" -> MLE;
            case "OLE" -> OLE;
            case "CE" -> CE;
            case "WA" -> WA;
            case "CHECKER_FAILED" -> CHECKER_FAILED;
            case "PENDING", "PROCESSING" -> NOT_FINAL;
            default -> RUNBOX_FAILED; // INTERNAL_ERROR, or a status this client does not know
        };
    }
}
