package dev.runbox.sandbox;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The mount that holds a path, from /proc/self/mountinfo: the state dir must be on one that allows
 * exec (runbox-launch is run from it, and compiled programs from its work dirs), and systemd mounts
 * /run noexec.
 */
public final class Mounts {

    /** A mount point and its per-mount options (mountinfo's sixth field: rw, nosuid, noexec…). */
    public record Mount(Path mountPoint, List<String> options) {
        public boolean noexec() {
            return options.contains("noexec");
        }
    }

    private Mounts() {
    }

    /** The mount of this process's namespace that holds {@code path} (which need not exist yet). */
    public static Optional<Mount> holding(Path path) {
        try {
            return holding(path, KernelFiles.read(Path.of("/proc/self/mountinfo")));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static Optional<Mount> holding(Path path, String mountinfo) {
        Path target = path.toAbsolutePath().normalize();
        Mount best = null;
        for (String line : mountinfo.split("\n")) {
            String[] f = line.split(" ");
            if (f.length < 6) continue;
            Path mountPoint = Path.of(unescape(f[4]));
            // the deepest mount point wins; of two on the same point the later line is on top
            if (target.startsWith(mountPoint) && (best == null || mountPoint.getNameCount() >= best.mountPoint().getNameCount())) {
                best = new Mount(mountPoint, List.of(f[5].split(",")));
            }
        }
        return Optional.ofNullable(best);
    }

    /** mountinfo escapes space, tab, newline and backslash as octal. */
    static String unescape(String s) {
        return s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }
}
