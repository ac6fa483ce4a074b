package dev.runbox.compat.judge0;

import dev.runbox.job.ExecutionResult;
import dev.runbox.job.Status;
import dev.runbox.job.SubmissionId;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class Judge0StatusTest {

    private static ExecutionResult result(Status status, Integer exitCode, Integer signal) {
        Instant t = Instant.parse("2026-01-02T03:04:05.678Z");
        return new ExecutionResult(SubmissionId.random(), status, "python", "out", "err", exitCode, signal, 0.05, 0.04, 9000L,
                false, false, status == Status.OK ? null : "why", t, t, status.isFinal() ? t : null, "worker-1", 1);
    }

    @Test
    void every_runbox_status_has_the_judge0_status_of_the_issue() {
        assertThat(Judge0Status.of(result(Status.PENDING, null, null)).id).isEqualTo(1);
        assertThat(Judge0Status.of(result(Status.PROCESSING, null, null)).id).isEqualTo(2);
        assertThat(Judge0Status.of(result(Status.OK, 0, null)).id).isEqualTo(3);
        assertThat(Judge0Status.of(result(Status.WA, 0, null)).id).isEqualTo(4);
        assertThat(Judge0Status.of(result(Status.TLE, null, 9)).id).isEqualTo(5);
        assertThat(Judge0Status.of(result(Status.CE, null, null)).id).isEqualTo(6);
        assertThat(Judge0Status.of(result(Status.OLE, null, 9)).id).isEqualTo(8);
        assertThat(Judge0Status.of(result(Status.MLE, null, 9)).id).isEqualTo(12);
        assertThat(Judge0Status.of(result(Status.INTERNAL_ERROR, null, null)).id).isEqualTo(13);
        assertThat(Judge0Status.of(result(Status.CHECKER_FAILED, null, null)).id).isEqualTo(13);
    }

    @Test
    void a_runtime_error_is_told_apart_by_its_signal_as_judge0_does() {
        assertThat(Judge0Status.of(result(Status.RE, null, 11))).isEqualTo(Judge0Status.RUNTIME_ERROR_SIGSEGV);
        assertThat(Judge0Status.of(result(Status.RE, null, 25))).isEqualTo(Judge0Status.RUNTIME_ERROR_SIGXFSZ);
        assertThat(Judge0Status.of(result(Status.RE, null, 8))).isEqualTo(Judge0Status.RUNTIME_ERROR_SIGFPE);
        assertThat(Judge0Status.of(result(Status.RE, null, 6))).isEqualTo(Judge0Status.RUNTIME_ERROR_SIGABRT);
        assertThat(Judge0Status.of(result(Status.RE, 1, null))).isEqualTo(Judge0Status.RUNTIME_ERROR_NZEC);
        assertThat(Judge0Status.of(result(Status.RE, null, 9))).isEqualTo(Judge0Status.RUNTIME_ERROR_OTHER);
    }

    @Test
    void the_descriptions_are_judge0s() {
        assertThat(Judge0Status.values()).hasSize(14);
        assertThat(Judge0Status.RUNTIME_ERROR_NZEC.description).isEqualTo("Runtime Error (NZEC)");
        assertThat(Judge0Status.EXEC_FORMAT_ERROR.id).isEqualTo(14);
    }
}
