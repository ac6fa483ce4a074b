package dev.runbox.client;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The body of {@code POST /execute}. Every field but the source may be null: the server's default
 * applies (python, empty stdin, 2 s of CPU, 256 MiB, 1 core, unless the server is set otherwise).
 *
 * @param sourceCode    the program
 * @param language      a language id of {@code GET /languages}
 * @param stdinData     the program's standard input
 * @param timeLimitSec  CPU time limit, seconds
 * @param memoryLimitMb memory limit, MiB
 * @param cpuCores      CPU bandwidth, cores
 */
public record SubmissionRequest(String sourceCode, String language, String stdinData, Double timeLimitSec,
                                Integer memoryLimitMb, Double cpuCores) {

    public SubmissionRequest {
        Objects.requireNonNull(sourceCode, "sourceCode");
    }

    /** A program in the server's default language, with default limits. */
    public static SubmissionRequest of(String sourceCode) {
        return new SubmissionRequest(sourceCode, null, null, null, null, null);
    }

    public SubmissionRequest withLanguage(String language) {
        return new SubmissionRequest(sourceCode, language, stdinData, timeLimitSec, memoryLimitMb, cpuCores);
    }

    public SubmissionRequest withStdin(String stdinData) {
        return new SubmissionRequest(sourceCode, language, stdinData, timeLimitSec, memoryLimitMb, cpuCores);
    }

    public SubmissionRequest withTimeLimitSec(Double timeLimitSec) {
        return new SubmissionRequest(sourceCode, language, stdinData, timeLimitSec, memoryLimitMb, cpuCores);
    }

    public SubmissionRequest withMemoryLimitMb(Integer memoryLimitMb) {
        return new SubmissionRequest(sourceCode, language, stdinData, timeLimitSec, memoryLimitMb, cpuCores);
    }

    public SubmissionRequest withCpuCores(Double cpuCores) {
        return new SubmissionRequest(sourceCode, language, stdinData, timeLimitSec, memoryLimitMb, cpuCores);
    }

    /** The JSON fields, null ones left out (the server then uses its default). */
    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source_code", sourceCode);
        if (language != null) m.put("language", language);
        if (stdinData != null) m.put("stdin_data", stdinData);
        if (timeLimitSec != null) m.put("time_limit_sec", timeLimitSec);
        if (memoryLimitMb != null) m.put("memory_limit_mb", memoryLimitMb);
        if (cpuCores != null) m.put("cpu_cores", cpuCores);
        return m;
    }
}
