package dev.runbox.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbox.client.LanguageInfo;
import dev.runbox.client.Result;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Exit statuses, the summary line and the language guess of the CLI. */
class ExitCodesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Result result(Map<String, Object> fields) {
        Map<String, Object> m = new java.util.LinkedHashMap<>(Map.of("submission_id", "3f0c2a1e-0000-4000-8000-000000000000"));
        m.putAll(fields);
        return Result.from(JSON.valueToTree(m));
    }

    @Test
    void ok_and_runtime_errors_mirror_the_program() {
        assertThat(ExitCodes.of(result(Map.of("status", "OK", "exit_code", 0)))).isZero();
        assertThat(ExitCodes.of(result(Map.of("status", "RE", "exit_code", 3)))).isEqualTo(3);
        assertThat(ExitCodes.of(result(Map.of("status", "RE", "exit_code", 255)))).isEqualTo(255);
        assertThat(ExitCodes.of(result(Map.of("status", "RE", "signal", 11)))).isEqualTo(139);
    }

    @Test
    void limits_and_runbox_failures_have_codes_of_their_own() {
        assertThat(ExitCodes.of(result(Map.of("status", "TLE", "signal", 9)))).isEqualTo(124);
        assertThat(ExitCodes.of(result(Map.of("status", "MLE", "signal", 9)))).isEqualTo(123);
        assertThat(ExitCodes.of(result(Map.of("status", "OLE")))).isEqualTo(122);
        assertThat(ExitCodes.of(result(Map.of("status", "CE")))).isEqualTo(121);
        assertThat(ExitCodes.of(result(Map.of("status", "WA")))).isEqualTo(120);
        assertThat(ExitCodes.of(result(Map.of("status", "CHECKER_FAILED")))).isEqualTo(119);
        assertThat(ExitCodes.of(result(Map.of("status", "INTERNAL_ERROR")))).isEqualTo(125);
        assertThat(ExitCodes.of(result(Map.of("status", "SOMETHING_NEW")))).as("a status this client does not know").isEqualTo(125);
        assertThat(ExitCodes.of(result(Map.of("status", "PENDING")))).isEqualTo(75);
        assertThat(ExitCodes.of(result(Map.of("status", "PROCESSING")))).isEqualTo(75);
    }

    @Test
    void summary_says_status_reason_exit_times_and_memory() {
        assertThat(ResultPrinter.summary(result(Map.of("status", "RE", "message", "exited with status 3", "exit_code", 3,
                "time_sec", 0.0531, "cpu_time_sec", 0.017, "memory_kb", 3686, "stdout_truncated", true, "stderr_truncated", false))))
                .isEqualTo("runbox: RE (exited with status 3), exit 3, time 0.053 s, cpu 0.017 s, memory 3.6 MiB, stdout truncated");
        assertThat(ResultPrinter.summary(result(Map.of("status", "PENDING"))))
                .isEqualTo("runbox: PENDING, submission 3f0c2a1e-0000-4000-8000-000000000000");
    }

    @Test
    void the_language_comes_from_the_extension_of_the_offered_source_files() {
        List<LanguageInfo> offered = List.of(new LanguageInfo("python", "Python 3", "3.11", "main.py"),
                new LanguageInfo("c", "C", "gcc 12", "main.c"), new LanguageInfo("java", "Java", "17", "Main.java"));
        assertThat(LanguageGuess.of(Path.of("dir/hello.py"), offered)).hasValue("python");
        assertThat(LanguageGuess.of(Path.of("a.c"), offered)).hasValue("c");
        assertThat(LanguageGuess.of(Path.of("Solution.java"), offered)).hasValue("java");
        assertThat(LanguageGuess.of(Path.of("notes.txt"), offered)).isEmpty();
        assertThat(LanguageGuess.of(Path.of("Makefile"), offered)).isEmpty();
        assertThat(LanguageGuess.of(Path.of(".py"), offered)).as("a hidden file has no extension").isEmpty();
    }
}
