package dev.runbox.sandbox;

import dev.runbox.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The shared hostile suite (../shared/hostile, which CI runs against the default server) against a
 * server whose every language runs in the Docker sandbox: the sample of attacks the default sandbox
 * survives, survived by the second backend too. Skipped where the suite is not beside the checkout.
 */
class DockerHostileSuiteTest {

    private static final Path SUITE = Path.of("..", "shared", "hostile", "run_suite.sh").toAbsolutePath().normalize();

    @Test
    void the_hostile_suite_passes_against_the_docker_sandbox() throws Exception {
        assumeTrue(Files.isExecutable(SUITE), "no hostile suite at " + SUITE);
        try (TestServer server = TestServer.start(TestServer.merged(DockerBackendSettings.settings(), Map.of("workers", "2")))) {
            ProcessBuilder pb = new ProcessBuilder(List.of("bash", SUITE.toString(), server.base())).redirectErrorStream(true);
            pb.environment().put("SERVER_PID", Long.toString(ProcessHandle.current().pid()));
            pb.environment().put("SUITE_BUDGET", "900");
            Process suite = pb.start();
            String said = new String(suite.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(suite.waitFor(60, TimeUnit.SECONDS)).as("the suite ended").isTrue();
            List<String> failed = said.lines().filter(l -> l.startsWith("FAIL")).toList();
            assertThat(failed).as("failed cases; the suite said:%n%s", said).isEmpty();
            assertThat(suite.exitValue()).as("the suite's exit status; it said:%n%s", said).isZero();
            assertThat(said).containsPattern("\\d+ passed, 0 failed");
            Leftovers.assertNoneOf(server);
        }
    }
}
