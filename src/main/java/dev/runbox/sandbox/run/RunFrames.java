package dev.runbox.sandbox.run;

import dev.runbox.sandbox.SandboxOutcome;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One run's output as runbox-init frames it on the stdout of an environment that serves many runs
 * (native/init.c, serve mode): a tag byte ('o' stdout, 'e' stderr, 'x' the end), a 4-byte big-endian
 * length, the bytes. Reads the frames of one run, each output into its own {@link OutputCap}, up to
 * and including the end frame, and no further: what follows belongs to the next run.
 *
 * <p>The end frame is init's word that the run is over: it comes only once the run's pid namespace is
 * empty (its reaper reaped, so every process of the run is gone) and both output pipes reached end of
 * file. The program cannot forge it: it never holds init's stdout, only pipes made for its run, whose
 * bytes init wraps in 'o' and 'e' frames. {@link #call} returns empty when the stream ends without an
 * end frame: the environment died (killed by Runbox at a limit, or by the kernel's OOM killer).
 */
public final class RunFrames implements Callable<Optional<RunFrames.End>> {

    /** What init says of a finished run: the status as bwrap gives it (128 + N for signal N), the
     *  program's own time (fork to reap) in nanoseconds, -1 when not known, and whether init's checks
     *  after the run found the environment as it was before it. */
    public record End(int status, long programNanos, boolean clean) {
    }

    private static final Pattern END = Pattern.compile("(-?[0-9]{1,10}) (-?[0-9]{1,19}) (clean|dirty)");
    private static final int MAX_FRAME = 1 << 20;

    private final DataInputStream in;
    private final OutputCap stdout;
    private final OutputCap stderr;

    public RunFrames(InputStream in, long cap, Runnable onOverflow) {
        this.in = new DataInputStream(in);
        this.stdout = new OutputCap(cap, onOverflow);
        this.stderr = new OutputCap(cap, onOverflow);
    }

    @Override
    public Optional<End> call() throws IOException {
        byte[] buf = new byte[64 * 1024];
        for (;;) {
            int tag = in.read();
            if (tag < 0) return Optional.empty();
            int len;
            try {
                len = in.readInt();
            } catch (EOFException e) {
                return Optional.empty();
            }
            if (len < 0 || len > MAX_FRAME) throw new IOException("runbox-init framed " + len + " bytes: not a frame");
            if (len > buf.length) buf = new byte[len];
            try {
                in.readFully(buf, 0, len);
            } catch (EOFException e) {
                return Optional.empty();
            }
            switch (tag) {
                case 'o' -> stdout.accept(buf, 0, len);
                case 'e' -> stderr.accept(buf, 0, len);
                case 'x' -> {
                    String text = new String(buf, 0, len, StandardCharsets.US_ASCII);
                    Matcher m = END.matcher(text);
                    if (!m.matches()) throw new IOException("malformed end of run from runbox-init: '" + text + "'");
                    return Optional.of(new End(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)), m.group(3).equals("clean")));
                }
                default -> throw new IOException("unknown frame tag " + tag + " from runbox-init");
            }
        }
    }

    public SandboxOutcome.CapturedOutput stdout() {
        return stdout.captured();
    }

    public SandboxOutcome.CapturedOutput stderr() {
        return stderr.captured();
    }
}
