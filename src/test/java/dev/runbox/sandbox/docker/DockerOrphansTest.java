package dev.runbox.sandbox.docker;

import dev.runbox.testing.TestStateDirs;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import dev.runbox.sandbox.DockerBackendSettings;
import dev.runbox.sandbox.host.SandboxHost;
import dev.runbox.testing.DockerEngine;
import dev.runbox.testing.TestImage;
import dev.runbox.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A worker that crashed leaves its containers behind (running or not); the next Runbox process of
 * the same state dir removes them at start, and only them: containers of other state dirs (other
 * Runbox processes on the same Engine) stay.
 */
class DockerOrphansTest {

    @Test
    void a_restart_removes_the_containers_its_state_dir_left_and_no_others() throws Exception {
        DockerEngine engine = DockerEngine.shared();
        String image = TestImage.ensure(engine);
        DockerClient docker = engine.client();
        Path stateDir = TestStateDirs.fresh();
        Path otherStateDir = TestStateDirs.fresh();
        String ours = SandboxHost.instanceTag(stateDir);
        String theirs = SandboxHost.instanceTag(otherStateDir);
        String running = orphan(docker, image, ours, true);
        String created = orphan(docker, image, ours, false);
        String other = orphan(docker, image, theirs, true);
        try {
            assertThat(labelled(docker, ours)).containsExactlyInAnyOrder(running, created);

            try (TestServer server = TestServer.start(TestServer.merged(DockerBackendSettings.settings(),
                    Map.of("state-dir", stateDir.toString())))) {
                // the server's own (its environments waiting for jobs) may be there; the orphans are not
                assertThat(labelled(docker, ours)).as("containers of this state dir after the start").doesNotContain(running, created);
                assertThat(labelled(docker, theirs)).as("another state dir's").containsExactly(other);
                // and the server runs jobs as usual
                assertThat(server.run(TestServer.body("print(6 * 7)")).get("stdout").asText()).isEqualTo("42\n");
            }
        } finally {
            docker.removeContainerCmd(other).withForce(true).exec();
        }
    }

    /** A container as a crashed worker of {@code instance} would have left it. */
    private static String orphan(DockerClient docker, String image, String instance, boolean start) {
        String id = docker.createContainerCmd(image).withLabels(Map.of(DockerImages.INSTANCE_LABEL, instance))
                .withEntrypoint("/bin/sleep").withCmd("600").withNetworkDisabled(true).exec().getId();
        if (start) docker.startContainerCmd(id).exec();
        return id;
    }

    private static List<String> labelled(DockerClient docker, String instance) {
        return docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(DockerImages.INSTANCE_LABEL, instance))
                .exec().stream().map(Container::getId).toList();
    }
}
