package dev.runbox.sandbox;

import dev.runbox.testing.HostileSuite;
import dev.runbox.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.util.Map;

/**
 * The shared hostile suite (../shared/hostile) against a default-sandbox server with
 * {@code sandbox-reuse=false}: CI runs it against the default server, whose environments are reused;
 * this is the other half of issue 14's "passes with reuse on (and off)". Skipped where the suite is
 * not beside the checkout.
 */
class BubblewrapNoReuseHostileSuiteTest {

    @Test
    void the_hostile_suite_passes_with_an_environment_per_run() throws Exception {
        try (TestServer server = TestServer.start(Map.of("sandbox-reuse", "false", "workers", "2"))) {
            HostileSuite.assertPassesAgainst(server.base(), ProcessHandle.current().pid(), Map.of());
            Leftovers.assertNoneOf(server);
        }
    }
}
