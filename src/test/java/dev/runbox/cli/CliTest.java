package dev.runbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runbox.testing.RunboxCli;
import dev.runbox.testing.RunboxCli.Finished;
import dev.runbox.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The real {@code runbox run | submit | result} commands, each in its own JVM, against a real server. */
class CliTest {

    private static final String SUMMARY = "runbox: [A-Z_]+( \\(.*\\))?(, exit -?\\d+)?(, signal \\d+)?, time \\d+\\.\\d{3} s, cpu \\d+\\.\\d{3} s,"
            + " memory \\d+\\.\\d MiB(, std(out|err) truncated)*";

    private static TestServer server;
    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Test
    void run_prints_the_programs_output_then_a_summary_and_exits_with_its_status() throws Exception {
        Path file = source("hello.py", "import sys\nprint('hello')\nprint('oops', file=sys.stderr)\nsys.exit(3)\n");
        Finished f = cli("run", file.toString(), "--server", server.base());
        assertThat(f.stdout()).isEqualTo("hello\n");
        assertThat(f.stderr()).startsWith("oops\n");
        assertThat(lastLine(f.stderr())).matches(SUMMARY).startsWith("runbox: RE (exited with status 3), exit 3, time ");
        assertThat(f.exitCode()).isEqualTo(3);
    }

    @Test
    void a_program_that_does_not_compile_shows_what_the_compiler_said() throws Exception {
        Path file = source("broken.c", "int main(void) { return undeclared_name; }\n");
        Finished f = cli("run", file.toString(), "--server", server.base());
        assertThat(f.stdout()).isEmpty();
        assertThat(f.stderr()).contains("undeclared_name").contains("error");
        assertThat(lastLine(f.stderr())).startsWith("runbox: CE (");
        assertThat(f.exitCode()).isEqualTo(121);
    }

    @Test
    void output_is_passed_through_unchanged() throws Exception {
        Path file = source("bytes.py", "import sys\nsys.stdout.write('no newline at the end: é ✓')\n");
        Finished f = cli("run", file.toString(), "--server", server.base());
        assertThat(f.stdout()).isEqualTo("no newline at the end: é ✓");
        assertThat(f.stderr()).matches(SUMMARY + "\n");
        assertThat(f.exitCode()).isZero();
    }

    @Test
    void stdin_file_and_limits_reach_the_server() throws Exception {
        Path file = source("reverse.py", "print(input()[::-1])\n");
        Path input = source("input.txt", "hello\n");
        Finished f = cli("run", file.toString(), "--stdin", input.toString(), "--time", "1", "--memory", "64", "--cores", "0.5",
                "--language", "python", "--server", server.base());
        assertThat(f.stdout()).isEqualTo("olleh\n");
        assertThat(f.exitCode()).isZero();

        Finished fromPipe = RunboxCli.run(Map.of(), "piped\n".getBytes(StandardCharsets.UTF_8),
                List.of("run", file.toString(), "--stdin", "-", "--server", server.base()));
        assertThat(fromPipe.stdout()).isEqualTo("depip\n");
    }

    @Test
    void the_server_can_come_from_RUNBOX_SERVER() throws Exception {
        Path file = source("env.py", "print(6 * 7)\n");
        Finished f = RunboxCli.run(Map.of("RUNBOX_SERVER", server.base()), new byte[0], List.of("run", file.toString()));
        assertThat(f.stdout()).isEqualTo("42\n");
        assertThat(f.exitCode()).isZero();
    }

    @Test
    void limits_and_signals_get_exit_statuses_of_their_own() throws Exception {
        Finished tle = cli("run", source("spin.py", "while True: pass\n").toString(), "--time", "0.3", "--server", server.base());
        // the CPU or, on a busy machine, the wall time limit: both are TLE
        assertThat(lastLine(tle.stderr())).startsWith("runbox: TLE (");
        assertThat(tle.exitCode()).isEqualTo(124);

        Finished mle = cli("run", source("hog.py", "b = bytearray(200 * 1024 * 1024)\n").toString(), "--memory", "32",
                "--server", server.base());
        assertThat(lastLine(mle.stderr())).startsWith("runbox: MLE (");
        assertThat(mle.exitCode()).isEqualTo(123);

        Finished segv = cli("run", source("segv.py", "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n").toString(),
                "--server", server.base());
        assertThat(lastLine(segv.stderr())).startsWith("runbox: RE (killed by signal 11 (SIGSEGV)), signal 11");
        assertThat(segv.exitCode()).isEqualTo(128 + 11);
    }

    @Test
    void the_language_is_guessed_from_the_extension_or_asked_for() throws Exception {
        Finished f = cli("run", source("notes.txt", "print(1)\n").toString(), "--server", server.base());
        assertThat(f.exitCode()).isEqualTo(2);
        assertThat(f.stderr()).contains("cannot tell the language of").contains("--language").contains("python (.py)");
        assertThat(f.stdout()).isEmpty();

        Finished given = cli("run", source("notes2.txt", "print(1)\n").toString(), "--language", "python", "--server", server.base());
        assertThat(given.stdout()).isEqualTo("1\n");
    }

    @Test
    void a_request_the_server_refuses_exits_2_with_its_reason() throws Exception {
        Finished f = cli("run", source("ok.py", "print(1)\n").toString(), "--time", "999", "--server", server.base());
        assertThat(f.exitCode()).isEqualTo(2);
        assertThat(f.stderr()).startsWith("runbox: the server answered 400 ").contains("time_limit_sec");
    }

    @Test
    void an_unreachable_server_exits_125() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Finished f = cli("run", source("ok2.py", "print(1)\n").toString(), "--language", "python", "--server", "http://127.0.0.1:" + port);
        assertThat(f.exitCode()).isEqualTo(125);
        assertThat(f.stderr()).contains("cannot reach Runbox at http://127.0.0.1:" + port);
    }

    @Test
    void submit_prints_the_id_and_result_wait_shows_the_output() throws Exception {
        Finished submitted = cli("submit", source("later.py", "print('later')\nraise SystemExit(5)\n").toString(), "--server", server.base());
        assertThat(submitted.exitCode()).isZero();
        String id = submitted.stdout().strip();
        assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(submitted.stdout()).isEqualTo(id + "\n");

        Finished waited = cli("result", id, "--wait", "--server", server.base());
        assertThat(waited.stdout()).isEqualTo("later\n");
        assertThat(lastLine(waited.stderr())).matches(SUMMARY).contains("exit 5");
        assertThat(waited.exitCode()).isEqualTo(5);

        Finished json = cli("result", id, "--json", "--server", server.base());
        assertThat(json.exitCode()).isZero();
        JsonNode doc = TestServer.JSON.readTree(json.stdout());
        assertThat(doc.get("submission_id").asText()).isEqualTo(id);
        assertThat(doc.get("status").asText()).isEqualTo("RE");
        assertThat(doc.get("exit_code").asInt()).isEqualTo(5);
    }

    @Test
    void result_of_a_submission_still_running_exits_75_and_says_so() throws Exception {
        // sleeps 20 s of wall time (wall limit 2 x 15 s): still running when the command looks, however slow the machine
        String id = server.submit(TestServer.body("import time; time.sleep(20)", "time_limit_sec", 15));
        Finished f = cli("result", id, "--server", server.base());
        assertThat(f.exitCode()).isEqualTo(75);
        assertThat(f.stdout()).isEmpty();
        assertThat(f.stderr()).matches("runbox: (PENDING|PROCESSING), submission " + id + "\n");

        Finished unknown = cli("result", "00000000-0000-4000-8000-000000000000", "--server", server.base());
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.stderr()).contains("404");
    }

    @Test
    void run_without_a_server_runs_the_sandbox_in_process() throws Exception {
        Path file = source("local.py", "import sys\nprint(sys.stdin.read().upper(), end='')\nsys.exit(7)\n");
        Path input = source("local-input.txt", "quiet\n");
        Finished f = cli("run", file.toString(), "--stdin", input.toString(), "--memory", "64");
        assertThat(f.stdout()).isEqualTo("QUIET\n");
        assertThat(f.stderr()).as("only the summary: Runbox's own log lines stay out of the program's stderr").matches(SUMMARY + "\n");
        assertThat(lastLine(f.stderr())).contains("exit 7");
        assertThat(f.exitCode()).isEqualTo(7);
    }

    @Test
    void run_without_a_server_compiles_and_runs_c_in_process_even_where_an_earlier_version_left_its_slots_dir_0700() throws Exception {
        // the box of a compiled language is bound by a path through the slots dir, as the run's uid
        if (Files.isDirectory(EmbeddedRunbox.SLOTS)) {
            Files.setPosixFilePermissions(EmbeddedRunbox.SLOTS, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        }
        Path file = source("local.c", "#include <stdio.h>\nint main(void) { puts(\"compiled here\"); return 3; }\n");
        Finished f = cli("run", file.toString());
        assertThat(f.stdout()).as("%s", f.stderr()).isEqualTo("compiled here\n");
        assertThat(f.exitCode()).isEqualTo(3);
    }

    @Test
    void the_spinner_shows_while_waiting_when_stderr_is_a_terminal() throws Exception {
        Path file = source("slow.py", "import time\ntime.sleep(1)\nprint('done')\n");
        // script(1) gives the command a pseudo-terminal for stdin, stdout and stderr
        List<String> cmd = new ArrayList<>(RunboxCli.command(List.of("run", file.toString(), "--server", server.base())).command());
        String line = String.join(" ", cmd.stream().map(CliTest::shellQuote).toList());
        Path out = dir.resolve("pty.out");
        Process p = new ProcessBuilder("script", "-qec", line, "/dev/null").redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile()).redirectErrorStream(true).start();
        assertThat(p.waitFor(3, java.util.concurrent.TimeUnit.MINUTES)).isTrue();
        String screen = Files.readString(out);
        assertThat(p.exitValue()).as(screen).isZero();
        assertThat(screen).containsPattern("\r[|/\\\\-] (PENDING|PROCESSING) \\d+\\.\\d s\u001b\\[K");
        assertThat(screen).contains("done").containsPattern("runbox: OK, exit 0, time ");
    }

    @Test
    void no_spinner_when_stderr_is_not_a_terminal() throws Exception {
        Finished f = cli("run", source("slow2.py", "import time\ntime.sleep(1)\nprint('done')\n").toString(), "--server", server.base());
        assertThat(f.stdout()).isEqualTo("done\n");
        assertThat(f.stderr()).matches(SUMMARY + "\n").doesNotContain("\r").doesNotContain("\u001b");
    }

    @Test
    void judge_runs_a_program_on_a_folder_of_tests_in_natural_order_and_exits_with_the_verdict() throws Exception {
        Path tests = Files.createDirectories(dir.resolve("tests"));
        Files.writeString(tests.resolve("2.in"), "1 1\n");
        Files.writeString(tests.resolve("2.out"), "2\n");
        Files.writeString(tests.resolve("10.in"), "2 2\n");
        Files.writeString(tests.resolve("10.ans"), "5\n");
        Files.writeString(tests.resolve("1.in"), "1 2");
        Files.writeString(tests.resolve("1.out"), "3");
        Path sum = source("sum.py", "a, b = map(int, input().split())\nprint(a + b)\n");
        Finished f = cli("judge", sum.toString(), tests.toString(), "--checker", "tokens", "--server", server.base());
        assertThat(f.stdout().lines().toList()).as(f.stderr()).hasSize(3);
        assertThat(f.stdout().lines().toList().get(0)).startsWith("test 1 (1): OK, time ");
        assertThat(f.stdout().lines().toList().get(1)).startsWith("test 2 (2): OK");
        assertThat(f.stdout().lines().toList().get(2)).startsWith("test 3 (10): WA").contains("expected \"5\", got \"4\"");
        assertThat(lastLine(f.stderr())).startsWith("runbox: WA (test 3 (10) of 3: ").contains("2/3 tests passed, points 2.0");
        assertThat(f.exitCode()).isEqualTo(120);

        Path checker = source("check.py", "import sys\nsys.exit(0)\n");
        Finished accepted = cli("judge", sum.toString(), tests.toString(), "--checker-file", checker.toString(), "--server", server.base());
        assertThat(accepted.exitCode()).as(accepted.stderr()).isZero();
        assertThat(lastLine(accepted.stderr())).startsWith("runbox: OK, 3/3 tests passed");
        assertThat(cli("judge", sum.toString(), dir.resolve("no-such-dir").toString(), "--server", server.base()).exitCode()).isEqualTo(2);
    }

    @Test
    void judge_with_an_interactor_file_plays_each_test_beside_it() throws Exception {
        Path tests = Files.createDirectories(dir.resolve("game"));
        Files.writeString(tests.resolve("1.in"), "37 100");
        Files.writeString(tests.resolve("2.in"), "1 1000000");
        Path interactor = source("interactor.py", "import sys\ns, top = map(int, open(sys.argv[1]).read().split())\nprint(top, flush=True)\n"
                + "for n in range(1, 21):\n    g = int(input())\n    if g == s:\n        print('correct', flush=True)\n        sys.exit(0)\n"
                + "    print('higher' if g < s else 'lower', flush=True)\nsys.exit(1)\n");
        Path guess = source("guess.py", "lo, hi = 1, int(input())\nwhile True:\n    m = (lo + hi) // 2\n    print(m, flush=True)\n"
                + "    r = input()\n    if r == 'correct': break\n    if r == 'higher': lo = m + 1\n    else: hi = m - 1\n");
        Finished f = cli("judge", guess.toString(), tests.toString(), "--interactor-file", interactor.toString(), "--server", server.base());
        assertThat(f.exitCode()).as(f.stderr()).isZero();
        assertThat(lastLine(f.stderr())).startsWith("runbox: OK, 2/2 tests passed");
    }

    private Finished cli(String... args) throws Exception {
        return RunboxCli.run(args);
    }

    private Path source(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    private static String lastLine(String text) {
        List<String> lines = text.lines().toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    private static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
