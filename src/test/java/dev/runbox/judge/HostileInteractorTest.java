package dev.runbox.judge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runbox.sandbox.Leftovers;
import dev.runbox.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.runbox.testing.TestServer.body;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Interactors and checkers that attack (the host, the other side, the network), hang (never exit,
 * never read), fork or flood (stdout, stderr, their output file). Each is the problem's fault: the
 * submission ends CHECKER_FAILED within a bound set by the limits, nothing of it is left (no process of
 * the sandbox uids, no run cgroup or staging dir, no FIFO), and the server goes on serving.
 */
class HostileInteractorTest {

    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        // no sandboxes made ahead: then nothing at all of this server may remain after its runs
        server = TestServer.start(Map.of("workers", "2", "prepared-sandboxes", "0"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
    }

    /** Answers the guessing game of the conformance suite's interactor: binary search over 1..top. */
    private static final String BINARY_SEARCH = "lo, hi = 1, int(input())\n"
            + "while True:\n"
            + "    m = (lo + hi) // 2\n"
            + "    print(m, flush=True)\n"
            + "    r = input()\n"
            + "    if r == 'correct': break\n"
            + "    if r == 'higher': lo = m + 1\n"
            + "    else: hi = m - 1\n";

    /** Tries each attack; prints "attack succeeded: …" to stderr for any that works. */
    private static final String ATTACKS = "import os, signal, socket, sys\n"
            + "def attempt(name, f):\n"
            + "    try:\n"
            + "        f(); print('attack succeeded: ' + name, file=sys.stderr, flush=True)\n"
            + "    except Exception:\n"
            + "        pass\n"
            + "fifo = os.readlink('/proc/self/fd/0')\n"
            + "test_dir = os.path.dirname(fifo); root = os.path.dirname(test_dir)\n"
            + "attempt('list the pipes root', lambda: os.listdir(root))\n"
            + "attempt('replace a FIFO', lambda: os.unlink(fifo))\n"
            + "attempt('plant a file', lambda: open(os.path.join(test_dir, 'planted'), 'w'))\n"
            + "attempt('read the host', lambda: open('/etc/shadow').read())\n"
            + "attempt('see the other side', lambda: next(p for p in os.listdir('/proc') if p.isdigit() and int(p) not in (1, os.getpid(), os.getppid())\n"
            + "        and 'python' in open('/proc/%s/cmdline' % p).read()))\n"
            + "attempt('reach the network', lambda: socket.create_connection(('1.1.1.1', 53), timeout=1))\n"
            + "attempt('read the state dir', lambda: os.listdir(root[:-len('.pipes')]))\n";

    private static ObjectNode interactive(String program, String interactor, double timeLimitSec) {
        ObjectNode b = body(program, "time_limit_sec", timeLimitSec,
                "tests", List.of(Map.of("stdin", "37 100"), Map.of("stdin", "5 10")));
        b.putObject("interactor").put("language", "python").put("source_code", interactor);
        return b;
    }

    @Test
    void hostile_interactors_end_CHECKER_FAILED_in_bounded_time_and_leave_nothing() throws Exception {
        Map<String, ObjectNode> cases = new LinkedHashMap<>();
        cases.put("attacks, then dies of a signal", interactive(BINARY_SEARCH, ATTACKS
                + "try: os.kill(-1, signal.SIGKILL)\nexcept OSError: pass\nos.kill(os.getpid(), signal.SIGKILL)\n", 0.5));
        cases.put("never reads, never exits", interactive(BINARY_SEARCH, "import time\nprint(100, flush=True)\ntime.sleep(600)\n", 0.5));
        cases.put("spins", interactive(BINARY_SEARCH, "while True: pass\n", 0.5));
        cases.put("fork bomb", interactive(BINARY_SEARCH, "import os\nwhile True:\n    try: os.fork()\n    except OSError: pass\n", 0.5));
        cases.put("floods stderr", interactive(BINARY_SEARCH, "import sys\nwhile True: sys.stderr.write('x' * 65536)\n", 0.5));
        cases.put("floods its output file", interactive(BINARY_SEARCH, "import sys\nf = open(sys.argv[2], 'w')\n"
                + "try:\n    while True: f.write('x' * 65536)\nexcept OSError: pass\nsys.exit(0)\n", 0.5));
        cases.put("says FAIL", interactive(BINARY_SEARCH, "import sys\nprint('broken input', file=sys.stderr)\nsys.exit(3)\n", 0.5));
        cases.put("exits 42", interactive(BINARY_SEARCH, "import sys\nsys.exit(42)\n", 0.5));
        long start = System.nanoTime();
        Map<String, String> ids = new LinkedHashMap<>();
        for (var c : cases.entrySet()) ids.put(c.getKey(), server.submit(c.getValue()));
        Map<String, JsonNode> results = new LinkedHashMap<>();
        // every one finished before any is judged, so that none still runs when the next test looks for leftovers
        for (var c : ids.entrySet()) results.put(c.getKey(), server.awaitFinal(c.getValue()));
        for (var c : results.entrySet()) {
            JsonNode r = c.getValue();
            assertThat(r.get("status").asText()).as("%s: %s", c.getKey(), r).isEqualTo("CHECKER_FAILED");
            assertThat(r.get("message").asText()).as(c.getKey()).contains("the interactor failed");
            assertThat(r.toString()).as(c.getKey()).doesNotContain("attack succeeded");
        }
        // what the attacker killed was its own: the program ended by itself (end of file), not by its SIGKILL
        JsonNode attacked = results.get("attacks, then dies of a signal").get("tests").get(0);
        assertThat(attacked.get("signal").isNull()).as("%s", attacked).isTrue();
        // 9 submissions of 2 tests on 2 workers; the slowest test is the program's wall limit (1 s) plus the
        // interactor's own (python's default CPU time × 2): far below the 60 s a hang to some outer limit would take
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds((long) (60 * TestServer.slowdown())));
        assertNothingLeft();
    }

    @Test
    void an_interactor_flooding_a_program_that_does_not_read_blocks_on_the_pipe_until_the_program_is_TLE() throws Exception {
        // its stdout is the FIFO: it fills, the interactor waits, the program hits its wall limit, the interactor's writes fail
        long start = System.nanoTime();
        JsonNode r = server.run(interactive("import time\ntime.sleep(600)", "import sys\nwhile True: sys.stdout.write('x' * 65536)\n", 0.5));
        assertThat(r.get("status").asText()).as("%s", r).isEqualTo("TLE");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds((long) (20 * TestServer.slowdown())));
        assertNothingLeft();
    }

    @Test
    void a_program_cannot_replace_or_find_the_fifos_and_is_judged_as_usual() throws Exception {
        // the program attacks, then plays the game: the interactor (honest) accepts
        String interactor = "import sys\ns, top = map(int, open(sys.argv[1]).read().split())\nprint(top, flush=True)\n"
                + "for n in range(1, 21):\n    g = int(input())\n    if g == s:\n        print('correct', flush=True)\n        sys.exit(0)\n"
                + "    print('higher' if g < s else 'lower', flush=True)\nsys.exit(1)\n";
        JsonNode r = server.run(interactive(ATTACKS + BINARY_SEARCH, interactor, 2));
        assertThat(r.get("status").asText()).as("%s", r).isEqualTo("OK");
        assertThat(r.toString()).doesNotContain("attack succeeded");
        assertNothingLeft();
    }

    @Test
    void hostile_checkers_of_an_interactive_problem_end_CHECKER_FAILED_and_leave_nothing() throws Exception {
        String interactor = "import sys\nprint(1, flush=True)\nopen(sys.argv[2], 'w').write('done')\nsys.exit(0)\n";
        Map<String, String> checkers = new LinkedHashMap<>();
        checkers.put("hangs", "import time\ntime.sleep(600)\n");
        checkers.put("floods stdout", "import sys\nwhile True: sys.stdout.write('x' * 65536)\n");
        checkers.put("fork bomb", "import os\nwhile True:\n    try: os.fork()\n    except OSError: pass\n");
        checkers.put("attacks", ATTACKS.replace("fifo = os.readlink('/proc/self/fd/0')", "fifo = '/nonexistent/x/y'")
                + "try: os.kill(-1, signal.SIGKILL)\nexcept OSError: pass\nos.kill(os.getpid(), signal.SIGKILL)\n");
        Map<String, String> ids = new LinkedHashMap<>();
        for (var c : checkers.entrySet()) {
            ObjectNode b = interactive("input()", interactor, 1);
            b.putObject("checker").put("language", "python").put("source_code", c.getValue());
            ids.put(c.getKey(), server.submit(b));
        }
        Map<String, JsonNode> results = new LinkedHashMap<>();
        for (var c : ids.entrySet()) results.put(c.getKey(), server.awaitFinal(c.getValue()));
        for (var c : results.entrySet()) {
            JsonNode r = c.getValue();
            assertThat(r.get("status").asText()).as("%s: %s", c.getKey(), r).isEqualTo("CHECKER_FAILED");
            assertThat(r.get("message").asText()).as(c.getKey()).contains("the checker failed");
            assertThat(r.toString()).as(c.getKey()).doesNotContain("attack succeeded");
        }
        assertNothingLeft();
    }

    private static void assertNothingLeft() throws Exception {
        Leftovers.assertNoneOf(server);
        Path root = server.stateDir.resolveSibling(server.stateDir.getFileName() + ".pipes");
        if (Files.exists(root)) {
            try (Stream<Path> left = Files.list(root)) {
                assertThat(left.toList()).as("FIFO dirs of finished tests").isEmpty();
            }
        }
        assertThat(server.get("/health").statusCode()).isEqualTo(200);
        JsonNode ok = server.run(body("print(6 * 7)"));
        assertThat(ok.get("stdout").asText()).as("the server still runs programs").isEqualTo("42\n");
    }
}
