package dev.runbox.conformance;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The shared hostile suite (../shared/hostile, which CI runs against one embedded server) against
 * Runbox scaled out on Redis: two API-only servers and two worker processes, the suite talking to
 * one API server. The workers run the sandboxes, so the suite watches a worker's environment, where
 * a canary secret is planted that no program may ever print. Skipped where the suite is not beside
 * the checkout.
 */
class RedisHostileSuiteTest {

    private static final Path SUITE = Path.of("..", "shared", "hostile", "run_suite.sh").toAbsolutePath().normalize();

    @Test
    void the_hostile_suite_passes_against_api_servers_and_workers_on_redis() throws Exception {
        assumeTrue(Files.isExecutable(SUITE), "no hostile suite at " + SUITE);
        String canary = "redis-canary-" + UUID.randomUUID();
        // the suite sends no API key: keys off here; two runs at once per worker, as the suite's parallel cases expect
        LocalDeployment.RedisOptions options = new LocalDeployment.RedisOptions(false, 2,
                Map.of("CANARY_SECRET", canary, "RUNBOX_CANARY_SECRET", canary));
        try (LocalDeployment redis = LocalDeployment.redis(options)) {
            ProcessBuilder pb = new ProcessBuilder(List.of("bash", SUITE.toString(), redis.apiBases().get(0).toString()))
                    .redirectErrorStream(true);
            pb.environment().put("SERVER_PID", Long.toString(redis.worker(0).pid()));
            pb.environment().put("CANARY_SECRET", canary);
            pb.environment().put("SUITE_BUDGET", "900");
            Process suite = pb.start();
            String said = new String(suite.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(suite.waitFor(60, TimeUnit.SECONDS)).as("the suite ended").isTrue();
            List<String> failed = said.lines().filter(l -> l.startsWith("FAIL")).toList();
            assertThat(failed).as("failed cases; the suite said:%n%s", said).isEmpty();
            assertThat(suite.exitValue()).as("the suite's exit status; it said:%n%s", said).isZero();
            assertThat(said).containsPattern("\\d+ passed, 0 failed");
        }
    }
}
