package dev.runbox.worker;

import dev.runbox.sandbox.SandboxFailure;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The two FIFOs that join a program and its interactor for one test, each side in a sandbox of its
 * own: the program's stdin is {@link #toProgram()}, which the interactor writes, and the interactor's
 * stdin is {@link #toInteractor()}, which the program writes.
 *
 * <p>Guarantee: nothing a program does can plant, replace or find them. The host makes them in a fresh
 * directory of a random 128-bit name under the pipes root ({@code <state-dir>.pipes}, root's, mode 0711:
 * it can be passed through, not listed), and both sandboxes see that root read-only at the same place
 * (a FIFO on a read-only mount can still be opened for reading and writing: no file is written). The
 * FIFOs are 0666 since the two sides run under uids of their own. {@link #close} removes them.
 *
 * <p>Opening a FIFO blocks until its other end is opened. The sides open theirs in an order that cannot
 * deadlock (the interactor its stdout first, the program its stdin first); when one side has ended, a
 * side still blocked in an open is let go by {@link #release}: the host opens each FIFO read-write
 * (which never blocks on Linux) and closes it again, so the other side sees end of file or a broken pipe.
 */
final class InteractionPipes implements AutoCloseable {

    static final String TO_PROGRAM = "to-program";
    static final String TO_INTERACTOR = "to-interactor";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long MKFIFO_BOUND_SEC = 10;

    private final Path dir;

    private InteractionPipes(Path dir) {
        this.dir = dir;
    }

    /** The pipes root of a Runbox process whose state dir is {@code stateDir} (a sibling: the state dir is root-only). */
    static Path root(Path stateDir) {
        return stateDir.resolveSibling(stateDir.getFileName() + ".pipes");
    }

    /**
     * Makes the pipes root if it is not there and removes what a Runbox process that died left in it
     * (the state dir, and so the root, belongs to one process at a time).
     */
    static void prepareRoot(Path root) throws SandboxFailure {
        try {
            if (Files.isSymbolicLink(root)) throw new SandboxFailure("pipes root " + root + " is a symbolic link; remove it");
            Files.createDirectories(root);
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
            try (DirectoryStream<Path> stale = Files.newDirectoryStream(root)) {
                for (Path d : stale) removeDir(d);
            }
        } catch (IOException e) {
            throw new SandboxFailure("cannot prepare the pipes root " + root + ": " + e.getMessage(), e);
        }
    }

    /** Fresh FIFOs for one test under {@code root} (made by {@link #prepareRoot}). */
    static InteractionPipes make(Path root) throws SandboxFailure, InterruptedException {
        byte[] name = new byte[16];
        RANDOM.nextBytes(name);
        Path dir = root.resolve(HexFormat.of().formatHex(name));
        try {
            Files.createDirectory(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
            // the JDK has no mkfifo; coreutils' is on every host Runbox runs on
            Process p = new ProcessBuilder(List.of("mkfifo", "-m", "0666", dir.resolve(TO_PROGRAM).toString(),
                    dir.resolve(TO_INTERACTOR).toString())).redirectErrorStream(true).start();
            p.getOutputStream().close();
            if (!p.waitFor(MKFIFO_BOUND_SEC, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new SandboxFailure("mkfifo in " + dir + " did not end within " + MKFIFO_BOUND_SEC + " s");
            }
            String said = new String(p.getInputStream().readAllBytes()).strip();
            if (p.exitValue() != 0) throw new SandboxFailure("mkfifo in " + dir + " failed (exit " + p.exitValue() + "): " + said);
            return new InteractionPipes(dir);
        } catch (IOException e) {
            removeQuietly(dir);
            throw new SandboxFailure("cannot make the FIFOs of an interactive test in " + dir + ": " + e.getMessage(), e);
        } catch (SandboxFailure | InterruptedException e) {
            removeQuietly(dir);
            throw e;
        }
    }

    Path toProgram() {
        return dir.resolve(TO_PROGRAM);
    }

    Path toInteractor() {
        return dir.resolve(TO_INTERACTOR);
    }

    /** Lets go a side blocked in opening a FIFO whose other side is gone (see the class comment). */
    void release() {
        for (Path fifo : List.of(toProgram(), toInteractor())) {
            try (FileChannel ignored = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                // opened as both ends: an open blocked on the other end returns; closing leaves it end of file or EPIPE
            } catch (IOException e) {
                // not there any more: nobody can be blocked on it
            }
        }
    }

    @Override
    public void close() {
        removeQuietly(dir);
    }

    private static void removeQuietly(Path dir) {
        try {
            removeDir(dir);
        } catch (IOException e) {
            // the next prepareRoot removes it
        }
    }

    private static void removeDir(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.deleteIfExists(dir);
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path e : entries) Files.deleteIfExists(e);
        }
        Files.deleteIfExists(dir);
    }
}
