package dev.runbox.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The real {@code runbox} command (dev.runbox.cli.Main) in a JVM of its own, on this test's classpath. */
public final class RunboxCli {

    /** What a finished command printed and how it exited. */
    public record Finished(int exitCode, String stdout, String stderr) {
    }

    private RunboxCli() {
    }

    /** {@code java … dev.runbox.cli.Main args}, ready to start. */
    public static ProcessBuilder command(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k",
                "-cp", System.getProperty("java.class.path"), "dev.runbox.cli.Main"));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        // the caller's settings must not leak into the command under test
        pb.environment().keySet().removeIf(k -> k.startsWith("RUNBOX_"));
        return pb;
    }

    /** Runs the command to its end (at most 3 minutes), with {@code stdin} as its standard input. */
    public static Finished run(Map<String, String> env, byte[] stdin, List<String> args) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("runbox-cli");
        try {
            Path in = Files.write(dir.resolve("stdin"), stdin);
            Path out = dir.resolve("stdout");
            Path err = dir.resolve("stderr");
            ProcessBuilder pb = command(args).redirectInput(in.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(3, TimeUnit.MINUTES)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("runbox " + args + " did not end within 3 minutes; stderr: " + Files.readString(err));
            }
            return new Finished(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            try (var walk = Files.walk(dir)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    public static Finished run(String... args) throws IOException, InterruptedException {
        return run(Map.of(), new byte[0], List.of(args));
    }
}
