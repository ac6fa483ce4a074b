package dev.runbox.worker;

import dev.runbox.config.RunboxConfig;
import dev.runbox.language.ImageProbe;
import dev.runbox.language.Language;
import dev.runbox.sandbox.RunLimits;
import dev.runbox.sandbox.RunSpec;
import dev.runbox.sandbox.SandboxFailure;
import dev.runbox.sandbox.SandboxOutcome;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The version command of a language with an image, run as one of its jobs would be: through the
 * sandbox that runs the language (a fresh container of the image with every restriction of a run),
 * with the program's environment and the language's compile limits of memory and CPU. Only an exit
 * status of 0 with a non-empty first line (stdout, else stderr) is an answer.
 */
public final class ImageVersions implements ImageProbe {

    /** As long as a host language's version command may take (see Toolchain). */
    static final Duration TIME_LIMIT = Duration.ofSeconds(15);
    private static final long OUTPUT_BYTES = 4096;
    private static final long MIB = 1024 * 1024;

    private final Executor.SandboxChoice sandboxes;
    private final RunboxConfig config;

    public ImageVersions(Executor.SandboxChoice sandboxes, RunboxConfig config) {
        this.sandboxes = sandboxes;
        this.config = config;
    }

    @Override
    public String version(Language language) throws NoAnswer, InterruptedException {
        RunLimits limits = new RunLimits(TIME_LIMIT, TIME_LIMIT, language.compileLimits().memoryLimitMb() * MIB,
                language.compileLimits().cpuCores(), config.maxProcesses(), OUTPUT_BYTES, config.writableMb() * MIB,
                Executor.OPEN_FILES);
        RunSpec spec = new RunSpec(language.version(), Map.of(), new byte[0], limits, List.of(), Executor.environment(language));
        SandboxOutcome o;
        try {
            o = sandboxes.forLanguage(language).run(spec);
        } catch (SandboxFailure e) {
            throw new NoAnswer(e.getMessage());
        }
        String out = firstLine(o.stdout().bytes());
        String err = firstLine(o.stderr().bytes());
        if (o.termination() != SandboxOutcome.Termination.EXITED) {
            throw new NoAnswer(language.version() + " was stopped: " + o.termination() + " (limit " + TIME_LIMIT.toSeconds()
                    + " s, " + language.compileLimits().memoryLimitMb() + " MB)");
        }
        if (o.exitCode() == null || o.exitCode() != 0) {
            throw new NoAnswer(language.version() + " ended with " + (o.exitCode() != null ? "status " + o.exitCode()
                    : "signal " + o.signal()) + (err.isEmpty() ? "" : ": " + err));
        }
        if (!out.isEmpty()) return out;
        if (!err.isEmpty()) return err; // some print their version on stderr (javac -version before JDK 9)
        throw new NoAnswer(language.version() + " printed nothing");
    }

    private static String firstLine(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8).strip().lines().findFirst().orElse("").strip();
    }
}
