package dev.runbox.sandbox;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads one output stream of a run to its end, keeping at most {@code cap} bytes. Past the cap it
 * calls {@code onOverflow} once (which kills the run) and reads on, discarding, so that the program
 * can never block on a full pipe and the pipe always reaches end of file.
 */
final class BoundedOutput implements Runnable {

    private final InputStream in;
    private final long cap;
    private final Runnable onOverflow;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private volatile boolean truncated;
    private volatile IOException error;

    BoundedOutput(InputStream in, long cap, Runnable onOverflow) {
        this.in = in;
        this.cap = cap;
        this.onOverflow = onOverflow;
    }

    @Override
    public void run() {
        byte[] buf = new byte[64 * 1024];
        try (in) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                long room = cap - kept.size();
                if (n <= room) {
                    kept.write(buf, 0, n);
                } else {
                    if (room > 0) kept.write(buf, 0, (int) room);
                    if (!truncated) {
                        truncated = true;
                        onOverflow.run();
                    }
                }
            }
        } catch (IOException e) {
            error = e;
        }
    }

    SandboxOutcome.CapturedOutput result() throws SandboxFailure {
        if (error != null) throw new SandboxFailure("reading the program's output failed: " + error, error);
        return new SandboxOutcome.CapturedOutput(kept.toByteArray(), truncated);
    }
}
