package dev.runbox.judge;

import dev.runbox.job.Status;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Turns the runs of a judged submission's tests into test results and those into the submission's
 * verdict: its status is its first failing test's (in the request's order), else OK — except that a
 * failed checker makes it CHECKER_FAILED, whichever test it was; {@code points} is the sum of what
 * the tests earned (a test earns its points when OK, the checker's share of them when PARTIAL, else
 * nothing).
 */
public final class Judging {

    private Judging() {
    }

    /** How one test's program ended, as the worker measured and judged the run (before any checker). */
    public record Run(Status status, String message, byte[] stdout, boolean stdoutTruncated, byte[] stderr,
                      boolean stderrTruncated, Integer exitCode, Integer signal, double timeSec, double cpuTimeSec, long memoryKb) {
    }

    /**
     * The result of test {@code index}: the run's own verdict, or, for a run that ended OK, the
     * checker's ({@code checked}; null when no checker ran: a built-in and no expected output). Output is
     * kept up to {@code keepBytes} per stream.
     */
    public static TestResult judge(int index, TestCase test, Run run, CheckerVerdict checked, int keepBytes) {
        TestStatus status = TestStatus.ofRun(run.status());
        String message = run.message();
        String checkerOutput = null;
        double earned = status == TestStatus.OK ? test.points() : 0;
        if (status == TestStatus.OK && checked != null) {
            status = checked.status();
            message = checked.message();
            checkerOutput = checked.comment();
            earned = checked.status() == TestStatus.CHECKER_FAILED ? 0 : checked.fraction() * test.points();
        }
        return new TestResult(index, test.name(), status, decode(run.stdout(), keepBytes), decode(run.stderr(), keepBytes),
                run.stdoutTruncated() || run.stdout().length > keepBytes, run.stderrTruncated() || run.stderr().length > keepBytes,
                run.exitCode(), run.signal(), run.timeSec(), run.cpuTimeSec(), run.memoryKb(), message,
                checkerOutput == null ? null : decode(checkerOutput.getBytes(StandardCharsets.UTF_8), keepBytes), earned);
    }

    /** Signal 13: a program that wrote to a pipe nobody reads any more. */
    static final int SIGPIPE = 13;

    /**
     * How the interactor of an interactive test ended: its testlib verdict ({@link Testlib#verdict}, or
     * CHECKER_FAILED when it crashed or hit a limit of its own), and whether it ended before the program
     * (as the worker saw the two runs end).
     */
    public record InteractorRun(CheckerVerdict verdict, boolean endedFirst) {
    }

    /**
     * The result of interactive test {@code index}, decided as testlib-based judges decide one
     * (Codeforces, DMOJ's bridged grader):
     * <ol>
     *   <li>an interactor that failed (said FAIL, crashed, hit its limits, gave no testlib code) makes the
     *       test CHECKER_FAILED: the problem's fault, whatever the program did;</li>
     *   <li>a program that failed (TLE, MLE, OLE, RE) gets its own verdict, even when the interactor
     *       accepted (a run that did not end cleanly earns nothing; DMOJ's rule) — unless it ended RE while
     *       the interactor refused (WA, PE, partial) and ended first, or it died of SIGPIPE (it wrote to an
     *       interactor that had ended): then its crash followed from the interactor's verdict, which stands.
     *       A limit is always the program's own: an interactor that ended leaves it end of file, not a wait;</li>
     *   <li>else the interactor's verdict; when it accepted, the checker's on the interactor's output file
     *       ({@code checked}; null when no checker ran).</li>
     * </ol>
     * {@code checker_output} is what the checker said when it ran, else what the interactor said.
     */
    public static TestResult interactive(int index, TestCase test, Run program, InteractorRun interactor, CheckerVerdict checked,
                                         int keepBytes) {
        CheckerVerdict said = interactor.verdict();
        boolean interactorFailed = said.status() == TestStatus.CHECKER_FAILED;
        boolean refused = !interactorFailed && said.status() != TestStatus.OK;
        boolean programFirst = program.status() != Status.OK && !(refused && program.status() == Status.RE
                && (interactor.endedFirst() || Integer.valueOf(SIGPIPE).equals(program.signal())));
        if (!interactorFailed && programFirst) {
            TestResult own = judge(index, test, program, null, keepBytes);
            return new TestResult(own.index(), own.name(), own.status(), own.stdout(), own.stderr(), own.stdoutTruncated(),
                    own.stderrTruncated(), own.exitCode(), own.signal(), own.timeSec(), own.cpuTimeSec(), own.memoryKb(), own.message(),
                    decode(said.comment().getBytes(StandardCharsets.UTF_8), keepBytes), own.points());
        }
        CheckerVerdict decided = interactorFailed || refused ? said : checked != null ? checked : said;
        Run ran = new Run(Status.OK, null, program.stdout(), program.stdoutTruncated(), program.stderr(), program.stderrTruncated(),
                program.exitCode(), program.signal(), program.timeSec(), program.cpuTimeSec(), program.memoryKb());
        return judge(index, test, ran, decided, keepBytes);
    }

    /** A built-in checker's verdict on a run's whole stdout, or null when the test has no expected output. */
    public static CheckerVerdict builtin(Checker checker, TestCase test, byte[] stdout) {
        if (test.expectedOutput() == null) return null;
        return CheckerVerdict.of(checker, BuiltinCheckers.check(checker, decode(stdout, stdout.length), test.expectedOutput()));
    }

    /** The verdict of a whole judged submission. */
    public record Overall(Status status, String message, int testsPassed, double points, Double timeSec, Double cpuTimeSec,
                          Long memoryKb) {
    }

    public static Overall overall(List<TestResult> results) {
        // a failed checker makes every verdict of the submission doubtful: it is the problem's, whichever test it was
        TestResult firstFailing = results.stream().filter(r -> r.status() == TestStatus.CHECKER_FAILED).findFirst()
                .orElseGet(() -> results.stream()
                        .filter(r -> r.status() != TestStatus.OK && r.status() != TestStatus.SKIPPED).findFirst().orElse(null));
        int passed = (int) results.stream().filter(r -> r.status() == TestStatus.OK).count();
        double points = results.stream().mapToDouble(TestResult::points).sum();
        Double time = results.stream().filter(r -> r.timeSec() != null).map(TestResult::timeSec).max(Double::compare).orElse(null);
        Double cpu = results.stream().filter(r -> r.cpuTimeSec() != null).map(TestResult::cpuTimeSec).max(Double::compare).orElse(null);
        Long memory = results.stream().filter(r -> r.memoryKb() != null).map(TestResult::memoryKb).max(Long::compare).orElse(null);
        if (firstFailing == null) return new Overall(Status.OK, null, passed, points, time, cpu, memory);
        String name = firstFailing.name() == null ? "" : " (" + firstFailing.name() + ")";
        return new Overall(firstFailing.status().submissionStatus(),
                "test " + (firstFailing.index() + 1) + name + " of " + results.size() + ": " + firstFailing.message(),
                passed, points, time, cpu, memory);
    }

    /** The first {@code limit} bytes as UTF-8, each invalid byte (or a character cut at the limit) as U+FFFD. */
    static String decode(byte[] bytes, int limit) {
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(bytes, 0, Math.min(limit, bytes.length)));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("decoder with REPLACE cannot fail", e);
        }
    }
}
