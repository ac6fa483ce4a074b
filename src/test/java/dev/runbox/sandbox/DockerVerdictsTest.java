package dev.runbox.sandbox;

import java.util.Map;

/** The verdicts contract on the Docker sandbox: a real dockerd, containers reused as environments. */
class DockerVerdictsTest extends VerdictsContract {
    @Override
    Map<String, String> backend() {
        return DockerBackendSettings.settings();
    }
}
