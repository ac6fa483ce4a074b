package dev.runbox.judge;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runbox.language.Language;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The judge fields of a request, checked: {@code tests} (1 to {@code max-tests} objects
 * {@code {"stdin", "expected_output", "name", "points"}}), {@code checker} (a built-in's name,
 * {@code {"name", "abs_tol", "rel_tol"}}, or a program {@code {"language", "source_code", "files"}}) and
 * {@code stop_on_first_failure} and {@code interactor} (a program like a checker program's, which
 * needs tests). Every problem names its field.
 *
 * @param tests              the tests, empty when the request has none (a plain run)
 * @param checker            how outputs are judged (the default {@code lines} when not given), null without tests
 * @param stopOnFirstFailure whether the tests after the first failing one are skipped
 * @param interactor         the interactor of an interactive problem, or null
 */
public record JudgeFields(List<TestCase> tests, Checker checker, boolean stopOnFirstFailure, Checker.Program interactor) {

    public static final String TESTS = "tests";
    public static final String CHECKER = "checker";
    public static final String STOP_ON_FIRST_FAILURE = "stop_on_first_failure";
    public static final String INTERACTOR = "interactor";
    public static final Set<String> FIELDS = Set.of(TESTS, CHECKER, STOP_ON_FIRST_FAILURE, INTERACTOR);
    /** Longest test name, UTF-8 bytes. */
    public static final int MAX_NAME_BYTES = 256;
    /** Most points one test may be worth. */
    public static final double MAX_POINTS = 1e6;
    private static final Set<String> TEST_KEYS = Set.of("stdin", "expected_output", "name", "points");
    private static final Set<String> CHECKER_KEYS = Set.of("name", "abs_tol", "rel_tol");

    public static final JudgeFields NONE = new JudgeFields(List.of(), null, false, null);

    public JudgeFields {
        tests = List.copyOf(tests);
    }

    /**
     * The judge fields of {@code body}, or null when any is refused (the problems are added to {@code errors}).
     *
     * @param maxTestBytes most bytes of all tests' stdin and expected output together (and of each one's stdin)
     * @param maxExpectedBytes most bytes of one test's expected output (the output cap)
     */
    public static JudgeFields parse(JsonNode body, int maxTests, long maxTestBytes, long maxExpectedBytes, ProgramBounds programs,
                                    List<FieldProblem> errors) {
        int before = errors.size();
        List<TestCase> tests = tests(body, maxTests, maxTestBytes, maxExpectedBytes, errors);
        Checker checker = checker(body, programs, errors);
        JsonNode i = body.get(INTERACTOR);
        Checker.Program interactor = null;
        if (i != null && !i.isNull()) {
            if (!i.isObject() || !i.has("source_code")) {
                errors.add(new FieldProblem(INTERACTOR, "must be a program {\"language\", \"source_code\", \"files\"}"));
            } else {
                interactor = program(i, INTERACTOR, programs, errors);
            }
        }
        Boolean stop = null;
        JsonNode s = body.get(STOP_ON_FIRST_FAILURE);
        if (s == null || s.isNull()) {
            stop = false;
        } else if (!s.isBoolean()) {
            errors.add(new FieldProblem(STOP_ON_FIRST_FAILURE, "must be true or false"));
        } else {
            stop = s.booleanValue();
        }
        if (tests != null && tests.isEmpty()) {
            if (has(body, CHECKER)) errors.add(new FieldProblem(CHECKER, "needs tests: a checker judges the outputs of tests[]"));
            if (Boolean.TRUE.equals(stop)) errors.add(new FieldProblem(STOP_ON_FIRST_FAILURE, "needs tests"));
            if (has(body, INTERACTOR)) {
                errors.add(new FieldProblem(INTERACTOR, "needs tests: each test's stdin is the interactor's input file"));
            }
        }
        if (errors.size() != before) return null;
        if (tests.isEmpty()) return NONE;
        return new JudgeFields(tests, checker == null ? Checker.DEFAULT : checker, stop, interactor);
    }

    private static List<TestCase> tests(JsonNode body, int maxTests, long maxTestBytes, long maxExpectedBytes, List<FieldProblem> errors) {
        JsonNode v = body.get(TESTS);
        if (v == null || v.isNull()) return List.of();
        if (!v.isArray()) {
            errors.add(new FieldProblem(TESTS, "must be an array of {\"stdin\", \"expected_output\", \"name\", \"points\"} objects"));
            return null;
        }
        if (v.isEmpty() || v.size() > maxTests) {
            errors.add(new FieldProblem(TESTS, "has " + v.size() + " tests; it takes 1 to " + maxTests + " (max-tests)"));
            return null;
        }
        List<TestCase> out = new ArrayList<>();
        long total = 0;
        int before = errors.size();
        for (int i = 0; i < v.size(); i++) {
            JsonNode t = v.get(i);
            String at = TESTS + "[" + i + "]";
            if (!t.isObject()) {
                errors.add(new FieldProblem(TESTS, at + " must be an object {\"stdin\", \"expected_output\", \"name\", \"points\"}"));
                continue;
            }
            boolean ok = true;
            for (Iterator<String> it = t.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!TEST_KEYS.contains(k)) {
                    errors.add(new FieldProblem(TESTS, at + ": unknown field '" + abbreviate(k) + "' (accepted: expected_output, name, points, stdin)"));
                    ok = false;
                }
            }
            String name = text(t, "name", at, errors);
            String stdin = text(t, "stdin", at, errors);
            String expected = text(t, "expected_output", at, errors);
            if (name == FAILED || stdin == FAILED || expected == FAILED) continue;
            if (name != null && (name.isEmpty() || utf8(name) > MAX_NAME_BYTES || name.chars().anyMatch(Character::isISOControl))) {
                errors.add(new FieldProblem(TESTS, at + ": name must be 1 to " + MAX_NAME_BYTES + " bytes without control characters"));
                ok = false;
            }
            if (name != null) at = at + " (" + abbreviate(name) + ")";
            double points = 1;
            JsonNode p = t.get("points");
            if (p != null && !p.isNull()) {
                if (!p.isNumber() || !Double.isFinite(p.doubleValue()) || p.doubleValue() < 0 || p.doubleValue() > MAX_POINTS) {
                    errors.add(new FieldProblem(TESTS, at + ": points must be a number from 0 to " + (long) MAX_POINTS));
                    ok = false;
                } else {
                    points = p.doubleValue();
                }
            }
            if (stdin == null) stdin = "";
            long in = utf8(stdin);
            if (in > maxTestBytes) {
                errors.add(new FieldProblem(TESTS, at + ": stdin is " + in + " bytes; the maximum is " + maxTestBytes));
                ok = false;
            }
            long exp = expected == null ? 0 : utf8(expected);
            if (exp > maxExpectedBytes) {
                errors.add(new FieldProblem(TESTS, at + ": expected_output is " + exp + " bytes; the maximum is " + maxExpectedBytes + " (the output cap)"));
                ok = false;
            }
            total += in + exp;
            if (ok) out.add(new TestCase(name, stdin, expected, points));
        }
        if (total > maxTestBytes) {
            errors.add(new FieldProblem(TESTS, "the tests' stdin and expected_output are " + total + " bytes together; the maximum is "
                    + maxTestBytes + " (max-stdin-bytes)"));
        }
        return errors.size() == before ? out : null;
    }

    /**
     * What a checker program may be: a language of the server that takes command-line arguments,
     * a source of at most {@code maxSourceBytes}, files as the submission's.
     */
    public record ProgramBounds(Function<String, Optional<Language>> languages, List<String> languageIds, int maxSourceBytes,
                                int maxFiles, long maxFilesBytes) {
    }

    private static Checker checker(JsonNode body, ProgramBounds programs, List<FieldProblem> errors) {
        JsonNode v = body.get(CHECKER);
        if (v == null || v.isNull()) return null;
        if (v.isObject() && v.has("source_code")) {
            Checker.Program p = program(v, CHECKER, programs, errors);
            return p == null ? null : Checker.program(p);
        }
        String names = "exact, lines, tokens, float, unordered_lines";
        if (v.isTextual()) {
            try {
                return new Checker(Checker.Builtin.of(v.textValue()), Checker.DEFAULT_TOLERANCE, Checker.DEFAULT_TOLERANCE);
            } catch (IllegalArgumentException e) {
                errors.add(new FieldProblem(CHECKER, "'" + abbreviate(v.textValue()) + "' is not a built-in checker (" + names + ")"));
                return null;
            }
        }
        if (!v.isObject()) {
            errors.add(new FieldProblem(CHECKER, "must be a built-in checker's name (" + names + ") or {\"name\", \"abs_tol\", \"rel_tol\"}"));
            return null;
        }
        for (Iterator<String> it = v.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!CHECKER_KEYS.contains(k)) {
                errors.add(new FieldProblem(CHECKER, "unknown field '" + abbreviate(k) + "' (accepted: abs_tol, name, rel_tol)"));
                return null;
            }
        }
        JsonNode n = v.get("name");
        Checker.Builtin builtin;
        try {
            if (n == null || !n.isTextual()) throw new IllegalArgumentException("no name");
            builtin = Checker.Builtin.of(n.textValue());
        } catch (IllegalArgumentException e) {
            errors.add(new FieldProblem(CHECKER, "name must be a built-in checker (" + names + ")"));
            return null;
        }
        Double abs = tolerance(v, "abs_tol", builtin, errors);
        Double rel = tolerance(v, "rel_tol", builtin, errors);
        if (abs == null || rel == null) return null;
        return new Checker(builtin, abs, rel);
    }

    private static final Set<String> PROGRAM_KEYS = Set.of("language", "source_code", "files");

    /** A checker or interactor program {@code {"language", "source_code", "files"}} of field {@code field}. */
    private static Checker.Program program(JsonNode v, String field, ProgramBounds b, List<FieldProblem> errors) {
        int before = errors.size();
        for (Iterator<String> it = v.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!PROGRAM_KEYS.contains(k)) {
                errors.add(new FieldProblem(field, "unknown field '" + abbreviate(k) + "' of " + (field.equals(CHECKER) ? "a checker" : "an interactor") + " program (accepted: files, language, source_code)"));
            }
        }
        JsonNode src = v.get("source_code");
        String source = null;
        if (!src.isTextual() || src.textValue().isEmpty()) {
            errors.add(new FieldProblem(field, "source_code must be a non-empty string"));
        } else if (src.textValue().indexOf('\0') >= 0) {
            errors.add(new FieldProblem(field, "source_code must not contain NUL characters"));
        } else if (utf8(src.textValue()) > b.maxSourceBytes()) {
            errors.add(new FieldProblem(field, "source_code is " + utf8(src.textValue()) + " bytes; the maximum is " + b.maxSourceBytes()));
        } else {
            source = src.textValue();
        }
        JsonNode l = v.get("language");
        Optional<Language> lang = Optional.empty();
        if (l == null || !l.isTextual()) {
            errors.add(new FieldProblem(field, "language is required: one of " + String.join(", ", b.languageIds())));
        } else {
            lang = b.languages().apply(l.textValue());
            if (lang.isEmpty()) {
                errors.add(new FieldProblem(field, "language '" + abbreviate(l.textValue()) + "' is not available here; available: "
                        + String.join(", ", b.languageIds())));
            } else if (!lang.get().takesCommandLineArguments()) {
                errors.add(new FieldProblem(field, "language '" + lang.get().id() + "' takes no command-line arguments:"
                        + " a checker is run as `checker input output answer`"));
            }
        }
        List<FieldProblem> fileProblems = new ArrayList<>();
        List<BoxFile> files = FilesField.parse(v, "files", lang.map(Language::sourceFile).orElse(null), b.maxFiles(), b.maxFilesBytes(),
                fileProblems);
        for (FieldProblem p : fileProblems) errors.add(new FieldProblem(field, field + " " + p.message()));
        if (files != null) {
            for (BoxFile f : files) {
                if (f.name().matches("(input|answer)-\\d+\\.txt|output\\.txt")) {
                    errors.add(new FieldProblem(field, field + " files[] (\"" + f.name() + "\"): that name is where the tests' input, "
                            + "output or answer go"));
                }
            }
        }
        if (errors.size() != before) return null;
        return new Checker.Program(lang.get().id(), source, files);
    }

    private static Double tolerance(JsonNode checker, String field, Checker.Builtin builtin, List<FieldProblem> errors) {
        JsonNode t = checker.get(field);
        if (t == null || t.isNull()) return Checker.DEFAULT_TOLERANCE;
        if (builtin != Checker.Builtin.FLOAT) {
            errors.add(new FieldProblem(CHECKER, field + " is only for the float checker"));
            return null;
        }
        if (!t.isNumber() || !Double.isFinite(t.doubleValue()) || t.doubleValue() < 0 || t.doubleValue() > 1) {
            errors.add(new FieldProblem(CHECKER, field + " must be a number from 0 to 1"));
            return null;
        }
        return t.doubleValue();
    }

    /** Marks a string member that was present but not a string (the problem is recorded). */
    private static final String FAILED = new String("(not a string)");

    private static String text(JsonNode t, String key, String at, List<FieldProblem> errors) {
        JsonNode v = t.get(key);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) {
            errors.add(new FieldProblem(TESTS, at + ": " + key + " must be a string"));
            return FAILED;
        }
        return v.textValue();
    }

    private static boolean has(JsonNode body, String field) {
        return body.has(field) && !body.get(field).isNull();
    }

    private static long utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
