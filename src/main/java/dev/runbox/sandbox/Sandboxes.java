package dev.runbox.sandbox;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The sandboxes of this process, and which one runs a program: bubblewrap for languages on the host's
 * /usr, a Docker sandbox per image for languages that name one. Which one runs a job is the language's
 * business. Typed on the seam only, so that nothing here depends on a sandbox's implementation.
 */
public final class Sandboxes implements AutoCloseable {

    private final Optional<Sandbox> onHost;
    private final Map<String, Sandbox> byImage;
    private final IntSupplier readyCount;
    private final Supplier<List<String>> containers;
    private final IntSupplier readyContainers;
    private final List<AutoCloseable> parts;

    /**
     * @param onHost     the sandbox for programs on the host's /usr, when some language needs it
     * @param byImage    the sandbox for programs of each image
     * @param readyCount sandboxes prepared and waiting for a job
     * @param containers the Docker containers of this process now
     * @param readyContainers Docker containers waiting for a job (environments of the Docker sandbox)
     * @param parts      closed, in order, by {@link #close} (null entries are skipped)
     */
    public Sandboxes(Optional<Sandbox> onHost, Map<String, Sandbox> byImage, IntSupplier readyCount,
                     Supplier<List<String>> containers, IntSupplier readyContainers, List<? extends AutoCloseable> parts) {
        this.readyContainers = readyContainers;
        this.onHost = onHost;
        this.byImage = Map.copyOf(byImage);
        this.readyCount = readyCount;
        this.containers = containers;
        this.parts = parts.stream().filter(java.util.Objects::nonNull).map(p -> (AutoCloseable) p).toList();
    }

    /** The sandbox for programs of {@code image}, or for the host's /usr when empty. */
    public Sandbox of(Optional<String> image) throws SandboxFailure {
        if (image.isEmpty()) {
            return onHost.orElseThrow(() -> new SandboxFailure("no language of this process runs on the host, so there is no bubblewrap sandbox"));
        }
        Sandbox s = byImage.get(image.get());
        if (s == null) throw new SandboxFailure("image " + image.get() + " was not made ready at start");
        return s;
    }

    /** Images with a Docker sandbox of their own. */
    public int imageCount() {
        return byImage.size();
    }

    /** Sandboxes prepared and waiting for a job. */
    public int readyCount() {
        return readyCount.getAsInt();
    }

    /**
     * Ids of the Docker containers of this process now: none but those of runs in progress and those
     * waiting for a job ({@link #readyContainers}), for the leftovers check.
     */
    public List<String> containers() {
        return containers.get();
    }

    /** Docker containers waiting for a job, each an environment that serves runs one after another. */
    public int readyContainers() {
        return readyContainers.getAsInt();
    }

    @Override
    public void close() {
        for (AutoCloseable p : parts) {
            try {
                p.close();
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(Sandboxes.class).warn("closing {}: {}", p.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
