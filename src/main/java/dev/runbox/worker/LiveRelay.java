package dev.runbox.worker;

import dev.runbox.live.LiveLink;
import dev.runbox.live.LiveMessage;
import dev.runbox.sandbox.RunSpec;
import dev.runbox.sandbox.SandboxFailure;
import dev.runbox.sandbox.SandboxOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The run of a live program ({@code dev.runbox.live}): its stdin, stdout and stderr are FIFOs
 * ({@link InteractionPipes}) whose other ends the worker holds, and the worker relays them to and from
 * the run's {@link LiveLink} while it runs: what the client sends is written to the program's stdin as
 * it comes, and what the program writes is sent as it comes, per stream, in UTF-8 text (a character
 * split between two reads is sent whole with the second).
 *
 * <p>Guarantees. The program runs in the sandbox exactly as any run does (same limits, same mounts
 * besides the pipes root, which is read-only); the worker reads and writes only FIFOs it made in a
 * fresh directory of a random name (see {@link InteractionPipes}) and never follows a path the program
 * could have planted. Each stream is capped at the output cap: past it the program is killed and the
 * run is OLE, as any run. A signal the client asks for reaches only the program: a shell in the sandbox
 * starts a reader of a fourth FIFO, then execs the program in its own place (so the program's pid, exit
 * status and death by a signal are its own), and the reader sends each name it reads, one of
 * {@link LiveMessage#SIGNALS}, to that pid; the program could read that FIFO too, which only takes signals meant
 * for itself. A client that leaves ({@link LiveMessage.Type#HANGUP}) has the program killed. Everything
 * the relay started has ended when {@link #run} returns: the sandbox has ended every process of the
 * run, the holds are released so the readers reach end of file once they have read all that was
 * written, and the input pump and its writer are stopped (the writer has a thread of its own, so that
 * a program that does not read its stdin does not hold up the client's signals).
 */
final class LiveRelay {

    private static final Logger log = LoggerFactory.getLogger(LiveRelay.class);

    private static final String STDIN = "stdin";
    private static final String STDOUT = "stdout";
    private static final String STDERR = "stderr";
    private static final String SIGNAL_FIFO = "signals";
    /** How long the input pump waits for a message before it looks whether the run has ended. */
    private static final Duration PUMP_WAIT = Duration.ofMillis(200);
    /** Longest wait for the readers to reach end of file once the run has ended (all its writers are gone by then). */
    private static final long DRAIN_BOUND_MS = 5_000;
    private static final int CHUNK = 16 * 1024;
    /** Shortest time between two output messages of a run (see {@code sendOutput}). */
    private static final long SEND_INTERVAL_MS = 5;

    /** Runs a spec in the sandbox (a one-off run, or in a work dir). */
    @FunctionalInterface
    interface SpecRun {
        SandboxOutcome run(RunSpec spec) throws SandboxFailure, InterruptedException;
    }

    private LiveRelay() {
    }

    /**
     * Runs {@code spec} (its stdin is ignored: the client's input is) live through {@code link}, each
     * stream capped at {@code capBytes}; the outcome carries what the program wrote (up to the cap).
     */
    static SandboxOutcome run(RunSpec spec, SpecRun runs, LiveLink link, Path pipesRoot, long capBytes, ExecutorService threads)
            throws SandboxFailure, InterruptedException {
        try (InteractionPipes pipes = InteractionPipes.make(pipesRoot, STDIN, STDOUT, STDERR, SIGNAL_FIFO)) {
            FileChannel stdin;
            FileChannel stdout;
            FileChannel stderr;
            FileChannel signals;
            try {
                // none blocks: the host holds each FIFO read-write (InteractionPipes)
                stdin = FileChannel.open(pipes.path(STDIN), StandardOpenOption.WRITE);
                stdout = FileChannel.open(pipes.path(STDOUT), StandardOpenOption.READ);
                stderr = FileChannel.open(pipes.path(STDERR), StandardOpenOption.READ);
                signals = FileChannel.open(pipes.path(SIGNAL_FIFO), StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw new SandboxFailure("cannot open the FIFOs of a live run: " + e.getMessage(), e);
            }
            Relay relay = new Relay(link, stdin, signals, capBytes);
            List<String> command = new ArrayList<>(List.of("/bin/sh", "-c",
                    "i=$1 o=$2 e=$3 c=$4; shift 4; p=$$; (while read -r s; do kill -s \"$s\" \"$p\"; done) <\"$c\" 2>/dev/null &"
                            + " exec \"$@\" <\"$i\" >\"$o\" 2>\"$e\"", "live",
                    pipes.path(STDIN).toString(), pipes.path(STDOUT).toString(), pipes.path(STDERR).toString(),
                    pipes.path(SIGNAL_FIFO).toString()));
            command.addAll(spec.command());
            List<Path> mounts = new ArrayList<>(spec.readOnlyMounts());
            mounts.add(pipesRoot);
            RunSpec live = new RunSpec(command, spec.files(), new byte[0], spec.limits(), mounts, spec.environment());
            Future<?> out = threads.submit(() -> relay.read(stdout, LiveMessage.Type.STDOUT, relay.stdout));
            Future<?> err = threads.submit(() -> relay.read(stderr, LiveMessage.Type.STDERR, relay.stderr));
            Future<?> sent = threads.submit(() -> relay.sendOutput(out, err));
            Future<?> pump = threads.submit(relay::pump);
            Future<?> feed = threads.submit(relay::feed);
            SandboxOutcome o;
            try {
                o = runs.run(live);
            } finally {
                relay.ended.set(true);
                pipes.release(); // every writer of stdout and stderr is gone: the readers drain to end of file
                awaitQuietly(out);
                awaitQuietly(err);
                awaitQuietly(sent);
                closeQuietly(stdin); // unblocks a feed stuck writing to a stdin nobody reads
                closeQuietly(signals);
                awaitQuietly(pump);
                awaitQuietly(feed);
                closeQuietly(stdout);
                closeQuietly(stderr);
            }
            SandboxOutcome.Termination t = relay.overCap.get() && o.termination() == SandboxOutcome.Termination.EXITED
                    ? SandboxOutcome.Termination.OUTPUT_LIMIT : o.termination();
            return new SandboxOutcome(t, o.exitCode(), o.signal(), o.wallTime(), o.cpuTime(), o.memoryPeakBytes(),
                    relay.stdout.captured(), relay.stderr.captured());
        }
    }

    private static void awaitQuietly(Future<?> f) throws InterruptedException {
        try {
            f.get(DRAIN_BOUND_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            log.warn("a live run's relay failed", e.getCause());
        } catch (TimeoutException e) {
            f.cancel(true);
            log.warn("a live run's relay did not end within {} ms of the run; stopped", DRAIN_BOUND_MS);
        }
    }

    private static void closeQuietly(FileChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // a FIFO's close does not fail in a way that leaves it open
        }
    }

    /** What one stream kept for the result: at most the cap. */
    private static final class Kept {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final long cap;
        long written;

        Kept(long cap) {
            this.cap = cap;
        }

        synchronized void add(ByteBuffer b) {
            int room = (int) Math.max(0, Math.min(b.remaining(), cap - written));
            bytes.write(b.array(), b.arrayOffset() + b.position(), room);
            written += b.remaining();
        }

        synchronized SandboxOutcome.CapturedOutput captured() {
            return new SandboxOutcome.CapturedOutput(bytes.toByteArray(), written > cap);
        }
    }

    private static final class Relay {
        final LiveLink link;
        final FileChannel stdin;
        final FileChannel signals;
        final Kept stdout;
        final Kept stderr;
        final AtomicBoolean ended = new AtomicBoolean();
        final AtomicBoolean overCap = new AtomicBoolean();
        /** Output decoded by the readers, in the order read, for {@link #sendOutput}. */
        final java.util.concurrent.LinkedBlockingQueue<LiveMessage> outgoing = new java.util.concurrent.LinkedBlockingQueue<>();
        /**
         * Input on its way to the program: written by {@link #feed}, so that a program that does not read
         * its stdin (a full pipe) does not hold up the client's signals. Bounded by what the API lets a
         * client send (max-stdin-bytes).
         */
        final java.util.concurrent.LinkedBlockingQueue<byte[]> input = new java.util.concurrent.LinkedBlockingQueue<>();

        Relay(LiveLink link, FileChannel stdin, FileChannel signals, long cap) {
            this.link = link;
            this.stdin = stdin;
            this.signals = signals;
            this.stdout = new Kept(cap);
            this.stderr = new Kept(cap);
        }

        /** Sends what the program writes on one stream as it comes, until end of file. */
        void read(FileChannel from, LiveMessage.Type stream, Kept kept) {
            CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE);
            ByteBuffer buf = ByteBuffer.allocate(CHUNK);
            CharBuffer chars = CharBuffer.allocate(CHUNK);
            try {
                for (;;) {
                    int leftover = buf.position(); // the first bytes of a character the last read split
                    if (from.read(buf) < 0) break;
                    buf.flip();
                    ByteBuffer fresh = buf.duplicate();
                    fresh.position(leftover);
                    long before = kept.written;
                    kept.add(fresh);
                    if (kept.written > kept.cap && overCap.compareAndSet(false, true)) signal("KILL");
                    if (before >= kept.cap) {
                        buf.clear();
                        continue;
                    }
                    // what is sent stops at the cap, as what is kept does
                    long allowed = kept.cap - before;
                    if (buf.limit() - leftover > allowed) buf.limit(leftover + (int) allowed);
                    utf8.decode(buf, chars, false);
                    send(stream, chars);
                    buf.compact();
                }
                buf.flip();
                utf8.decode(buf, chars, true);
                utf8.flush(chars);
                send(stream, chars);
            } catch (IOException e) {
                // the relay was stopped (the run ended): what was read is sent
            }
        }

        private void send(LiveMessage.Type stream, CharBuffer chars) {
            chars.flip();
            if (chars.hasRemaining()) outgoing.add(LiveMessage.output(stream, LiveMessage.RUN, chars.toString()));
            chars.clear();
        }

        /**
         * Sends the output the readers decoded, at most one message per stream every {@link #SEND_INTERVAL_MS}
         * (what came meanwhile goes as one): a program that writes a byte at a time sends a few hundred
         * messages a second through the channel (Redis, the socket), not one per byte. Ends once the
         * readers have and everything they gave is sent.
         */
        void sendOutput(Future<?> out, Future<?> err) {
            try {
                for (;;) {
                    boolean readersDone = out.isDone() && err.isDone();
                    LiveMessage first = outgoing.poll(SEND_INTERVAL_MS, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        if (readersDone) return;
                        continue;
                    }
                    List<LiveMessage> batch = new ArrayList<>();
                    batch.add(first);
                    outgoing.drainTo(batch);
                    StringBuilder text = new StringBuilder();
                    LiveMessage.Type type = batch.get(0).type();
                    for (LiveMessage m : batch) {
                        if (m.type() != type) {
                            link.send(LiveMessage.output(type, LiveMessage.RUN, text.toString()));
                            text.setLength(0);
                            type = m.type();
                        }
                        text.append(m.data());
                    }
                    link.send(LiveMessage.output(type, LiveMessage.RUN, text.toString()));
                    // the throttle itself, not a wait for something: what the readers give meanwhile goes next, as one
                    Thread.sleep(SEND_INTERVAL_MS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                log.warn("a live run's output could not be sent: {}", e.getMessage());
            }
        }

        /** Writes the client's input to the program's stdin and passes its signals, until the run ends. */
        void pump() {
            try {
                while (!ended.get()) {
                    for (LiveMessage m : link.receive(PUMP_WAIT)) {
                        switch (m.type()) {
                            case STDIN -> {
                                if (m.data() != null && !m.data().isEmpty()) input.add(m.data().getBytes(StandardCharsets.UTF_8));
                            }
                            case SIGNAL -> {
                                if (m.data() != null && LiveMessage.SIGNALS.contains(m.data())) signal(m.data());
                            }
                            case HANGUP -> signal("KILL");
                            default -> { }
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                // the channel failed (Redis unreachable): the program runs on to its limits without input
                if (!ended.get()) log.warn("a live run's input stopped: {}", e.getMessage());
            }
        }

        /** Writes the input to the program's stdin in order, until the run ends or the program stops reading. */
        void feed() {
            try {
                while (!ended.get()) {
                    byte[] next = input.poll(PUMP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    if (next == null) continue;
                    ByteBuffer b = ByteBuffer.wrap(next);
                    while (b.hasRemaining()) stdin.write(b);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                // the program closed its stdin or ended (or the run ended and the relay closed it): nothing more reaches it
            }
        }

        private void signal(String name) {
            try {
                ByteBuffer b = ByteBuffer.wrap((name + "\n").getBytes(StandardCharsets.US_ASCII));
                synchronized (signals) {
                    while (b.hasRemaining()) signals.write(b);
                }
            } catch (IOException e) {
                // the run has ended
            }
        }
    }
}
