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
 * stdin is {@link #toInteractor()}, which the program writes. (A live run's FIFOs, whose other side is
 * the worker itself, are made the same way: {@link #make(Path, String...)}, see {@link LiveRelay}.)
 *
 * <p>Guarantee: nothing a program does can plant, replace or find them. The host makes them in a fresh
 * directory of a random 128-bit name under the pipes root ({@code <state-dir>.pipes}, root's, mode 0711:
 * it can be passed through, not listed), and both sandboxes see that root read-only at the same place
 * (a FIFO on a read-only mount can still be opened for reading and writing: no file is written). The
 * FIFOs are 0666 since the two sides run under uids of their own. {@link #close} removes them.
 *
 * <p>A FIFO whose writers are all gone reads end of file, even when a writer is yet to come; and opening
 * one end blocks until the other is open. So the host holds each FIFO open read-write (which never
 * blocks on Linux) from before either side starts until {@link #release}, called as soon as one side has
 * ended: until then no side reads end of file because its peer has not started yet. The host never reads
 * or writes, so the conversation is the sides' alone. Once released, the side still running reads end of
 * file, or gets a broken pipe when it writes: a test ends when its first side does, without waiting for a
 * limit (a side that closes its end early but runs on is seen to end when it ends). A side that starts
 * only after its peer ended and the host released would block in its open for good, so each side opens
 * its ends by {@link #opens}, which never blocks (with reuse, an interactor that exits at once often ends
 * before the program's shell has run).
 *
 * <p>Why FIFOs and not a relay through the host: the {@code Sandbox} seam takes a run's stdin as bytes
 * given up front and returns its output once it has ended, so a relay would need a streaming seam in
 * every sandbox (and in the bubblewrap run path, which is being reworked for reuse). FIFOs need only what
 * both sandboxes already take, read-only host mounts ({@code RunSpec.readOnlyMounts}), and keep the
 * conversation off the JVM: bytes go kernel to kernel, each side's output cap and limits stay its own,
 * and the two sides run on one worker in any deployment (embedded, Redis, Docker), since the FIFOs are
 * that worker's host's. One root, always the same path, is mounted (not a directory per test), so a
 * sandbox's shape does not change from test to test.
 */
final class InteractionPipes implements AutoCloseable {

    static final String TO_PROGRAM = "to-program";
    static final String TO_INTERACTOR = "to-interactor";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long MKFIFO_BOUND_SEC = 10;

    private final Path dir;
    private final List<FileChannel> held = new java.util.ArrayList<>();

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
        return make(root, TO_PROGRAM, TO_INTERACTOR);
    }

    /** Fresh FIFOs of these plain {@code names} under {@code root}, each held open read-write by the host until {@link #release}. */
    static InteractionPipes make(Path root, String... names) throws SandboxFailure, InterruptedException {
        byte[] name = new byte[16];
        RANDOM.nextBytes(name);
        Path dir = root.resolve(HexFormat.of().formatHex(name));
        try {
            Files.createDirectory(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
            // the JDK has no mkfifo; coreutils' is on every host Runbox runs on
            List<String> mkfifo = new java.util.ArrayList<>(List.of("mkfifo", "-m", "0666"));
            for (String n : names) mkfifo.add(dir.resolve(n).toString());
            Process p = new ProcessBuilder(mkfifo).redirectErrorStream(true).start();
            p.getOutputStream().close();
            if (!p.waitFor(MKFIFO_BOUND_SEC, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new SandboxFailure("mkfifo in " + dir + " did not end within " + MKFIFO_BOUND_SEC + " s");
            }
            String said = new String(p.getInputStream().readAllBytes()).strip();
            if (p.exitValue() != 0) throw new SandboxFailure("mkfifo in " + dir + " failed (exit " + p.exitValue() + "): " + said);
            InteractionPipes pipes = new InteractionPipes(dir);
            try {
                for (String n : names) {
                    pipes.held.add(FileChannel.open(pipes.path(n), StandardOpenOption.READ, StandardOpenOption.WRITE));
                }
            } catch (IOException e) {
                pipes.close();
                throw e;
            }
            return pipes;
        } catch (IOException e) {
            removeQuietly(dir);
            throw new SandboxFailure("cannot make the FIFOs of an interactive test in " + dir + ": " + e.getMessage(), e);
        } catch (SandboxFailure | InterruptedException e) {
            removeQuietly(dir);
            throw e;
        }
    }

    /**
     * The shell redirections by which a side takes its ends: stdout to the FIFO named by shell variable
     * {@code out}, stdin from the one named by {@code in}, each opened without ever blocking: first
     * read-write on a spare fd (never blocks), then the real end (cannot block: the spare fd is its other
     * end), then the spare fd closed. So a side that starts after its peer ended and the host released the
     * FIFOs still gets its ends, and then reads end of file or gets a broken pipe at once.
     */
    static String opens(String out, String in) {
        return "3<>\"$" + out + "\" >\"$" + out + "\" 3>&- 4<>\"$" + in + "\" <\"$" + in + "\" 4<&-";
    }

    Path toProgram() {
        return dir.resolve(TO_PROGRAM);
    }

    /** The FIFO of {@code name}, one of those it was made with. */
    Path path(String name) {
        return dir.resolve(name);
    }

    Path toInteractor() {
        return dir.resolve(TO_INTERACTOR);
    }

    /** Closes the host's ends (see the class comment); safe to call twice. */
    synchronized void release() {
        for (FileChannel c : held) {
            try {
                c.close();
            } catch (IOException e) {
                // a FIFO's close does not fail in a way that leaves it open
            }
        }
        held.clear();
    }

    @Override
    public void close() {
        release();
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
