package dev.runbox.language;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runbox.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The request fields that come with languages — expected_output, command_line_arguments,
 * compiler_options — and memory limits of managed runtimes, through the HTTP API.
 */
class LanguageRequestsTest {

    /** Arguments a shell would mangle; they must arrive as they are. */
    private static final List<String> NASTY_ARGUMENTS = List.of("; rm -rf /", "$(id)", "`id`", "*", "a b", "", "--help",
            "ünïcödé", "'\"\\", "$HOME", "-", "line\nbreak");

    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(Map.of("workers", "2"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
    }

    private static ObjectNode body(String language, String source, Object... more) {
        ObjectNode b = TestServer.body(source, more);
        b.put("language", language);
        return b;
    }

    private static JsonNode run(String language, String source, Object... more) throws Exception {
        return server.run(body(language, source, more));
    }

    private static String expectedLines(List<String> lines) {
        StringBuilder sb = new StringBuilder();
        for (String l : lines) sb.append(l).append('\n');
        return sb.toString();
    }

    @Test
    void output_equal_but_for_trailing_whitespace_is_OK() throws Exception {
        JsonNode r = run("python", "print('1 2 ')\nprint('3\\t')\nprint()\n", "expected_output", "1 2\n3");
        assertThat(r.get("status").asText()).as(r.toString()).isEqualTo("OK");
    }

    @Test
    void different_output_is_WA_and_says_where() throws Exception {
        JsonNode r = run("python", "print(1)\nprint(2)", "expected_output", "1\n3\n");
        assertThat(r.get("status").asText()).as(r.toString()).isEqualTo("WA");
        assertThat(r.get("message").asText()).contains("line 2").contains("expected \"3\", got \"2\"");
        assertThat(r.get("stdout").asText()).isEqualTo("1\n2\n");
    }

    @Test
    void a_failing_program_is_RE_not_WA() throws Exception {
        JsonNode r = run("python", "print(1)\nraise SystemExit(2)", "expected_output", "1\n");
        assertThat(r.get("status").asText()).as(r.toString()).isEqualTo("RE");
    }

    @Test
    void arguments_arrive_verbatim_in_an_interpreted_language() throws Exception {
        JsonNode r = run("python", "import sys\nfor a in sys.argv[1:]:\n    print(repr(a))", "command_line_arguments", NASTY_ARGUMENTS);
        assertThat(r.get("status").asText()).as(r.toString()).isEqualTo("OK");
        List<String> reprs = new ArrayList<>();
        for (String a : NASTY_ARGUMENTS) {
            reprs.add(pythonRepr(a));
        }
        assertThat(r.get("stdout").asText()).isEqualTo(expectedLines(reprs));
    }

    @Test
    void arguments_arrive_verbatim_in_a_compiled_language_and_in_bash() throws Exception {
        JsonNode c = run("c", "#include <stdio.h>\nint main(int argc, char **argv) { for (int i = 1; i < argc; i++) printf(\"[%s]\\n\", argv[i]); }",
                "command_line_arguments", NASTY_ARGUMENTS);
        JsonNode bash = run("bash", "for a in \"$@\"; do printf '[%s]\\n' \"$a\"; done", "command_line_arguments", NASTY_ARGUMENTS);
        List<String> bracketed = NASTY_ARGUMENTS.stream().map(a -> "[" + a + "]").toList();
        assertThat(c.get("stdout").asText()).as(c.toString()).isEqualTo(expectedLines(bracketed));
        assertThat(bash.get("stdout").asText()).as(bash.toString()).isEqualTo(expectedLines(bracketed));
    }

    @Test
    void compiler_options_are_argv_elements_of_the_compile() throws Exception {
        JsonNode r = run("c", "#include <stdio.h>\nint main(void) { puts(GREETING); return 0; }",
                "compiler_options", List.of("-DGREETING=\"hi; there $(id)\"", "-O0"));
        assertThat(r.get("status").asText()).as(r.toString()).isEqualTo("OK");
        assertThat(r.get("stdout").asText()).isEqualTo("hi; there $(id)\n");
    }

    @Test
    void a_compile_that_builds_no_program_is_RE_not_an_internal_error() throws Exception {
        JsonNode r = run("c", "int main(void) { return 0; }", "compiler_options", List.of("-fsyntax-only"));
        assertThat(r.get("status").asText()).as(r.toString()).isEqualTo("RE");
        assertThat(r.get("stderr").asText()).contains("/box/main");
    }

    @Test
    void java_under_256_mb_runs_a_program_using_100_mb_and_churning_a_gigabyte() throws Exception {
        String source = "import java.util.*;\npublic class Main { public static void main(String[] a) {"
                + " List<byte[]> kept = new ArrayList<>(); for (int i = 0; i < 100; i++) kept.add(new byte[1 << 20]);"
                + " long sum = 0; for (int i = 0; i < 1000; i++) { byte[] g = new byte[1 << 20]; g[i] = 1; sum += g[i]; }"
                + " System.out.println(kept.size() + \" \" + sum); } }";
        JsonNode r = run("java", source, "memory_limit_mb", 256);
        assertThat(r.get("status").asText()).as(r.toString()).isEqualTo("OK");
        assertThat(r.get("stdout").asText()).isEqualTo("100 1000\n");
        assertThat(r.get("memory_kb").asLong()).isLessThanOrEqualTo(256 * 1024);
    }

    @Test
    void java_that_really_needs_more_than_256_mb_is_MLE() throws Exception {
        String source = "import java.util.*;\npublic class Main { public static void main(String[] a) {"
                + " List<byte[]> kept = new ArrayList<>(); for (int i = 0; i < 400; i++) kept.add(new byte[1 << 20]);"
                + " System.out.println(kept.size()); } }";
        JsonNode r = run("java", source, "memory_limit_mb", 256);
        assertThat(r.get("status").asText()).as(r.toString()).isEqualTo("MLE");
        assertThat(r.get("message").asText()).contains("256 MB");
    }

    @Test
    void node_under_256_mb_runs_a_program_using_about_120_mb() throws Exception {
        // Buffers live outside the V8 heap: both count against the cgroup. (Near the limit a run slows
        // down as the kernel reclaims its page cache, and may end TLE rather than MLE: keep clear of it.)
        JsonNode r = run("javascript", "const kept = []; for (let i = 0; i < 64; i++) kept.push(Buffer.alloc(1 << 20, 1));"
                + " const a = []; for (let i = 0; i < 1e6; i++) a.push({i}); console.log(kept.length, a.length);", "memory_limit_mb", 256);
        assertThat(r.get("status").asText()).as(r.toString()).isEqualTo("OK");
        assertThat(r.get("stdout").asText()).isEqualTo("64 1000000\n");
    }

    // ---- refused requests: 400, problem+json, naming the field

    private static JsonNode refused(ObjectNode body, String field) throws Exception {
        HttpResponse<String> r = server.postJson(body.toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        JsonNode p = TestServer.JSON.readTree(r.body());
        assertThat(p.get("errors")).extracting(e -> e.get("field").asText()).contains(field);
        return p;
    }

    @Test
    void argument_lists_must_be_arrays_of_strings_within_their_caps() throws Exception {
        refused(body("c", "int main(){}", "compiler_options", "-O2 -lm"), "compiler_options");
        refused(body("c", "int main(){}", "command_line_arguments", List.of("a", 1)), "command_line_arguments");
        refused(body("c", "int main(){}", "command_line_arguments", Collections.nCopies(65, "a")), "command_line_arguments");
        refused(body("c", "int main(){}", "command_line_arguments", List.of("x".repeat(4097))), "command_line_arguments");
        refused(body("c", "int main(){}", "command_line_arguments", Collections.nCopies(20, "y".repeat(4000))), "command_line_arguments");
        JsonNode p = refused(body("c", "int main(){}", "compiler_options", List.of("a\u0000b")), "compiler_options");
        assertThat(p.get("detail").asText()).contains("NUL");
    }

    @Test
    void compiler_options_are_refused_for_a_language_without_a_compile_step() throws Exception {
        JsonNode p = refused(body("python", "print(1)", "compiler_options", List.of("-O")), "compiler_options");
        assertThat(p.get("detail").asText()).contains("no compile step");
        // an empty list is no options at all
        assertThat(server.postJson(body("python", "print(1)", "compiler_options", List.of()).toString()).statusCode()).isEqualTo(202);
    }

    @Test
    void expected_output_must_be_a_string() throws Exception {
        refused(body("python", "print(1)", "expected_output", 1), "expected_output");
    }

    @Test
    void limits_are_checked_against_the_languages_own_bounds() throws Exception {
        JsonNode p = refused(body("java", "class Main {}", "memory_limit_mb", 32), "memory_limit_mb");
        assertThat(p.get("detail").asText()).contains("for java");
    }

    @Test
    void an_unknown_language_is_refused_naming_the_available_ones() throws Exception {
        JsonNode p = refused(body("cobol", "DISPLAY 'HI'."), "language");
        assertThat(p.get("detail").asText()).contains("python", "c", "cpp", "java", "javascript", "bash");
    }

    /** Python's repr of a str, for the characters used here. */
    private static String pythonRepr(String s) {
        boolean hasSingle = s.contains("'");
        boolean hasDouble = s.contains("\"");
        char q = hasSingle && !hasDouble ? '"' : '\'';
        StringBuilder sb = new StringBuilder().append(q);
        for (char c : s.toCharArray()) {
            if (c == '\\') sb.append("\\\\");
            else if (c == '\n') sb.append("\\n");
            else if (c == q) sb.append('\\').append(c);
            else sb.append(c);
        }
        return sb.append(q).toString();
    }
}
