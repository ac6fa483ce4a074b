package dev.runbox.cli;

import dev.runbox.client.Result;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Shows a result as the program would have: its stdout on stdout, its stderr on stderr (each whole,
 * one after the other: their interleaving is not recorded), then one summary line on stderr. A
 * program that did not compile (CE) never ran: what its compiler printed goes to stderr in its place,
 * as a local build would show it.
 */
final class ResultPrinter {
    private ResultPrinter() {
    }

    static void print(Result r, PrintStream out, PrintStream err, boolean stdoutIsTerminal, boolean stderrIsTerminal) {
        String stdout = r.stdout() == null ? "" : r.stdout();
        String stderr = r.stderr() != null ? r.stderr()
                : "CE".equals(r.status()) && r.compileOutput() != null ? r.compileOutput() : "";
        out.write(stdout.getBytes(StandardCharsets.UTF_8), 0, stdout.getBytes(StandardCharsets.UTF_8).length);
        out.flush();
        err.write(stderr.getBytes(StandardCharsets.UTF_8), 0, stderr.getBytes(StandardCharsets.UTF_8).length);
        // on a terminal, start the summary on a line of its own even when the program did not end its last line
        String lastOnScreen = !stderr.isEmpty() ? stderr : stdoutIsTerminal ? stdout : "";
        if (stderrIsTerminal && !lastOnScreen.isEmpty() && !lastOnScreen.endsWith("\n")) err.print("\n");
        err.println(summary(r));
        err.flush();
    }

    /** {@code runbox: RE (exited with status 3), exit 3, time 0.041 s, cpu 0.030 s, memory 9.1 MiB} */
    static String summary(Result r) {
        List<String> parts = new ArrayList<>();
        parts.add(r.status() + (r.message() == null ? "" : " (" + r.message() + ")"));
        if (r.exitCode() != null) parts.add("exit " + r.exitCode());
        if (r.signal() != null) parts.add("signal " + r.signal());
        if (r.timeSec() != null) parts.add(String.format(Locale.ROOT, "time %.3f s", r.timeSec()));
        if (r.cpuTimeSec() != null) parts.add(String.format(Locale.ROOT, "cpu %.3f s", r.cpuTimeSec()));
        if (r.memoryKb() != null) parts.add(String.format(Locale.ROOT, "memory %.1f MiB", r.memoryKb() / 1024.0));
        if (Boolean.TRUE.equals(r.stdoutTruncated())) parts.add("stdout truncated");
        if (Boolean.TRUE.equals(r.stderrTruncated())) parts.add("stderr truncated");
        if (!r.isFinal()) parts.add("submission " + r.submissionId());
        return "runbox: " + String.join(", ", parts);
    }
}
