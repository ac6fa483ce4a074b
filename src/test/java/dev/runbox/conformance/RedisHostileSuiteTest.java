package dev.runbox.conformance;

import dev.runbox.testing.HostileSuite;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;

/**
 * The shared hostile suite (../shared/hostile, which CI runs against one embedded server) against
 * Runbox scaled out on Redis: two API-only servers and two worker processes, the suite talking to
 * one API server. The workers run the sandboxes, so the suite watches a worker's environment, where
 * a canary secret is planted that no program may ever print. Skipped where the suite is not beside
 * the checkout.
 */
class RedisHostileSuiteTest {

    @Test
    void the_hostile_suite_passes_against_api_servers_and_workers_on_redis() throws Exception {
        String canary = "redis-canary-" + UUID.randomUUID();
        // the suite sends no API key: keys off here; two runs at once per worker, as the suite's parallel cases expect
        LocalDeployment.RedisOptions options = new LocalDeployment.RedisOptions(false, 2,
                Map.of("CANARY_SECRET", canary, "RUNBOX_CANARY_SECRET", canary));
        try (LocalDeployment redis = LocalDeployment.redis(options)) {
            HostileSuite.assertPassesAgainst(redis.apiBases().get(0).toString(), redis.worker(0).pid(), Map.of("CANARY_SECRET", canary));
        }
    }
}
