package dev.runbox.compat.piston;

import dev.runbox.job.ExecutionResult;
import dev.runbox.job.Status;
import dev.runbox.language.Language;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A final Runbox result as Piston v2 answers {@code POST /api/v2/execute}: {@code {language, version,
 * run, compile?}}, each stage {@code {stdout, stderr, output, code, signal, message, status, cpu_time,
 * wall_time, memory}}, times in ms, memory in bytes. Statuses are Piston's (isolate's): null when the
 * program exited by itself, {@code RE} for a non-zero exit, {@code SG} for death by a signal (a run the
 * kernel killed at its memory limit too, as under isolate), {@code TO} for a time limit, {@code OL} /
 * {@code EL} for stdout / stderr past the output cap, {@code XX} when Runbox itself failed. {@code code}
 * is null when a signal ended the program, and {@code signal} is {@code SIGKILL} for TO, OL and EL, as
 * Piston reports them.
 *
 * <p>What Runbox does not have is told plainly rather than made up: {@code output} is stdout then
 * stderr (Runbox keeps them apart, not interleaved); the compile stage's stdout is empty and its
 * stderr and output are the compiler's whole output; its times and memory are null (Runbox measures
 * the run, not the compile). When the compile failed there is no run, and {@code run} is the compile
 * stage again, as Piston answers.
 */
final class PistonResult {

    private static final Pattern COMPILE_EXIT = Pattern.compile("exit status (\\d+)");
    private static final Pattern COMPILE_SIGNAL = Pattern.compile("killed by signal (\\d+)");

    private PistonResult() {
    }

    static Map<String, Object> of(ExecutionResult r, Language language, SemVer.Version version) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("language", language.id());
        out.put("version", version.toString());
        if (r.status() == Status.CE) {
            Map<String, Object> compile = failedCompile(r);
            out.put("run", compile);
            out.put("compile", compile);
            return out;
        }
        out.put("run", run(r));
        if (language.compiled() && r.compileOutput() != null) out.put("compile", succeededCompile(r.compileOutput()));
        return out;
    }

    private static Map<String, Object> run(ExecutionResult r) {
        String stdout = r.stdout() == null ? "" : r.stdout();
        String stderr = r.stderr() == null ? "" : r.stderr();
        Integer code = r.exitCode();
        String signal = Signals.name(r.signal());
        String status = switch (r.status()) {
            case OK -> null;
            case RE -> r.signal() != null ? "SG" : "RE";
            case MLE -> "SG";
            case TLE -> "TO";
            case OLE -> Boolean.TRUE.equals(r.stdoutTruncated()) ? "OL" : "EL";
            default -> "XX"; // INTERNAL_ERROR; WA and CHECKER_FAILED need fields a Piston request cannot give
        };
        if ("SG".equals(status) && signal == null) signal = "SIGKILL"; // the kernel's OOM kill
        if ("TO".equals(status) || "OL".equals(status) || "EL".equals(status)) signal = "SIGKILL";
        if (signal != null) code = null;
        return stage(stdout, stderr, code, signal, r.message(), status, millis(r.cpuTimeSec()), millis(r.timeSec()),
                r.memoryKb() == null ? null : r.memoryKb() * 1024);
    }

    private static Map<String, Object> succeededCompile(String compileOutput) {
        return stage("", compileOutput, 0, null, null, null, null, null, null);
    }

    /**
     * The compile stage of a CE result. Runbox's result keeps why the compile failed in its message
     * (written by the worker's verdict: "compilation failed (exit status 1)", "the compiler was killed by
     * signal 9", "…CPU time limit…"), which is read back here into Piston's code, signal and status.
     */
    private static Map<String, Object> failedCompile(ExecutionResult r) {
        String message = r.message() == null ? "" : r.message();
        String output = r.compileOutput() == null ? "" : r.compileOutput();
        Integer code = null;
        String signal = null;
        String status;
        Matcher exit = COMPILE_EXIT.matcher(message);
        Matcher killed = COMPILE_SIGNAL.matcher(message);
        if (exit.find()) {
            code = Integer.parseInt(exit.group(1));
            status = "RE";
        } else if (killed.find()) {
            signal = Signals.name(Integer.parseInt(killed.group(1)));
            status = "SG";
        } else if (message.contains("time limit")) {
            signal = "SIGKILL";
            status = "TO";
        } else if (message.contains("memory limit")) {
            signal = "SIGKILL";
            status = "SG";
        } else if (message.contains("output passed the cap")) {
            signal = "SIGKILL";
            status = "OL";
        } else {
            status = "XX";
        }
        return stage("", output, code, signal, r.message(), status, null, null, null);
    }

    private static Map<String, Object> stage(String stdout, String stderr, Integer code, String signal, String message,
                                             String status, Long cpuTimeMs, Long wallTimeMs, Long memoryBytes) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("stdout", stdout);
        m.put("stderr", stderr);
        m.put("output", stdout + stderr);
        m.put("code", code);
        m.put("signal", signal);
        m.put("message", message);
        m.put("status", status);
        m.put("cpu_time", cpuTimeMs);
        m.put("wall_time", wallTimeMs);
        m.put("memory", memoryBytes);
        return m;
    }

    private static Long millis(Double seconds) {
        return seconds == null ? null : Math.round(seconds * 1000);
    }
}
