package dev.runbox.sandbox;

import java.util.Map;

/** The verdicts contract on the Docker sandbox: a real dockerd, a container per run. */
class DockerVerdictsTest extends VerdictsContract {
    @Override
    Map<String, String> backend() {
        return DockerBackendSettings.settings();
    }
}
