package dev.runbox.testing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The shared hostile suite ({@code ../shared/hostile/run_suite.sh}, beside the checkout), run against
 * a live server by the tests of each deployment shape, as CI runs it against the embedded one. A test
 * using it is skipped where the suite is not there.
 */
public final class HostileSuite {

    private static final Path SUITE = Path.of("..", "shared", "hostile", "run_suite.sh").toAbsolutePath().normalize();

    private HostileSuite() {
    }

    /**
     * Runs the suite against {@code base} and asserts that every case passed. {@code serverPid} is the
     * process whose environment holds the secrets no program may print (the one that runs the
     * sandboxes); {@code env} is added to the suite's environment.
     */
    public static void assertPassesAgainst(String base, long serverPid, Map<String, String> env) throws Exception {
        assumeTrue(Files.isExecutable(SUITE), "no hostile suite at " + SUITE);
        ProcessBuilder pb = new ProcessBuilder(List.of("bash", SUITE.toString(), base)).redirectErrorStream(true);
        pb.environment().put("SERVER_PID", Long.toString(serverPid));
        // a slow host (the VM stage's emulated guest, which also scales the cases' own bounds): more time
        double slow = TestServer.slowdown();
        pb.environment().put("SUITE_BUDGET", Long.toString(Math.round(900 * slow)));
        pb.environment().put("CASE_TIMEOUT", Long.toString(Math.round(60 * slow)));
        pb.environment().putAll(env);
        Process suite = pb.start();
        String said = new String(suite.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(suite.waitFor(60, TimeUnit.SECONDS)).as("the suite ended").isTrue();
        List<String> failed = said.lines().filter(l -> l.startsWith("FAIL")).toList();
        assertThat(failed).as("failed cases; the suite said:%n%s", said).isEmpty();
        assertThat(suite.exitValue()).as("the suite's exit status; it said:%n%s", said).isZero();
        assertThat(said).containsPattern("\\d+ passed, 0 failed");
    }
}
