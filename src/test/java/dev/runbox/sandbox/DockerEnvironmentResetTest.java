package dev.runbox.sandbox;

import dev.runbox.sandbox.docker.DockerSandbox;
import dev.runbox.sandbox.host.SandboxHost;
import dev.runbox.testing.DockerEngine;
import dev.runbox.testing.TestImage;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;

/** The reset proof on the Docker sandbox: a real dockerd, its containers reused as environments. */
class DockerEnvironmentResetTest extends EnvironmentResetContract {

    private EnvironmentReuse reuse;

    /** Without reuse, the Docker sandbox keeps no environment ready: each run is a container of its own, made for it. */
    @Override
    @org.junit.jupiter.api.Test
    void without_reuse_every_run_gets_an_environment_of_its_own() throws Exception {
        opened(EnvironmentReuse.OFF);
        com.fasterxml.jackson.databind.node.ObjectNode first = attack();
        com.fasterxml.jackson.databind.node.ObjectNode second = attack();
        org.assertj.core.api.Assertions.assertThat(reuse.on()).isFalse();
        org.assertj.core.api.Assertions.assertThat(second.get("status").get("Uid")).isNotEqualTo(first.get("status").get("Uid"));
        org.assertj.core.api.Assertions.assertThat(second.get("procs").size()).isEqualTo(2);
    }
    @Override
    Target open(Path state, int uidBase, int prepared, EnvironmentReuse reuse, ExecutorService readers) throws Exception {
        DockerEngine engine = DockerEngine.shared();
        String image = TestImage.ensure(engine);
        Sandboxes all = SandboxHost.openAll(state, uidBase, 2, prepared, 64L << 20, 64, readers, false, Map.of(image, Set.of()),
                engine.host(), reuse);
        DockerSandbox s = (DockerSandbox) all.of(Optional.of(image));
        this.reuse = reuse;
        return new Target() {
            @Override
            public SandboxOutcome run(RunSpec spec) throws Exception {
                return s.run(spec);
            }

            @Override
            public long environmentsMade() {
                return s.environmentsMade();
            }

            @Override
            public int readyCount() {
                return s.readyCount();
            }

            @Override
            public boolean reusesEnvironments() {
                return true;
            }

            @Override
            public void close() {
                all.close();
            }
        };
    }
}
