package dev.runbox.sandbox.docker;

import com.github.dockerjava.api.DockerClient;
import dev.runbox.sandbox.SandboxFailure;
import dev.runbox.sandbox.cgroup.CgroupDetector;
import dev.runbox.sandbox.run.SandboxParts;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What every container of one image is made from: the Engine, the runnable image, the process's
 * sandbox parts (uids, cgroups, staging dir, threads), the instance tag containers are labelled with,
 * the host's cgroup mounts, and the image's masked places ({@link DockerMasks}).
 */
record ContainerParts(DockerClient docker, String image, SandboxParts sandbox, String instance,
                      List<CgroupDetector.Mount> cgroupMounts, List<String> maskedPaths) {

    private static final SecureRandom RANDOM = new SecureRandom();

    ContainerParts {
        maskedPaths = List.copyOf(maskedPaths);
    }

    /**
     * The masks of a container showing {@code readOnlyMounts}: a host path shown read-only (the FIFOs of
     * an interactive test) under a masked place would be hidden by the mask (the runtime masks after
     * mounting), so that place is an empty root-owned tmpfs instead (as good a mask), put in {@code tmpfs}.
     */
    List<String> masksFor(List<Path> readOnlyMounts, Map<String, String> tmpfs) {
        List<String> masks = maskedPaths.stream().filter(m -> readOnlyMounts.stream().noneMatch(p -> p.startsWith(m))).toList();
        for (String m : maskedPaths) {
            if (!masks.contains(m)) tmpfs.put(m, "ro,nosuid,nodev,noexec,size=4096,mode=0755");
        }
        return masks;
    }

    /**
     * One call to the Engine, given at most {@code bound}: over a unix socket docker-java enforces no
     * response timeout, and a worker must not hang on a stuck daemon (the job is retried instead).
     */
    <T> T bounded(String what, Duration bound, Callable<T> call) throws SandboxFailure, InterruptedException {
        Future<T> f = sandbox.io().submit(call);
        try {
            return f.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new SandboxFailure("Docker did not " + what + " within " + bound.toSeconds() + " s");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new SandboxFailure("Docker could not " + what + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            f.cancel(true);
            throw e;
        }
    }

    void bounded(String what, Duration bound, Runnable call) throws SandboxFailure, InterruptedException {
        bounded(what, bound, () -> {
            call.run();
            return null;
        });
    }

    static String randomName() {
        byte[] id = new byte[8];
        RANDOM.nextBytes(id);
        return HexFormat.of().formatHex(id);
    }
}
