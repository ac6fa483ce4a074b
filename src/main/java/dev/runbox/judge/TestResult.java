package dev.runbox.judge;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The result of one test of a judged submission. The run's fields are those of the submission's own
 * result (see {@code ExecutionResult}); all but {@code index}, {@code name}, {@code status} and
 * {@code points} are null for a SKIPPED test. {@code stdout} and {@code stderr} keep at most the
 * {@code test-output-keep-bytes} setting each (the checker saw up to the output cap), and are null in
 * the results shown while the submission is PROCESSING (the final result has them).
 *
 * @param index         the test's place in the request's {@code tests}, from 0
 * @param checkerOutput what the checker said about the output (a built-in: where it first differs, or ok); in an
 *                      interactive test, what the interactor said when no checker ran
 * @param points        what the test earned: its points when OK, the checker's share of them when PARTIAL, else 0
 */
@JsonPropertyOrder({"index", "name", "status", "stdout", "stderr", "stdout_truncated", "stderr_truncated", "exit_code",
        "signal", "time_sec", "cpu_time_sec", "memory_kb", "message", "checker_output", "points"})
public record TestResult(int index, String name, TestStatus status, String stdout, String stderr, Boolean stdoutTruncated,
                         Boolean stderrTruncated, Integer exitCode, Integer signal, Double timeSec, Double cpuTimeSec,
                         Long memoryKb, String message, String checkerOutput, double points) {

    public static TestResult skipped(int index, TestCase t) {
        return new TestResult(index, t.name(), TestStatus.SKIPPED, null, null, null, null, null, null, null, null, null,
                "not run: an earlier test failed (stop_on_first_failure)", null, 0);
    }

    /** This result without its output, as shown while the submission runs. */
    public TestResult withoutOutput() {
        return new TestResult(index, name, status, null, null, stdoutTruncated, stderrTruncated, exitCode, signal, timeSec,
                cpuTimeSec, memoryKb, message, checkerOutput, points);
    }
}
