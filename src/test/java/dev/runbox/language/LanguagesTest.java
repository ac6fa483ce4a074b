package dev.runbox.language;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runbox.sandbox.Leftovers;
import dev.runbox.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every built-in language through the HTTP API on the real sandbox: hello world, stdin, a failing exit,
 * an endless loop, a memory hog, a compile error (compiled ones) and one hostile program each. All
 * programs are submitted at once when the class starts (compiles are slow: the two workers stay busy),
 * and each test waits for its own result.
 */
class LanguagesTest {

    /** One language's test programs; {@code compileError} is null for a language without a compile step. */
    record Programs(String language, String hello, String echo, String exit3, String loop, String memoryHog,
                    String compileError, String hostile, String hostileKind) {
        @Override
        public String toString() {
            return language;
        }
    }

    static final List<Programs> BUILT_IN = List.of(
            new Programs("python",
                    "print('Hello, world!')",
                    "import sys\nsys.stdout.write(sys.stdin.read())",
                    "import sys\nsys.exit(3)",
                    "while True:\n    pass",
                    "a = []\nwhile True:\n    a.append(b'x' * 10_000_000)",
                    null,
                    "import socket\ntry:\n    socket.create_connection(('1.1.1.1', 53), timeout=2)\n    print('connected')\n"
                            + "except OSError as e:\n    print('blocked', e)",
                    "network"),
            new Programs("c",
                    "#include <stdio.h>\nint main(void) { puts(\"Hello, world!\"); return 0; }",
                    "#include <stdio.h>\nint main(void) { int c; while ((c = getchar()) != EOF) putchar(c); return 0; }",
                    "int main(void) { return 3; }",
                    "int main(void) { volatile unsigned long n = 0; for (;;) n++; }",
                    "#include <stdlib.h>\n#include <string.h>\n#include <stdio.h>\n"
                            + "int main(void) { long sum = 0; for (int i = 0;; i++) { char *p = malloc(1 << 20);"
                            + " if (!p) return 2; memset(p, i, 1 << 20); sum += p[i % 4096]; if (sum < 0) printf(\"%ld\", sum); } }",
                    "int main(void) { return 0 }",
                    "#include <unistd.h>\nint main(void) { for (;;) fork(); }",
                    "fork bomb"),
            new Programs("cpp",
                    "#include <iostream>\nint main() { std::cout << \"Hello, world!\" << std::endl; }",
                    "#include <iostream>\nint main() { std::cout << std::cin.rdbuf(); }",
                    "#include <cstdlib>\nint main() { std::exit(3); }",
                    "int main() { volatile unsigned long n = 0; for (;;) n++; }",
                    "#include <vector>\n#include <cstdio>\nint main() { std::vector<std::vector<char>> v;"
                            + " for (;;) { v.emplace_back(1 << 20, 'x'); if (v.size() == 1u << 30) std::puts(\"\"); } }",
                    "int main() { undeclared(); }",
                    "#include <sys/socket.h>\n#include <netinet/in.h>\n#include <arpa/inet.h>\n#include <cstdio>\n#include <cstring>\n#include <cerrno>\n"
                            + "int main() { int s = socket(AF_INET, SOCK_STREAM, 0); sockaddr_in a{}; a.sin_family = AF_INET;"
                            + " a.sin_port = htons(80); inet_pton(AF_INET, \"1.1.1.1\", &a.sin_addr);"
                            + " if (connect(s, (sockaddr *) &a, sizeof a) == 0) std::puts(\"connected\");"
                            + " else std::printf(\"blocked %s\\n\", std::strerror(errno)); }",
                    "network"),
            new Programs("java",
                    "public class Main { public static void main(String[] a) { System.out.println(\"Hello, world!\"); } }",
                    "public class Main { public static void main(String[] a) throws Exception { System.in.transferTo(System.out); } }",
                    "public class Main { public static void main(String[] a) { System.exit(3); } }",
                    "public class Main { public static void main(String[] a) { long n = 0; while (true) n++; } }",
                    "import java.util.*;\npublic class Main { public static void main(String[] a) {"
                            + " List<long[]> l = new ArrayList<>(); while (true) l.add(new long[1 << 17]); } }",
                    "public class Main { public static void main(String[] a) { int x = \"text\"; } }",
                    "public class Main { public static void main(String[] a) { try (var s = new java.net.Socket(\"1.1.1.1\", 80)) {"
                            + " System.out.println(\"connected\"); } catch (Exception e) { System.out.println(\"blocked \" + e); } } }",
                    "network"),
            new Programs("javascript",
                    "console.log('Hello, world!');",
                    "process.stdin.pipe(process.stdout);",
                    "process.exit(3);",
                    "for (;;) {}",
                    "const a = []; for (;;) a.push(new Array(1e6).fill(1.5));",
                    null,
                    "require('net').connect(80, '1.1.1.1').on('connect', () => { console.log('connected'); process.exit(0); })"
                            + ".on('error', e => console.log('blocked ' + e.code));",
                    "network"),
            new Programs("bash",
                    "echo 'Hello, world!'",
                    "cat",
                    "exit 3",
                    "while :; do :; done",
                    "x=xxxxxxxxxxxxxxxx; while :; do x=$x$x; done",
                    null,
                    "bomb() { bomb | bomb & }; bomb; wait; sleep 10",
                    "fork bomb"));

    private static TestServer server;
    private static final Map<String, String> submitted = new LinkedHashMap<>();

    static Stream<Programs> languages() {
        return BUILT_IN.stream();
    }

    static Stream<Programs> compiledLanguages() {
        return BUILT_IN.stream().filter(p -> p.compileError() != null);
    }

    @BeforeAll
    static void startAndSubmitEverything() throws Exception {
        server = TestServer.start(Map.of("workers", "2"));
        for (Programs p : BUILT_IN) {
            submit(p, "hello", body(p, p.hello()));
            submit(p, "echo", body(p, p.echo(), "stdin_data", "line one\nline two ünïcödé\n"));
            submit(p, "exit3", body(p, p.exit3()));
            submit(p, "loop", body(p, p.loop(), "time_limit_sec", 1.0));
            submit(p, "memoryHog", body(p, p.memoryHog(), "memory_limit_mb", 64, "time_limit_sec", 5.0));
            if (p.compileError() != null) submit(p, "compileError", body(p, p.compileError()));
            submit(p, "hostile", body(p, p.hostile(), "time_limit_sec", 1.0));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        // a measurement record in the test output (target/surefire-reports/*-output.txt)
        submitted.forEach((what, id) -> {
            JsonNode r = server.awaitFinal(id);
            System.out.printf("%-24s %-4s time %6.3f s  cpu %6.3f s  memory %7d KiB  %s%n", what, r.get("status").asText(),
                    r.path("time_sec").asDouble(), r.path("cpu_time_sec").asDouble(), r.path("memory_kb").asLong(),
                    r.path("message").asText(""));
        });
        if (server != null) server.close();
    }

    private static ObjectNode body(Programs p, String source, Object... more) {
        ObjectNode b = TestServer.body(source, more);
        b.put("language", p.language());
        return b;
    }

    private static void submit(Programs p, String kind, ObjectNode body) throws Exception {
        submitted.put(p.language() + "/" + kind, server.submit(body));
    }

    private static JsonNode result(Programs p, String kind) {
        return server.awaitFinal(submitted.get(p.language() + "/" + kind));
    }

    @Test
    void every_built_in_language_is_offered_with_its_version() throws Exception {
        JsonNode list = TestServer.JSON.readTree(server.get("/languages").body());
        Map<String, JsonNode> byId = new LinkedHashMap<>();
        list.forEach(l -> byId.put(l.get("id").asText(), l));
        for (Programs p : BUILT_IN) {
            assertThat(byId).as("GET /languages").containsKey(p.language());
            assertThat(byId.get(p.language()).get("version").asText()).isNotBlank();
            assertThat(byId.get(p.language()).get("compiled").asBoolean()).isEqualTo(p.compileError() != null);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("languages")
    void hello_world_prints_its_greeting(Programs p) {
        JsonNode r = result(p, "hello");
        assertThat(r.get("status").asText()).as(r.toString()).isEqualTo("OK");
        assertThat(r.get("stdout").asText()).isEqualTo("Hello, world!\n");
        assertThat(r.get("exit_code").asInt()).isZero();
        if (p.compileError() != null) assertThat(r.get("compile_output").isTextual()).as(r.toString()).isTrue();
        else assertThat(r.get("compile_output").isNull()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("languages")
    void stdin_is_echoed_byte_for_byte(Programs p) {
        JsonNode r = result(p, "echo");
        assertThat(r.get("status").asText()).as(r.toString()).isEqualTo("OK");
        assertThat(r.get("stdout").asText()).isEqualTo("line one\nline two ünïcödé\n");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("languages")
    void non_zero_exit_is_RE_with_its_status(Programs p) {
        JsonNode r = result(p, "exit3");
        assertThat(r.get("status").asText()).as(r.toString()).isEqualTo("RE");
        assertThat(r.get("exit_code").asInt()).isEqualTo(3);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("languages")
    void endless_loop_is_TLE(Programs p) {
        JsonNode r = result(p, "loop");
        assertThat(r.get("status").asText()).as(r.toString()).isEqualTo("TLE");
        // killed at its CPU limit, or at the wall limit (2 s) when a busy host gave it less CPU than that;
        // never long after (polling and teardown get some slack)
        assertThat(r.get("cpu_time_sec").asDouble()).isLessThanOrEqualTo(1.6);
        assertThat(r.get("time_sec").asDouble()).isLessThanOrEqualTo(3.0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("languages")
    void memory_hog_is_MLE(Programs p) {
        JsonNode r = result(p, "memoryHog");
        assertThat(r.get("status").asText()).as(r.toString()).isEqualTo("MLE");
        assertThat(r.get("memory_kb").asLong()).isLessThanOrEqualTo(64 * 1024 + 1024);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("compiledLanguages")
    void compile_error_is_CE_with_the_compiler_message_and_nothing_runs(Programs p) {
        JsonNode r = result(p, "compileError");
        assertThat(r.get("status").asText()).as(r.toString()).isEqualTo("CE");
        assertThat(r.get("compile_output").asText()).contains("error");
        assertThat(r.get("message").asText()).contains("compilation failed");
        assertThat(r.get("stdout").isNull()).isTrue();
        assertThat(r.get("exit_code").isNull()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("languages")
    void hostile_program_is_contained(Programs p) throws Exception {
        JsonNode r = result(p, "hostile");
        if (p.hostileKind().equals("network")) {
            assertThat(r.get("status").asText()).as(r.toString()).isEqualTo("OK");
            assertThat(r.get("stdout").asText()).startsWith("blocked").doesNotContain("connected");
        } else {
            // a fork bomb hits the process cap and burns its time: killed at the limit, every process with it
            assertThat(r.get("status").asText()).as(r.toString()).isEqualTo("TLE");
        }
        assertThat(processesOfRuns()).as("processes of sandbox uids left running").isEmpty();
    }

    @Test
    void no_work_dir_is_left_mounted_once_the_runs_are_over() throws Exception {
        submitted.values().forEach(server::awaitFinal);
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(server.stateDir.toString());
        try (Stream<Path> boxes = Files.list(server.stateDir.resolve("boxes"))) {
            assertThat(boxes.toList()).isEmpty();
        }
    }

    /**
     * Processes on the host running as one of this server's sandbox uids, once every run of this class
     * is final (runs still in flight legitimately have processes), except those of sandboxes waiting for
     * a job (bwrap and runbox-init: prepared ones, and reused environments between runs), as
     * {@link Leftovers} counts them, and zombies (bwrap's inner process is reaped by the host's init,
     * sometimes late: dead already).
     */
    static List<String> processesOfRuns() throws Exception {
        submitted.values().forEach(server::awaitFinal);
        return Leftovers.programsOfSandboxUids(server).stream().filter(p -> !p.contains("(zombie)")).toList();
    }
}
