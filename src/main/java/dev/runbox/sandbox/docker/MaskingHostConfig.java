package dev.runbox.sandbox.docker;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.github.dockerjava.api.model.HostConfig;

import java.util.List;

/**
 * docker-java's HostConfig with the Engine API's {@code MaskedPaths} and {@code ReadonlyPaths} (API 1.38
 * and later), which docker-java 3.5 does not model. A container given its own list has only those
 * masks: the Engine's defaults must be in it ({@link DockerMasks#paths}). Read-only paths are the
 * Engine's defaults (/proc/sys, /proc/bus…) unless a list is given ({@link DockerEnvironment}: none).
 */
final class MaskingHostConfig extends HostConfig {

    private static final long serialVersionUID = 1L;

    @JsonProperty("MaskedPaths")
    private final List<String> maskedPaths;

    @JsonProperty("ReadonlyPaths")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    private final List<String> readonlyPaths;

    MaskingHostConfig(List<String> maskedPaths) {
        this(maskedPaths, null);
    }

    /** @param readonlyPaths null for the Engine's defaults */
    MaskingHostConfig(List<String> maskedPaths, List<String> readonlyPaths) {
        this.maskedPaths = List.copyOf(maskedPaths);
        this.readonlyPaths = readonlyPaths == null ? null : List.copyOf(readonlyPaths);
    }

    List<String> maskedPaths() {
        return maskedPaths;
    }
}
