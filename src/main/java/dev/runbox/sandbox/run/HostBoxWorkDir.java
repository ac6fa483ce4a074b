package dev.runbox.sandbox.run;

import dev.runbox.sandbox.RunSpec;
import dev.runbox.sandbox.SandboxFailure;
import dev.runbox.sandbox.SandboxOutcome;
import dev.runbox.sandbox.WorkDir;

import java.nio.file.Path;
import java.util.Map;

/**
 * A work dir on the host ({@link BoxMount}: a capped tmpfs Runbox mounts and never reads) under a uid
 * of its own, held until it is closed; each run through it is a sandbox run of the backend, with its
 * own limits, that shows the box at /box (the backend may serve a work dir's runs from one environment,
 * reset between them, which it ends at {@link Runs#close}, before the box is unmounted). Shared by
 * both backends.
 */
public final class HostBoxWorkDir implements WorkDir {

    /** Runs one program as {@code uid} in a sandbox that binds {@code box} at /box. */
    public interface Runs {
        SandboxOutcome run(RunSpec spec, int uid, Path box) throws SandboxFailure, InterruptedException;

        /** Ends what serves the work dir's runs (no process of it is left); the box is unmounted after. */
        default void close() {
        }
    }

    private final SandboxParts parts;
    private final BoxMount box;
    private final int uid;
    private final Runs runs;
    private boolean closed;

    private HostBoxWorkDir(SandboxParts parts, BoxMount box, int uid, Runs runs) {
        this.parts = parts;
        this.box = box;
        this.uid = uid;
        this.runs = runs;
    }

    public static HostBoxWorkDir open(SandboxParts parts, Path boxesRoot, String name, Map<String, byte[]> files, long sizeBytes,
                               Runs runs) throws SandboxFailure, InterruptedException {
        int uid = parts.uids().take();
        try {
            return new HostBoxWorkDir(parts, BoxMount.mount(parts.launcher(), boxesRoot, name, sizeBytes, uid, files), uid, runs);
        } catch (SandboxFailure | RuntimeException e) {
            parts.uids().release(uid);
            throw e;
        }
    }

    @Override
    public SandboxOutcome run(RunSpec spec) throws SandboxFailure, InterruptedException {
        if (closed) throw new IllegalStateException("work dir " + box.path() + " is closed");
        if (!spec.files().isEmpty()) throw new IllegalArgumentException("a work dir's files are placed when it is opened");
        return runs.run(spec, uid, box.path());
    }

    @Override
    public void close() throws SandboxFailure {
        if (closed) return;
        closed = true;
        try {
            runs.close();
            box.close();
        } finally {
            parts.uids().release(uid);
        }
    }
}
