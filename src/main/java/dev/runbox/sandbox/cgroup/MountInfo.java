package dev.runbox.sandbox.cgroup;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one reader of {@code /proc/self/mountinfo} (proc(5)): the cgroup hierarchies, the mount that
 * holds the state dir (it must allow exec), and the boxes a crashed process left mounted are all
 * found from here, so every caller decodes the kernel's octal escapes the same way.
 *
 * <p>A line is {@code id parent major:minor root mount-point options [optional...] - fstype source
 * super-options}; the kernel writes space, tab, newline and backslash in paths as {@code \ooo}.
 */
public final class MountInfo {

    /**
     * One mount.
     *
     * @param root         the part of the filesystem shown at the mount point ("/" for all of it)
     * @param options      per-mount options (rw, nosuid, noexec…)
     * @param superOptions the filesystem's own options (for cgroup v1: its controllers)
     */
    public record Mount(Path mountPoint, String root, List<String> options, String fsType, List<String> superOptions) {
        public Mount {
            options = List.copyOf(options);
            superOptions = List.copyOf(superOptions);
        }

        public boolean noexec() {
            return options.contains("noexec");
        }
    }

    private MountInfo() {
    }

    /** The mounts of this process's mount namespace, in the kernel's order (a later one on the same point is on top). */
    public static List<Mount> read() throws IOException {
        return parse(KernelFiles.read(Path.of("/proc/self/mountinfo")));
    }

    /** Parses mountinfo text; lines that are not mountinfo lines are skipped. */
    public static List<Mount> parse(String mountinfo) {
        List<Mount> mounts = new ArrayList<>();
        for (String line : mountinfo.split("\n")) {
            String[] halves = line.split(" - ", 2);
            if (halves.length != 2) continue;
            String[] pre = halves[0].split(" ");
            String[] post = halves[1].split(" ");
            if (pre.length < 6 || post.length < 1 || post[0].isEmpty()) continue;
            List<String> superOptions = post.length >= 3 ? List.of(post[2].split(",")) : List.of();
            mounts.add(new Mount(Path.of(unescape(pre[4])), unescape(pre[3]), List.of(pre[5].split(",")), post[0], superOptions));
        }
        return mounts;
    }

    /** The mount of {@code mounts} that holds {@code path} (which need not exist yet): the deepest, the later of two on one point. */
    public static Optional<Mount> holding(Path path, List<Mount> mounts) {
        Path target = path.toAbsolutePath().normalize();
        Mount best = null;
        for (Mount m : mounts) {
            if (target.startsWith(m.mountPoint()) && (best == null || m.mountPoint().getNameCount() >= best.mountPoint().getNameCount())) {
                best = m;
            }
        }
        return Optional.ofNullable(best);
    }

    /** The mount of this process's namespace that holds {@code path}; empty when mountinfo cannot be read. */
    public static Optional<Mount> holding(Path path) {
        try {
            return holding(path, read());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The same, from mountinfo text. */
    public static Optional<Mount> holding(Path path, String mountinfo) {
        return holding(path, parse(mountinfo));
    }

    /** Decodes the kernel's {@code \ooo} octal escapes (any byte, in practice space, tab, newline, backslash). */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) return s;
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && isOctal(s, i + 1)) {
                sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) return false;
        for (int i = from; i < from + 3; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '7') return false;
        }
        return true;
    }
}
