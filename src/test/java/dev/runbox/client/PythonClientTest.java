package dev.runbox.client;

import dev.runbox.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * clients/python/test_runbox_client.py (unittest) against a real server. Python runs isolated, writing no bytecode
 * ({@code -I -S}: no site-packages, no PYTHON* variables), so the client is proven standard-library only.
 */
class PythonClientTest {

    @Test
    void python_client_passes_its_tests_against_a_live_server() throws Exception {
        Path python = Files.isExecutable(Path.of("/usr/bin/python3")) ? Path.of("/usr/bin/python3") : Path.of("python3");
        Path out = Files.createTempFile("python-client-test", ".log");
        try (TestServer server = TestServer.start()) {
            Process p = new ProcessBuilder(python.toString(), "-I", "-S", "-B", "clients/python/test_runbox_client.py", server.base())
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("the Python tests end within 5 minutes").isTrue();
            String log = Files.readString(out, StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(log).isZero();
            assertThat(log).containsPattern("Ran \\d+ tests").contains("\nOK");
            assertThat(log).containsPattern("test_run_returns_the_final_result_with_output( \\(.*\\))? \\.\\.\\. ok");
            assertThat(log).containsPattern("test_batch_answer_items_become_ids_or_problem_errors_in_order( \\(.*\\))? \\.\\.\\. ok");
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
