package dev.runbox.client;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
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
 * @param fields        any other field of {@code POST /execute} by its JSON name ({@code tests},
 *                      {@code checker}, {@code interactor}, {@code files}, {@code collect}…), sent as Jackson writes the value
 */
public record SubmissionRequest(String sourceCode, String language, String stdinData, Double timeLimitSec,
                                Integer memoryLimitMb, Double cpuCores, Map<String, Object> fields) {

    public SubmissionRequest {
        Objects.requireNonNull(sourceCode, "sourceCode");
        fields = fields == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    public SubmissionRequest(String sourceCode, String language, String stdinData, Double timeLimitSec,
                             Integer memoryLimitMb, Double cpuCores) {
        this(sourceCode, language, stdinData, timeLimitSec, memoryLimitMb, cpuCores, Map.of());
    }

    /** This request with the field {@code name} (its JSON name) set to {@code value}. */
    public SubmissionRequest withField(String name, Object value) {
        Map<String, Object> f = new LinkedHashMap<>(fields);
        f.put(name, value);
        return new SubmissionRequest(sourceCode, language, stdinData, timeLimitSec, memoryLimitMb, cpuCores, f);
    }

    /** This request with one more test (judge mode): its stdin and expected output. */
    public SubmissionRequest withTest(String stdin, String expectedOutput) {
        List<Object> tests = new ArrayList<>();
        if (fields.get("tests") instanceof List<?> l) tests.addAll(l);
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("stdin", stdin);
        t.put("expected_output", expectedOutput);
        tests.add(t);
        return withField("tests", tests);
    }

    /** A program in the server's default language, with default limits. */
    public static SubmissionRequest of(String sourceCode) {
        return new SubmissionRequest(sourceCode, null, null, null, null, null);
    }

    public SubmissionRequest withLanguage(String language) {
        return new SubmissionRequest(sourceCode, language, stdinData, timeLimitSec, memoryLimitMb, cpuCores, fields);
    }

    public SubmissionRequest withStdin(String stdinData) {
        return new SubmissionRequest(sourceCode, language, stdinData, timeLimitSec, memoryLimitMb, cpuCores, fields);
    }

    public SubmissionRequest withTimeLimitSec(Double timeLimitSec) {
        return new SubmissionRequest(sourceCode, language, stdinData, timeLimitSec, memoryLimitMb, cpuCores, fields);
    }

    public SubmissionRequest withMemoryLimitMb(Integer memoryLimitMb) {
        return new SubmissionRequest(sourceCode, language, stdinData, timeLimitSec, memoryLimitMb, cpuCores, fields);
    }

    public SubmissionRequest withCpuCores(Double cpuCores) {
        return new SubmissionRequest(sourceCode, language, stdinData, timeLimitSec, memoryLimitMb, cpuCores, fields);
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
        m.putAll(fields);
        return m;
    }
}
