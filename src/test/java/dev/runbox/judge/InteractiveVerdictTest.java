package dev.runbox.judge;

import dev.runbox.job.Status;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** How {@link Judging#interactive} decides a test from the program's run and the interactor's verdict. */
class InteractiveVerdictTest {

    private static final TestCase TEST = new TestCase("t", "37 100", null, 2);
    private static final CheckerVerdict OK = Testlib.verdict(Testlib.OK, "found in 3");
    private static final CheckerVerdict WA = Testlib.verdict(Testlib.WA, "more than 20 guesses");
    private static final CheckerVerdict FAIL = Testlib.verdict(Testlib.FAIL, "bad input").byInteractor();

    private static Judging.Run run(Status status, Integer signal) {
        return new Judging.Run(status, status == Status.OK ? null : "it " + status, new byte[0], false, new byte[0], false,
                signal == null ? 0 : null, signal, 0.1, 0.1, 1000);
    }

    private static TestStatus decide(Status program, Integer signal, CheckerVerdict interactor, boolean interactorFirst,
                                     CheckerVerdict checked) {
        return Judging.interactive(0, TEST, run(program, signal), new Judging.InteractorRun(interactor, interactorFirst), checked, 100)
                .status();
    }

    @Test
    void both_OK_is_OK_and_earns_the_points_unless_the_checker_refuses() {
        TestResult r = Judging.interactive(0, TEST, run(Status.OK, null), new Judging.InteractorRun(OK, true), null, 100);
        assertThat(r.status()).isEqualTo(TestStatus.OK);
        assertThat(r.points()).isEqualTo(2.0);
        assertThat(r.checkerOutput()).isEqualTo("found in 3");
        assertThat(decide(Status.OK, null, OK, true, Testlib.verdict(Testlib.WA, "too slow"))).isEqualTo(TestStatus.WA);
    }

    @Test
    void a_failed_interactor_is_CHECKER_FAILED_whatever_the_program_did() {
        for (Status s : new Status[]{Status.OK, Status.TLE, Status.RE, Status.MLE}) {
            TestResult r = Judging.interactive(0, TEST, run(s, null), new Judging.InteractorRun(FAIL, false), null, 100);
            assertThat(r.status()).as("%s", s).isEqualTo(TestStatus.CHECKER_FAILED);
            assertThat(r.message()).startsWith("the interactor failed: ");
        }
    }

    @Test
    void a_limit_of_the_program_is_its_own_even_after_the_interactor_refused_or_accepted() {
        assertThat(decide(Status.TLE, 9, WA, true, null)).isEqualTo(TestStatus.TLE);
        assertThat(decide(Status.MLE, 9, WA, false, null)).isEqualTo(TestStatus.MLE);
        assertThat(decide(Status.TLE, 9, OK, true, null)).as("a run that did not end cleanly earns nothing").isEqualTo(TestStatus.TLE);
    }

    @Test
    void a_crash_is_RE_when_the_program_failed_first_and_WA_when_it_followed_the_interactors_refusal() {
        assertThat(decide(Status.RE, null, WA, false, null)).isEqualTo(TestStatus.RE);
        assertThat(decide(Status.RE, null, WA, true, null)).isEqualTo(TestStatus.WA);
        assertThat(decide(Status.RE, Judging.SIGPIPE, WA, false, null)).as("it wrote to an interactor that was gone").isEqualTo(TestStatus.WA);
        assertThat(decide(Status.RE, null, OK, true, null)).isEqualTo(TestStatus.RE);
    }
}
