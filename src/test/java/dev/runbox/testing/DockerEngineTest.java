package dev.runbox.testing;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.StreamType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The test infrastructure of the Docker backend works on this machine: a dockerd of our own
 * answers, the locally built base image is in it, and containers from that image run the way the
 * backend runs them (no network, an unprivileged uid with no passwd entry, a read-only root).
 */
class DockerEngineTest {

    private static final long RUN_TIMEOUT_SECONDS = 60;

    private static DockerEngine engine;
    private static String image;

    @BeforeAll
    static void engineAndImage() {
        engine = DockerEngine.shared();
        image = TestImage.ensure(engine);
    }

    @Test
    void engine_answers_on_a_socket_of_its_own() {
        assertThat(engine.host()).startsWith("unix:///run/runbox-test-docker-").endsWith("/docker.sock");
        engine.client().pingCmd().exec();
        assertThat(engine.client().versionCmd().exec().getApiVersion()).isNotBlank();
        assertThat(DockerEngine.shared()).isSameAs(engine);
    }

    @Test
    void base_image_is_in_the_engine_and_named_by_its_recipe() {
        assertThat(image).isEqualTo(TestImage.reference()).matches("runbox-test/bookworm:[0-9a-f]{12}");
        assertThat(engine.client().inspectImageCmd(image).exec().getId()).startsWith("sha256:");
        assertThat(TestImage.ensure(engine)).isEqualTo(image);
    }

    @Test
    void python_prints_42_as_nobody_without_network() throws Exception {
        Run run = run("65534", HostConfig.newHostConfig().withNetworkMode("none"),
                "/usr/bin/python3", "-c", "print(6*7)");

        assertThat(run.stderr()).isEmpty();
        assertThat(run.exitCode()).isZero();
        assertThat(run.stdout()).isEqualTo("42\n");
    }

    @Test
    void uid_without_passwd_entry_compiles_and_runs_c_on_a_read_only_root() throws Exception {
        HostConfig backendLike = HostConfig.newHostConfig()
                .withNetworkMode("none")
                .withReadonlyRootfs(true)
                // docker mounts a tmpfs noexec unless told otherwise; the compiled program runs from /box
                .withTmpFs(Map.of("/tmp", "rw,nosuid,nodev,size=64m", "/box", "rw,exec,nosuid,nodev,size=64m"));
        String script = "cd /box"
                + " && printf '%s\\n' '#include <stdio.h>' 'int main(void) { printf(\"%d\\n\", 6 * 7); return 0; }' > a.c"
                + " && /usr/bin/gcc -O0 -o a a.c && ./a && id -u"
                + " && grep -q '^overlay / overlay ro,' /proc/mounts";

        Run run = run("60000", backendLike, "/bin/sh", "-c", script);

        assertThat(run.exitCode()).as("stderr: %s", run.stderr()).isZero();
        assertThat(run.stdout()).isEqualTo("42\n60000\n");
    }

    private record Run(long exitCode, String stdout, String stderr) {
    }

    /** Creates, starts and waits for a container from the base image, reads its output, and removes it. */
    private static Run run(String user, HostConfig hostConfig, String... command) throws Exception {
        DockerClient docker = engine.client();
        String id = docker.createContainerCmd(image).withUser(user).withHostConfig(hostConfig).withCmd(command)
                .exec().getId();
        try {
            docker.startContainerCmd(id).exec();
            int exitCode = docker.waitContainerCmd(id).exec(new WaitContainerResultCallback())
                    .awaitStatusCode(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            StringBuilder out = new StringBuilder();
            StringBuilder err = new StringBuilder();
            docker.logContainerCmd(id).withStdOut(true).withStdErr(true)
                    .exec(new ResultCallback.Adapter<Frame>() {
                        @Override
                        public void onNext(Frame frame) {
                            String text = new String(frame.getPayload(), StandardCharsets.UTF_8);
                            (frame.getStreamType() == StreamType.STDERR ? err : out).append(text);
                        }
                    })
                    .awaitCompletion(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return new Run(exitCode, out.toString(), err.toString());
        } finally {
            docker.removeContainerCmd(id).withForce(true).exec();
            assertThatThrownBy(() -> docker.inspectContainerCmd(id).exec()).isInstanceOf(NotFoundException.class);
        }
    }
}
