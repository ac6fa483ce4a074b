package dev.runbox.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A child process the benchmark starts and owns: a Runbox JVM ({@code serve} or {@code worker}), or
 * redis-server. Its output goes to a log file, shown when it fails; {@link #close} stops it (SIGTERM,
 * then SIGKILL after a bound) and never leaves it running.
 */
final class ServerProcess implements AutoCloseable {

    private static final Pattern VM_RSS = Pattern.compile("(?m)^VmRSS:\\s+(\\d+) kB");

    final String name;
    final Process process;
    final Path log;

    private ServerProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static ServerProcess start(String name, List<String> command, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        // settings come from the command line only: a RUNBOX_* variable of the caller would change what is measured
        pb.environment().keySet().removeIf(k -> k.startsWith("RUNBOX_"));
        Process p = pb.start();
        p.getOutputStream().close();
        return new ServerProcess(name, p, log);
    }

    /** A Runbox JVM: {@code java <opts> -cp <classpath> dev.runbox.cli.Main <args>}. */
    static ServerProcess runbox(String name, String classpath, List<String> javaOpts, List<String> args, Path log)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(javaOpts);
        cmd.addAll(List.of("-cp", classpath, "dev.runbox.cli.Main"));
        cmd.addAll(args);
        return start(name, cmd, log);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    long pid() {
        return process.pid();
    }

    /** Resident memory of the process now, in bytes (/proc/PID/status VmRSS). */
    long rssBytes() throws IOException {
        Matcher m = VM_RSS.matcher(Files.readString(Path.of("/proc", Long.toString(pid()), "status")));
        if (!m.find()) throw new IOException("no VmRSS in /proc/" + pid() + "/status");
        return Long.parseLong(m.group(1)) * 1024;
    }

    /** A full collection in the JVM (jcmd GC.run): what is left is what the process really holds. */
    void fullGc() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid()), "GC.run").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IOException("jcmd " + pid() + " GC.run failed: " + out.strip());
    }

    /** Waits until GET {@code url} answers 200; fails early, with the log, if the process dies. */
    void awaitHttp(HttpClient http, String url, Duration deadline) throws IOException, InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (System.nanoTime() < end) {
            if (!process.isAlive()) throw new IOException(name + " exited with " + process.exitValue() + ":\n" + logTail());
            try {
                var r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) return;
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100); // a start takes about a second; polling faster buys nothing
        }
        throw new IOException(name + " did not answer " + url + " within " + deadline.toSeconds() + " s:\n" + logTail());
    }

    /** Waits until the log shows {@code text} (for processes without HTTP). */
    void awaitLog(String text, Duration deadline) throws IOException, InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (System.nanoTime() < end) {
            if (Files.readString(log).contains(text)) return;
            if (!process.isAlive()) throw new IOException(name + " exited with " + process.exitValue() + ":\n" + logTail());
            Thread.sleep(50);
        }
        throw new IOException(name + " did not log '" + text + "' within " + deadline.toSeconds() + " s:\n" + logTail());
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        if (!process.isAlive()) return;
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                System.err.println("bench: " + name + " ignored SIGTERM for 20 s; killing it");
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
