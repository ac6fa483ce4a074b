package dev.runbox.job;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.runbox.judge.BoxFile;
import dev.runbox.judge.Checker;
import dev.runbox.judge.TestCase;

import java.time.Instant;
import java.util.List;

/**
 * What a user asked to run: accepted, validated and immutable from then on.
 *
 * <p>On the wire (see {@code dev.runbox.wire.Wire}) two components take the names the API gives them,
 * {@code submission_id} and {@code stdin_data}, so that a job reads the same in a request, a queue
 * entry and a log line.
 *
 * @param compilerOptions      extra arguments for the compiler, each one argv element (empty: none)
 * @param commandLineArguments arguments of the program, each one argv element (empty: none)
 * @param expectedOutput       stdout the program should print (compared ignoring trailing whitespace of
 *                             lines and of the whole), or null when the request gave none
 * @param files                files placed read-only in /box beside the source before the compile (empty: none)
 * @param tests                the tests of a judged submission, each run as its own process; empty for a plain run
 *                             (which reads {@code stdin})
 * @param checker              how the tests' outputs are judged; null for a plain run
 * @param stopOnFirstFailure   whether the tests after the first failing one are skipped
 * @param collect              names of files in /box to return after the run (empty: none)
 * @param interactor           the interactor of an interactive problem (each test runs beside it), or null
 * @param stderrToStdout       whether the program's stderr is its stdout: one stream, in the order it was written
 *                             (stderr is then empty)
 * @param live                 whether this is a live run ({@code dev.runbox.live}): its stdin comes and its output
 *                             goes while it runs, through the live channel of its id, rather than {@code stdin}
 */
public record Submission(@JsonProperty("submission_id") SubmissionId id, String language, String sourceCode,
                         @JsonProperty("stdin_data") String stdin, Limits limits,
                         Instant createdAt, List<String> compilerOptions, List<String> commandLineArguments,
                         String expectedOutput, List<BoxFile> files, List<TestCase> tests, Checker checker,
                         boolean stopOnFirstFailure, List<String> collect,
                         Checker.Program interactor, boolean stderrToStdout, boolean live) {

    public Submission {
        // a job written before files existed reads them as missing: none
        files = files == null ? List.of() : List.copyOf(files);
        tests = tests == null ? List.of() : List.copyOf(tests);
        collect = collect == null ? List.of() : List.copyOf(collect);
        if (!tests.isEmpty() && checker == null) checker = Checker.DEFAULT;
        compilerOptions = List.copyOf(compilerOptions);
        commandLineArguments = List.copyOf(commandLineArguments);
    }

    /** Whether its tests run beside an interactor. */
    public boolean interactive() {
        return interactor != null;
    }

    /** Whether this submission is judged on tests (else it is one plain run). */
    public boolean judged() {
        return !tests.isEmpty();
    }

    /** A submission with no compiler options, no arguments and no expected output. */
    public Submission(SubmissionId id, String language, String sourceCode, String stdin, Limits limits, Instant createdAt) {
        this(id, language, sourceCode, stdin, limits, createdAt, List.of(), List.of(), null, List.of(), List.of(), null, false, List.of(), null,
                false, false);
    }
}
