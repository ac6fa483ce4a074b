package dev.runbox.cli;

import java.io.PrintStream;
import java.util.concurrent.TimeUnit;

/**
 * A one-line progress indicator on stderr while waiting ({@code | PROCESSING 1.2 s}), redrawn in
 * place and erased when done. Only for a terminal: when stderr is a file or a pipe nothing is written,
 * so logs and scripts never see it.
 */
final class Spinner implements AutoCloseable {

    private static final String FRAMES = "|/-\\";
    private static final long FRAME_MILLIS = 100;

    private final PrintStream err;
    private final Thread thread;
    private final long start = System.nanoTime();
    private volatile String status = "submitting";
    private volatile boolean done;

    private Spinner(PrintStream err, boolean enabled) {
        this.err = err;
        this.thread = enabled ? new Thread(this::spin, "spinner") : null;
        if (thread != null) {
            thread.setDaemon(true);
            thread.start();
        }
    }

    /** A spinner on {@code err}, drawn only when {@code enabled} (stderr is a terminal). */
    static Spinner start(PrintStream err, boolean enabled) {
        return new Spinner(err, enabled);
    }

    void status(String status) {
        this.status = status;
    }

    private void spin() {
        int frame = 0;
        while (!done) {
            double seconds = (System.nanoTime() - start) / 1e9;
            synchronized (err) {
                if (done) return;
                err.print("\r" + FRAMES.charAt(frame++ % FRAMES.length()) + " " + status + String.format(" %.1f s", seconds) + "\033[K");
                err.flush();
            }
            try {
                TimeUnit.MILLISECONDS.sleep(FRAME_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Stops and erases the line, so what follows starts at the left margin. */
    @Override
    public void close() {
        if (thread == null) return;
        synchronized (err) {
            done = true;
            err.print("\r\033[K");
            err.flush();
        }
        thread.interrupt();
    }
}
