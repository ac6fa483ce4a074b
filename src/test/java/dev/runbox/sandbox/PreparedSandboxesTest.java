package dev.runbox.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runbox.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Sandboxes made ahead of their jobs: no job sees a mark of an earlier one (reused or not), and none outlives the server. */
class PreparedSandboxesTest {

    @Test
    void each_job_gets_a_fresh_prepared_sandbox_and_stopping_the_server_leaves_nothing() throws Exception {
        TestServer server = TestServer.start(Map.of("workers", "1", "prepared-sandboxes", "2"));
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> server.runbox.sandbox().readyCount() == 2);
            // a run that leaves a mark in every writable place, then one that looks for marks
            String mark = "import os\nfor d in ('/tmp', '/box', '/dev/shm'):\n    open(d + '/mark', 'w').write('x')\nprint('marked')";
            String look = "import os\nprint([d for d in ('/tmp', '/box', '/dev/shm') if os.path.exists(d + '/mark')])";
            for (int i = 0; i < 3; i++) {
                assertThat(server.run(TestServer.body(mark)).get("stdout").asText()).isEqualTo("marked\n");
                JsonNode seen = server.run(TestServer.body(look));
                assertThat(seen.get("status").asText()).isEqualTo("OK");
                assertThat(seen.get("stdout").asText()).isEqualTo("[]\n");
            }
            // the pool is refilled after the jobs took from it
            await().atMost(Duration.ofSeconds(30)).until(() -> server.runbox.sandbox().readyCount() == 2);
            assertThat(Leftovers.programsOfSandboxUids(server)).isEmpty();
        } finally {
            server.runbox.close();
        }
        // the waiting sandboxes went with the server
        assertThat(Leftovers.processesOfSandboxUids(server)).isEmpty();
        assertThat(Leftovers.runCgroups(server)).isEmpty();
        assertThat(Leftovers.stagedRuns(server)).isEmpty();
        server.close();
    }
}
