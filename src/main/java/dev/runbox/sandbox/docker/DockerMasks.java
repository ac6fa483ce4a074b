package dev.runbox.sandbox.docker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What of an image a Docker run does not see. The default sandbox shows the host's /usr (with the
 * /bin, /lib… links into it), /proc, /dev, its tmpfs mounts and nothing else; a container shows its
 * whole image. So every place of an image that a program never needs is masked, the way Docker masks
 * /proc/kcore: the runtime mounts an empty read-only tmpfs over a directory and /dev/null over a
 * file, and skips a path the image does not have (so the list can name places few images have).
 *
 * <p>/etc stays: Docker puts /etc/hosts, /etc/hostname and /etc/resolv.conf there, and images' toolchains
 * need it (/etc/ld.so.cache finds the libraries of a toolchain in /usr/local/lib, as in the official
 * python images; Debian's /usr/bin/cc and java go through /etc/alternatives; the JDK reads /etc/java-*).
 * Only its secret directories are masked. A masked place that holds a program a language of the image names
 * (e.g. a JDK in /opt/java) stays visible in that image's containers: the toolchain's place is needed.
 */
final class DockerMasks {

    /** A place masked in every run, unless a language's program lives under it. */
    record Hidden(String path, String why) {
    }

    static final List<Hidden> HIDDEN = List.of(
            new Hidden("/root", "the image's root home: shell history, dotfiles, credentials left by the build"),
            new Hidden("/home", "users' homes of the image, likewise"),
            new Hidden("/var", "logs (dpkg.log, apt), package databases, caches, spools and /var/tmp of the image's build;"
                    + " a program writes to /tmp and /box only"),
            new Hidden("/run", "runtime state and sockets of the image's services; /run/secrets is where secrets are mounted"),
            new Hidden("/srv", "data the image serves"),
            new Hidden("/opt", "add-on software a language does not name"),
            new Hidden("/mnt", "mount points of the build"),
            new Hidden("/media", "removable media mount points"),
            new Hidden("/boot", "kernels and boot loader files"),
            new Hidden("/lost+found", "recovered files of a file system"),
            new Hidden("/sys", "sysfs: the host's devices, hardware and kernel settings (the default sandbox shows none)"),
            new Hidden("/etc/ssh", "SSH host keys and configuration"),
            new Hidden("/etc/ssl/private", "private TLS keys"));
    // not /etc/shadow, gshadow or sudoers: root's 0640/0440 files, closed to a run's uid already; a
    // mask would put /dev/null there, which a run can read (an empty file where none could be read)

    private DockerMasks() {
    }

    /**
     * The masked paths of a run: the Engine's own (its default /proc and /sys masks, which a
     * container's own list replaces) and {@link #HIDDEN}, but for a place that holds one of
     * {@code programs}.
     */
    static List<String> paths(List<String> enginesOwn, Set<Path> programs) {
        List<String> out = new ArrayList<>(enginesOwn);
        for (Hidden h : HIDDEN) {
            if (programs.stream().noneMatch(p -> p.startsWith(h.path())) && !out.contains(h.path())) out.add(h.path());
        }
        return out;
    }

    /** The places of {@link #HIDDEN} that {@code programs} keep visible. */
    static List<String> keptFor(Set<Path> programs) {
        return HIDDEN.stream().map(Hidden::path).filter(h -> programs.stream().anyMatch(p -> p.startsWith(h))).toList();
    }
}
