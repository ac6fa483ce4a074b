package dev.runbox.sandbox.docker;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.github.dockerjava.api.model.HostConfig;

import java.util.List;

/**
 * docker-java's HostConfig with the Engine API's {@code MaskedPaths} (API 1.38 and later), which
 * docker-java 3.5 does not model. A container given its own list has only those masks: the Engine's
 * defaults must be in it ({@link DockerMasks#paths}).
 */
final class MaskingHostConfig extends HostConfig {

    private static final long serialVersionUID = 1L;

    @JsonProperty("MaskedPaths")
    private final List<String> maskedPaths;

    MaskingHostConfig(List<String> maskedPaths) {
        this.maskedPaths = List.copyOf(maskedPaths);
    }

    List<String> maskedPaths() {
        return maskedPaths;
    }
}
