package dev.runbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runbox.config.RunboxConfig;
import dev.runbox.judge.BoxFile;
import dev.runbox.judge.Collect;
import dev.runbox.judge.FieldProblem;
import dev.runbox.judge.FilesField;
import dev.runbox.judge.JudgeFields;
import dev.runbox.job.Limits;
import dev.runbox.language.Language;
import dev.runbox.language.LanguageLimits;
import dev.runbox.language.LanguageRegistry;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The body of POST /execute, validated field by field: every problem is reported at once, each
 * naming its field; nothing is coerced (a string is not a number) and nothing is clamped (a limit
 * above the server's maximum is refused). An explicit null means "use the default". Limits are
 * checked against the language's own bounds (see the languages file), which can only narrow the
 * server's.
 *
 * @param compilerOptions      argv elements added to the compile command (never a shell line)
 * @param commandLineArguments argv elements given to the program
 * @param expectedOutput       stdout to compare with, or null
 * @param cache                whether to answer from the result cache (and feed it): the request's
 *                             {@code cache} field, else the server's {@code cache} setting
 * @param callbackUrl          where to POST the final result, already checked by {@link CallbackTargets}
 * @param files                files placed in /box beside the source (see {@link FilesField})
 * @param judge                the tests, checker and stop rule of a judged submission ({@link JudgeFields#NONE}: a plain run)
 * @param collect              files of /box to return after the run ({@link Collect})
 * @param stderrToStdout       whether the program's stderr is its stdout ({@code stderr_to_stdout}): one stream in the
 *                             order written, as a terminal shows it; stderr is then empty
 */
public record ExecuteRequest(String sourceCode, String stdinData, String language, Limits limits,
                             List<String> compilerOptions, List<String> commandLineArguments, String expectedOutput,
                             boolean cache, Optional<URI> callbackUrl, List<BoxFile> files,
                             JudgeFields judge, List<String> collect, boolean stderrToStdout) {

    static final Set<String> FIELDS = Set.of("source_code", "stdin_data", "time_limit_sec", "memory_limit_mb",
            "cpu_cores", "language", "compiler_options", "command_line_arguments", "expected_output", "cache",
            "callback_url", FilesField.FIELD, JudgeFields.TESTS, JudgeFields.CHECKER, JudgeFields.STOP_ON_FIRST_FAILURE, JudgeFields.INTERACTOR,
            Collect.FIELD, "stderr_to_stdout");
    /** Most elements in {@code compiler_options} and in {@code command_line_arguments}. */
    static final int MAX_LIST_ELEMENTS = 64;
    /** Longest element of those lists, UTF-8 bytes. */
    static final int MAX_ELEMENT_BYTES = 4096;
    /** Most bytes of one whole list (UTF-8, elements together). */
    static final int MAX_LIST_BYTES = 64 * 1024;

    public ExecuteRequest {
        compilerOptions = List.copyOf(compilerOptions);
        commandLineArguments = List.copyOf(commandLineArguments);
        files = List.copyOf(files);
        collect = List.copyOf(collect);
    }

    static ExecuteRequest parse(JsonNode body, RunboxConfig config, LanguageRegistry languages) {
        List<Problem.FieldError> errors = new ArrayList<>();
        if (body == null || !body.isObject()) {
            throw Problem.invalidFields(List.of(new Problem.FieldError("body", "must be a JSON object")));
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) errors.add(new Problem.FieldError(f, "unknown field (accepted: " + String.join(", ", FIELDS.stream().sorted().toList()) + ")"));
        }
        String source = text(body, "source_code", null, errors);
        if (!has(body, "source_code")) {
            errors.add(new Problem.FieldError("source_code", "is required"));
        } else if (source != null && source.isEmpty()) {
            errors.add(new Problem.FieldError("source_code", "must not be empty"));
        } else if (source != null && source.indexOf('\0') >= 0) {
            // interpreters disagree on NUL (CPython 3.11 silently stops reading at it): refuse it
            errors.add(new Problem.FieldError("source_code", "must not contain NUL characters (at index " + source.indexOf('\0') + ")"));
        } else if (source != null && utf8Length(source) > config.maxSourceBytes()) {
            errors.add(new Problem.FieldError("source_code", "is " + utf8Length(source) + " bytes; the maximum is " + config.maxSourceBytes()));
        }
        String stdin = text(body, "stdin_data", "", errors);
        if (stdin != null && utf8Length(stdin) > config.maxStdinBytes()) {
            errors.add(new Problem.FieldError("stdin_data", "is " + utf8Length(stdin) + " bytes; the maximum is " + config.maxStdinBytes()));
        }
        String language = text(body, "language", "python", errors);
        Optional<Language> lang = language == null ? Optional.empty() : languages.find(language);
        if (language != null && lang.isEmpty()) {
            errors.add(new Problem.FieldError("language", "'" + abbreviate(language) + "' is not available here; available: "
                    + String.join(", ", languages.ids())));
        }
        LanguageLimits.Bounds bounds = lang.map(l -> languages.bounds(l.id())).orElse(LanguageLimits.SERVER.resolve(config));
        String forLanguage = lang.map(l -> " for " + l.id()).orElse("");
        Double time = number(body, "time_limit_sec", bounds.defaultTimeLimitSec(), errors);
        // the limit is kept in whole nanoseconds: a positive value that rounds to none is no limit at all
        if (time != null && (Math.round(time * 1e9) < 1 || time > bounds.maxTimeLimitSec())) {
            errors.add(new Problem.FieldError("time_limit_sec", "must be >= 0.000000001 and <= " + bounds.maxTimeLimitSec()
                    + forLanguage + " (seconds of CPU time)"));
        }
        Double memory = number(body, "memory_limit_mb", (double) bounds.defaultMemoryLimitMb(), errors);
        if (memory != null && (memory != Math.rint(memory))) {
            errors.add(new Problem.FieldError("memory_limit_mb", "must be a whole number of megabytes"));
        } else if (memory != null && (memory < bounds.minMemoryLimitMb() || memory > bounds.maxMemoryLimitMb())) {
            errors.add(new Problem.FieldError("memory_limit_mb", "must be between " + bounds.minMemoryLimitMb() + " and "
                    + bounds.maxMemoryLimitMb() + forLanguage + " (megabytes)"));
        }
        List<String> compilerOptions = stringList(body, "compiler_options", errors);
        if (compilerOptions != null && !compilerOptions.isEmpty() && lang.isPresent() && !lang.get().takesCompilerOptions()) {
            errors.add(new Problem.FieldError("compiler_options", lang.get().compiled()
                    ? "are not accepted by " + lang.get().id() + " (its compile command takes none)"
                    : "are not accepted by " + lang.get().id() + ": it has no compile step"));
        }
        List<String> arguments = stringList(body, "command_line_arguments", errors);
        if (arguments != null && !arguments.isEmpty() && lang.isPresent() && !lang.get().takesCommandLineArguments()) {
            errors.add(new Problem.FieldError("command_line_arguments", "are not accepted by " + lang.get().id()
                    + " (its run command takes none)"));
        }
        String expected = text(body, "expected_output", null, errors);
        if (expected != null && utf8Length(expected) > config.outputCapBytes()) {
            errors.add(new Problem.FieldError("expected_output", "is " + utf8Length(expected) + " bytes; the maximum is "
                    + config.outputCapBytes() + " (the output cap)"));
        }
        Double cores = number(body, "cpu_cores", config.defaultCpuCores(), errors);
        if (cores != null && (cores < 0.01 || cores > config.maxCpuCores())) {
            errors.add(new Problem.FieldError("cpu_cores", "must be between 0.01 and " + config.maxCpuCores() + " (cores)"));
        }
        Boolean cache = bool(body, "cache", config.cache(), errors);
        String callback = text(body, "callback_url", null, errors);
        Optional<URI> callbackUrl = Optional.empty();
        if (callback != null) {
            try {
                callbackUrl = Optional.of(CallbackTargets.check(callback, config));
            } catch (CallbackTargets.Refused e) {
                errors.add(new Problem.FieldError("callback_url", e.getMessage()));
            }
        }
        List<FieldProblem> fileProblems = new ArrayList<>();
        List<BoxFile> files = FilesField.parse(body, FilesField.FIELD, lang.map(Language::sourceFile).orElse(null),
                config.maxFiles(), config.maxFilesBytes(), fileProblems);
        JudgeFields judge = JudgeFields.parse(body, config.maxTests(), config.maxStdinBytes(), config.outputCapBytes(),
                new JudgeFields.ProgramBounds(languages::find, languages.ids(), config.maxSourceBytes(), config.maxFiles(),
                        config.maxFilesBytes()), fileProblems);
        if (judge != null && !judge.tests().isEmpty()) {
            // each test has its own; one for all would be ambiguous
            if (has(body, "stdin_data")) fileProblems.add(new FieldProblem("stdin_data", "is not taken with tests: give each test its stdin"));
            if (has(body, "expected_output")) {
                fileProblems.add(new FieldProblem("expected_output", "is not taken with tests: give each test its expected_output"));
            }
        }
        List<String> collect = Collect.parseField(body, fileProblems);
        if (collect != null && !collect.isEmpty() && judge != null && !judge.tests().isEmpty()) {
            fileProblems.add(new FieldProblem(Collect.FIELD, "is for a plain run, not with tests"));
        }
        Boolean stderrToStdout = bool(body, "stderr_to_stdout", false, errors);
        if (Boolean.TRUE.equals(stderrToStdout) && judge != null && judge.interactor() != null) {
            fileProblems.add(new FieldProblem("stderr_to_stdout", "is not taken with an interactor: the program's stdout is what the interactor reads"));
        }
        fileProblems.forEach(p -> errors.add(new Problem.FieldError(p.field(), p.message())));
        if (!errors.isEmpty()) throw Problem.invalidFields(errors);
        Limits limits = new Limits(Duration.ofNanos(Math.round(time * 1e9)), memory.longValue() * 1024 * 1024, cores);
        return new ExecuteRequest(source, stdin, language, limits, compilerOptions, arguments, expected, cache, callbackUrl, files, judge, collect,
                stderrToStdout);
    }

    private static Boolean bool(JsonNode body, String field, boolean fallback, List<Problem.FieldError> errors) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return fallback;
        if (!v.isBoolean()) {
            errors.add(new Problem.FieldError(field, "must be true or false, got " + kind(v)));
            return null;
        }
        return v.booleanValue();
    }

    /**
     * An optional array of strings, each one argv element: at most {@value #MAX_LIST_ELEMENTS} elements
     * of at most {@value #MAX_ELEMENT_BYTES} bytes, {@value #MAX_LIST_BYTES} in all, no NUL (an argv
     * element cannot hold one). Absent or null: empty.
     */
    private static List<String> stringList(JsonNode body, String field, List<Problem.FieldError> errors) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return List.of();
        if (!v.isArray()) {
            errors.add(new Problem.FieldError(field, "must be an array of strings, got " + kind(v)));
            return null;
        }
        if (v.size() > MAX_LIST_ELEMENTS) {
            errors.add(new Problem.FieldError(field, "has " + v.size() + " elements; the maximum is " + MAX_LIST_ELEMENTS));
            return null;
        }
        List<String> out = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (!e.isTextual()) {
                errors.add(new Problem.FieldError(field, "element " + i + " must be a string, got " + kind(e)));
                return null;
            }
            String s = e.textValue();
            if (s.indexOf('\0') >= 0) {
                errors.add(new Problem.FieldError(field, "element " + i + " must not contain NUL characters"));
                return null;
            }
            int bytes = utf8Length(s);
            if (bytes > MAX_ELEMENT_BYTES) {
                errors.add(new Problem.FieldError(field, "element " + i + " is " + bytes + " bytes; the maximum is " + MAX_ELEMENT_BYTES));
                return null;
            }
            total += bytes;
            out.add(s);
        }
        if (total > MAX_LIST_BYTES) {
            errors.add(new Problem.FieldError(field, "is " + total + " bytes in all; the maximum is " + MAX_LIST_BYTES));
            return null;
        }
        return out;
    }

    private static boolean has(JsonNode body, String field) {
        return body.has(field) && !body.get(field).isNull();
    }

    private static String text(JsonNode body, String field, String fallback, List<Problem.FieldError> errors) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return fallback;
        if (!v.isTextual()) {
            errors.add(new Problem.FieldError(field, "must be a string, got " + kind(v)));
            return null;
        }
        return v.textValue();
    }

    private static Double number(JsonNode body, String field, double fallback, List<Problem.FieldError> errors) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return fallback;
        if (!v.isNumber()) {
            errors.add(new Problem.FieldError(field, "must be a number, got " + kind(v)));
            return null;
        }
        double d = v.doubleValue();
        if (!Double.isFinite(d)) {
            errors.add(new Problem.FieldError(field, "must be a finite number"));
            return null;
        }
        return d;
    }

    private static String kind(JsonNode v) {
        if (v.isTextual()) return "a string";
        if (v.isBoolean()) return "a boolean";
        if (v.isArray()) return "an array";
        if (v.isObject()) return "an object";
        if (v.isNumber()) return "a number";
        if (v.isNull()) return "null";
        return v.getNodeType().toString().toLowerCase();
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
