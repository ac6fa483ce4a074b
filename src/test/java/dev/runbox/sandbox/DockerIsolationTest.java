package dev.runbox.sandbox;

import java.util.Map;

/** The isolation contract on the Docker sandbox: a real dockerd, a container per run. */
class DockerIsolationTest extends IsolationContract {
    @Override
    Map<String, String> backend() {
        return DockerBackendSettings.settings();
    }
}
