package dev.runbox.sandbox.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Info;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import dev.runbox.sandbox.Sandbox;
import dev.runbox.sandbox.SandboxFailure;
import dev.runbox.sandbox.cgroup.CgroupDetector;
import dev.runbox.sandbox.cgroup.Cgroups;
import dev.runbox.sandbox.run.SandboxParts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Runbox's side of a Docker Engine: the client (the Engine API over its unix socket), the images
 * with runbox-init, and the removal at start of containers an earlier process of this state dir
 * left (each container is labelled with the instance tag). Access to the socket is root on the host:
 * see SECURITY.md.
 */
public final class DockerBackend implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DockerBackend.class);

    private final DockerClient docker;
    private final DockerImages images;
    private final SandboxParts parts;
    private final Path boxesRoot;
    private final String instance;
    private final List<CgroupDetector.Mount> cgroupMounts;
    private List<String> enginesMasks;
    private final List<DockerSandbox> sandboxes = new java.util.concurrent.CopyOnWriteArrayList<>();

    private DockerBackend(DockerClient docker, DockerImages images, SandboxParts parts, Path boxesRoot, String instance,
                          List<CgroupDetector.Mount> cgroupMounts) {
        this.docker = docker;
        this.images = images;
        this.parts = parts;
        this.boxesRoot = boxesRoot;
        this.instance = instance;
        this.cgroupMounts = cgroupMounts;
    }

    /** Connects to the Engine at {@code host} (unix:///...), checks it can hold runs, and sweeps what an earlier process left. */
    public static DockerBackend connect(String host, SandboxParts parts, Path boxesRoot, String instance)
            throws SandboxFailure {
        DockerClient docker = client(host);
        try {
            Info info = docker.infoCmd().exec();
            if (!usable(info)) throw new SandboxFailure("dockerd at " + host + " uses the " + info.getCGroupDriver() + " cgroup driver; " + FIX);
            log.info("sandbox: Docker {} at {} ({} cgroups, {})", info.getServerVersion(), host, info.getCGroupDriver(),
                    info.getSecurityOptions());
            appArmorWithoutParser(info.getSecurityOptions(), APPARMOR_PARSERS).ifPresent(problem -> log.warn("sandbox: {}", problem));
            byte[] init = Files.readAllBytes(parts.init());
            List<CgroupDetector.Mount> mounts = DockerCgroupParent.cgroupMounts();
            // runc makes a run's cgroup parent in every hierarchy; a crash leaves them behind
            DockerCgroupParent.sweepStrays(mounts, Cgroups.runPrefix(instance));
            DockerBackend backend = new DockerBackend(docker, new DockerImages(docker, init, instance), parts, boxesRoot,
                    instance, mounts);
            int swept = backend.sweepOrphans();
            if (swept > 0) log.info("removed {} containers left by an earlier process", swept);
            return backend;
        } catch (IOException e) {
            closeQuietly(docker);
            throw new SandboxFailure("cannot read runbox-init: " + e, e);
        } catch (RuntimeException e) {
            closeQuietly(docker);
            throw new SandboxFailure("cannot use the Docker Engine at " + host + ": " + e.getMessage(), e);
        } catch (SandboxFailure e) {
            closeQuietly(docker);
            throw e;
        }
    }

    /** What to do about an Engine on another cgroup driver than the one the Docker sandbox needs. */
    public static final String FIX = "Runbox reads each run's CPU time and memory from a cgroup parent of its own, which needs the"
            + " cgroupfs driver: start dockerd with --exec-opt native.cgroupdriver=cgroupfs (see README, The Docker sandbox)";

    /** Whether runs can be held in this Engine: its cgroup driver lets Runbox give each container a cgroup parent. */
    public static boolean usable(Info info) {
        return "cgroupfs".equals(info.getCGroupDriver());
    }

    /** Where dockerd looks for AppArmor's profile compiler (Debian's, merged /usr or not). */
    public static final List<Path> APPARMOR_PARSERS = List.of(Path.of("/usr/sbin/apparmor_parser"), Path.of("/sbin/apparmor_parser"));

    /**
     * What to say of an Engine that confines containers by AppArmor ({@code name=apparmor} among its
     * security options) on a host without {@code apparmor_parser} ({@code parsers}, which dockerd runs to
     * load its docker-default profile; Runbox and dockerd share a host): such an Engine refuses every
     * container that keeps Docker's profile, which is every run with {@code sandbox-reuse=false} (reused
     * containers opt out of it). Empty when there is nothing to say. Seen on a minimal Debian 12, whose
     * kernel has AppArmor on, without the apparmor package.
     */
    public static Optional<String> appArmorWithoutParser(List<String> securityOptions, List<Path> parsers) {
        boolean confines = securityOptions != null && securityOptions.stream().anyMatch(o -> o.equals("name=apparmor") || o.equals("apparmor"));
        if (!confines || parsers.stream().anyMatch(Files::isExecutable)) return Optional.empty();
        return Optional.of("AppArmor is on but apparmor_parser is missing: dockerd will refuse every container run with"
                + " sandbox-reuse=false (apt-get install -y apparmor)");
    }

    public static DockerClient client(String host) {
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(host).build();
        ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
                .dockerHost(URI.create(host))
                .maxConnections(256)
                .connectionTimeout(Duration.ofSeconds(10))
                .responseTimeout(Duration.ofMinutes(10))
                .build();
        return DockerClientImpl.getInstance(config, http);
    }

    /**
     * A sandbox running containers of {@code image}; makes its runnable image now (pulling it if
     * needed). {@code programs} are those its languages name: the masked places holding one stay visible.
     * With {@code reuseRuns} over 1, a container serves up to that many runs ({@link DockerEnvironment}),
     * {@code preparedAhead} of them kept ready for runs with tmpfs mounts of {@code writableBytes}.
     * Closed with the backend.
     */
    public Sandbox sandbox(String image, Set<Path> programs, int preparedAhead, long writableBytes, int reuseRuns)
            throws SandboxFailure, InterruptedException {
        String runnable = images.runnable(image);
        List<String> kept = DockerMasks.keptFor(programs);
        if (!kept.isEmpty()) log.info("image {}: {} stay visible in its runs, since its languages' programs are there", image, kept);
        List<String> masked = DockerMasks.paths(enginesMasks(runnable), programs);
        log.debug("image {}: masked in its runs: {}", image, masked);
        DockerSandbox sandbox = new DockerSandbox(new ContainerParts(docker, runnable, parts, instance, cgroupMounts, masked), boxesRoot,
                preparedAhead, writableBytes, reuseRuns);
        sandboxes.add(sandbox);
        return sandbox;
    }

    /**
     * The paths the Engine masks in a container by default (/proc/kcore, /sys/firmware…), as it
     * reports them for a container made without a list of its own: a run's list replaces them, so
     * it starts with them. Asked once per Engine.
     */
    private synchronized List<String> enginesMasks(String image) throws SandboxFailure {
        if (enginesMasks != null) return enginesMasks;
        String container;
        try {
            container = docker.createContainerCmd(image)
                    .withName("runbox-" + instance + "-masks")
                    .withLabels(Map.of(DockerImages.INSTANCE_LABEL, instance))
                    .withEntrypoint(DockerImages.INIT_PATH)
                    .withNetworkDisabled(true)
                    // the Engine fills in its defaults only for a container with a host config
                    .withHostConfig(HostConfig.newHostConfig().withNetworkMode("none"))
                    .exec().getId();
        } catch (RuntimeException e) {
            throw new SandboxFailure("cannot ask the Docker Engine for its default masked paths: " + e.getMessage(), e);
        }
        try {
            // docker-java keeps the fields it does not model in the raw values of the response (not of its HostConfig)
            Object host = docker.inspectContainerCmd(container).exec().getRawValues().get("HostConfig");
            Object masks = host instanceof Map<?, ?> h ? h.get("MaskedPaths") : null;
            if (!(masks instanceof List<?> list) || list.isEmpty()) {
                throw new SandboxFailure("the Docker Engine reports no default masked paths (MaskedPaths, Engine API 1.38"
                        + " and later), so Runbox cannot mask the image's /var, /root, /home… in its runs: use Docker 18.06 or later");
            }
            enginesMasks = list.stream().map(String::valueOf).toList();
            return enginesMasks;
        } catch (RuntimeException e) {
            throw new SandboxFailure("cannot ask the Docker Engine for its default masked paths: " + e.getMessage(), e);
        } finally {
            docker.removeContainerCmd(container).withForce(true).exec();
        }
    }

    /** Removes every container labelled with this instance: none of them runs a job of this process. */
    int sweepOrphans() {
        List<Container> left = docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(DockerImages.INSTANCE_LABEL, instance)).exec();
        for (Container c : left) {
            try {
                docker.removeContainerCmd(c.getId()).withForce(true).withRemoveVolumes(true).exec();
            } catch (RuntimeException e) {
                log.warn("cannot remove container {} left by an earlier process: {}", c.getId(), e.getMessage());
            }
        }
        return left.size();
    }

    /** Containers waiting for a job, of every image. */
    public int readyContainers() {
        return sandboxes.stream().mapToInt(DockerSandbox::readyCount).sum();
    }

    /** Containers of this instance now (for tests and the leftovers check). */
    public List<String> containers() {
        return docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(DockerImages.INSTANCE_LABEL, instance)).exec().stream().map(Container::getId).toList();
    }

    @Override
    public void close() {
        for (DockerSandbox s : sandboxes) s.close(); // their waiting containers, while the client is open
        closeQuietly(docker);
    }

    private static void closeQuietly(DockerClient docker) {
        try {
            docker.close();
        } catch (IOException | RuntimeException e) {
            log.debug("closing the Docker client: {}", e.toString());
        }
    }
}
