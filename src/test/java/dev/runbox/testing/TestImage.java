package dev.runbox.testing;

import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.transport.DockerHttpClient;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The base image of the Docker backend's tests, built on this machine (no registry is reachable):
 * a Debian minbase with python3 and gcc, made by debootstrap and imported as
 * {@code runbox-test/bookworm:<tag>}. The tag is a short hash of the recipe, so a changed recipe
 * is a new image and an unchanged one is never built twice.
 *
 * <p>Two caches, each cheaper to refill than the one after it: the engine's data-root (checked
 * first, costs nothing), then the root filesystem as a tar under {@value #CACHE_DIR} (an import of
 * some seconds, for a wiped or temporary data-root), then debootstrap from the Debian mirror (about
 * a minute and a download of some hundred MB).
 *
 * <p>The image has no user database entry for the uids the backend runs as (e.g. 60000): docker
 * runs a numeric uid without one, and nothing in it needs a home directory or a name.
 */
public final class TestImage {

    static final String SUITE = "bookworm";
    static final String VARIANT = "minbase";
    static final List<String> PACKAGES = List.of("python3", "gcc", "libc6-dev");
    static final String MIRROR = "http://deb.debian.org/debian";
    static final String REPOSITORY = "runbox-test/" + SUITE;
    static final String CACHE_DIR = "/var/cache/runbox-test";
    // what the image is made of besides the above; change it when the build below changes
    private static final String RECIPE_REVISION = "1: debootstrap, apt lists and .debs dropped, tar --numeric-owner";

    private static final Path DEBOOTSTRAP = Path.of("/usr/sbin/debootstrap");
    private static final Duration DEBOOTSTRAP_TIMEOUT = Duration.ofMinutes(15);
    private static final Duration TAR_TIMEOUT = Duration.ofMinutes(5);

    private TestImage() {
    }

    /**
     * The reference of the base image in {@code engine}, built or imported first when the engine
     * does not have it. One build at a time per JVM; two JVMs may both build, and the tar cache
     * then holds one whole result (written to a temporary file, renamed into place).
     */
    public static synchronized String ensure(DockerEngine engine) {
        String reference = reference();
        if (has(engine, reference)) return reference;
        try {
            importTar(engine, tar());
        } catch (IOException e) {
            throw new IllegalStateException("could not make the test image " + reference + ": " + e, e);
        }
        return reference;
    }

    /** The image's root filesystem as a tar in the cache, built first when it is not there. */
    static synchronized Path tar() throws IOException {
        Path tar = Path.of(CACHE_DIR, SUITE + "-" + tag() + ".tar");
        if (!Files.exists(tar)) build(tar);
        return tar;
    }

    /**
     * Prints the path of the image's tar ({@link #tar}), built first when missing: vm/stage.sh copies
     * it to the same path in its guest, which reaches no mirror to build it from.
     */
    public static void main(String[] args) throws IOException {
        System.out.println(tar());
    }

    /** {@code runbox-test/bookworm:<12 hex digits of the recipe's SHA-256>} */
    public static String reference() {
        return REPOSITORY + ":" + tag();
    }

    static String tag() {
        String recipe = String.join("\n", SUITE, VARIANT, String.join(",", PACKAGES), RECIPE_REVISION);
        return Sha256.hex(recipe.getBytes(StandardCharsets.UTF_8)).substring(0, 12);
    }

    private static boolean has(DockerEngine engine, String reference) {
        try {
            engine.client().inspectImageCmd(reference).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    /** debootstrap into a temporary directory, then pack it as {@code tar}. */
    private static void build(Path tar) throws IOException {
        if (!Files.isExecutable(DEBOOTSTRAP)) {
            throw new IllegalStateException(DEBOOTSTRAP + " is missing: install debootstrap; ./runbox test does");
        }
        Files.createDirectories(tar.getParent());
        // /var/tmp, not /tmp: it may be a small tmpfs elsewhere, and the tree is some hundred MB
        Path work = Files.createTempDirectory(Path.of("/var/tmp"), "runbox-test-image-");
        Path rootfs = work.resolve("rootfs");
        try {
            long started = System.nanoTime();
            run(List.of(DEBOOTSTRAP.toString(), "--variant=" + VARIANT, "--include=" + String.join(",", PACKAGES),
                    SUITE, rootfs.toString(), MIRROR), work.resolve("debootstrap.log"), DEBOOTSTRAP_TIMEOUT);
            long bootstrapped = System.nanoTime();
            dropPackageCaches(rootfs);
            Path partial = Files.createTempFile(tar.getParent(), tar.getFileName() + ".", ".partial");
            try {
                // numeric owners: the image must not depend on the host's user names
                run(List.of("tar", "--numeric-owner", "-C", rootfs.toString(), "-cf", partial.toString(), "."),
                        work.resolve("tar.log"), TAR_TIMEOUT);
                Files.move(partial, tar, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(partial);
            }
            System.err.printf("runbox-test: built %s (%d MB) in %d s: debootstrap %d s, tar %d s%n", tar,
                    Files.size(tar) >> 20, seconds(started), TimeUnit.NANOSECONDS.toSeconds(bootstrapped - started),
                    seconds(bootstrapped));
        } finally {
            SafeDelete.tree(work);
        }
    }

    /** The downloaded .debs and package lists: no run needs them, and they are a good part of the size. */
    private static void dropPackageCaches(Path rootfs) throws IOException {
        for (String dir : List.of("var/cache/apt/archives", "var/lib/apt/lists")) {
            Path d = rootfs.resolve(dir);
            if (!Files.isDirectory(d)) continue;
            try (var files = Files.list(d)) {
                for (Path f : files.toList()) {
                    if (Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) Files.delete(f);
                }
            }
        }
    }

    /**
     * Imports the tar through the Docker API ({@code POST /images/create?fromSrc=-}, what
     * {@code docker import} does), streaming it from disk. Not through docker-java's
     * {@code createImageCmd(repository, InputStream)}: in 3.5.3 that sends the stream object
     * JSON-encoded instead of its bytes, and dockerd answers "unexpected EOF" (docker-java issue
     * 2377); the request here goes through the same docker-java transport instead.
     */
    private static void importTar(DockerEngine engine, Path tar) throws IOException {
        long started = System.nanoTime();
        String path = "/images/create?fromSrc=-&repo=" + URLEncoder.encode(REPOSITORY, StandardCharsets.UTF_8)
                + "&tag=" + tag();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(tar), 1 << 20)) {
            DockerHttpClient.Request request = DockerHttpClient.Request.builder()
                    .method(DockerHttpClient.Request.Method.POST)
                    .path(path)
                    .putHeader("Content-Type", "application/x-tar")
                    .body(in)
                    .build();
            try (DockerHttpClient.Response response = engine.http().execute(request)) {
                // the progress stream ends with {"status":"sha256:…"}, or with an error after a 200
                String answer = new String(response.getBody().readAllBytes(), StandardCharsets.UTF_8);
                if (response.getStatusCode() != 200 || answer.contains("\"error")) {
                    throw new IOException("import of " + tar + " failed: HTTP " + response.getStatusCode() + " " + answer);
                }
            }
        }
        if (!has(engine, reference())) throw new IOException("imported " + tar + " but " + reference() + " is not there");
        System.err.printf("runbox-test: imported %s as %s in %d s%n", tar, reference(), seconds(started));
    }

    /** Runs a setup command to its end, its output into {@code log}; throws with the log's tail when it fails. */
    private static void run(List<String> command, Path log, Duration timeout) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(command.get(0) + " did not finish within " + timeout.toMinutes() + " min; "
                        + tail(log));
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command.get(0), e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited with status " + p.exitValue() + "; " + tail(log));
        }
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(log, StandardCharsets.ISO_8859_1));
        return "last lines of its output:\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    private static long seconds(long sinceNanos) {
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - sinceNanos);
    }
}
