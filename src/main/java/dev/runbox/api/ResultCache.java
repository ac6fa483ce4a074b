package dev.runbox.api;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.runbox.config.RunboxConfig;
import dev.runbox.job.ExecutionResult;
import dev.runbox.job.Status;
import dev.runbox.job.SubmissionId;
import dev.runbox.judge.BoxFile;
import dev.runbox.judge.TestCase;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumSet;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Final results by what was run: identical language, source, stdin, limits, compiler options,
 * arguments, expected output and files give the same key
 * (a SHA-256 of them, so the cache holds no source or input). Opt-in on both sides: only submissions
 * that asked for the cache (or all, with the server's {@code cache} setting) are answered from it or
 * feed it. Only {@link #CACHEABLE} results are kept — OK and RE, the verdicts a program earns by
 * itself; never TLE, MLE or OLE (a limit that was hit depends on the machine's load) nor
 * INTERNAL_ERROR (Runbox's own failure).
 *
 * <p>Bounded by size ({@code cache-max-mb}, weighing each result by its output) and by time
 * ({@code cache-ttl-sec} after it was stored), through Caffeine. Per API process: the Redis
 * deployment keeps one cache per API server.
 */
final class ResultCache {

    static final Set<Status> CACHEABLE = EnumSet.of(Status.OK, Status.RE);
    /** Bytes counted per entry besides its text: the record, the key, the map's own entry. */
    private static final int ENTRY_OVERHEAD = 512;

    private final Cache<String, ExecutionResult> results;
    private final ResultPush push;

    ResultCache(RunboxConfig config, ResultPush push) {
        this.push = push;
        this.results = Caffeine.newBuilder()
                .maximumWeight(config.cacheMaxMb() * 1024L * 1024L)
                .weigher((String k, ExecutionResult r) -> weight(r))
                .expireAfterWrite(config.cacheTtl())
                .build();
    }

    /** The cache key of a request: what was run and under which limits. */
    static String key(ExecuteRequest req) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            List<String> parts = new ArrayList<>(List.of(req.language(), req.sourceCode(), req.stdinData()));
            // everything else that changes what runs or how it is judged
            parts.add(String.valueOf(req.expectedOutput()));
            parts.add(Integer.toString(req.compilerOptions().size()));
            parts.addAll(req.compilerOptions());
            parts.add(Integer.toString(req.commandLineArguments().size()));
            parts.addAll(req.commandLineArguments());
            parts.add(Integer.toString(req.files().size()));
            for (BoxFile f : req.files()) {
                parts.add(f.name());
                parts.add(f.encoding().wire());
                parts.add(f.content());
            }
            // a judged submission: its tests, checker, stop rule and interactor
            parts.add(Integer.toString(req.judge().tests().size()));
            for (TestCase t : req.judge().tests()) {
                parts.add(String.valueOf(t.name()));
                parts.add(t.stdin());
                parts.add(String.valueOf(t.expectedOutput()));
                parts.add(Double.toString(t.points()));
            }
            parts.add(String.valueOf(req.judge().checker()));
            parts.add(Boolean.toString(req.judge().stopOnFirstFailure()));
            parts.add(String.valueOf(req.judge().interactor()));
            parts.add(String.valueOf(req.collect()));
            parts.add(Boolean.toString(req.stderrToStdout()));
            for (String part : parts) {
                byte[] b = part.getBytes(StandardCharsets.UTF_8);
                d.update(ByteBuffer.allocate(8).putLong(b.length).array()); // length-prefixed: no two inputs meet
                d.update(b);
            }
            d.update(ByteBuffer.allocate(24).putLong(req.limits().cpuTime().toNanos()).putLong(req.limits().memoryBytes())
                    .putDouble(req.limits().cpuCores()).array());
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** A judged submission is kept only when none of its tests hit a limit (which the machine's load may move). */
    private static boolean noTestHitALimit(ExecutionResult r) {
        return r.tests() == null || r.tests().stream().noneMatch(t -> t.status().hitALimit());
    }

    Optional<ExecutionResult> lookup(String key) {
        return Optional.ofNullable(results.getIfPresent(key));
    }

    /** Keeps the final result of {@code id} under {@code key} when it is cacheable. */
    void rememberWhenFinal(SubmissionId id, String key) {
        // runs on the store's thread: a Caffeine put is quick and does not block
        push.whenFinal(id).thenAccept(r -> {
            if (CACHEABLE.contains(r.status()) && !r.cached() && noTestHitALimit(r)) results.put(key, r);
        });
    }

    long size() {
        return results.estimatedSize();
    }

    private static int weight(ExecutionResult r) {
        long chars = length(r.stdout()) + length(r.stderr()) + length(r.message()) + length(r.compileOutput());
        if (r.collected() != null) {
            for (var f : r.collected()) chars += 64 + length(f.content());
        }
        if (r.tests() != null) {
            for (var t : r.tests()) {
                chars += ENTRY_OVERHEAD / 2 + length(t.stdout()) + length(t.stderr()) + length(t.message()) + length(t.checkerOutput());
            }
        }
        return (int) Math.min(Integer.MAX_VALUE, ENTRY_OVERHEAD + 2 * chars); // a Java char is 2 bytes
    }

    private static long length(String s) {
        return s == null ? 0 : s.length();
    }
}
