package dev.runbox.compat.judge0;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runbox.api.ExecuteRequest;
import dev.runbox.api.Problem;
import dev.runbox.api.SubmissionGateway;
import dev.runbox.config.RunboxConfig;
import dev.runbox.language.Language;
import dev.runbox.language.LanguageLimits;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One Judge0 submission body, translated into the body of Runbox's POST /execute and validated there:
 * the Judge0 layer has no rules of its own for what Runbox also checks (source size, language limits,
 * file names), it only renames and converts units. What Judge0 takes and Runbox cannot honour exactly is
 * mapped to the nearest Runbox limit or accepted and ignored, as the README's "Coming from Judge0" says;
 * {@code enable_network: true} is refused, since no Runbox program ever has a network.
 *
 * <p>Errors come as Judge0 gives them: {@code {"field": ["message", …]}} (422), named by Judge0's fields.
 * Nulls mean defaults, numbers may come as numeric strings and booleans as "true"/"false", as Rails takes them.
 *
 * @param execute     the validated Runbox request
 * @param callbackUrl where to PUT the Judge0-shaped result, already checked as Runbox checks callbacks
 */
record Judge0Request(ExecuteRequest execute, Optional<URI> callbackUrl) {

    /** Judge0's bounds for what Runbox accepts and ignores (Judge0 CE's defaults for their maximums). */
    static final double MAX_CPU_EXTRA_TIME = 5;
    static final int MAX_STACK_LIMIT_KB = 128_000;
    static final int MAX_NUMBER_OF_RUNS = 20;

    /** A refused submission: Judge0's 422 body. */
    static final class Invalid extends RuntimeException {
        final Map<String, List<String>> errors;

        Invalid(Map<String, List<String>> errors) {
            super(errors.toString());
            this.errors = errors;
        }
    }

    /** Runbox's field names in its 400s, as Judge0 names them. */
    private static final Map<String, String> JUDGE0_NAME = Map.of(
            "stdin_data", "stdin", "language", "language_id", "time_limit_sec", "cpu_time_limit",
            "memory_limit_mb", "memory_limit", "files", "additional_files");

    static Judge0Request parse(JsonNode body, boolean base64, SubmissionGateway gateway) {
        Map<String, List<String>> errors = new LinkedHashMap<>();
        if (body == null || !body.isObject()) {
            errors.computeIfAbsent("body", k -> new ArrayList<>()).add("must be a JSON object");
            throw new Invalid(errors);
        }
        RunboxConfig config = gateway.config();
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        // the language first: its bounds are those of the limits
        Optional<Language> lang = Optional.empty();
        Long languageId = integer(body, "language_id", errors);
        if (!present(body, "language_id")) {
            add(errors, "language_id", "can't be blank");
        } else if (languageId != null) {
            lang = gateway.languages().all().stream()
                    .filter(l -> l.judge0Id().isPresent() && l.judge0Id().getAsInt() == languageId).findFirst();
            if (lang.isEmpty()) add(errors, "language_id", "language with id " + languageId + " doesn't exist");
        }
        lang.ifPresent(l -> out.put("language", l.id()));
        LanguageLimits.Bounds bounds = lang.map(l -> gateway.languages().bounds(l.id())).orElse(LanguageLimits.SERVER.resolve(config));

        String source = text(body, "source_code", base64, errors);
        if (source == null || source.isEmpty()) {
            if (!errors.containsKey("source_code")) add(errors, "source_code", "can't be blank");
        } else {
            out.put("source_code", source);
        }
        String stdin = text(body, "stdin", base64, errors);
        if (stdin != null) out.put("stdin_data", stdin);
        String expected = text(body, "expected_output", base64, errors);
        if (expected != null) out.put("expected_output", expected);
        words(body, "compiler_options", out, errors);
        words(body, "command_line_arguments", out, errors);

        Double cpu = number(body, "cpu_time_limit", errors);
        if (cpu != null) {
            if (cpu <= 0) add(errors, "cpu_time_limit", "must be greater than 0");
            else if (cpu > bounds.maxTimeLimitSec()) add(errors, "cpu_time_limit", "must be less than or equal to " + bounds.maxTimeLimitSec());
            else out.put("time_limit_sec", cpu);
        }
        // accepted, within Judge0's own bounds, and ignored: Runbox has no extra time and derives its wall time limit
        range(body, "cpu_extra_time", 0, MAX_CPU_EXTRA_TIME, errors);
        range(body, "wall_time_limit", 0, Judge0Info.maxWallTimeSec(config), errors);
        Double memoryKb = number(body, "memory_limit", errors);
        if (memoryKb != null) {
            long maxKb = bounds.maxMemoryLimitMb() * 1024L;
            if (memoryKb <= 0) {
                add(errors, "memory_limit", "must be greater than 0");
            } else if (memoryKb > maxKb) {
                add(errors, "memory_limit", "must be less than or equal to " + maxKb);
            } else {
                // Runbox limits in whole MiB from its minimum: the nearest Runbox limit not below the request
                long mb = Math.max(bounds.minMemoryLimitMb(), (long) Math.ceil(memoryKb / 1024));
                out.put("memory_limit_mb", mb);
            }
        }
        range(body, "stack_limit", 0, MAX_STACK_LIMIT_KB, errors);
        range(body, "max_file_size", 0, config.writableMb() * 1024.0, errors);
        range(body, "max_processes_and_or_threads", 1, config.maxProcesses(), errors);
        range(body, "number_of_runs", 1, MAX_NUMBER_OF_RUNS, errors);
        bool(body, "enable_per_process_and_thread_time_limit", errors);
        bool(body, "enable_per_process_and_thread_memory_limit", errors);
        if (Boolean.TRUE.equals(bool(body, "redirect_stderr_to_stdout", errors))) out.put("stderr_to_stdout", true);
        if (Boolean.TRUE.equals(bool(body, "enable_network", errors))) {
            add(errors, "enable_network", "is not allowed: Runbox never gives a program a network");
        }

        JsonNode files = body.get("additional_files");
        if (files != null && !files.isNull()) {
            if (!files.isTextual()) {
                add(errors, "additional_files", "must be a base64 string of a zip archive");
            } else {
                try {
                    ArrayNode list = out.putArray("files");
                    for (AdditionalFiles.Entry e : AdditionalFiles.unpack(files.textValue(), config.maxFiles(), config.maxFilesBytes())) {
                        list.addObject().put("name", e.name()).put("content", Base64.getEncoder().encodeToString(e.content()))
                                .put("encoding", "base64");
                    }
                } catch (AdditionalFiles.Refused e) {
                    add(errors, "additional_files", e.getMessage());
                }
            }
        }

        Optional<URI> callback = Optional.empty();
        JsonNode cb = body.get("callback_url");
        if (cb != null && !cb.isNull()) {
            if (!cb.isTextual()) {
                add(errors, "callback_url", "must be a string");
            } else {
                List<String> why = new ArrayList<>();
                callback = gateway.checkCallback(cb.textValue(), why);
                why.forEach(w -> add(errors, "callback_url", w));
            }
        }
        if (!errors.isEmpty()) throw new Invalid(errors);
        try {
            return new Judge0Request(gateway.parse(out), callback);
        } catch (Problem p) {
            Map<String, List<String>> mapped = new LinkedHashMap<>();
            p.errors().forEach(e -> add(mapped, JUDGE0_NAME.getOrDefault(e.field(), e.field()), e.message()));
            if (mapped.isEmpty()) throw p;
            throw new Invalid(mapped);
        }
    }

    private static void add(Map<String, List<String>> errors, String field, String message) {
        errors.computeIfAbsent(field, k -> new ArrayList<>()).add(message);
    }

    private static boolean present(JsonNode body, String field) {
        return body.has(field) && !body.get(field).isNull();
    }

    /** A string field; with base64 decoded (leniently, as Ruby's decoder is) and required to be UTF-8. */
    private static String text(JsonNode body, String field, boolean base64, Map<String, List<String>> errors) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) {
            add(errors, field, "must be a string");
            return null;
        }
        if (!base64) return v.textValue();
        byte[] raw;
        try {
            raw = Base64.getMimeDecoder().decode(v.textValue());
        } catch (IllegalArgumentException e) {
            add(errors, field, "is not base64: " + e.getMessage());
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            add(errors, field, "is not UTF-8 once decoded from base64 (Runbox takes text)");
            return null;
        }
    }

    private static void words(JsonNode body, String field, ObjectNode out, Map<String, List<String>> errors) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return;
        if (!v.isTextual()) {
            add(errors, field, "must be a string");
            return;
        }
        Optional<List<String>> words = ShellWords.split(v.textValue());
        if (words.isEmpty()) {
            add(errors, field, "has a quote that is not closed");
            return;
        }
        ArrayNode a = out.putArray(field);
        words.get().forEach(a::add);
    }

    /** A number, or a string holding one (Rails casts them); null when absent, null or refused. */
    private static Double number(JsonNode body, String field, Map<String, List<String>> errors) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return null;
        double d;
        if (v.isNumber()) {
            d = v.doubleValue();
        } else if (v.isTextual()) {
            try {
                d = Double.parseDouble(v.textValue().strip());
            } catch (NumberFormatException e) {
                add(errors, field, "is not a number");
                return null;
            }
        } else {
            add(errors, field, "is not a number");
            return null;
        }
        if (!Double.isFinite(d)) {
            add(errors, field, "is not a number");
            return null;
        }
        return d;
    }

    private static Long integer(JsonNode body, String field, Map<String, List<String>> errors) {
        Double d = number(body, field, errors);
        if (d == null) return null;
        if (d != Math.rint(d)) {
            add(errors, field, "must be an integer");
            return null;
        }
        return d.longValue();
    }

    /** A number Runbox accepts within bounds and does not use (the README says why, field by field). */
    private static void range(JsonNode body, String field, double min, double max, Map<String, List<String>> errors) {
        Double d = number(body, field, errors);
        if (d == null) return;
        if (d < min) add(errors, field, "must be greater than or equal to " + plain(min));
        else if (d > max) add(errors, field, "must be less than or equal to " + plain(max));
    }

    private static String plain(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private static Boolean bool(JsonNode body, String field, Map<String, List<String>> errors) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return null;
        if (v.isBoolean()) return v.booleanValue();
        if (v.isTextual() && (v.textValue().equals("true") || v.textValue().equals("false"))) return v.textValue().equals("true");
        add(errors, field, "must be true or false");
        return null;
    }
}
