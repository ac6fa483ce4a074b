package dev.runbox.sandbox;

import java.util.Map;

/** The isolation contract on the Docker sandbox with {@code sandbox-reuse=false}: a container per run. */
class DockerNoReuseIsolationTest extends IsolationContract {
    @Override
    Map<String, String> backend() {
        return DockerBackendSettings.withoutReuse();
    }

    @Override
    String pidOneProgram() {
        return "/sbin/docker-init";
    }

    /** Docker always sets HOSTNAME for the container's first process; the container's name, nothing of the host. */
    @Override
    Map<String, String> pidOneExtraEnv() {
        return Map.of("HOSTNAME", "runbox");
    }
}
