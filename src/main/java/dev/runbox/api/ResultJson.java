package dev.runbox.api;

import dev.runbox.job.ExecutionResult;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The wire shape of a result (GET /result/{id}); every field is documented in the README. */
final class ResultJson {
    private ResultJson() {
    }

    static Map<String, Object> of(ExecutionResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("submission_id", r.submissionId().toString());
        m.put("status", r.status().name());
        m.put("stdout", r.stdout());
        m.put("stderr", r.stderr());
        m.put("exit_code", r.exitCode());
        m.put("time_sec", r.timeSec());
        m.put("cpu_time_sec", r.cpuTimeSec());
        m.put("memory_kb", r.memoryKb());
        m.put("signal", r.signal());
        m.put("stdout_truncated", r.status().isFinal() ? r.stdoutTruncated() : null);
        m.put("stderr_truncated", r.status().isFinal() ? r.stderrTruncated() : null);
        m.put("message", r.message());
        m.put("compile_output", r.compileOutput());
        m.put("language", r.language());
        m.put("created_at", iso(r.createdAt()));
        m.put("started_at", iso(r.startedAt()));
        m.put("finished_at", iso(r.finishedAt()));
        m.put("cached", r.cached());
        return m;
    }

    private static String iso(Instant t) {
        return t == null ? null : t.toString();
    }
}
