package dev.runbox.worker;

import dev.runbox.job.Status;
import dev.runbox.sandbox.SandboxOutcome.CapturedOutput;
import dev.runbox.sandbox.SandboxOutcome.Termination;
import dev.runbox.sandbox.SandboxOutcome;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The verdicts that come with languages: compile failures, a runtime's own heap exhaustion, WA. */
class VerdictLanguageTest {

    private static SandboxOutcome outcome(Termination t, Integer exit, Integer signal, String stdout, String stderr) {
        return new SandboxOutcome(t, exit, signal, Duration.ofMillis(1500), Duration.ofMillis(700), 1 << 20,
                new CapturedOutput(stdout.getBytes(StandardCharsets.UTF_8), false),
                new CapturedOutput(stderr.getBytes(StandardCharsets.UTF_8), false));
    }

    @Test
    void a_compile_succeeds_only_by_exiting_0_within_its_limits() {
        assertThat(Verdict.compileFailure(outcome(Termination.EXITED, 0, null, "", "warning: x"), 10, 512, 65536)).isEmpty();
        assertThat(Verdict.compileFailure(outcome(Termination.EXITED, 1, null, "", "error"), 10, 512, 65536))
                .hasValue("compilation failed (exit status 1)");
        assertThat(Verdict.compileFailure(outcome(Termination.CPU_TIME_LIMIT, null, 9, "", ""), 10, 512, 65536))
                .hasValue("the compile reached its CPU time limit of 10.0 s");
        assertThat(Verdict.compileFailure(outcome(Termination.MEMORY_LIMIT, null, 9, "", ""), 10, 512, 65536)).get()
                .asString().contains("memory limit of 512 MB");
        assertThat(Verdict.compileFailure(outcome(Termination.OUTPUT_LIMIT, null, 9, "", ""), 10, 512, 65536)).get()
                .asString().contains("cap of 65536 bytes");
        assertThat(Verdict.compileFailure(outcome(Termination.EXITED, null, 25, "", ""), 10, 512, 65536)).get()
                .asString().contains("SIGXFSZ");
    }

    @Test
    void a_runtime_that_says_its_heap_ran_out_is_MLE_only_when_it_failed() {
        List<String> markers = List.of("java.lang.OutOfMemoryError");
        String stderr = "Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space\n";
        Verdict.Judged re = new Verdict.Judged(Status.RE, "exited with status 1");
        assertThat(Verdict.heapExhausted(re, stderr, markers, 256).status()).isEqualTo(Status.MLE);
        assertThat(Verdict.heapExhausted(re, "other failure", markers, 256)).isEqualTo(re);
        // a program that caught the error and finished is OK
        Verdict.Judged ok = new Verdict.Judged(Status.OK, null);
        assertThat(Verdict.heapExhausted(ok, stderr, markers, 256)).isEqualTo(ok);
    }

    @Test
    void only_an_OK_run_is_compared_with_the_expected_output() {
        Verdict.Judged ok = new Verdict.Judged(Status.OK, null);
        assertThat(Verdict.againstExpected(ok, "1\n", "2\n").status()).isEqualTo(Status.WA);
        assertThat(Verdict.againstExpected(ok, "1 \n", "1").status()).isEqualTo(Status.OK);
        assertThat(Verdict.againstExpected(ok, "1\n", null)).isEqualTo(ok);
        Verdict.Judged tle = new Verdict.Judged(Status.TLE, "CPU time limit");
        assertThat(Verdict.againstExpected(tle, "1\n", "2\n")).isEqualTo(tle);
    }
}
