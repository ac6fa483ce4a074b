package dev.runbox.sandbox.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.runbox.sandbox.SandboxFailure;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The images runs start from: each language's image with runbox-init added as {@value #INIT_PATH}
 * (a static binary, so any image can run it), committed once as {@code runbox-sandbox:<hash>} where
 * the hash names the base image's id and the init binary. Runs then need no host mount to get the
 * job in: runbox-init reads it from stdin, as in the default sandbox.
 */
final class DockerImages {

    static final String INIT_PATH = "/.runbox/init";
    static final String REPOSITORY = "runbox-sandbox";
    /** Marks every container Runbox makes, with its instance tag as the value: the sweep at start finds them by it. */
    static final String INSTANCE_LABEL = "dev.runbox.instance";
    private static final long PULL_TIMEOUT_MIN = 10;

    private final DockerClient docker;
    private final byte[] init;
    private final String instance;
    private final Map<String, String> runnable = new ConcurrentHashMap<>();

    DockerImages(DockerClient docker, byte[] init, String instance) {
        this.docker = docker;
        this.init = init;
        this.instance = instance;
    }

    /** The image to run {@code base}'s programs from: made (and {@code base} pulled) on first use. */
    String runnable(String base) throws SandboxFailure, InterruptedException {
        String known = runnable.get(base);
        if (known != null) return known;
        synchronized (this) {
            known = runnable.get(base);
            if (known != null) return known;
            String ref = build(base);
            runnable.put(base, ref);
            return ref;
        }
    }

    private String build(String base) throws SandboxFailure, InterruptedException {
        InspectImageResponse image = inspectOrPull(base);
        String tag = sha256(image.getId() + "\n" + HexFormat.of().formatHex(sha256(init))).substring(0, 20);
        String ref = REPOSITORY + ":" + tag;
        try {
            docker.inspectImageCmd(ref).exec();
            return ref;
        } catch (NotFoundException e) {
            // not made yet: below
        }
        String container = docker.createContainerCmd(image.getId())
                .withEntrypoint(INIT_PATH)
                .withLabels(Map.of(INSTANCE_LABEL, instance))
                .withNetworkDisabled(true)
                .exec().getId();
        try {
            docker.copyArchiveToContainerCmd(container).withRemotePath("/")
                    .withTarInputStream(new ByteArrayInputStream(initTar())).exec();
            docker.commitCmd(container).withRepository(REPOSITORY).withTag(tag)
                    .withLabels(Map.of("dev.runbox.base", base)).exec();
        } finally {
            docker.removeContainerCmd(container).withForce(true).exec();
        }
        return ref;
    }

    private InspectImageResponse inspectOrPull(String base) throws SandboxFailure, InterruptedException {
        try {
            return docker.inspectImageCmd(base).exec();
        } catch (NotFoundException e) {
            // pulled below
        }
        try {
            if (!docker.pullImageCmd(base).start().awaitCompletion(PULL_TIMEOUT_MIN, TimeUnit.MINUTES)) {
                throw new SandboxFailure("pulling image " + base + " took more than " + PULL_TIMEOUT_MIN + " min");
            }
            return docker.inspectImageCmd(base).exec();
        } catch (RuntimeException e) {
            throw new SandboxFailure("image " + base + " is not on this Docker host and pulling it failed: " + e.getMessage(), e);
        }
    }

    /** A tar of /.runbox/ (root's, 0755) holding runbox-init (0755). */
    private byte[] initTar() throws SandboxFailure {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(init.length + 4096);
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            TarArchiveEntry dir = new TarArchiveEntry(".runbox/");
            dir.setMode(040755);
            tar.putArchiveEntry(dir);
            tar.closeArchiveEntry();
            TarArchiveEntry file = new TarArchiveEntry(".runbox/init");
            file.setMode(0100755);
            file.setSize(init.length);
            tar.putArchiveEntry(file);
            tar.write(init);
            tar.closeArchiveEntry();
        } catch (IOException e) {
            throw new SandboxFailure("cannot pack runbox-init: " + e, e);
        }
        return bytes.toByteArray();
    }

    private static String sha256(String s) {
        return HexFormat.of().formatHex(sha256(s.getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
