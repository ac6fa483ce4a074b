package dev.runbox.sandbox.run;

import dev.runbox.sandbox.RunLimits;
import dev.runbox.sandbox.RunSpec;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The job as runbox-init reads it on stdin, in netstrings: "go" (with its options), the run's nonce
 * when init reports the program's time, the argv, the environment, the files for the work dir, the
 * rlimits (see native/init.c). The program's stdin follows it.
 */
public final class InitJob {
    private InitJob() {
    }

    /** The job; the program's stdin follows it on the same pipe, ended by end of file. */
    public static byte[] encode(RunSpec spec) {
        return encode(spec, false, null);
    }

    /**
     * The job, with runbox-init asked to report the program's own time (from the fork that execs it
     * to its exit) on its report fd as "{@code nonce} nanoseconds" ({@link InitReport}).
     *
     * @param nonce 32 lowercase hex digits, fresh per run, known only to Runbox and init
     */
    public static byte[] encodeReporting(RunSpec spec, String nonce) {
        if (!InitReport.isNonce(nonce)) throw new IllegalArgumentException("a nonce is 32 lowercase hex digits");
        return encode(spec, false, nonce);
    }

    /**
     * The job for a Docker container: the program's stdin in it (Docker's attach cannot be relied on to
     * signal end of file), and runbox-init told to load Runbox's seccomp filter itself (no launcher
     * did), on top of Docker's default profile.
     */
    public static byte[] encodeForContainer(RunSpec spec) {
        return encode(spec, true, null);
    }

    /**
     * A job for an environment that serves many runs (runbox-init's serve mode): the program's stdin is
     * in the job, since the pipe to init stays open for the next job; the seccomp filter and the
     * report need no option there (init always loads the one and frames the other).
     */
    public static byte[] encodeForEnvironment(RunSpec spec) {
        return encode(spec, true, null, "go+stdin");
    }

    private static byte[] encode(RunSpec spec, boolean forContainer, String nonce) {
        return encode(spec, forContainer, nonce, (forContainer ? "go+stdin+seccomp" : "go") + (nonce != null ? "+report" : ""));
    }

    private static byte[] encode(RunSpec spec, boolean forContainer, String nonce, String go) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096 + spec.files().values().stream().mapToInt(b -> b.length).sum()
                + (forContainer ? spec.stdin().length : 0));
        put(out, go);
        if (nonce != null) put(out, nonce);
        putAll(out, spec.command());
        putAll(out, new TreeMap<>(spec.environment()).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
        put(out, Integer.toString(spec.files().size()));
        for (Map.Entry<String, byte[]> f : new TreeMap<>(spec.files()).entrySet()) {
            put(out, f.getKey());
            put(out, f.getValue());
        }
        if (forContainer) put(out, spec.stdin());
        putAll(out, rlimits(spec.limits()));
        return out.toByteArray();
    }

    /** Per-process backstops behind the cgroup-wide limits Runbox enforces itself. */
    public static List<String> rlimits(RunLimits l) {
        long cpuSeconds = (long) Math.ceil(l.cpuTime().toNanos() / 1e9);
        return List.of(
                "cpu=" + (cpuSeconds + 1) + ":" + (cpuSeconds + 2),
                "fsize=" + l.writableBytes() + ":" + l.writableBytes(),
                "nofile=" + l.openFiles() + ":" + l.openFiles());
    }

    private static void putAll(ByteArrayOutputStream out, List<String> values) {
        put(out, Integer.toString(values.size()));
        for (String v : values) put(out, v);
    }

    private static void put(ByteArrayOutputStream out, String s) {
        put(out, s.getBytes(StandardCharsets.UTF_8));
    }

    private static void put(ByteArrayOutputStream out, byte[] bytes) {
        out.writeBytes((bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(bytes);
        out.write(',');
    }
}
