package dev.runbox.language;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Fits a language definition to this host, or says why it cannot run here. The sandbox shows only
 * /usr (with the /bin, /lib… links into it) and the language's mounts, so:
 * <ul>
 *   <li>each mount with a {@code *} in its last part becomes the directories that match it here; one
 *       matching nothing makes the language unavailable;</li>
 *   <li>each program (the first element of compile and run, unless it is built in /box) must be an
 *       executable file here; when it is reached through a symlink outside what the sandbox sees
 *       (Debian's {@code /usr/bin/java → /etc/alternatives/java → /usr/lib/jvm/…}) it is replaced
 *       by its real path, which must itself be visible;</li>
 *   <li>the version command must succeed; its first line is the version shown by GET /languages.</li>
 * </ul>
 * Programs found elsewhere on the host's PATH (pyenv shims, ~/.cargo) are never used: commands name
 * absolute paths.
 */
final class Toolchain {

    private static final Logger log = LoggerFactory.getLogger(Toolchain.class);
    private static final long VERSION_TIMEOUT_SEC = 15;
    /** What the sandbox shows of the host besides the language's own mounts. */
    private static final List<Path> VISIBLE = List.of(Path.of("/usr"), Path.of("/bin"), Path.of("/sbin"), Path.of("/lib"),
            Path.of("/lib32"), Path.of("/lib64"), Path.of("/libx32"));
    private static final Path WORK_DIR = Path.of("/box");

    private Toolchain() {
    }

    /** The language as it runs on this host, or why it cannot. */
    static Result fit(Language l) {
        List<Path> mounts = new ArrayList<>();
        for (Path m : l.mounts()) {
            List<Path> found = expand(m);
            if (found.isEmpty()) return Result.missing("mount " + m + " matches nothing on this host");
            mounts.addAll(found);
        }
        List<Path> visible = new ArrayList<>(VISIBLE);
        visible.addAll(mounts);
        List<String> compile = l.compile();
        List<String> run = l.run();
        try {
            if (!compile.isEmpty()) compile = withProgram(compile, visible);
            run = withProgram(run, visible);
        } catch (Missing e) {
            return Result.missing(e.getMessage());
        }
        Optional<String> version = detectVersion(l.version());
        if (version.isEmpty()) return Result.missing("its version command " + l.version() + " failed");
        return new Result(Optional.of(l.withHost(compile, run, mounts, version.get())), null);
    }

    record Result(Optional<Language> language, String whyNot) {
        static Result missing(String why) {
            return new Result(Optional.empty(), why);
        }
    }

    private static final class Missing extends Exception {
        Missing(String message) {
            super(message);
        }
    }

    private static List<String> withProgram(List<String> argv, List<Path> visible) throws Missing {
        Path program = Path.of(argv.get(0));
        if (program.startsWith(WORK_DIR)) return argv; // built by the compile step
        if (!Files.isRegularFile(program) || !Files.isExecutable(program)) throw new Missing(program + " is not installed");
        Path usable = sandboxPath(program, visible);
        if (usable.equals(program)) return argv;
        log.debug("{} reaches its program through a place the sandbox does not show; using {}", program, usable);
        List<String> out = new ArrayList<>(argv);
        out.set(0, usable.toString());
        return out;
    }

    /**
     * {@code program} itself when every link on the way to it stays where the sandbox sees, else its
     * real path when that is visible.
     */
    static Path sandboxPath(Path program, List<Path> visible) throws Missing {
        Path hop = program;
        boolean allVisible = true;
        for (int i = 0; i < 40 && allVisible; i++) {
            if (!isVisible(hop, visible)) allVisible = false;
            else if (Files.isSymbolicLink(hop)) {
                try {
                    hop = hop.resolveSibling(Files.readSymbolicLink(hop)).normalize();
                } catch (IOException e) {
                    throw new Missing("cannot read the link " + hop + ": " + e.getMessage());
                }
            } else {
                return program;
            }
        }
        Path real;
        try {
            real = program.toRealPath();
        } catch (IOException e) {
            throw new Missing("cannot resolve " + program + ": " + e.getMessage());
        }
        if (!isVisible(real, visible)) {
            throw new Missing(program + " is really " + real + ", which the sandbox does not show (add a mount)");
        }
        return real;
    }

    private static boolean isVisible(Path p, List<Path> visible) {
        return visible.stream().anyMatch(p::startsWith);
    }

    /** A mount as it exists here: itself, or what its {@code *} pattern matches (sorted). */
    static List<Path> expand(Path mount) {
        String last = mount.getFileName().toString();
        if (!last.contains("*")) return Files.isDirectory(mount) || Files.isRegularFile(mount) ? List.of(mount) : List.of();
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(mount.getParent(), last)) {
            for (Path p : ds) found.add(p);
        } catch (IOException e) {
            return List.of();
        }
        found.sort(null);
        return found;
    }

    /** Runs the version command on the host (a trusted binary of the host, with no user input). */
    private static Optional<String> detectVersion(List<String> version) {
        try {
            ProcessBuilder pb = new ProcessBuilder(version).redirectErrorStream(true);
            Process p = pb.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readNBytes(4096), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(VERSION_TIMEOUT_SEC, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            String first = out.lines().findFirst().orElse("").strip();
            return p.exitValue() == 0 && !first.isEmpty() ? Optional.of(first) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
