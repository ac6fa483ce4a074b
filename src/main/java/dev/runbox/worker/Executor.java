package dev.runbox.worker;

import dev.runbox.config.RunboxConfig;
import dev.runbox.job.ExecutionResult;
import dev.runbox.job.Limits;
import dev.runbox.job.Submission;
import dev.runbox.language.Language;
import dev.runbox.language.LanguageRegistry;
import dev.runbox.sandbox.RunLimits;
import dev.runbox.sandbox.RunSpec;
import dev.runbox.sandbox.Sandbox;
import dev.runbox.sandbox.SandboxFailure;
import dev.runbox.sandbox.SandboxOutcome;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs one submission in the sandbox and turns the outcome into its final result. */
public final class Executor {

    /** The environment every program gets; languages add theirs. Nothing of Runbox's own goes in. */
    private static final Map<String, String> BASE_ENV = Map.of(
            "PATH", "/usr/local/bin:/usr/bin:/bin",
            "HOME", RunSpec.WORK_DIR,
            "LANG", "C.UTF-8",
            "TMPDIR", "/tmp");
    private static final int OPEN_FILES = 256;

    private final Sandbox sandbox;
    private final LanguageRegistry languages;
    private final RunboxConfig config;
    private final Clock clock;

    public Executor(Sandbox sandbox, LanguageRegistry languages, RunboxConfig config, Clock clock) {
        this.sandbox = sandbox;
        this.languages = languages;
        this.config = config;
        this.clock = clock;
    }

    /** The final result of {@code job}, whose current (PROCESSING) result is {@code current}. */
    public ExecutionResult execute(Submission job, ExecutionResult current) throws SandboxFailure, InterruptedException {
        Language lang = languages.find(job.language())
                .orElseThrow(() -> new SandboxFailure("language '" + job.language() + "' is not available on this worker"));
        Limits l = job.limits();
        RunLimits limits = new RunLimits(l.cpuTime(), l.wallTime(), l.memoryBytes(), l.cpuCores(), config.maxProcesses(),
                config.outputCapBytes(), config.writableMb() * 1024L * 1024L, OPEN_FILES);
        Map<String, String> env = new LinkedHashMap<>(BASE_ENV);
        env.putAll(lang.env());
        RunSpec spec = new RunSpec(lang.run(), Map.of(lang.sourceFile(), job.sourceCode().getBytes(StandardCharsets.UTF_8)),
                job.stdin().getBytes(StandardCharsets.UTF_8), limits, lang.mounts(), env);
        SandboxOutcome o = sandbox.run(spec);
        Verdict.Judged v = Verdict.of(o, l, config.outputCapBytes());
        return new ExecutionResult(job.id(), v.status(), job.language(), decode(o.stdout().bytes()), decode(o.stderr().bytes()),
                o.exitCode(), o.signal(), seconds(o.wallTime().toNanos()), seconds(o.cpuTime().toNanos()),
                o.memoryPeakBytes() / 1024, o.stdout().truncated(), o.stderr().truncated(), v.message(),
                current.createdAt(), current.startedAt(), clock.instant(), current.workerId(), current.attempts());
    }

    private static double seconds(long nanos) {
        return Math.round(nanos / 1e6) / 1e3;
    }

    /**
     * Output is returned as a JSON string: UTF-8 decoded, with each byte that is not valid UTF-8
     * replaced by U+FFFD (documented in the README; NUL and control bytes are JSON-escaped).
     */
    static String decode(byte[] bytes) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        try {
            CharBuffer chars = d.decode(ByteBuffer.wrap(bytes));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("decoder with REPLACE cannot fail", e);
        }
    }

    List<String> languageIds() {
        return languages.ids();
    }
}
