package dev.runbox.sandbox.run;

import dev.runbox.sandbox.SandboxOutcome;

import java.io.ByteArrayOutputStream;

/**
 * Keeps at most {@code cap} bytes of one output stream of a run. Past the cap it calls
 * {@code onOverflow} once (which kills the run) and discards the rest, so whoever feeds it can read
 * on to the end without holding more than the cap.
 */
public final class OutputCap {

    private final long cap;
    private final Runnable onOverflow;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private boolean truncated;

    public OutputCap(long cap, Runnable onOverflow) {
        this.cap = cap;
        this.onOverflow = onOverflow;
    }

    public synchronized void accept(byte[] buf, int off, int n) {
        long room = cap - kept.size();
        if (n <= room) {
            kept.write(buf, off, n);
            return;
        }
        if (room > 0) kept.write(buf, off, (int) room);
        if (!truncated) {
            truncated = true;
            onOverflow.run();
        }
    }

    public synchronized SandboxOutcome.CapturedOutput captured() {
        return new SandboxOutcome.CapturedOutput(kept.toByteArray(), truncated);
    }
}
