package dev.runbox.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bare baseline: a program spawned directly by {@code bench/spawn.c} (posix_spawn, output on
 * pipes read to end of file, no sandbox, no JVM), with the same small environment and working
 * directory layout the sandbox gives it.
 */
final class BareSpawner {

    private static final Pattern SUMMARY = Pattern.compile("runs=(\\d+) seconds=([\\d.]+) failures=(\\d+)");

    private final Path spawnTool;

    BareSpawner(Path spawnTool) {
        this.spawnTool = spawnTool;
    }

    /** {@code count} runs one after another; the latency of each, in nanoseconds. */
    long[] latencies(Program p, int count) throws IOException, InterruptedException {
        List<String> cmd = command(p, "-n", Integer.toString(count));
        String out = run(cmd);
        long[] ns = out.lines().filter(l -> !l.isBlank()).mapToLong(Long::parseLong).toArray();
        if (ns.length != count) throw new IOException("spawn printed " + ns.length + " latencies, expected " + count);
        return ns;
    }

    /** {@code parallel} spawners back to back; the runs that ended in the window after the warm-up. */
    Rate throughput(Program p, int parallel, double warmupSec, double windowSec) throws IOException, InterruptedException {
        String out = run(command(p, "-p", Integer.toString(parallel), "-w", Double.toString(warmupSec),
                "-d", Double.toString(windowSec)));
        Matcher m = SUMMARY.matcher(out);
        if (!m.find()) throw new IOException("unexpected output of spawn: " + out);
        return new Rate(Long.parseLong(m.group(1)), Double.parseDouble(m.group(2)), Long.parseLong(m.group(3)));
    }

    private List<String> command(Program p, String... mode) {
        List<String> cmd = new ArrayList<>(List.of(spawnTool.toString()));
        cmd.addAll(List.of(mode));
        cmd.addAll(List.of("-C", p.workDir().toString(), "-x", p.expectedStdout()));
        for (Map.Entry<String, String> e : p.environment().entrySet()) cmd.addAll(List.of("-e", e.getKey() + "=" + e.getValue()));
        cmd.add("--");
        cmd.addAll(p.hostCommand());
        return cmd;
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process proc = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.PIPE).start();
        proc.getOutputStream().close();
        // stderr is tiny (a failure line at most); read stdout first, then stderr
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(proc.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = proc.waitFor();
        if (code != 0) throw new IOException("bare run failed (exit " + code + "): " + err.strip() + " — " + String.join(" ", cmd));
        return out;
    }
}
