package dev.runbox.worker;

import dev.runbox.config.RunboxConfig;
import dev.runbox.job.ExecutionResult;
import dev.runbox.job.Limits;
import dev.runbox.job.Status;
import dev.runbox.job.Submission;
import dev.runbox.judge.BoxFile;
import dev.runbox.judge.Checker;
import dev.runbox.judge.CheckerVerdict;
import dev.runbox.judge.Collect;
import dev.runbox.judge.CollectedFile;
import dev.runbox.judge.Testlib;
import dev.runbox.judge.Judging;
import dev.runbox.judge.TestCase;
import dev.runbox.judge.TestResult;
import dev.runbox.judge.TestStatus;
import dev.runbox.language.CompileLimits;
import dev.runbox.language.Language;
import dev.runbox.language.LanguageLimits;
import dev.runbox.language.LanguageRegistry;
import dev.runbox.live.LiveChannels;
import dev.runbox.live.LiveLink;
import dev.runbox.live.LiveMessage;
import dev.runbox.sandbox.RunLimits;
import dev.runbox.sandbox.RunSpec;
import dev.runbox.sandbox.Sandbox;
import dev.runbox.sandbox.SandboxFailure;
import dev.runbox.sandbox.SandboxOutcome;
import dev.runbox.sandbox.WorkDir;

import org.slf4j.MDC;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/** Runs one submission in the sandbox and turns the outcome into its final result. */
public final class Executor {

    /** The environment every program gets; languages add theirs. Nothing of Runbox's own goes in. */
    private static final Map<String, String> BASE_ENV = Map.of(
            "PATH", "/usr/local/bin:/usr/bin:/bin",
            "HOME", RunSpec.WORK_DIR,
            "LANG", "C.UTF-8",
            "TMPDIR", "/tmp");
    static final int OPEN_FILES = 256;
    /** Shortest time between two shows of a judged submission's progress: a store write each, of every test so far. */
    static final long PROGRESS_INTERVAL_NANOS = 100_000_000L;
    /** Limits of the step that reads collect's files: it reads at most collect-cap-bytes, no more. */
    private static final Duration COLLECT_TIME = Duration.ofSeconds(5);
    private static final long COLLECT_MEMORY_BYTES = 64L * 1024 * 1024;
    /** Where the checker finds the program's output in its work dir. */
    static final String CHECKER_OUTPUT = "output.txt";
    /** Bytes of a checker's compile output shown in the message of a checker that did not compile. */
    private static final int CHECKER_COMPILE_OUTPUT_SHOWN = 2048;
    private static final long MIB = 1024 * 1024;

    /** Which sandbox runs a language's programs (the default one, or Docker with the language's image). */
    @FunctionalInterface
    public interface SandboxChoice {
        Sandbox forLanguage(Language language) throws SandboxFailure;
    }

    /**
     * Runs the command after it with its stderr on its stdout (one pipe: the order written is kept, as a
     * terminal shows it). The shell execs the program, so what ends is the program itself.
     */
    private static final List<String> STDERR_TO_STDOUT = List.of("/bin/sh", "-c", "exec \"$@\" 2>&1", "program");

    /** How often the worker looks whether a side of an interactive test has ended (ms): the other is let go then. */
    private static final long RELEASE_INTERVAL_MS = 5;

    private final SandboxChoice sandboxes;
    private final LanguageRegistry languages;
    private final RunboxConfig config;
    private final Clock clock;
    /** Runs the two sides of interactive tests; a side's sandbox lives only as long as its thread's task. */
    private final ExecutorService sides = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "interactive-side");
        t.setDaemon(true);
        return t;
    });
    private Path pipesRoot;
    /** Where live runs' input comes from and their output goes; null: this executor takes no live runs. */
    private final LiveChannels live;

    /** Runs every language in {@code sandbox}. */
    public Executor(Sandbox sandbox, LanguageRegistry languages, RunboxConfig config, Clock clock) {
        this((SandboxChoice) language -> sandbox, languages, config, clock, null);
    }

    public Executor(SandboxChoice sandboxes, LanguageRegistry languages, RunboxConfig config, Clock clock, LiveChannels live) {
        this.sandboxes = sandboxes;
        this.languages = languages;
        this.config = config;
        this.clock = clock;
        this.live = live;
    }

    /**
     * The final result of {@code job}, whose current (PROCESSING) result is {@code current}. A language
     * with a compile step compiles in a sandbox of its own (its own cgroup and the language's compile
     * limits) into a work dir that the run then uses; a failed compile is CE and nothing runs.
     */
    public ExecutionResult execute(Submission job, ExecutionResult current) throws SandboxFailure, InterruptedException {
        return execute(job, current, shown -> { });
    }

    /**
     * As {@link #execute(Submission, ExecutionResult)}; a judged submission compiles once, then runs
     * each test as its own process with the submission's limits, and passes the PROCESSING result with
     * the tests finished so far to {@code progress} as they finish (at most every
     * {@link #PROGRESS_INTERVAL_NANOS} ns; the last ones come with the final result).
     */
    public ExecutionResult execute(Submission job, ExecutionResult current, Consumer<ExecutionResult> progress)
            throws SandboxFailure, InterruptedException {
        Language lang = languages.find(job.language())
                .orElseThrow(() -> new SandboxFailure("language '" + job.language() + "' is not available on this worker"));
        Limits l = job.limits();
        long memoryMb = l.memoryBytes() / MIB;
        RunLimits limits = new RunLimits(l.cpuTime(), l.wallTime(), l.memoryBytes(), l.cpuCores(), config.maxProcesses(),
                config.outputCapBytes(), writableBytes(), OPEN_FILES);
        Map<String, String> env = environment(lang);
        Map<String, byte[]> files = boxFiles(job, lang);
        byte[] stdin = job.stdin().getBytes(StandardCharsets.UTF_8);
        List<String> command = job.stderrToStdout() ? concat(STDERR_TO_STDOUT, lang.runCommand(job.commandLineArguments(), memoryMb))
                : lang.runCommand(job.commandLineArguments(), memoryMb);
        Sandbox sandbox = sandboxes.forLanguage(lang);
        if (job.live()) return live(job, current, lang, sandbox, new RunSpec(command, files, new byte[0], limits, lang.mounts(), env));
        if (!lang.compiled()) {
            if (job.judged()) {
                return tests(job, current, lang, (wrapper, mounts, in) -> sandbox.run(new RunSpec(concat(wrapper, command), files, in,
                        limits, concat(lang.mounts(), mounts), env)), null, progress);
            }
            if (!job.collect().isEmpty()) {
                try (WorkDir box = sandbox.openWorkDir(files, writableBytes())) {
                    SandboxOutcome o = box.run(new RunSpec(command, Map.of(), stdin, limits, lang.mounts(), env));
                    return judged(job, current, lang, o, null).withCollected(collect(box, lang, job.collect()));
                }
            }
            SandboxOutcome o = sandbox.run(new RunSpec(command, files, stdin, limits, lang.mounts(), env));
            return judged(job, current, lang, o, null);
        }
        try (WorkDir box = sandbox.openWorkDir(files, writableBytes())) {
            CompileLimits cl = lang.compileLimits();
            SandboxOutcome c = box.run(compileSpec(lang, job.compilerOptions(), job.files().stream().map(BoxFile::name).toList(), env));
            String compileOutput = compileOutput(c, cl.outputCapBytes());
            Optional<String> failed = Verdict.compileFailure(c, cl.timeLimitSec(), cl.memoryLimitMb(), cl.outputCapBytes());
            if (failed.isPresent()) return compileError(job, current, failed.get(), compileOutput);
            if (job.judged()) {
                return tests(job, current, lang, (wrapper, mounts, in) -> box.run(new RunSpec(concat(wrapper, command), Map.of(), in,
                        limits, concat(lang.mounts(), mounts), env)), compileOutput, progress);
            }
            SandboxOutcome o = box.run(new RunSpec(command, Map.of(), stdin, limits, lang.mounts(), env));
            ExecutionResult done = judged(job, current, lang, o, compileOutput);
            return job.collect().isEmpty() ? done : done.withCollected(collect(box, lang, job.collect()));
        }
    }

    /**
     * A live run ({@link LiveRelay}): the stages' starts and ends, the compiler's output and the program's
     * output go to the run's live channel as they happen, and its stdin comes from there. A failure of
     * Runbox's is sent as an error before it is thrown (the worker's retry then finds the client gone).
     */
    private ExecutionResult live(Submission job, ExecutionResult current, Language lang, Sandbox sandbox, RunSpec run)
            throws SandboxFailure, InterruptedException {
        if (live == null) throw new SandboxFailure("this worker takes no live runs (no live channels)");
        try (LiveLink link = live.run(job.id())) {
            try {
                if (!lang.compiled()) {
                    link.send(LiveMessage.stage(LiveMessage.RUN));
                    return liveEnd(job, current, lang, link, LiveRelay.run(run, sandbox::run, link, pipesRoot(), config.outputCapBytes(), sides), null);
                }
                try (WorkDir box = sandbox.openWorkDir(run.files(), writableBytes())) {
                    link.send(LiveMessage.stage(LiveMessage.COMPILE));
                    CompileLimits cl = lang.compileLimits();
                    SandboxOutcome c = box.run(compileSpec(lang, job.compilerOptions(), job.files().stream().map(BoxFile::name).toList(),
                            run.environment()));
                    String compileOutput = compileOutput(c, cl.outputCapBytes());
                    Optional<String> failed = Verdict.compileFailure(c, cl.timeLimitSec(), cl.memoryLimitMb(), cl.outputCapBytes());
                    if (!compileOutput.isEmpty()) link.send(LiveMessage.output(LiveMessage.Type.STDERR, LiveMessage.COMPILE, compileOutput));
                    if (failed.isPresent()) {
                        // a compile that did not exit 0 by itself ends the run: its exit is not 0
                        Integer code = c.exitCode() != null && c.exitCode() != 0 ? c.exitCode() : null;
                        link.send(LiveMessage.exit(LiveMessage.COMPILE, code, code == null ? c.signal() : null, failed.get()));
                        return compileError(job, current, failed.get(), compileOutput);
                    }
                    link.send(LiveMessage.exit(LiveMessage.COMPILE, 0, null, null));
                    link.send(LiveMessage.stage(LiveMessage.RUN));
                    RunSpec inBox = new RunSpec(run.command(), Map.of(), new byte[0], run.limits(), run.readOnlyMounts(), run.environment());
                    return liveEnd(job, current, lang, link, LiveRelay.run(inBox, box::run, link, pipesRoot(), config.outputCapBytes(), sides),
                            compileOutput);
                }
            } catch (SandboxFailure e) {
                sendQuietly(link, LiveMessage.error("Runbox could not run the program: " + e.getMessage()));
                throw e;
            }
        }
    }

    /** The final result of a submission whose compile failed: CE, nothing ran. */
    private ExecutionResult compileError(Submission job, ExecutionResult current, String why, String compileOutput) {
        return new ExecutionResult(job.id(), Status.CE, job.language(), null, null, null, null, null, null, null,
                false, false, why, current.createdAt(), current.startedAt(), clock.instant(),
                current.workerId(), current.attempts(), compileOutput, false);
    }

    /** The final result of a live run that ran, and its last message: the run's exit. */
    private ExecutionResult liveEnd(Submission job, ExecutionResult current, Language lang, LiveLink link, SandboxOutcome o,
                                    String compileOutput) throws SandboxFailure {
        ExecutionResult r = judged(job, current, lang, o, compileOutput);
        link.send(LiveMessage.exit(LiveMessage.RUN, o.signal() == null ? o.exitCode() : null, o.signal(),
                r.status() == Status.OK || r.status() == Status.RE ? null : r.message()));
        return r;
    }

    private static void sendQuietly(LiveLink link, LiveMessage m) {
        try {
            link.send(m);
        } catch (RuntimeException e) {
            // the channel itself failed: the client sees its connection end
        }
    }

    /**
     * The longest one attempt at {@code job} may take, by the wall time limits of its steps: the run, or
     * each of its tests (and, with a checker or interactor program, its compile and a run of it per test). Besides
     * the compile of the program, which the caller's slack covers.
     */
    public Duration longestRun(Submission job) {
        Duration program = job.limits().wallTime().multipliedBy(Math.max(1, job.tests().size()));
        Duration all = program;
        if (job.checker() != null && job.checker().program() != null) all = all.plus(helper(job.checker().program(), job.tests().size(), Duration.ZERO));
        // an interactor's wall time limit is the program's plus its own
        if (job.interactor() != null) all = all.plus(helper(job.interactor(), job.tests().size(), job.limits().wallTime()));
        return all;
    }

    /** The longest a helper program (checker, interactor) may take: its compile and a run per test. */
    private Duration helper(Checker.Program p, int tests, Duration extraPerRun) {
        Optional<Language> lang = languages.find(p.language());
        if (lang.isEmpty()) return Duration.ZERO;
        LanguageLimits.Bounds b = languages.bounds(lang.get().id());
        Duration run = new Limits(Duration.ofNanos(Math.round(b.defaultTimeLimitSec() * 1e9)), MIB, 1.0).wallTime().plus(extraPerRun);
        CompileLimits cl = lang.get().compileLimits();
        Duration compile = new Limits(Duration.ofNanos(Math.round(cl.timeLimitSec() * 1e9)), MIB, cl.cpuCores()).wallTime();
        return run.multipliedBy(Math.max(1, tests)).plus(compile);
    }

    /** What the box holds before anything runs: the source under the language's file name, and the request's files. */
    static Map<String, byte[]> boxFiles(Submission job, Language lang) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(lang.sourceFile(), job.sourceCode().getBytes(StandardCharsets.UTF_8));
        for (BoxFile f : job.files()) files.put(f.name(), f.bytes());
        return files;
    }

    /**
     * Reads the files of {@code names} from the work dir after the program's run, inside a sandbox over
     * it (see {@link Collect}); at most the {@code collect-cap-bytes} setting in all. A collector that does
     * not answer as it must is Runbox's failure, not the program's.
     */
    private List<CollectedFile> collect(WorkDir box, Language lang, List<String> names) throws SandboxFailure, InterruptedException {
        Limits l = new Limits(COLLECT_TIME, COLLECT_MEMORY_BYTES, 1.0);
        // the collector prints the files in base64 (4 bytes per 3) with a line per file: its own output cap
        long printed = config.collectCapBytes() / 3 * 4 + 4 + 256L * (names.size() + 1);
        RunLimits limits = new RunLimits(l.cpuTime(), l.wallTime(), l.memoryBytes(), l.cpuCores(), config.maxProcesses(),
                printed, writableBytes(), OPEN_FILES);
        SandboxOutcome o = box.run(new RunSpec(Collect.command(names, config.collectCapBytes()), Map.of(), new byte[0], limits,
                lang.mounts(), new LinkedHashMap<>(BASE_ENV)));
        if (o.termination() != SandboxOutcome.Termination.EXITED || o.exitCode() == null || o.exitCode() != 0) {
            throw new SandboxFailure("collecting files from /box failed: " + o.termination() + ", exit " + o.exitCode() + ", signal "
                    + o.signal() + ": " + decode(o.stderr().bytes()));
        }
        try {
            return Collect.parse(o.stdout().bytes(), names);
        } catch (IllegalArgumentException e) {
            throw new SandboxFailure("collecting files from /box failed: " + e.getMessage());
        }
    }

    /** The whole environment of a program of {@code lang}: the base set and the language's own. */
    static Map<String, String> environment(Language lang) {
        Map<String, String> env = new LinkedHashMap<>(BASE_ENV);
        env.putAll(lang.env());
        return env;
    }

    /** The compile step: the language's compile limits (the request's do not apply), no stdin. */
    private RunSpec compileSpec(Language lang, List<String> compilerOptions, List<String> fileNames, Map<String, String> env) {
        CompileLimits cl = lang.compileLimits();
        Limits l = new Limits(Duration.ofNanos(Math.round(cl.timeLimitSec() * 1e9)), cl.memoryLimitMb() * MIB, cl.cpuCores());
        RunLimits limits = new RunLimits(l.cpuTime(), l.wallTime(), l.memoryBytes(), l.cpuCores(), config.maxProcesses(),
                cl.outputCapBytes(), writableBytes(), OPEN_FILES);
        return new RunSpec(lang.compileCommand(compilerOptions, fileNames), Map.of(), new byte[0], limits, lang.mounts(), env);
    }

    private ExecutionResult judged(Submission job, ExecutionResult current, Language lang, SandboxOutcome o,
                                   String compileOutput) throws SandboxFailure {
        Limits l = job.limits();
        String stdout = decode(o.stdout().bytes());
        String stderr = decode(o.stderr().bytes());
        Verdict.Judged v = Verdict.of(o, l, config.outputCapBytes());
        // with stderr on stdout, a runtime's out-of-memory message is in stdout
        v = Verdict.heapExhausted(v, job.stderrToStdout() ? stdout : stderr, lang.outOfMemoryStderr(), l.memoryBytes() / MIB);
        v = Verdict.againstExpected(v, stdout, job.expectedOutput());
        return new ExecutionResult(job.id(), v.status(), job.language(), stdout, stderr,
                o.exitCode(), o.signal(), seconds(o.wallTime().toNanos()), seconds(o.cpuTime().toNanos()),
                o.memoryPeakBytes() / 1024, o.stdout().truncated(), o.stderr().truncated(), v.message(),
                current.createdAt(), current.startedAt(), clock.instant(), current.workerId(), current.attempts(), compileOutput, false);
    }

    /**
     * One test's run of the program: a fresh process (and sandbox) with the submission's limits, its
     * command after {@code wrapper} (empty: none), seeing {@code mounts} besides its language's.
     */
    @FunctionalInterface
    private interface TestRun {
        SandboxOutcome run(List<String> wrapper, List<Path> mounts, byte[] stdin) throws SandboxFailure, InterruptedException;
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        if (b.isEmpty()) return a;
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** Runs every test in order (skipping those after a failure when asked) and judges the whole. */
    private ExecutionResult tests(Submission job, ExecutionResult current, Language lang, TestRun runs, String compileOutput,
                                  Consumer<ExecutionResult> progress) throws SandboxFailure, InterruptedException {
        if (job.checker().program() == null) return withInteractor(job, current, lang, runs, compileOutput, progress, null);
        Checker.Program program = job.checker().program();
        Language checkerLang = languages.find(program.language())
                .orElseThrow(() -> new SandboxFailure("the checker's language '" + program.language() + "' is not available on this worker"));
        try (WorkDir box = sandboxes.forLanguage(checkerLang).openWorkDir(checkerFiles(program, checkerLang, job.tests()), writableBytes())) {
            if (checkerLang.compiled()) {
                Map<String, String> env = environment(checkerLang);
                SandboxOutcome c = box.run(compileSpec(checkerLang, List.of(), program.files().stream().map(BoxFile::name).toList(), env));
                CompileLimits cl = checkerLang.compileLimits();
                Optional<String> failed = Verdict.compileFailure(c, cl.timeLimitSec(), cl.memoryLimitMb(), cl.outputCapBytes());
                if (failed.isPresent()) {
                    String said = compileOutput(c, CHECKER_COMPILE_OUTPUT_SHOWN);
                    return new ExecutionResult(job.id(), Status.CHECKER_FAILED, job.language(), null, null, null, null, null, null,
                            null, false, false, "the checker did not compile (" + failed.get() + ")" + (said.isBlank() ? "" : ": " + said),
                            current.createdAt(), current.startedAt(), clock.instant(), current.workerId(), current.attempts(),
                            compileOutput, false);
                }
            }
            return withInteractor(job, current, lang, runs, compileOutput, progress, (i, output) -> check(box, checkerLang, i, output));
        }
    }

    /** Judges one test's output with the checker program (testlib-style), in its work dir. */
    @FunctionalInterface
    private interface CheckerRun {
        CheckerVerdict check(int index, byte[] output) throws SandboxFailure, InterruptedException;
    }

    /** One interactive test, run beside the interactor (see {@link #interactiveTest}). */
    @FunctionalInterface
    private interface InteractiveTest {
        TestResult run(int index, TestCase test) throws SandboxFailure, InterruptedException;
    }

    /**
     * Runs the tests, beside the submission's interactor when it has one: compiled once (a failed compile
     * is CHECKER_FAILED: the problem's fault), in a work dir of its own holding each test's input.
     */
    private ExecutionResult withInteractor(Submission job, ExecutionResult current, Language lang, TestRun runs, String compileOutput,
                                           Consumer<ExecutionResult> progress, CheckerRun checker) throws SandboxFailure, InterruptedException {
        if (!job.interactive()) return tests(job, current, lang, runs, compileOutput, progress, checker, null);
        Checker.Program program = job.interactor();
        Language ilang = languages.find(program.language())
                .orElseThrow(() -> new SandboxFailure("the interactor's language '" + program.language() + "' is not available on this worker"));
        Path root = pipesRoot();
        try (WorkDir box = sandboxes.forLanguage(ilang).openWorkDir(interactorFiles(program, ilang, job.tests()), writableBytes())) {
            if (ilang.compiled()) {
                SandboxOutcome c = box.run(compileSpec(ilang, List.of(), program.files().stream().map(BoxFile::name).toList(),
                        environment(ilang)));
                CompileLimits cl = ilang.compileLimits();
                Optional<String> failed = Verdict.compileFailure(c, cl.timeLimitSec(), cl.memoryLimitMb(), cl.outputCapBytes());
                if (failed.isPresent()) {
                    String said = compileOutput(c, CHECKER_COMPILE_OUTPUT_SHOWN);
                    return new ExecutionResult(job.id(), Status.CHECKER_FAILED, job.language(), null, null, null, null, null, null,
                            null, false, false, "the interactor did not compile (" + failed.get() + ")" + (said.isBlank() ? "" : ": " + said),
                            current.createdAt(), current.startedAt(), clock.instant(), current.workerId(), current.attempts(),
                            compileOutput, false);
                }
            }
            return tests(job, current, lang, runs, compileOutput, progress, checker,
                    (i, t) -> interactiveTest(job, lang, runs, checker, box, ilang, root, i, t));
        }
    }

    private ExecutionResult tests(Submission job, ExecutionResult current, Language lang, TestRun runs, String compileOutput,
                                  Consumer<ExecutionResult> progress, CheckerRun checker, InteractiveTest interactive)
            throws SandboxFailure, InterruptedException {
        Limits l = job.limits();
        List<TestCase> tests = job.tests();
        List<TestResult> done = new ArrayList<>(tests.size());
        boolean stop = false;
        long shown = System.nanoTime() - PROGRESS_INTERVAL_NANOS;
        for (int i = 0; i < tests.size(); i++) {
            TestCase t = tests.get(i);
            if (stop) {
                done.add(TestResult.skipped(i, t));
                continue;
            }
            TestResult r;
            if (interactive != null) {
                r = interactive.run(i, t);
            } else {
                SandboxOutcome o = runs.run(List.of(), List.of(), t.stdin().getBytes(StandardCharsets.UTF_8));
                Judging.Run run = programRun(o, l, lang);
                CheckerVerdict checked = null;
                if (run.status() == Status.OK) {
                    checked = checker != null ? checker.check(i, o.stdout().bytes()) : Judging.builtin(job.checker(), t, o.stdout().bytes());
                }
                r = Judging.judge(i, t, run, checked, config.testOutputKeepBytes());
            }
            done.add(r);
            if (r.status() != TestStatus.OK && job.stopOnFirstFailure()) stop = true;
            if (i + 1 < tests.size() && !stop && System.nanoTime() - shown >= PROGRESS_INTERVAL_NANOS) {
                progress.accept(current.withTestsSoFar(compileOutput, done));
                shown = System.nanoTime();
            }
        }
        Judging.Overall all = Judging.overall(done);
        return new ExecutionResult(job.id(), all.status(), job.language(), null, null, null, null, all.timeSec(), all.cpuTimeSec(),
                all.memoryKb(), false, false, all.message(), current.createdAt(), current.startedAt(), clock.instant(),
                current.workerId(), current.attempts(), compileOutput, false, done, all.testsPassed(), all.points(), null);
    }

    /** How a test's run of the program ended, judged by the submission's limits (before any checker). */
    private Judging.Run programRun(SandboxOutcome o, Limits l, Language lang) throws SandboxFailure {
        Verdict.Judged v = Verdict.of(o, l, config.outputCapBytes());
        v = Verdict.heapExhausted(v, decode(o.stderr().bytes()), lang.outOfMemoryStderr(), l.memoryBytes() / MIB);
        return new Judging.Run(v.status(), v.message(), o.stdout().bytes(), o.stdout().truncated(),
                o.stderr().bytes(), o.stderr().truncated(), o.exitCode(), o.signal(), seconds(o.wallTime().toNanos()),
                seconds(o.cpuTime().toNanos()), o.memoryPeakBytes() / 1024);
    }

    /** The pipes root of this worker, made (and swept) on first use. */
    private Path pipesRoot() throws SandboxFailure {
        synchronized (this) {
            if (pipesRoot == null) {
                Path root = InteractionPipes.root(config.stateDir());
                InteractionPipes.prepareRoot(root);
                pipesRoot = root;
            }
            return pipesRoot;
        }
    }

    /** One side of an interactive test as it ended, and when (System.nanoTime). */
    private record Ended(SandboxOutcome outcome, long atNanos) {
    }

    /**
     * Test {@code index} of an interactive problem: the program and the interactor run at once, each in a
     * sandbox of its own, joined by two FIFOs ({@link InteractionPipes}): the program's stdout is the
     * interactor's stdin and the interactor's stdout the program's stdin. The interactor runs as testlib
     * runs one, {@code interactor input-N.txt output.txt}, in its own work dir, with its language's default
     * time and memory limits and a wall time limit of the program's plus its own (so the program, waiting on
     * it, hits its limit first); after it ends, the shell that started it prints {@code output.txt} on
     * its stdout (the FIFO was its stdout) for the checker. The test is decided when both have ended
     * ({@link Judging#interactive}); when one has ended the other reads end of file or gets a broken pipe.
     */
    private TestResult interactiveTest(Submission job, Language lang, TestRun runs, CheckerRun checker, WorkDir box, Language ilang,
                                       Path root, int index, TestCase test) throws SandboxFailure, InterruptedException {
        Limits l = job.limits();
        LanguageLimits.Bounds b = languages.bounds(ilang.id());
        long memoryMb = b.defaultMemoryLimitMb();
        Limits own = new Limits(Duration.ofNanos(Math.round(b.defaultTimeLimitSec() * 1e9)), memoryMb * MIB, 1.0);
        Duration wall = l.wallTime().plus(own.wallTime());
        RunLimits limits = new RunLimits(own.cpuTime(), wall, own.memoryBytes(), own.cpuCores(), config.maxProcesses(),
                config.outputCapBytes(), writableBytes(), OPEN_FILES);
        Limits interactorLimits = new Limits(own.cpuTime(), own.memoryBytes(), own.cpuCores());
        try (InteractionPipes pipes = InteractionPipes.make(root)) {
            String toProgram = pipes.toProgram().toString();
            String toInteractor = pipes.toInteractor().toString();
            List<String> interactor = new ArrayList<>(List.of("/bin/sh", "-c",
                    "i=$1 o=$2; shift 2; rm -f " + CHECKER_OUTPUT + "; \"$@\" " + InteractionPipes.opens("o", "i") + "; s=$?; cat " + CHECKER_OUTPUT
                            + " 2>/dev/null; exit $s", "interactor", toInteractor, toProgram));
            interactor.addAll(ilang.runCommand(List.of(checkerInput(index), CHECKER_OUTPUT), memoryMb));
            RunSpec spec = new RunSpec(interactor, Map.of(), new byte[0], limits, concat(ilang.mounts(), List.of(root)), environment(ilang));
            List<String> wrapper = List.of("/bin/sh", "-c", "i=$1 o=$2; shift 2; exec \"$@\" " + InteractionPipes.opens("o", "i"), "program",
                    toProgram, toInteractor);
            Map<String, String> mdc = MDC.getCopyOfContextMap();
            Future<Ended> side = sides.submit(() -> withMdc(mdc, () -> box.run(spec)));
            Future<Ended> prog = sides.submit(() -> withMdc(mdc, () -> runs.run(wrapper, List.of(root), new byte[0])));
            Ended i;
            Ended p;
            try {
                while (!side.isDone() && !prog.isDone()) {
                    try {
                        side.get(RELEASE_INTERVAL_MS, TimeUnit.MILLISECONDS);
                    } catch (TimeoutException | ExecutionException e) {
                        // still running, or failed: either way the loop sees it done
                    }
                }
                // one side has ended: the other now reads end of file or gets a broken pipe
                pipes.release();
                i = ended(side);
                p = ended(prog);
            } catch (InterruptedException e) {
                // the runs end as the sandbox ends an interrupted run: killed, nothing left
                side.cancel(true);
                prog.cancel(true);
                throw e;
            } finally {
                pipes.release();
            }
            Judging.Run run = programRun(p.outcome(), l, lang);
            SandboxOutcome io = i.outcome();
            String stderr = decode(io.stderr().bytes());
            Verdict.Judged iv = Verdict.of(io, interactorLimits, config.outputCapBytes());
            CheckerVerdict said;
            if (io.termination() != SandboxOutcome.Termination.EXITED || io.signal() != null || io.exitCode() == null) {
                said = CheckerVerdict.failed(iv.message(), stderr);
            } else if (io.exitCode() == 128 + 13 && p.atNanos() < i.atNanos()) {
                // SIGPIPE after the program ended: it stopped reading before the interactor was done
                said = new CheckerVerdict(TestStatus.WA, 0, stderr.strip(),
                        "wrong answer: the program ended before the interactor was done (its writes found no reader)");
            } else if (io.exitCode() > 128 && io.exitCode() <= 128 + 64) {
                said = CheckerVerdict.failed("killed by signal " + (io.exitCode() - 128), stderr);
            } else {
                said = Testlib.verdict(io.exitCode(), stderr);
            }
            said = said.byInteractor();
            CheckerVerdict checked = null;
            if (run.status() == Status.OK && said.status() == TestStatus.OK) {
                byte[] output = io.stdout().bytes();
                checked = checker != null ? checker.check(index, output) : Judging.builtin(job.checker(), test, output);
            }
            return Judging.interactive(index, test, run, new Judging.InteractorRun(said, i.atNanos() < p.atNanos()), checked,
                    config.testOutputKeepBytes());
        }
    }

    @FunctionalInterface
    private interface SideRun {
        SandboxOutcome run() throws SandboxFailure, InterruptedException;
    }

    private static Ended withMdc(Map<String, String> mdc, SideRun run) throws SandboxFailure, InterruptedException {
        if (mdc != null) MDC.setContextMap(mdc);
        try {
            SandboxOutcome o = run.run();
            return new Ended(o, System.nanoTime());
        } finally {
            MDC.clear();
        }
    }

    private static Ended ended(Future<Ended> f) throws SandboxFailure, InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SandboxFailure sf) throw sf;
            if (e.getCause() instanceof InterruptedException ie) throw ie;
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new SandboxFailure("a side of an interactive test failed: " + e.getCause(), e.getCause());
        }
    }

    /**
     * The interactor's work dir: its source and files, and every test's input ({@code input-N.txt}, N
     * from 1), placed before anything of the interactor runs.
     */
    static Map<String, byte[]> interactorFiles(Checker.Program program, Language lang, List<TestCase> tests) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(lang.sourceFile(), program.sourceCode().getBytes(StandardCharsets.UTF_8));
        for (BoxFile f : program.files()) files.put(f.name(), f.bytes());
        for (int i = 0; i < tests.size(); i++) files.put(checkerInput(i), tests.get(i).stdin().getBytes(StandardCharsets.UTF_8));
        return files;
    }

    /**
     * The checker's work dir: its source and files, and every test's input and answer
     * ({@code input-N.txt}, {@code answer-N.txt}, N from 1; an absent answer is empty), placed before
     * anything of the checker runs.
     */
    static Map<String, byte[]> checkerFiles(Checker.Program program, Language lang, List<TestCase> tests) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(lang.sourceFile(), program.sourceCode().getBytes(StandardCharsets.UTF_8));
        for (BoxFile f : program.files()) files.put(f.name(), f.bytes());
        for (int i = 0; i < tests.size(); i++) {
            files.put(checkerInput(i), tests.get(i).stdin().getBytes(StandardCharsets.UTF_8));
            String answer = tests.get(i).expectedOutput();
            files.put(checkerAnswer(i), (answer == null ? "" : answer).getBytes(StandardCharsets.UTF_8));
        }
        return files;
    }

    static String checkerInput(int index) {
        return "input-" + (index + 1) + ".txt";
    }

    static String checkerAnswer(int index) {
        return "answer-" + (index + 1) + ".txt";
    }

    /**
     * Runs the checker on test {@code index}: {@code checker input-N.txt output.txt answer-N.txt}, as
     * testlib runs one. The output reaches it on stdin, and a shell inside the checker's own sandbox
     * writes it to {@code output.txt} before the checker starts: Runbox never writes into a work dir a
     * program has used (a failed write exits 99, no testlib verdict: the checker failed). It has its
     * language's default limits; its exit status is a testlib verdict.
     */
    private CheckerVerdict check(WorkDir box, Language lang, int index, byte[] output) throws SandboxFailure, InterruptedException {
        LanguageLimits.Bounds b = languages.bounds(lang.id());
        long memoryMb = b.defaultMemoryLimitMb();
        Limits l = new Limits(Duration.ofNanos(Math.round(b.defaultTimeLimitSec() * 1e9)), memoryMb * MIB, 1.0);
        RunLimits limits = new RunLimits(l.cpuTime(), l.wallTime(), l.memoryBytes(), l.cpuCores(), config.maxProcesses(),
                config.outputCapBytes(), writableBytes(), OPEN_FILES);
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", "cat > " + CHECKER_OUTPUT + " || exit 99; exec \"$@\"", "checker"));
        command.addAll(lang.runCommand(List.of(checkerInput(index), CHECKER_OUTPUT, checkerAnswer(index)), memoryMb));
        SandboxOutcome o = box.run(new RunSpec(command, Map.of(), output, limits, lang.mounts(), environment(lang)));
        String stderr = decode(o.stderr().bytes());
        Verdict.Judged v = Verdict.of(o, l, config.outputCapBytes());
        return switch (o.termination()) {
            case EXITED -> o.signal() != null ? CheckerVerdict.failed(v.message(), stderr) : Testlib.verdict(o.exitCode(), stderr);
            default -> CheckerVerdict.failed(v.message(), stderr);
        };
    }

    /** What the compiler printed: stdout, then stderr, at most {@code cap} bytes together. */
    static String compileOutput(SandboxOutcome c, int cap) {
        byte[] out = c.stdout().bytes();
        byte[] err = c.stderr().bytes();
        byte[] both = new byte[(int) Math.min((long) out.length + err.length, cap)];
        System.arraycopy(out, 0, both, 0, Math.min(out.length, both.length));
        if (both.length > out.length) System.arraycopy(err, 0, both, out.length, both.length - out.length);
        return decode(both);
    }

    private long writableBytes() {
        return config.writableMb() * MIB;
    }

    private static double seconds(long nanos) {
        return Math.round(nanos / 1e6) / 1e3;
    }

    /**
     * Output is returned as a JSON string: UTF-8 decoded, with each byte that is not valid UTF-8
     * replaced by U+FFFD (documented in the README; NUL and control bytes are JSON-escaped).
     */
    static String decode(byte[] bytes) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        try {
            CharBuffer chars = d.decode(ByteBuffer.wrap(bytes));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("decoder with REPLACE cannot fail", e);
        }
    }

    List<String> languageIds() {
        return languages.ids();
    }
}
