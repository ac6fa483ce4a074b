package dev.runbox.worker;

import dev.runbox.job.Limits;
import dev.runbox.job.Status;
import dev.runbox.sandbox.SandboxFailure;
import dev.runbox.sandbox.SandboxOutcome.CapturedOutput;
import dev.runbox.sandbox.SandboxOutcome.Termination;
import dev.runbox.sandbox.SandboxOutcome;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VerdictTest {

    private static final CapturedOutput NONE = new CapturedOutput(new byte[0], false);

    /** 2 s of CPU on one core: a wall time limit of 4 s. */
    private static final Limits LIMITS = new Limits(Duration.ofSeconds(2), 256L << 20, 1.0);

    private static SandboxOutcome outcome(Termination t, Integer exitCode, Integer signal) {
        return new SandboxOutcome(t, exitCode, signal, Duration.ofMillis(4017), Duration.ofMillis(1900), 10L << 20, NONE, NONE);
    }

    private static Verdict.Judged judge(SandboxOutcome o) throws SandboxFailure {
        return Verdict.of(o, LIMITS, 1_048_576);
    }

    @Test
    void clean_exit_is_OK_without_a_message() throws SandboxFailure {
        Verdict.Judged v = judge(outcome(Termination.EXITED, 0, null));
        assertThat(v.status()).isEqualTo(Status.OK);
        assertThat(v.message()).isNull();
    }

    @Test
    void non_zero_exit_is_RE_with_the_status() throws SandboxFailure {
        Verdict.Judged v = judge(outcome(Termination.EXITED, 3, null));
        assertThat(v.status()).isEqualTo(Status.RE);
        assertThat(v.message()).isEqualTo("exited with status 3");
    }

    @Test
    void death_by_a_signal_is_RE_naming_the_signal() throws SandboxFailure {
        Verdict.Judged v = judge(outcome(Termination.EXITED, null, 11));
        assertThat(v.status()).isEqualTo(Status.RE);
        assertThat(v.message()).isEqualTo("killed by signal 11 (SIGSEGV)");
    }

    @Test
    void signal_wins_over_an_exit_code() throws SandboxFailure {
        Verdict.Judged v = judge(outcome(Termination.EXITED, 0, 6));
        assertThat(v.status()).isEqualTo(Status.RE);
        assertThat(v.message()).contains("SIGABRT");
    }

    @Test
    void unnamed_signal_is_reported_by_number() throws SandboxFailure {
        assertThat(judge(outcome(Termination.EXITED, null, 31)).message()).isEqualTo("killed by signal 31");
    }

    @Test
    void file_size_signal_explains_itself() throws SandboxFailure {
        assertThat(judge(outcome(Termination.EXITED, null, 25)).message()).contains("SIGXFSZ").contains("file size limit");
    }

    @Test
    void memory_hog_gets_MLE_with_the_limit() throws SandboxFailure {
        Verdict.Judged v = judge(outcome(Termination.MEMORY_LIMIT, null, 9));
        assertThat(v.status()).isEqualTo(Status.MLE);
        assertThat(v.message()).contains("256 MB");
    }

    @Test
    void cpu_burner_gets_TLE_with_the_limit_even_though_it_died_by_SIGKILL() throws SandboxFailure {
        Verdict.Judged v = judge(outcome(Termination.CPU_TIME_LIMIT, null, 9));
        assertThat(v.status()).isEqualTo(Status.TLE);
        assertThat(v.message()).isEqualTo("CPU time limit of 2.0 s reached");
    }

    @Test
    void sleeper_gets_TLE_stating_the_wall_time_limit_and_the_time_it_had() throws SandboxFailure {
        Verdict.Judged v = judge(outcome(Termination.WALL_TIME_LIMIT, null, 9));
        assertThat(v.status()).isEqualTo(Status.TLE);
        assertThat(v.message()).isEqualTo("wall time limit of 4.000 s reached after 4.017 s (the program was waiting or sleeping)");
    }

    @Test
    void wall_time_limit_in_the_message_follows_the_cpu_quota() throws SandboxFailure {
        // half a core: the wall time limit doubles, so that the whole CPU time still fits
        Limits halfCore = new Limits(Duration.ofMillis(1500), 256L << 20, 0.5);
        SandboxOutcome o = new SandboxOutcome(Termination.WALL_TIME_LIMIT, null, 9, Duration.ofMillis(6002),
                Duration.ofMillis(10), 1L << 20, NONE, NONE);
        assertThat(Verdict.of(o, halfCore, 1024).message()).startsWith("wall time limit of 6.000 s reached after 6.002 s");
    }

    @Test
    void exit_without_a_status_or_a_signal_is_a_sandbox_failure_not_OK() {
        // the sandbox did not say how the program ended: Runbox's failure (retried), not a pass nor the program's fault
        assertThatThrownBy(() -> judge(outcome(Termination.EXITED, null, null)))
                .isInstanceOf(SandboxFailure.class)
                .hasMessage("the sandbox reported that the program exited, but with neither an exit status nor a signal");
    }

    @Test
    void wall_time_message_does_not_depend_on_the_servers_locale() throws SandboxFailure {
        Locale before = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY);
            assertThat(judge(outcome(Termination.WALL_TIME_LIMIT, null, 9)).message()).contains("4.000 s").contains("4.017 s");
        } finally {
            Locale.setDefault(before);
        }
    }

    @Test
    void chatty_program_gets_OLE_with_the_cap() throws SandboxFailure {
        Verdict.Judged v = judge(outcome(Termination.OUTPUT_LIMIT, null, 9));
        assertThat(v.status()).isEqualTo(Status.OLE);
        assertThat(v.message()).contains("1048576 bytes");
    }

    @Test
    void every_termination_has_a_final_verdict() throws SandboxFailure {
        for (Termination t : Termination.values()) {
            assertThat(judge(outcome(t, 1, null)).status().isFinal()).as("%s", t).isTrue();
        }
    }
}
