package dev.runbox.worker;

import dev.runbox.job.Status;
import dev.runbox.sandbox.SandboxOutcome;
import dev.runbox.sandbox.SandboxOutcome.CapturedOutput;
import dev.runbox.sandbox.SandboxOutcome.Termination;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

class VerdictTest {

    private static final CapturedOutput NONE = new CapturedOutput(new byte[0], false);

    private static SandboxOutcome outcome(Termination t, Integer exitCode, Integer signal) {
        return new SandboxOutcome(t, exitCode, signal, Duration.ofMillis(4000), Duration.ofMillis(1900), 10L << 20, NONE, NONE);
    }

    private static Verdict.Judged judge(SandboxOutcome o) {
        return Verdict.of(o, 2.0, 256, 1_048_576);
    }

    @Test
    void clean_exit_is_OK_without_a_message() {
        Verdict.Judged v = judge(outcome(Termination.EXITED, 0, null));
        assertThat(v.status()).isEqualTo(Status.OK);
        assertThat(v.message()).isNull();
    }

    @Test
    void non_zero_exit_is_RE_with_the_status() {
        Verdict.Judged v = judge(outcome(Termination.EXITED, 3, null));
        assertThat(v.status()).isEqualTo(Status.RE);
        assertThat(v.message()).isEqualTo("exited with status 3");
    }

    @Test
    void death_by_a_signal_is_RE_naming_the_signal() {
        Verdict.Judged v = judge(outcome(Termination.EXITED, null, 11));
        assertThat(v.status()).isEqualTo(Status.RE);
        assertThat(v.message()).isEqualTo("killed by signal 11 (SIGSEGV)");
    }

    @Test
    void signal_wins_over_an_exit_code() {
        Verdict.Judged v = judge(outcome(Termination.EXITED, 0, 6));
        assertThat(v.status()).isEqualTo(Status.RE);
        assertThat(v.message()).contains("SIGABRT");
    }

    @Test
    void unnamed_signal_is_reported_by_number() {
        assertThat(judge(outcome(Termination.EXITED, null, 31)).message()).isEqualTo("killed by signal 31");
    }

    @Test
    void file_size_signal_explains_itself() {
        assertThat(judge(outcome(Termination.EXITED, null, 25)).message()).contains("SIGXFSZ").contains("file size limit");
    }

    @Test
    void memory_hog_gets_MLE_with_the_limit() {
        Verdict.Judged v = judge(outcome(Termination.MEMORY_LIMIT, null, 9));
        assertThat(v.status()).isEqualTo(Status.MLE);
        assertThat(v.message()).contains("256 MB");
    }

    @Test
    void cpu_burner_gets_TLE_with_the_limit_even_though_it_died_by_SIGKILL() {
        Verdict.Judged v = judge(outcome(Termination.CPU_TIME_LIMIT, null, 9));
        assertThat(v.status()).isEqualTo(Status.TLE);
        assertThat(v.message()).isEqualTo("CPU time limit of 2.0 s reached");
    }

    @Test
    void sleeper_gets_TLE_with_the_wall_time_it_had() {
        Verdict.Judged v = judge(outcome(Termination.WALL_TIME_LIMIT, null, 9));
        assertThat(v.status()).isEqualTo(Status.TLE);
        assertThat(v.message()).startsWith("wall time limit of 4.000 s reached");
    }

    @Test
    void wall_time_message_does_not_depend_on_the_servers_locale() {
        Locale before = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY);
            assertThat(judge(outcome(Termination.WALL_TIME_LIMIT, null, 9)).message()).contains("4.000 s");
        } finally {
            Locale.setDefault(before);
        }
    }

    @Test
    void chatty_program_gets_OLE_with_the_cap() {
        Verdict.Judged v = judge(outcome(Termination.OUTPUT_LIMIT, null, 9));
        assertThat(v.status()).isEqualTo(Status.OLE);
        assertThat(v.message()).contains("1048576 bytes");
    }

    @Test
    void every_termination_has_a_final_verdict() {
        for (Termination t : Termination.values()) {
            assertThat(judge(outcome(t, 1, null)).status().isFinal()).as("%s", t).isTrue();
        }
    }
}
