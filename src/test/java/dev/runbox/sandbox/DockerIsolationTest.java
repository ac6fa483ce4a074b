package dev.runbox.sandbox;

import java.util.Map;

/** The isolation contract on the Docker sandbox: a real dockerd, containers reused as environments. */
class DockerIsolationTest extends IsolationContract {
    @Override
    Map<String, String> backend() {
        return DockerBackendSettings.settings();
    }

    @Override
    String pidOneProgram() {
        return "/.runbox/init";
    }
}
