package dev.runbox.sandbox;

import java.util.Map;
import java.util.Optional;

/**
 * The sandboxes of this process: bubblewrap for languages on the host's /usr, a Docker sandbox per
 * image for languages that name one. Which one runs a job is the language's business.
 */
public final class Sandboxes implements AutoCloseable {

    private final BubblewrapSandbox bubblewrap;
    private final DockerBackend docker;
    private final Map<String, Sandbox> byImage;

    Sandboxes(BubblewrapSandbox bubblewrap, DockerBackend docker, Map<String, Sandbox> byImage) {
        this.bubblewrap = bubblewrap;
        this.docker = docker;
        this.byImage = Map.copyOf(byImage);
    }

    /** The sandbox for programs of {@code image}, or for the host's /usr when empty. */
    public Sandbox of(Optional<String> image) throws SandboxFailure {
        if (image.isEmpty()) {
            if (bubblewrap == null) throw new SandboxFailure("no language of this process runs on the host, so there is no bubblewrap sandbox");
            return bubblewrap;
        }
        Sandbox s = byImage.get(image.get());
        if (s == null) throw new SandboxFailure("image " + image.get() + " was not made ready at start");
        return s;
    }

    public Optional<BubblewrapSandbox> bubblewrap() {
        return Optional.ofNullable(bubblewrap);
    }

    public Optional<DockerBackend> docker() {
        return Optional.ofNullable(docker);
    }

    /** Sandboxes prepared and waiting for a job. */
    public int readyCount() {
        return bubblewrap == null ? 0 : bubblewrap.readyCount();
    }

    @Override
    public void close() {
        if (bubblewrap != null) bubblewrap.close();
        if (docker != null) docker.close();
    }
}
