package dev.runbox.sandbox;

import dev.runbox.testing.DockerEngine;
import dev.runbox.testing.TestImage;

import java.util.Map;

/** Settings that run every language in Docker on the tests' own engine, in the tests' base image. */
public final class DockerBackendSettings {

    private DockerBackendSettings() {
    }

    /** Containers reused as environments (the default). */
    public static Map<String, String> settings() {
        DockerEngine engine = DockerEngine.shared();
        return Map.of("sandbox", "docker", "docker-host", engine.host(), "docker-image", TestImage.ensure(engine));
    }

    /** A fresh container per run ({@code sandbox-reuse=false}). */
    public static Map<String, String> withoutReuse() {
        Map<String, String> s = new java.util.HashMap<>(settings());
        s.put("sandbox-reuse", "false");
        return Map.copyOf(s);
    }
}
