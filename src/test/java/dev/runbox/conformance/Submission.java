package dev.runbox.conformance;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * The body of a {@code POST /execute}, always with every request field the README documents, each
 * given explicitly (an unset optional one as {@code null}, which the README defines as "the
 * default"): a field that some deployment drops or garbles on its way to the sandbox then changes
 * a result the suite checks, rather than going unnoticed.
 */
final class Submission {

    /** Every field of POST /execute, as the README's two request tables list them. */
    static final List<String> FIELDS = List.of("source_code", "stdin_data", "language", "time_limit_sec", "memory_limit_mb",
            "cpu_cores", "cache", "callback_url", "compiler_options", "command_line_arguments", "expected_output", "files",
            "tests", "checker", "stop_on_first_failure", "collect", "interactor", "stderr_to_stdout");

    private final String language;
    private final String sourceCode;
    private String stdinData = "";
    private double timeLimitSec = 2.0;
    private int memoryLimitMb = 128;
    private double cpuCores = 1.0;
    private boolean cache = false;
    private String callbackUrl = null;
    private List<String> compilerOptions = List.of();
    private List<String> commandLineArguments = List.of();
    private String expectedOutput = null;
    private final List<ObjectNode> files = new java.util.ArrayList<>();
    private final List<ObjectNode> tests = new java.util.ArrayList<>();
    private com.fasterxml.jackson.databind.JsonNode checker = null;
    private Boolean stopOnFirstFailure = null;
    private List<String> collect = null;
    private ObjectNode interactor = null;
    private Boolean stderrToStdout = null;

    private Submission(String language, String sourceCode) {
        this.language = language;
        this.sourceCode = sourceCode;
    }

    static Submission of(String language, String sourceCode) {
        return new Submission(language, sourceCode);
    }

    static Submission python(String sourceCode) {
        return of("python", sourceCode);
    }

    static Submission c(String sourceCode) {
        return of("c", sourceCode);
    }

    Submission stdin(String s) {
        stdinData = s;
        return this;
    }

    Submission timeLimitSec(double s) {
        timeLimitSec = s;
        return this;
    }

    Submission memoryLimitMb(int mb) {
        memoryLimitMb = mb;
        return this;
    }

    Submission cpuCores(double cores) {
        cpuCores = cores;
        return this;
    }

    Submission cache(boolean on) {
        cache = on;
        return this;
    }

    Submission callbackUrl(String url) {
        callbackUrl = url;
        return this;
    }

    Submission compilerOptions(String... options) {
        compilerOptions = List.of(options);
        return this;
    }

    Submission arguments(String... args) {
        commandLineArguments = List.of(args);
        return this;
    }

    Submission expectedOutput(String s) {
        expectedOutput = s;
        return this;
    }

    /** Adds a file to {@code files}, as text. */
    Submission file(String name, String content) {
        files.add(Http.JSON.createObjectNode().put("name", name).put("content", content).put("encoding", "utf8"));
        return this;
    }

    /** Adds a file to {@code files}, its bytes in base64. */
    Submission fileBase64(String name, byte[] content) {
        files.add(Http.JSON.createObjectNode().put("name", name).put("content", java.util.Base64.getEncoder().encodeToString(content))
                .put("encoding", "base64"));
        return this;
    }

    /** Adds a test to {@code tests} (a judged submission: {@code stdin_data} is then sent as null). */
    Submission test(String name, String stdin, String expectedOutput, Double points) {
        ObjectNode t = Http.JSON.createObjectNode().put("name", name).put("stdin", stdin).put("expected_output", expectedOutput);
        if (points == null) t.putNull("points");
        else t.put("points", points);
        tests.add(t);
        return this;
    }

    Submission test(String stdin, String expectedOutput) {
        return test(null, stdin, expectedOutput, null);
    }

    /** A built-in checker by name. */
    Submission checker(String name) {
        checker = Http.JSON.getNodeFactory().textNode(name);
        return this;
    }

    /** The float checker with its tolerances. */
    Submission floatChecker(double absTol, double relTol) {
        checker = Http.JSON.createObjectNode().put("name", "float").put("abs_tol", absTol).put("rel_tol", relTol);
        return this;
    }

    /** A checker program, run testlib-style per test: {@code checker input output answer}. */
    Submission checkerProgram(String language, String sourceCode) {
        ObjectNode c = Http.JSON.createObjectNode().put("language", language).put("source_code", sourceCode);
        c.putArray("files");
        checker = c;
        return this;
    }

    /** An interactor, run beside each test testlib-style: {@code interactor input output}. */
    Submission interactor(String language, String sourceCode) {
        interactor = Http.JSON.createObjectNode().put("language", language).put("source_code", sourceCode);
        interactor.putArray("files");
        return this;
    }

    Submission collect(String... names) {
        collect = List.of(names);
        return this;
    }

    Submission stderrToStdout(boolean merge) {
        stderrToStdout = merge;
        return this;
    }

    Submission stopOnFirstFailure(boolean stop) {
        stopOnFirstFailure = stop;
        return this;
    }

    ObjectNode json() {
        ObjectNode n = Http.JSON.createObjectNode();
        n.put("source_code", sourceCode);
        n.put("stdin_data", tests.isEmpty() ? stdinData : null);
        n.put("language", language);
        n.put("time_limit_sec", timeLimitSec);
        n.put("memory_limit_mb", memoryLimitMb);
        n.put("cpu_cores", cpuCores);
        n.put("cache", cache);
        n.put("callback_url", callbackUrl);
        n.set("compiler_options", Http.JSON.valueToTree(compilerOptions));
        n.set("command_line_arguments", Http.JSON.valueToTree(commandLineArguments));
        n.put("expected_output", expectedOutput);
        n.set("files", Http.JSON.valueToTree(files));
        n.set("tests", tests.isEmpty() ? Http.JSON.nullNode() : Http.JSON.valueToTree(tests));
        n.set("checker", checker == null ? Http.JSON.nullNode() : checker);
        n.set("collect", collect == null ? Http.JSON.nullNode() : Http.JSON.valueToTree(collect));
        n.set("interactor", interactor == null ? Http.JSON.nullNode() : interactor);
        if (stderrToStdout == null) n.putNull("stderr_to_stdout");
        else n.put("stderr_to_stdout", stderrToStdout);
        if (stopOnFirstFailure == null) n.putNull("stop_on_first_failure");
        else n.put("stop_on_first_failure", stopOnFirstFailure);
        return n;
    }
}
