package dev.runbox.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Deletes a directory tree that a daemon or debootstrap used, but never through a mount: a
 * container's root, a bind mount of a host directory or a chroot's /proc can still be mounted under
 * it after an unclean stop, and a recursive delete would then remove files that are not ours.
 */
final class SafeDelete {

    private SafeDelete() {
    }

    /** Deletes {@code dir}; when something is mounted under it, deletes nothing and says so on stderr. */
    static void tree(Path dir) {
        if (!Files.exists(dir)) return;
        try {
            List<String> mounts = mountsUnder(dir);
            if (!mounts.isEmpty()) {
                System.err.println("runbox-test: left " + dir + " in place: still mounted under it: " + mounts);
                return;
            }
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("runbox-test: could not delete " + dir + ": " + e);
        }
    }

    /** Unmounts (lazily, deepest first) whatever is mounted under {@code dir}, e.g. a killed dockerd's netns files. */
    static void unmountAllUnder(Path dir) {
        try {
            List<String> mounts = mountsUnder(dir);
            mounts.sort(Comparator.reverseOrder());
            for (String m : mounts) {
                Process umount = new ProcessBuilder("umount", "-l", m).inheritIO().start();
                if (!umount.waitFor(10, TimeUnit.SECONDS)) umount.destroyForcibly();
            }
        } catch (IOException e) {
            System.err.println("runbox-test: could not unmount under " + dir + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Mount points at or below {@code dir}, from /proc/self/mountinfo (field 5 is the mount point). */
    static List<String> mountsUnder(Path dir) throws IOException {
        String prefix = dir.toRealPath().toString();
        List<String> under = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            // octal escapes (\040 for a space) do not matter here: our paths have none
            String mountPoint = line.split(" ")[4];
            if (mountPoint.equals(prefix) || mountPoint.startsWith(prefix + "/")) under.add(mountPoint);
        }
        return under;
    }
}
