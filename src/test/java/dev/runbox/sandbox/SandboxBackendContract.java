package dev.runbox.sandbox;

import dev.runbox.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

import java.util.Map;

/**
 * A contract every sandbox backend keeps, tested through a real server per test class: each backend
 * gets a subclass naming its settings, and after every test nothing of its runs may be left on the host.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SandboxBackendContract {

    TestServer server;

    /** Settings that choose the sandbox backend under test (none: the default, bubblewrap). */
    abstract Map<String, String> backend() throws Exception;

    /** The contract's own settings, on top of the backend's. */
    abstract Map<String, String> settings();

    @BeforeAll
    void start() throws Exception {
        server = TestServer.start(TestServer.merged(backend(), settings()));
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) server.close();
    }

    @AfterEach
    void nothing_of_the_run_is_left_on_the_host() throws Exception {
        Leftovers.assertNoneOf(server);
    }
}
