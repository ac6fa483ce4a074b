package dev.runbox.cli;

import dev.runbox.client.LanguageInfo;
import dev.runbox.client.Result;
import dev.runbox.client.RunboxClient;
import dev.runbox.client.RunboxException;
import dev.runbox.client.RunboxTimeoutException;
import dev.runbox.client.SubmissionRequest;
import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code runbox judge FILE DIR}: judges a program on the tests of a folder ({@code NAME.in} with
 * {@code NAME.out} or {@code NAME.ans}), as one judged submission, through a server or in this process.
 */
@Command(name = "judge", mixinStandardHelpOptions = true,
        description = {"Judge a program on the tests in DIR: each NAME.in is a test's stdin, NAME.out (or NAME.ans) its expected output.",
                "Prints one line per test on stdout, then a summary line on stderr. Exit status as run's (0 every test OK,",
                "120 WA, 124 TLE, 123 MLE, 122 OLE, 121 CE, 119 the checker failed, 128+N signal N, 125 Runbox failed)."})
final class JudgeCommand extends ClientCommand {

    @Mixin
    ProgramOptions program;

    @Parameters(index = "1", paramLabel = "DIR", description = "The folder of tests: NAME.in, and NAME.out or NAME.ans.")
    Path dir;

    @Option(names = "--checker", paramLabel = "NAME",
            description = "A built-in checker: exact, lines (default), tokens, float, unordered_lines.")
    String checker;

    @Option(names = "--checker-file", paramLabel = "FILE",
            description = "A checker program, run testlib-style (checker input output answer); its language from --checker-language or its extension.")
    Path checkerFile;

    @Option(names = "--checker-language", paramLabel = "ID", description = "The checker program's language.")
    String checkerLanguage;

    @Option(names = "--interactor-file", paramLabel = "FILE",
            description = "An interactive problem's interactor, run beside each test testlib-style (interactor input output); its language from --interactor-language or its extension.")
    Path interactorFile;

    @Option(names = "--interactor-language", paramLabel = "ID", description = "The interactor's language.")
    String interactorLanguage;

    @Option(names = "--stop-on-first-failure", description = "Skip the tests after the first that fails.")
    boolean stopOnFirstFailure;

    @Option(names = "--wait-timeout", paramLabel = "SEC", defaultValue = "600",
            description = "Give up waiting for the result after SEC seconds (default ${DEFAULT-VALUE}).")
    double waitTimeoutSec;

    private static final Pattern NUMBER = Pattern.compile("\\d+");

    @Override
    int execute() throws CliFailure, RunboxException, InterruptedException {
        if (program.stdin != null) throw new CliFailure(ExitCodes.USAGE, "--stdin is for run: judge takes each test's stdin from DIR");
        if (checker != null && checkerFile != null) throw new CliFailure(ExitCodes.USAGE, "--checker or --checker-file, not both");
        List<Map<String, Object>> tests = tests(dir);
        Optional<String> url = server();
        Result result;
        try (Spinner spinner = Spinner.start(System.err, Terminal.stderr())) {
            if (url.isPresent()) {
                result = judgeOn(RunboxClient.create(url.get()), tests, spinner);
            } else {
                spinner.status("starting a sandbox");
                try (EmbeddedRunbox local = EmbeddedRunbox.start()) {
                    result = judgeOn(local.client(), tests, spinner);
                }
            }
        }
        print(result, System.out, System.err);
        return ExitCodes.of(result);
    }

    private Result judgeOn(RunboxClient client, List<Map<String, Object>> tests, Spinner spinner)
            throws CliFailure, RunboxException, InterruptedException {
        SubmissionRequest req = program.request(client).withField("tests", tests);
        if (checker != null) req = req.withField("checker", checker);
        if (checkerFile != null) req = req.withField("checker", helperProgram(client, checkerFile, checkerLanguage, "--checker-language"));
        if (interactorFile != null) {
            req = req.withField("interactor", helperProgram(client, interactorFile, interactorLanguage, "--interactor-language"));
        }
        if (stopOnFirstFailure) req = req.withField("stop_on_first_failure", true);
        String id = client.submit(req);
        try {
            return Waiting.await(client, id, Duration.ofMillis((long) (waitTimeoutSec * 1000)), spinner);
        } catch (RunboxTimeoutException e) {
            throw new CliFailure(ExitCodes.NOT_FINAL, "no final result after " + waitTimeoutSec + " s (last status "
                    + e.last().status() + ")");
        }
    }

    /** A checker or interactor program {@code {"language", "source_code"}} of {@code file}. */
    private static Map<String, Object> helperProgram(RunboxClient client, Path file, String language, String languageOption)
            throws CliFailure, RunboxException, InterruptedException {
        String lang = language;
        if (lang == null) {
            List<LanguageInfo> offered = client.languages();
            lang = LanguageGuess.of(file, offered).orElseThrow(() -> new CliFailure(ExitCodes.USAGE,
                    "cannot tell the language of " + file + " from its extension; pass " + languageOption));
        }
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("language", lang);
        c.put("source_code", ProgramOptions.utf8(ProgramOptions.read(file), file.toString()));
        return c;
    }

    /** The tests of {@code dir}: each NAME.in in natural order (2 before 10), with NAME.out or NAME.ans when there is one. */
    static List<Map<String, Object>> tests(Path dir) throws CliFailure {
        List<Path> inputs;
        try (Stream<Path> s = Files.list(dir)) {
            inputs = s.filter(p -> p.getFileName().toString().endsWith(".in") && Files.isRegularFile(p))
                    .sorted(Comparator.comparing(p -> naturalKey(p.getFileName().toString()))).toList();
        } catch (IOException e) {
            throw new CliFailure(ExitCodes.USAGE, "cannot list " + dir + ": " + e.getMessage());
        }
        if (inputs.isEmpty()) throw new CliFailure(ExitCodes.USAGE, dir + " has no NAME.in test files");
        List<Map<String, Object>> tests = new ArrayList<>();
        for (Path in : inputs) {
            String name = in.getFileName().toString();
            name = name.substring(0, name.length() - 3);
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("name", name);
            t.put("stdin", ProgramOptions.utf8(ProgramOptions.read(in), in.toString()));
            for (String ext : List.of(".out", ".ans")) {
                Path answer = in.resolveSibling(name + ext);
                if (Files.isRegularFile(answer)) {
                    t.put("expected_output", ProgramOptions.utf8(ProgramOptions.read(answer), answer.toString()));
                    break;
                }
            }
            tests.add(t);
        }
        return tests;
    }

    /** A sort key that orders the numbers in a name by value: "2" before "10". */
    private static String naturalKey(String name) {
        Matcher m = NUMBER.matcher(name);
        StringBuilder sb = new StringBuilder();
        while (m.find()) m.appendReplacement(sb, String.format(Locale.ROOT, "%020d", new java.math.BigInteger(m.group()).min(
                java.math.BigInteger.valueOf(Long.MAX_VALUE)).longValue()));
        m.appendTail(sb);
        return sb.toString();
    }

    static void print(Result r, PrintStream out, PrintStream err) {
        for (JsonNode t : r.tests()) {
            StringBuilder line = new StringBuilder("test " + (t.path("index").asInt() + 1));
            if (t.hasNonNull("name")) line.append(" (").append(t.get("name").asText()).append(")");
            line.append(": ").append(t.path("status").asText());
            if (t.hasNonNull("time_sec")) line.append(String.format(Locale.ROOT, ", time %.3f s", t.get("time_sec").asDouble()));
            if (t.hasNonNull("memory_kb")) line.append(String.format(Locale.ROOT, ", memory %.1f MiB", t.get("memory_kb").asLong() / 1024.0));
            if (t.hasNonNull("points")) line.append(", points ").append(t.get("points").asDouble());
            if (t.hasNonNull("message")) line.append(" — ").append(t.get("message").asText().lines().findFirst().orElse(""));
            out.println(line);
        }
        out.flush();
        if ("CE".equals(r.status()) && r.compileOutput() != null) err.print(r.compileOutput());
        StringBuilder summary = new StringBuilder("runbox: " + r.status());
        if (r.message() != null) summary.append(" (").append(r.message().lines().findFirst().orElse("")).append(")");
        if (r.testsPassed() != null) summary.append(", ").append(r.testsPassed()).append("/").append(r.tests().size()).append(" tests passed");
        if (r.points() != null) summary.append(", points ").append(r.points());
        if (r.timeSec() != null) summary.append(String.format(Locale.ROOT, ", max time %.3f s", r.timeSec()));
        if (r.memoryKb() != null) summary.append(String.format(Locale.ROOT, ", max memory %.1f MiB", r.memoryKb() / 1024.0));
        err.println(summary);
    }
}
