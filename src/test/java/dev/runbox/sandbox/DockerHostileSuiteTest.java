package dev.runbox.sandbox;

import dev.runbox.testing.HostileSuite;
import dev.runbox.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.util.Map;

/**
 * The shared hostile suite (../shared/hostile, which CI runs against the default server) against a
 * server whose every language runs in the Docker sandbox: the sample of attacks the default sandbox
 * survives, survived by the second backend too. Skipped where the suite is not beside the checkout.
 */
class DockerHostileSuiteTest {

    @Test
    void the_hostile_suite_passes_against_the_docker_sandbox() throws Exception {
        try (TestServer server = TestServer.start(TestServer.merged(DockerBackendSettings.settings(), Map.of("workers", "2")))) {
            HostileSuite.assertPassesAgainst(server.base(), ProcessHandle.current().pid(), Map.of());
            Leftovers.assertNoneOf(server);
        }
    }
}
