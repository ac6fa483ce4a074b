package dev.runbox.sandbox;

import java.util.Map;

/** The verdicts contract on the Docker sandbox: a real dockerd, a container per run ({@code sandbox-reuse=false}). */
class DockerNoReuseVerdictsTest extends VerdictsContract {
    @Override
    Map<String, String> backend() {
        return DockerBackendSettings.withoutReuse();
    }
}
