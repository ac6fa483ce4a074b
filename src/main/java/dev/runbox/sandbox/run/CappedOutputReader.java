package dev.runbox.sandbox.run;

import dev.runbox.sandbox.SandboxFailure;
import dev.runbox.sandbox.SandboxOutcome;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads one output stream of a run to its end into an {@link OutputCap}: past the cap the run is
 * killed and the rest is read and discarded, so that the program can never block on a full pipe and
 * the pipe always reaches end of file.
 */
public final class CappedOutputReader implements Runnable {

    private final InputStream in;
    private final OutputCap kept;
    private volatile IOException error;

    public CappedOutputReader(InputStream in, long cap, Runnable onOverflow) {
        this.in = in;
        this.kept = new OutputCap(cap, onOverflow);
    }

    @Override
    public void run() {
        byte[] buf = new byte[64 * 1024];
        try (in) {
            int n;
            while ((n = in.read(buf)) >= 0) kept.accept(buf, 0, n);
        } catch (IOException e) {
            error = e;
        }
    }

    public SandboxOutcome.CapturedOutput result() throws SandboxFailure {
        if (error != null) throw new SandboxFailure("reading the program's output failed: " + error, error);
        return kept.captured();
    }
}
