package dev.runbox.compat.piston;

import dev.runbox.job.ExecutionResult;
import dev.runbox.job.Status;
import dev.runbox.job.SubmissionId;
import dev.runbox.language.Language;
import dev.runbox.language.LanguageFile;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Each Runbox verdict as Piston's stage: status, code, signal, units. */
class PistonResultTest {

    private static final SemVer.Version VERSION = new SemVer.Version(12, 2, 0);
    private static final Instant T = Instant.parse("2026-12-03T12:00:00Z");

    private static Language language(String id) throws Exception {
        return LanguageFile.builtIn().stream().filter(l -> l.id().equals(id)).findFirst().orElseThrow();
    }

    /** A final result of a C run: every field filled. */
    private static ExecutionResult result(Status status, Integer exit, Integer signal, Boolean stdoutCut, String message, String compileOutput) {
        return new ExecutionResult(SubmissionId.random(), status, "c", "out", "err", exit, signal, 0.25, 0.125, 2048L,
                stdoutCut, !Boolean.TRUE.equals(stdoutCut) && status == Status.OLE, message, T, T, T, "w1", 1, compileOutput, false);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> run(ExecutionResult r) throws Exception {
        return (Map<String, Object>) PistonResult.of(r, language("c"), VERSION).get("run");
    }

    @Test
    void a_run_is_its_output_exit_and_measures_in_ms_and_bytes() throws Exception {
        Map<String, Object> out = PistonResult.of(result(Status.OK, 0, null, false, null, ""), language("c"), VERSION);
        assertThat(out.get("language")).isEqualTo("c");
        assertThat(out.get("version")).isEqualTo("12.2.0");
        @SuppressWarnings("unchecked") Map<String, Object> run = (Map<String, Object>) out.get("run");
        assertThat(run).containsEntry("stdout", "out").containsEntry("stderr", "err").containsEntry("output", "outerr")
                .containsEntry("code", 0).containsEntry("signal", null).containsEntry("status", null).containsEntry("message", null)
                .containsEntry("cpu_time", 125L).containsEntry("wall_time", 250L).containsEntry("memory", 2048L * 1024);
        @SuppressWarnings("unchecked") Map<String, Object> compile = (Map<String, Object>) out.get("compile");
        assertThat(compile).containsEntry("code", 0).containsEntry("status", null).containsEntry("stdout", "");
    }

    @Test
    void verdicts_are_pistons_statuses() throws Exception {
        assertThat(run(result(Status.RE, 3, null, false, "exited with status 3", ""))).containsEntry("status", "RE").containsEntry("code", 3)
                .containsEntry("signal", null).containsEntry("message", "exited with status 3");
        assertThat(run(result(Status.RE, null, 11, false, "killed by signal 11 (SIGSEGV)", ""))).containsEntry("status", "SG")
                .containsEntry("code", null).containsEntry("signal", "SIGSEGV");
        assertThat(run(result(Status.MLE, null, null, false, "memory limit", ""))).containsEntry("status", "SG").containsEntry("signal", "SIGKILL");
        assertThat(run(result(Status.TLE, null, 9, false, "CPU time limit", ""))).containsEntry("status", "TO").containsEntry("signal", "SIGKILL")
                .containsEntry("code", null);
        assertThat(run(result(Status.OLE, null, null, true, "stdout passed", ""))).containsEntry("status", "OL").containsEntry("signal", "SIGKILL");
        assertThat(run(result(Status.OLE, null, null, false, "stderr passed", ""))).containsEntry("status", "EL");
        assertThat(run(result(Status.INTERNAL_ERROR, null, null, false, "sandbox failed", null))).containsEntry("status", "XX")
                .containsEntry("signal", null).containsEntry("code", null);
    }

    @Test
    void a_failed_compile_is_both_stages_with_the_compilers_exit_or_limit() throws Exception {
        // the worker's messages (Verdict.compileFailure), read back into code, signal and status
        Map<String, String[]> cases = Map.of(
                "compilation failed (exit status 1)", new String[]{"RE", "1", null},
                "the compiler was killed by signal 11 (SIGSEGV)", new String[]{"SG", null, "SIGSEGV"},
                "the compile reached its CPU time limit of 10.0 s", new String[]{"TO", null, "SIGKILL"},
                "the compile reached its memory limit of 512 MB; the kernel killed the compiler", new String[]{"SG", null, "SIGKILL"},
                "compiler output passed the cap of 65536 bytes; the compile was stopped", new String[]{"OL", null, "SIGKILL"});
        for (Map.Entry<String, String[]> c : cases.entrySet()) {
            ExecutionResult ce = new ExecutionResult(SubmissionId.random(), Status.CE, "c", null, null, null, null, null, null, null,
                    false, false, c.getKey(), T, T, T, "w1", 1, "main.c:1: error", false);
            Map<String, Object> out = PistonResult.of(ce, language("c"), VERSION);
            @SuppressWarnings("unchecked") Map<String, Object> compile = (Map<String, Object>) out.get("compile");
            assertThat(compile).as(c.getKey()).containsEntry("status", c.getValue()[0])
                    .containsEntry("code", c.getValue()[1] == null ? null : Integer.valueOf(c.getValue()[1]))
                    .containsEntry("signal", c.getValue()[2]).containsEntry("stderr", "main.c:1: error")
                    .containsEntry("output", "main.c:1: error").containsEntry("message", c.getKey());
            assertThat(out.get("run")).isEqualTo(compile);
        }
    }
}
