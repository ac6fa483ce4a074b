package dev.runbox.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runbox.testing.Sha256;
import dev.runbox.testing.SseLines;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The README's API as a black box: every documented endpoint, request field, result field and
 * status, checked over real HTTP against a {@link Deployment} — the same tests for every shape
 * Runbox is deployed in (one subclass per shape). Requests go round-robin over the deployment's API
 * servers, so a submission accepted by one is read, awaited and streamed through another.
 *
 * <p>Request bodies come from {@link Submission}, which writes every field; the README's own examples
 * are sent as the README writes them. Tests that need an API key or the callback secret are skipped,
 * saying so, on a deployment that was not given them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ConformanceSuite {

    static final Set<String> FINAL = Set.of("OK", "TLE", "MLE", "OLE", "RE", "CE", "WA", "INTERNAL_ERROR", "CHECKER_FAILED");
    private static final Duration RESULT_DEADLINE = Duration.ofSeconds(90);
    private static final Path README = Path.of("README.md");

    private Deployment deployment;
    private Http http;
    private Http anonymous;
    private CallbackReceiver receiver;
    private long startedNanos;
    private Duration startup;

    /** Starts (or finds) the deployment under test; called once per class. */
    abstract Deployment deploy() throws Exception;

    @BeforeAll
    void startDeployment() throws Exception {
        startedNanos = System.nanoTime();
        deployment = deploy();
        startup = Duration.ofNanos(System.nanoTime() - startedNanos);
        http = Http.to(deployment.apiBases(), deployment.apiKey());
        anonymous = http.withKey(Optional.empty());
        receiver = CallbackReceiver.start();
        System.out.printf("conformance[%s]: %s up in %.1f s%n", deployment.name(), deployment.apiBases(), startup.toMillis() / 1000.0);
    }

    @AfterAll
    void stopDeployment() throws Exception {
        Duration total = Duration.ofNanos(System.nanoTime() - startedNanos);
        System.out.printf("conformance[%s]: whole class %.1f s (start %.1f s)%n", deployment == null ? "?" : deployment.name(),
                total.toMillis() / 1000.0, startup == null ? 0.0 : startup.toMillis() / 1000.0);
        if (receiver != null) receiver.close();
        if (deployment != null) deployment.close();
    }

    // ------------------------------------------------------------------ helpers

    private Http.Reply post(Submission s) {
        return http.postJson("/execute", s.json());
    }

    /** Submits, asserting the documented 202 answer; returns the id. */
    private String submit(Http via, Submission s) {
        Http.Reply r = via.postJson("/execute", s.json());
        assertThat(r.status()).as("POST /execute: %s", r).isEqualTo(202);
        String id = r.json().get("submission_id").asText();
        assertThat(r.header("Location")).as("Location header").contains("/result/" + id);
        return id;
    }

    private String submit(Submission s) {
        return submit(http, s);
    }

    /** A time limit a run must stay within, on this deployment: {@code seconds} × its slowdown, at most the API's 20 s. */
    private double enough(double seconds) {
        return Math.min(20, seconds * deployment.slowdown());
    }

    /*
     * Submissions of this suite. Their time limit, unless a case sets its own, is one the run must stay
     * within here: the API's default 2 s times the deployment's slowdown (an emulated guest on a busy
     * host charged python's start alone 2.9 s of CPU time, so a default limit turned answers into TLE).
     */
    private Submission of(String language, String sourceCode) {
        return Submission.of(language, sourceCode).timeLimitSec(enough(2));
    }

    private Submission python(String sourceCode) {
        return of("python", sourceCode);
    }

    private Submission c(String sourceCode) {
        return of("c", sourceCode);
    }

    private JsonNode awaitFinal(Http via, String id) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(RESULT_DEADLINE).pollInterval(Duration.ofMillis(100)).until(() -> {
            Http.Reply r = via.get("/result/" + id);
            assertThat(r.status()).as("GET /result/%s: %s", id, r).isEqualTo(200);
            last[0] = r.json();
            return FINAL.contains(last[0].get("status").asText());
        });
        return last[0];
    }

    private JsonNode awaitFinal(String id) {
        return awaitFinal(http, id);
    }

    private JsonNode run(Submission s) {
        return awaitFinal(submit(s));
    }

    private static void assertStatus(JsonNode result, String status) {
        assertThat(result.get("status").asText()).as("status of %s", result).isEqualTo(status);
    }

    /** The README's problem shape: application/problem+json with type, title, status, detail, instance; the field when named. */
    private static void assertProblem(Http.Reply r, int status, String field) {
        assertThat(r.status()).as("%s", r).isEqualTo(status);
        assertThat(r.contentType()).as("%s", r).startsWith("application/problem+json");
        JsonNode p = r.json();
        assertThat(p.path("type").asText()).as("%s", r).startsWith("urn:runbox:problem:");
        assertThat(p.path("title").isTextual()).as("title of %s", r).isTrue();
        assertThat(p.path("status").asInt()).as("status of %s", r).isEqualTo(status);
        assertThat(p.path("detail").isTextual()).as("detail of %s", r).isTrue();
        assertThat(p.path("instance").isTextual()).as("instance of %s", r).isTrue();
        if (field != null) {
            assertThat(p.path("field").asText()).as("field of %s", r).isEqualTo(field);
            assertThat(p.path("errors").findValuesAsText("field")).as("errors of %s", r).contains(field);
        }
    }

    private void requireKeys() {
        assumeTrue(deployment.apiKey().isPresent(), deployment.name() + " was given no API key (keys off, or -D"
                + ExternalDeployment.API_KEY + " not set): the key tests cannot run");
    }

    private void requireCallbacks() {
        assumeTrue(deployment.callbackSecret().isPresent(), deployment.name() + " was given no callback secret (-D"
                + ExternalDeployment.CALLBACK_SECRET + "); its server must also allow private targets (callback-allow-private=true) to reach this machine");
    }

    private static String unique() {
        return "# " + UUID.randomUUID() + "\n";
    }

    private static String hmacSha256Hex(String secret, byte[] message) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(message));
    }

    /** The callback for submission {@code id} at the receiver's {@code name}, waited for; checked as README's "Verifying a callback" does. */
    private CallbackReceiver.Call awaitSignedCallback(String name, String id) throws Exception {
        CallbackReceiver.Call call = await().atMost(RESULT_DEADLINE).pollInterval(Duration.ofMillis(100))
                .until(() -> receiver.callsTo(name).stream().filter(c -> id.equals(c.header("X-Runbox-Submission-Id"))).findFirst(),
                        Optional::isPresent).orElseThrow();
        String ts = call.header("X-Runbox-Timestamp");
        byte[] signed = (ts + ".").getBytes(StandardCharsets.UTF_8);
        byte[] message = new byte[signed.length + call.body().length];
        System.arraycopy(signed, 0, message, 0, signed.length);
        System.arraycopy(call.body(), 0, message, signed.length, call.body().length);
        assertThat(call.header("Content-Type")).startsWith("application/json");
        assertThat(call.header("X-Runbox-Submission-Id")).isEqualTo(id);
        assertThat(call.header("X-Runbox-Attempt")).isEqualTo("1");
        assertThat(Math.abs(Instant.now().getEpochSecond() - Long.parseLong(ts))).as("timestamp age").isLessThan(300);
        assertThat(call.header("X-Runbox-Signature")).isEqualTo("sha256=" + hmacSha256Hex(deployment.callbackSecret().orElseThrow(), message));
        return call;
    }

    /** The first column's `names` of each table row in the README section under {@code heading}. */
    private static Set<String> readmeTableNames(String heading) throws Exception {
        List<String> lines = Files.readAllLines(README);
        Set<String> names = new LinkedHashSet<>();
        boolean in = false;
        for (String line : lines) {
            if (line.startsWith("#")) {
                in = line.strip().equals(heading);
                continue;
            }
            if (!in || !line.startsWith("| `")) continue;
            Matcher m = Pattern.compile("`([a-z_]+)`").matcher(line.substring(0, line.indexOf('|', 1)));
            while (m.find()) names.add(m.group(1));
        }
        return names;
    }

    // ------------------------------------------------------------------ the README's own examples

    @Test
    void readme_quick_start_curl_reverses_hello() {
        // as README "Quick start" sends it: only source_code and stdin_data, the rest by default
        Http.Reply r = http.post("/execute", "application/json",
                "{\"source_code\":\"print(input()[::-1])\",\"stdin_data\":\"hello\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(r.status()).as("%s", r).isEqualTo(202);
        assertThat(r.json().get("status").asText()).isEqualTo("PENDING");
        JsonNode result = awaitFinal(r.json().get("submission_id").asText());
        assertStatus(result, "OK");
        assertThat(result.get("stdout").asText()).isEqualTo("olleh\n");
        assertThat(result.get("stderr").asText()).isEmpty();
        assertThat(result.get("exit_code").asInt()).isZero();
        assertThat(result.get("language").asText()).isEqualTo("python");
    }

    @Test
    void readme_wait_example_answers_200_with_42() {
        Http.Reply r = http.post("/execute?wait=true&timeout_sec=10", "application/json",
                "{\"source_code\":\"print(6*7)\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        assertStatus(r.json(), "OK");
        assertThat(r.json().get("stdout").asText()).isEqualTo("42\n");
    }

    // ------------------------------------------------------------------ POST /execute and its fields

    @Test
    void the_submission_builder_sends_every_request_field_the_readme_documents() throws Exception {
        assumeTrue(Files.isReadable(README), "no README.md in " + Path.of("").toAbsolutePath());
        Set<String> documented = new LinkedHashSet<>(readmeTableNames("### `POST /execute`"));
        documented.addAll(readmeTableNames("### Request fields"));
        assertThat(documented).as("fields in the README's tables").contains("source_code", "expected_output");
        List<String> sent = new ArrayList<>();
        python("print(1)").json().fieldNames().forEachRemaining(sent::add);
        assertThat(sent).containsExactlyInAnyOrderElementsOf(documented);
    }

    @Test
    void a_submission_is_answered_202_pending_with_its_location() {
        Http.Reply r = post(python("print(1)"));
        assertThat(r.status()).as("%s", r).isEqualTo(202);
        JsonNode body = r.json();
        String id = body.get("submission_id").asText();
        assertThat(UUID.fromString(id).toString()).isEqualTo(id);
        assertThat(body.get("status").asText()).isEqualTo("PENDING");
        assertThat(r.header("Location")).contains("/result/" + id);
        assertStatus(awaitFinal(id), "OK");
    }

    @Test
    void a_complete_submission_shows_the_effect_of_every_field() throws Exception {
        String source = "#include <stdio.h>\n" + "/* " + UUID.randomUUID() + " */\n"
                + "int main(int argc, char **argv) {\n"
                + "  int n;\n"
                + "  if (scanf(\"%d\", &n) != 1) return 9;\n"
                + "  printf(\"%d\\n\", n * FACTOR);\n"
                + "  for (int i = 1; i < argc; i++) printf(\"[%s]\\n\", argv[i]);\n"
                + "  return 0;\n"
                + "}\n";
        String expected = "42\n[a]\n[b c]\n";
        Submission complete = c(source).stdin("6\n").timeLimitSec(1.5).memoryLimitMb(64).cpuCores(0.5).cache(true)
                .compilerOptions("-DFACTOR=7").arguments("a", "b c").expectedOutput(expected);
        deployment.callbackSecret().ifPresent(s -> complete.callbackUrl(receiver.url("complete")));
        Http one = http.pinned(); // the result cache is per API process
        String id = submit(one, complete);
        JsonNode result = awaitFinal(id);

        assertStatus(result, "OK");                                   // expected_output matched, or WA
        assertThat(result.get("stdout").asText()).isEqualTo(expected); // stdin_data, compiler_options, command_line_arguments
        assertThat(result.get("language").asText()).isEqualTo("c");   // language
        assertThat(result.get("compile_output").isTextual()).as("compile_output of a compiled language").isTrue();
        assertThat(result.get("cached").asBoolean()).isFalse();
        String repeat = submit(one, complete);
        JsonNode copy = awaitFinal(repeat);
        assertThat(copy.get("cached").asBoolean()).as("cache: the repeat %s", copy).isTrue();
        assertThat(copy.get("stdout").asText()).isEqualTo(expected);
        if (deployment.callbackSecret().isPresent()) {                 // callback_url: each final result posted, signed
            for (String posted : List.of(id, repeat)) {
                JsonNode called = Http.JSON.readTree(awaitSignedCallback("complete", posted).body());
                assertThat(called).isEqualTo(http.get("/result/" + posted).json());
            }
        }
    }

    @Test
    void stdin_data_reaches_the_program_with_nul_characters_as_nul_bytes() {
        JsonNode r = run(python("import sys\nprint(list(sys.stdin.buffer.read()))").stdin("a\u0000b\n"));
        assertStatus(r, "OK");
        assertThat(r.get("stdout").asText()).isEqualTo("[97, 0, 98, 10]\n");
    }

    @Test
    void a_stdin_of_megabytes_reaches_the_program_whole() {
        // 3 MB: through the queue (Redis too) and into the sandbox (a pipe, a container's job stream) in pieces
        String stdin = "0123456789abcdef".repeat(3 * 1024 * 1024 / 16);
        JsonNode r = run(python("import hashlib, sys\ndata = sys.stdin.buffer.read()\nprint(len(data), hashlib.sha256(data).hexdigest())")
                .stdin(stdin).timeLimitSec(enough(2)));
        assertStatus(r, "OK");
        assertThat(r.get("stdout").asText()).isEqualTo(stdin.length() + " " + Sha256.hex(stdin.getBytes(StandardCharsets.UTF_8)) + "\n");
    }

    @Test
    void command_line_arguments_arrive_as_exactly_the_given_argv_elements() {
        JsonNode r = run(python("import sys\nprint(len(sys.argv) - 1)\nfor a in sys.argv[1:]: print(repr(a))")
                .arguments("a", "b c"));
        assertStatus(r, "OK");
        assertThat(r.get("stdout").asText()).isEqualTo("2\n'a'\n'b c'\n");
    }

    @Test
    void compiler_options_reach_the_compiler_one_argv_element_each() {
        JsonNode r = run(c("#include <stdio.h>\nint main(void) { printf(\"%s %d\\n\", GREETING, FACTOR); return 0; }\n")
                .compilerOptions("-DFACTOR=7", "-DGREETING=\"two words\""));
        assertStatus(r, "OK");
        assertThat(r.get("stdout").asText()).isEqualTo("two words 7\n");
    }

    @Test
    void stderr_to_stdout_gives_one_stream_in_the_order_written_and_leaves_stderr_empty() {
        String source = "#include <stdio.h>\nint main(void) { printf(\"out 1\\n\"); fflush(stdout); fprintf(stderr, \"err\\n\");"
                + " printf(\"out 2\\n\"); return 0; }\n";
        JsonNode merged = run(c(source).stderrToStdout(true));
        assertStatus(merged, "OK");
        assertThat(merged.get("stdout").asText()).isEqualTo("out 1\nerr\nout 2\n");
        assertThat(merged.get("stderr").asText()).isEmpty();
        JsonNode apart = run(c(source).stderrToStdout(false));
        assertThat(apart.get("stdout").asText()).isEqualTo("out 1\nout 2\n");
        assertThat(apart.get("stderr").asText()).isEqualTo("err\n");
        // not with an interactor: the program's stdout is what the interactor reads
        assertProblem(http.postJson("/execute", c(source).test("1", "1").interactor("python", "print(1)").stderrToStdout(true).json()),
                400, "stderr_to_stdout");
        // and through the Judge0 layer's redirect_stderr_to_stdout
        JsonNode j = judge0Wait(judge0(71, "import sys\nprint('a', flush=True)\nprint('b', file=sys.stderr)", "")
                .put("redirect_stderr_to_stdout", true).put("cpu_time_limit", enough(2)));
        assertThat(j.get("stdout").asText()).as("%s", j).isEqualTo("a\nb\n");
        assertThat(j.get("stderr").isNull()).as("%s", j).isTrue();
    }

    @Test
    void expected_output_the_program_does_not_print_gives_WA() {
        JsonNode r = run(python("print(2)").expectedOutput("3\n"));
        assertStatus(r, "WA");
        assertThat(r.get("message").asText()).isNotBlank();
        assertThat(r.get("stdout").asText()).isEqualTo("2\n");
    }

    @Test
    void expected_output_ignores_trailing_whitespace_and_empty_lines_at_the_end() {
        JsonNode r = run(python("print('1 2')\nprint(3)").expectedOutput("1 2  \r\n3\n\n\n"));
        assertStatus(r, "OK");
    }

    @Test
    void time_limit_sec_is_cpu_time_and_a_busy_loop_gets_TLE() {
        JsonNode r = run(python("while True: pass").timeLimitSec(0.5));
        assertStatus(r, "TLE");
        assertThat(r.get("message").asText()).contains("0.5");
        assertThat(r.get("exit_code").isNull()).isTrue();
        assertThat(r.get("cpu_time_sec").asDouble()).isGreaterThanOrEqualTo(0.4);
    }

    @Test
    void memory_limit_mb_bounds_the_run_and_an_allocation_past_it_gets_MLE() {
        JsonNode r = run(python("b = b'x' * (200 << 20)\nprint(len(b))").memoryLimitMb(48));
        assertStatus(r, "MLE");
        assertThat(r.get("message").asText()).isNotBlank();
        assertThat(r.get("stdout").asText()).isEmpty();
    }

    @Test
    void cpu_cores_below_one_stretches_the_wall_time_limit() {
        // wall limit = 2 × time_limit_sec ÷ min(1, cpu_cores): 0.8 s at one core, 4 s at 0.2; on a slow
        // deployment the sleep and the limit both grow by its slowdown, so the same limit is reached
        double k = deployment.slowdown();
        String sleeper = "import time\ntime.sleep(" + 1.5 * k + ")\nprint('woke')";
        JsonNode oneCore = run(python(sleeper).timeLimitSec(0.4 * k).cpuCores(1.0));
        JsonNode fifthOfACore = run(python(sleeper).timeLimitSec(0.4 * k).cpuCores(0.2));
        assertStatus(oneCore, "TLE");
        assertStatus(fifthOfACore, "OK");
        assertThat(fifthOfACore.get("stdout").asText()).isEqualTo("woke\n");
    }

    @Test
    void output_past_the_cap_gets_OLE_with_stdout_truncated() {
        JsonNode r = run(python("import sys\nchunk = 'x' * (1 << 20)\nfor _ in range(64): sys.stdout.write(chunk)"));
        assertStatus(r, "OLE");
        assertThat(r.get("stdout_truncated").asBoolean()).isTrue();
        assertThat(r.get("stderr_truncated").asBoolean()).isFalse();
        assertThat(r.get("stdout").asText()).startsWith("xxxx");
        assertThat(r.get("message").asText()).isNotBlank();
    }

    @Test
    void a_non_zero_exit_is_RE_with_its_exit_code() {
        JsonNode r = run(python("import sys\nprint('bye', file=sys.stderr)\nsys.exit(3)"));
        assertStatus(r, "RE");
        assertThat(r.get("exit_code").asInt()).isEqualTo(3);
        assertThat(r.get("signal").isNull()).isTrue();
        assertThat(r.get("stderr").asText()).isEqualTo("bye\n");
        assertThat(r.get("message").asText()).isNotBlank();
    }

    @Test
    void a_program_killed_by_a_signal_is_RE_with_the_signal_and_no_exit_code() {
        JsonNode r = run(python("import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)"));
        assertStatus(r, "RE");
        assertThat(r.get("signal").asInt()).isEqualTo(11);
        assertThat(r.get("exit_code").isNull()).isTrue();
    }

    @Test
    void a_c_compile_error_is_CE_with_the_compilers_output() {
        JsonNode r = run(c("int main(void) { return undeclared_name; }\n"));
        assertStatus(r, "CE");
        assertThat(r.get("compile_output").isTextual()).as("compile_output of %s", r).isTrue();
        assertThat(r.get("compile_output").asText()).contains("undeclared_name");
        assertThat(r.get("message").asText()).isNotBlank();
        for (String notRun : List.of("stdout", "stderr", "exit_code", "time_sec")) {
            assertThat(r.get(notRun).isNull()).as("%s of a CE: %s", notRun, r).isTrue();
        }
    }

    // ------------------------------------------------------------------ files: multi-file programs

    @Test
    void a_c_program_of_several_files_compiles_every_c_file_with_its_header() {
        JsonNode r = run(c("#include <stdio.h>\n#include \"util.h\"\nint main(void) { printf(\"%d\\n\", twice(21)); return 0; }\n")
                .file("util.h", "int twice(int x);\n").file("util.c", "#include \"util.h\"\nint twice(int x) { return 2 * x; }\n"));
        assertStatus(r, "OK");
        assertThat(r.get("stdout").asText()).isEqualTo("42\n");
    }

    @Test
    void a_java_program_of_several_files_compiles_every_java_file() {
        assumeTrue(http.get("/languages").json().findValuesAsText("id").contains("java"), deployment.name() + " offers no java");
        JsonNode r = run(of("java", "public class Main { public static void main(String[] a) { System.out.println(Util.twice(21)); } }\n")
                .file("Util.java", "class Util { static int twice(int x) { return 2 * x; } }\n").timeLimitSec(enough(5)).memoryLimitMb(256));
        assertStatus(r, "OK");
        assertThat(r.get("stdout").asText()).isEqualTo("42\n");
    }

    @Test
    void a_python_program_imports_its_neighbour_and_reads_a_base64_file_byte_for_byte() {
        JsonNode r = run(python("import helper\nprint(helper.twice(21))\nprint(list(open('data.bin', 'rb').read()))")
                .file("helper.py", "def twice(x):\n    return 2 * x\n").fileBase64("data.bin", new byte[]{0, 1, (byte) 0xff, 10}));
        assertStatus(r, "OK");
        assertThat(r.get("stdout").asText()).isEqualTo("42\n[0, 1, 255, 10]\n");
    }

    @Test
    void a_file_name_that_is_not_a_plain_name_is_a_400_naming_the_file() {
        for (String bad : List.of("../x.py", "a/b.py", ".hidden", "-rf", "x\u0000y", "", "main.py")) {
            Http.Reply r = http.postJson("/execute", python("print(1)").file("ok.txt", "fine").file(bad, "x").json());
            assertProblem(r, 400, "files");
            assertThat(r.json().get("detail").asText()).as("%s", r).contains("files[1]");
        }
        Http.Reply twice = http.postJson("/execute", python("print(1)").file("a.txt", "1").file("a.txt", "2").json());
        assertProblem(twice, 400, "files");
        Http.Reply notBase64 = http.postJson("/execute", python("print(1)").json()
                .set("files", Http.JSON.createArrayNode().add(Http.JSON.createObjectNode().put("name", "d.bin").put("content", "%%%").put("encoding", "base64"))));
        assertProblem(notBase64, 400, "files");
    }

    // ------------------------------------------------------------------ collect: files the program left

    @Test
    void collect_returns_the_files_the_program_left_in_box_and_never_follows_a_link() {
        String program = "import os\n"
                + "open('out.txt', 'w').write('hello\\n')\n"
                + "open('bin.dat', 'wb').write(bytes([0, 1, 255]))\n"
                + "open('big.txt', 'w').write('x' * (2 << 20))\n"
                + "os.symlink('/etc/passwd', 'link.txt')\n"
                + "os.mkdir('sub')\n"
                + "os.mkfifo('fifo')\n"
                + "print('done')";
        JsonNode r = run(python(program).collect("out.txt", "bin.dat", "link.txt", "sub", "fifo", "absent.txt", "big.txt"));
        assertStatus(r, "OK");
        JsonNode c = r.get("collected");
        assertThat(c.findValuesAsText("name")).containsExactly("out.txt", "bin.dat", "link.txt", "sub", "fifo", "absent.txt", "big.txt");
        assertThat(c.findValuesAsText("state")).containsExactly("found", "found", "not_a_file", "not_a_file", "not_a_file", "missing", "found");
        assertThat(java.util.Base64.getDecoder().decode(c.get(0).get("content").asText())).isEqualTo("hello\n".getBytes(StandardCharsets.UTF_8));
        assertThat(c.get(0).get("size").asLong()).isEqualTo(6);
        assertThat(c.get(0).get("truncated").asBoolean()).isFalse();
        assertThat(java.util.Base64.getDecoder().decode(c.get(1).get("content").asText())).isEqualTo(new byte[]{0, 1, (byte) 255});
        assertThat(c.get(2).get("content").isNull()).as("a link is never read: %s", c.get(2)).isTrue();
        assertThat(c.get(6).get("size").asLong()).isEqualTo(2 << 20);
        assertThat(c.get(6).get("truncated").asBoolean()).as("past the collect cap").isTrue();
        byte[] kept = java.util.Base64.getDecoder().decode(c.get(6).get("content").asText());
        assertThat(kept.length).isLessThan(2 << 20);
        assertThat(new String(kept, StandardCharsets.UTF_8)).matches("x*");
    }

    @Test
    void collect_works_for_a_compiled_program_and_is_refused_with_tests() {
        JsonNode r = run(c("#include <stdio.h>\nint main(void) { FILE *f = fopen(\"answer.txt\", \"w\"); fputs(\"42\", f); fclose(f); return 3; }\n")
                .collect("answer.txt"));
        assertStatus(r, "RE");
        assertThat(r.get("collected").get(0).get("state").asText()).isEqualTo("found");
        assertThat(java.util.Base64.getDecoder().decode(r.get("collected").get(0).get("content").asText())).isEqualTo("42".getBytes(StandardCharsets.UTF_8));
        assertProblem(http.postJson("/execute", python("print(1)").test("1", "1").collect("out.txt").json()), 400, "collect");
        JsonNode none = run(python("print(1)"));
        assertThat(none.has("collected") && none.get("collected").isNull()).as("no collect, no collected: %s", none).isTrue();
    }

    // ------------------------------------------------------------------ judge mode: tests, checkers

    /** Reads "a b" and prints a + b; "loop" loops forever, "crash" exits 3. */
    private static final String SUM_C = "#include <stdio.h>\n#include <string.h>\n"
            + "int main(void) { char w[16]; int a, b;\n"
            + "  if (scanf(\"%15s\", w) != 1) return 9;\n"
            + "  if (!strcmp(w, \"loop\")) for (;;) ;\n"
            + "  if (!strcmp(w, \"crash\")) { fprintf(stderr, \"crashing\\n\"); return 3; }\n"
            + "  sscanf(w, \"%d\", &a); if (scanf(\"%d\", &b) != 1) return 8;\n"
            + "  printf(\"%d\\n\", a + b); return 0; }\n";

    @Test
    void a_judged_submission_runs_each_test_and_reports_each_with_the_first_failure_as_its_status() {
        JsonNode r = run(c(SUM_C + "/* " + UUID.randomUUID() + " */\n").timeLimitSec(0.5)
                .test("small", "1 2\n", "3\n", 2.0)
                .test("wrong", "2 2\n", "5\n", 3.0)
                .test("crash", "crash\n", "0\n", 1.0)
                .test("slow", "loop\n", "0\n", 1.0)
                .test("last", "20 22", "42", 4.0));
        assertStatus(r, "WA");
        assertThat(r.get("message").asText()).as("%s", r).startsWith("test 2 (wrong) of 5:");
        assertThat(r.get("tests_passed").asInt()).isEqualTo(2);
        assertThat(r.get("points").asDouble()).isEqualTo(6.0);
        assertThat(r.get("compile_output").isTextual()).as("compiled once: %s", r).isTrue();
        assertThat(r.get("stdout").isNull()).as("each test has its own output").isTrue();
        assertThat(r.get("time_sec").asDouble()).as("the longest test's").isGreaterThanOrEqualTo(0.4);
        JsonNode tests = r.get("tests");
        assertThat(tests).hasSize(5);
        List<String> statuses = new ArrayList<>();
        for (int i = 0; i < tests.size(); i++) {
            JsonNode t = tests.get(i);
            assertThat(t.get("index").asInt()).isEqualTo(i);
            statuses.add(t.get("status").asText());
            for (String f : List.of("stdout", "stderr", "time_sec", "cpu_time_sec", "memory_kb", "stdout_truncated", "stderr_truncated", "points")) {
                assertThat(t.has(f) && !t.get(f).isNull()).as("%s of %s", f, t).isTrue();
            }
        }
        assertThat(statuses).containsExactly("OK", "WA", "RE", "TLE", "OK");
        assertThat(tests.get(0).get("name").asText()).isEqualTo("small");
        assertThat(tests.get(0).get("stdout").asText()).isEqualTo("3\n");
        assertThat(tests.get(0).get("exit_code").asInt()).isZero();
        assertThat(tests.get(0).get("points").asDouble()).isEqualTo(2.0);
        assertThat(tests.get(0).get("message").isNull()).isTrue();
        assertThat(tests.get(1).get("stdout").asText()).isEqualTo("4\n");
        assertThat(tests.get(1).get("points").asDouble()).isZero();
        assertThat(tests.get(1).get("checker_output").asText()).contains("expected \"5\", got \"4\"");
        assertThat(tests.get(2).get("exit_code").asInt()).isEqualTo(3);
        assertThat(tests.get(2).get("stderr").asText()).isEqualTo("crashing\n");
        // the CPU limit of 0.5 s, or on a machine too busy to give it that much, the wall limit of 1 s
        assertThat(tests.get(3).get("message").asText()).containsAnyOf("CPU time limit of 0.5 s", "wall time limit of 1.000 s");
        assertThat(tests.get(3).get("time_sec").asDouble()).isGreaterThanOrEqualTo(0.4);
        assertThat(tests.get(4).get("stdout").asText()).isEqualTo("42\n");
    }

    @Test
    void readme_judge_example_with_a_float_checker_scores_two_of_three() {
        // as README "Judge mode" sends it
        String body = "{\"language\": \"python\", \"source_code\": \"a, b = map(float, input().split())\\nprint(a / b)\","
                + " \"checker\": {\"name\": \"float\", \"abs_tol\": 1e-6, \"rel_tol\": 1e-6}, \"tests\": ["
                + "{\"name\": \"sample\", \"stdin\": \"1 3\", \"expected_output\": \"0.333333333\", \"points\": 1},"
                + "{\"name\": \"exact\",  \"stdin\": \"10 4\", \"expected_output\": \"2.5\", \"points\": 2},"
                + "{\"name\": \"zero\",   \"stdin\": \"1 0\", \"expected_output\": \"inf\", \"points\": 3}]}";
        Http.Reply r = http.post("/execute?wait=true", "application/json", body.getBytes(StandardCharsets.UTF_8));
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        JsonNode j = r.json();
        assertStatus(j, "RE");
        assertThat(j.get("message").asText()).isEqualTo("test 3 (zero) of 3: exited with status 1");
        assertThat(j.get("tests_passed").asInt()).isEqualTo(2);
        assertThat(j.get("points").asDouble()).isEqualTo(3.0);
        assertThat(j.get("tests").findValuesAsText("status")).containsExactly("OK", "OK", "RE");
        assertThat(j.get("tests").get(0).get("checker_output").asText()).isEqualTo("ok: 1 tokens");
        assertThat(j.get("tests").get(2).get("stderr").asText()).contains("ZeroDivisionError");
    }

    @Test
    void stop_on_first_failure_skips_the_tests_after_it() {
        JsonNode r = run(python("a, b = map(int, input().split())\nprint(a + b)").stopOnFirstFailure(true)
                .test("1 2", "3").test("1 1", "3").test("2 2", "4"));
        assertStatus(r, "WA");
        assertThat(r.get("tests").findValuesAsText("status")).containsExactly("OK", "WA", "SKIPPED");
        JsonNode skipped = r.get("tests").get(2);
        assertThat(skipped.get("stdout").isNull()).isTrue();
        assertThat(skipped.get("time_sec").isNull()).isTrue();
        assertThat(skipped.get("points").asDouble()).isZero();
        assertThat(r.get("tests_passed").asInt()).isEqualTo(1);
    }

    @Test
    void all_tests_passed_is_OK_with_every_point() {
        JsonNode r = run(python("a, b = map(int, input().split())\nprint(a + b)").test("1 2", "3").test("40 2", "42"));
        assertStatus(r, "OK");
        assertThat(r.get("message").isNull()).isTrue();
        assertThat(r.get("tests_passed").asInt()).isEqualTo(2);
        assertThat(r.get("points").asDouble()).isEqualTo(2.0);
    }

    @Test
    void each_built_in_checker_accepts_and_refuses_as_documented() {
        String echo = "import sys\nsys.stdout.write(sys.stdin.read())";
        Map<String, Submission> cases = new LinkedHashMap<>();
        cases.put("exact", python(echo).checker("exact").test("a \n", "a \n").test("a \n", "a\n"));
        cases.put("lines", python(echo).checker("lines").test("a  \r\nb\n\n\n", "a\nb").test(" a\n", "a\n"));
        cases.put("tokens", python(echo).checker("tokens").test("1   2\n\n3 ", "1 2 3").test("1 2", "1 3"));
        cases.put("float", python(echo).floatChecker(1e-3, 0).test("0.1004 x 2", "0.1 x 2.0").test("0.102", "0.1"));
        cases.put("float rel_tol", python(echo).floatChecker(0, 1e-3).test("1000.9", "1000").test("1.002", "1"));
        cases.put("unordered_lines", python(echo).checker("unordered_lines").test("b\na  \na\n", "a\nb\na").test("a\na\n", "a\nb\n"));
        Map<String, String> ids = new LinkedHashMap<>();
        cases.forEach((name, sub) -> ids.put(name, submit(sub)));
        ids.forEach((name, id) -> {
            JsonNode r = awaitFinal(id);
            assertThat(r.get("tests").findValuesAsText("status")).as("%s: %s", name, r).containsExactly("OK", "WA");
            assertThat(r.get("tests").get(1).get("checker_output").asText()).as(name).isNotBlank();
        });
    }

    @Test
    void each_finished_test_is_a_test_event_before_the_final_status() throws Exception {
        String id = submit(python("import time\ntime.sleep(0.3)\nprint(input())").test("a", "a").test("b", "b").test("c", "x"));
        SseLines.Stream_ stream = http.events("/result/" + id + "/events");
        List<Integer> indexes = new ArrayList<>();
        for (SseLines.Event e : stream.events()) {
            assertThat(e.name()).isIn("status", "test");
            if (e.name().equals("test")) indexes.add(e.json().get("index").asInt());
        }
        assertThat(indexes).as("one test event per test, in order").containsExactly(0, 1, 2);
        SseLines.Event last = stream.events().get(stream.events().size() - 1);
        assertThat(last.name()).isEqualTo("status");
        assertThat(last.json()).isEqualTo(http.get("/result/" + id).json());
        assertStatus(last.json(), "WA");
    }

    /**
     * A checker in C written to testlib's conventions (testlib.h itself is not at hand): exit 0 OK, 1 WA, 2 PE,
     * 3 FAIL, 7 points with "points <score> <message>" on stderr, as quitp writes it. It reads the three files
     * testlib's registerTestlibCmd reads, from argv: input, output, answer.
     */
    static final String TESTLIB_STYLE_C_CHECKER = "#include <stdio.h>\n#include <stdlib.h>\n#include <stdarg.h>\n"
            + "enum { _ok = 0, _wa = 1, _pe = 2, _fail = 3, _points = 7 };\n"
            + "static void quitf(int code, const char *fmt, ...) { va_list a; va_start(a, fmt); vfprintf(stderr, fmt, a); va_end(a); exit(code); }\n"
            + "static void quitp(double points, const char *msg) { fprintf(stderr, \"points %g %s\", points, msg); exit(_points); }\n"
            + "int main(int argc, char **argv) {\n"
            + "  if (argc != 4) quitf(_fail, \"expected 3 arguments, got %d\", argc - 1);\n"
            + "  FILE *inf = fopen(argv[1], \"r\"), *ouf = fopen(argv[2], \"r\"), *ans = fopen(argv[3], \"r\");\n"
            + "  if (!inf || !ouf || !ans) quitf(_fail, \"cannot open the input, output or answer\");\n"
            + "  long a, b, want, got;\n"
            + "  if (fscanf(inf, \"%ld %ld\", &a, &b) != 2) quitf(_fail, \"bad input\");\n"
            + "  if (fscanf(ans, \"%ld\", &want) != 1 || want != a + b) quitf(_fail, \"the answer file is wrong\");\n"
            + "  if (fscanf(ouf, \"%ld\", &got) != 1) quitf(_pe, \"expected an integer\");\n"
            + "  if (got == want) quitf(_ok, \"%ld\", got);\n"
            + "  if (got == want + 1) quitp(0.5, \"off by one\");\n"
            + "  quitf(_wa, \"expected %ld, found %ld\", want, got);\n"
            + "}\n";

    /** Prints a + b, except: 10 → "ten" (not a number), 20 → one too many, 30 → one less. */
    private static final String SUM_WITH_MISTAKES = "a, b = map(int, input().split())\n"
            + "s = a + b\nprint({10: 'ten', 20: 21, 30: 29}.get(s, s))";

    @Test
    void a_testlib_style_checker_in_c_judges_each_test_by_its_exit_code() {
        JsonNode r = run(python(SUM_WITH_MISTAKES).checkerProgram("c", TESTLIB_STYLE_C_CHECKER)
                .test("ok", "1 2", "3", 2.0).test("pe", "5 5", "10", 2.0).test("half", "10 10", "20", 2.0)
                .test("wa", "15 15", "30", 2.0).test("ok too", "2 2", "4", 2.0));
        assertStatus(r, "WA");
        assertThat(r.get("tests").findValuesAsText("status")).as("%s", r).containsExactly("OK", "PE", "PARTIAL", "WA", "OK");
        assertThat(r.get("points").asDouble()).isEqualTo(5.0);
        assertThat(r.get("tests_passed").asInt()).isEqualTo(2);
        assertThat(r.get("message").asText()).startsWith("test 2 (pe) of 5: presentation error: expected an integer");
        JsonNode tests = r.get("tests");
        assertThat(tests.get(0).get("checker_output").asText()).isEqualTo("3");
        assertThat(tests.get(2).get("checker_output").asText()).isEqualTo("points 0.5 off by one");
        assertThat(tests.get(2).get("points").asDouble()).isEqualTo(1.0);
        assertThat(tests.get(3).get("checker_output").asText()).isEqualTo("expected 30, found 29");
    }

    @Test
    void a_python_checker_gets_the_input_the_output_and_the_answer_as_files() {
        String checker = "import sys\n"
                + "inp, out, ans = (open(p, 'rb').read() for p in sys.argv[1:4])\n"
                + "print(repr((inp, out, ans)), file=sys.stderr)\n"
                + "sys.exit(0 if out.split() == ans.split() else 1)\n";
        JsonNode r = run(python("import sys\nsys.stdout.write(sys.stdin.read().upper())").checkerProgram("python", checker)
                .test("abc\n", "ABC").test("x y", "X Z").test("no answer", null));
        assertThat(r.get("tests").findValuesAsText("status")).as("%s", r).containsExactly("OK", "WA", "WA");
        assertThat(r.get("tests").get(0).get("checker_output").asText()).isEqualTo("(b'abc\\n', b'ABC\\n', b'ABC')");
        assertThat(r.get("tests").get(2).get("checker_output").asText()).as("no expected output: an empty answer")
                .isEqualTo("(b'no answer', b'NO ANSWER', b'')");
    }

    @Test
    void a_checker_that_fails_is_the_problems_fault_reported_as_CHECKER_FAILED() {
        String ok = "import sys\nsys.exit(0)";
        Map<String, Submission> cases = new LinkedHashMap<>();
        cases.put("says FAIL", python("print(1)").checkerProgram("python", "import sys\nprint('broken answer', file=sys.stderr)\nsys.exit(3)"));
        cases.put("crashes", python("print(1)").checkerProgram("python", "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)"));
        cases.put("hangs", python("print(1)").checkerProgram("python", "import time\ntime.sleep(60)"));
        cases.put("spins", python("print(1)").checkerProgram("python", "while True: pass"));
        cases.put("floods", python("print(1)").checkerProgram("python", "import sys\nwhile True: sys.stderr.write('x' * 65536)"));
        cases.put("exits 42", python("print(1)").checkerProgram("python", "import sys\nsys.exit(42)"));
        cases.put("bad points", python("print(1)").checkerProgram("python", "import sys\nprint('points 7', file=sys.stderr)\nsys.exit(7)"));
        cases.put("does not compile", python("print(1)").checkerProgram("c", "int main(void) { return nope; }"));
        // it sees only its own sandbox: no other process to kill, no network, no host secrets; then it dies of a signal
        cases.put("attacks", python("print(1)").checkerProgram("python", "import os, signal, socket, sys\n"
                + "for attack in (lambda: os.kill(-1, signal.SIGKILL), lambda: open('/etc/shadow').read(),\n"
                + "               lambda: socket.create_connection(('1.1.1.1', 53), timeout=1)):\n"
                + "    try: attack(); print('attack succeeded', file=sys.stderr)\n"
                + "    except Exception as e: pass\n"
                + "os.kill(os.getpid(), signal.SIGKILL)"));
        Map<String, String> ids = new LinkedHashMap<>();
        cases.forEach((name, sub) -> ids.put(name, submit(sub.test("1", "1").test("2", "2"))));
        ids.forEach((name, id) -> {
            JsonNode r = awaitFinal(id);
            assertStatus(r, "CHECKER_FAILED");
            assertThat(r.get("message").asText()).as("%s: %s", name, r).contains("the checker").doesNotContain("attack succeeded");
            if (!name.equals("does not compile")) {
                assertThat(r.get("tests").get(0).get("status").asText()).as(name).isEqualTo("CHECKER_FAILED");
                assertThat(r.get("tests").get(0).get("stdout").asText()).as("the program's own output stays: %s", name).isEqualTo("1\n");
                assertThat(r.get("tests").get(0).get("checker_output").asText("")).as(name).doesNotContain("attack succeeded");
            }
        });
        // the contestant's program is judged as before
        assertStatus(run(python("print(1)").checkerProgram("python", ok).test("1", "1")), "OK");
    }

    // ------------------------------------------------------------------ judge mode: interactive problems

    /**
     * A guessing game's interactor in C, to testlib's conventions: it reads the secret and the top of the
     * range from its input file, tells the program the top, answers each guess higher, lower or correct,
     * and writes the number of guesses to its output file; 0 OK, 1 WA (too many guesses, no guess), 3 FAIL.
     */
    static final String GUESSING_INTERACTOR = "#include <stdio.h>\n#include <stdlib.h>\n#include <signal.h>\n"
            + "int main(int argc, char **argv) {\n"
            + "  signal(SIGPIPE, SIG_IGN);\n"
            + "  FILE *inf = fopen(argv[1], \"r\"), *ouf = fopen(argv[2], \"w\");\n"
            + "  long secret, top, guess;\n"
            + "  if (!inf || !ouf || fscanf(inf, \"%ld %ld\", &secret, &top) != 2) { fprintf(stderr, \"bad input\"); return 3; }\n"
            + "  printf(\"%ld\\n\", top); fflush(stdout);\n"
            + "  for (int n = 1; n <= 20; n++) {\n"
            + "    if (scanf(\"%ld\", &guess) != 1) { fprintf(stderr, \"no guess %d\", n); return 1; }\n"
            + "    if (guess == secret) { puts(\"correct\"); fflush(stdout); fprintf(ouf, \"%d\\n\", n); fprintf(stderr, \"found in %d\", n); return 0; }\n"
            + "    puts(guess < secret ? \"higher\" : \"lower\"); fflush(stdout);\n"
            + "  }\n"
            + "  fprintf(stderr, \"more than 20 guesses\"); return 1;\n"
            + "}\n";

    /** Binary search over 1..top, as the guessing game asks. */
    static final String BINARY_SEARCH = "lo, hi = 1, int(input())\n"
            + "while True:\n"
            + "    m = (lo + hi) // 2\n"
            + "    print(m, flush=True)\n"
            + "    r = input()\n"
            + "    if r == 'correct': break\n"
            + "    if r == 'higher': lo = m + 1\n"
            + "    else: hi = m - 1\n";

    @Test
    void an_interactive_guessing_game_is_solved_by_binary_search_and_its_output_file_is_checked() {
        // the checker reads the interactor's output file (the number of guesses) and the test's answer (the most allowed)
        String checker = "import sys\nn, most = (int(open(p).read()) for p in sys.argv[2:4])\n"
                + "print('%d guesses, at most %d' % (n, most), file=sys.stderr)\nsys.exit(0 if n <= most else 1)\n";
        JsonNode r = run(python(BINARY_SEARCH).interactor("c", GUESSING_INTERACTOR).checkerProgram("python", checker)
                .test("small", "37 100", "7", null).test("edge", "1 1000000", "20", null).test("strict", "250000 1000000", "1", null));
        assertThat(r.get("tests").findValuesAsText("status")).as("%s", r).containsExactly("OK", "OK", "WA");
        assertStatus(r, "WA");
        JsonNode tests = r.get("tests");
        assertThat(tests.get(0).get("checker_output").asText()).matches("\\d guesses, at most 7");
        assertThat(tests.get(2).get("checker_output").asText()).matches("\\d+ guesses, at most 1");
        assertThat(tests.get(0).get("stdout").asText()).as("the program's output went to the interactor").isEmpty();
        // without a checker, the interactor's verdict is the test's
        JsonNode plain = run(python(BINARY_SEARCH).interactor("c", GUESSING_INTERACTOR).test("37 100", null).test("999 1000", null));
        assertStatus(plain, "OK");
        assertThat(plain.get("tests").get(1).get("checker_output").asText()).startsWith("found in ");
    }

    @Test
    void readme_interactive_guessing_game_is_solved_in_3_and_20_guesses() throws Exception {
        assumeTrue(Files.isReadable(README), "no README.md in " + Path.of("").toAbsolutePath());
        // the body exactly as README "Interactive problems" sends it
        String section = Files.readString(README).split("### Interactive problems", 2)[1];
        String curl = section.substring(section.indexOf("```sh"), section.indexOf("```", section.indexOf("```sh") + 5));
        String body = curl.substring(curl.indexOf("-d '") + 4, curl.lastIndexOf("'"));
        Http.Reply r = http.post("/execute?wait=true", "application/json", body.getBytes(StandardCharsets.UTF_8));
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        JsonNode j = r.json();
        assertStatus(j, "OK");
        assertThat(j.get("tests_passed").asInt()).isEqualTo(2);
        assertThat(j.get("tests").findValuesAsText("checker_output")).containsExactly("found in 3", "found in 20");
        assertThat(j.get("tests").get(0).get("stdout").asText()).isEmpty();
        assertThat(curl).contains("\"checker_output\":\"found in 3\"", "\"checker_output\":\"found in 20\"");
    }

    @Test
    void an_interactive_program_that_guesses_wrong_gets_WA_from_the_interactor() {
        // guesses 1, 2, 3, …: more than 20 guesses for a secret above 20
        JsonNode r = run(python("input()\ng = 0\nwhile True:\n    g += 1\n    print(g, flush=True)\n"
                + "    if input() == 'correct': break\n").interactor("c", GUESSING_INTERACTOR).test("5 100", null).test("50 100", null));
        assertThat(r.get("tests").findValuesAsText("status")).as("%s", r).containsExactly("OK", "WA");
        assertStatus(r, "WA");
        assertThat(r.get("message").asText()).isEqualTo("test 2 of 2: wrong answer: more than 20 guesses");
    }

    @Test
    void an_interactive_program_that_never_answers_gets_its_own_TLE() {
        JsonNode r = run(python("input()\nimport time\ntime.sleep(60)").timeLimitSec(0.5)
                .interactor("c", GUESSING_INTERACTOR).test("5 100", null));
        assertStatus(r, "TLE");
        assertThat(r.get("tests").get(0).get("checker_output").asText()).as("the interactor saw the end of its input").isEqualTo("no guess 1");
    }

    @Test
    void an_interactor_that_exits_at_once_ends_the_test_cleanly() {
        long start = System.nanoTime();
        // it says WA without a word to the program, which then reads end of file and fails
        JsonNode r = run(python("import sys\nfor line in sys.stdin: print(line)\nsys.exit(4)").timeLimitSec(enough(5))
                .interactor("c", "#include <stdio.h>\nint main(void) { fputs(\"nothing to say\", stderr); return 1; }\n")
                .test("5 100", null).test("6 100", null));
        assertThat(r.get("tests").findValuesAsText("status")).as("%s", r).allMatch(st -> st.equals("WA") || st.equals("RE"));
        assertThat(r.get("tests").get(0).get("checker_output").asText()).isEqualTo("nothing to say");
        // no wait for a wall time limit (10 s a test)
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds((long) (15 * deployment.slowdown())));
        // an interactor that accepts at once leaves the program end of file: it exits 0, and the test is OK
        assertStatus(run(python("import sys\nsys.stdin.read()").interactor("c", "int main(void) { return 0; }\n")
                .test("", null)), "OK");
    }

    @Test
    void an_interactor_needs_tests_and_is_refused_with_400_naming_it() {
        assertProblem(http.postJson("/execute", python("print(1)").interactor("python", "pass").json()), 400, "interactor");
        ObjectNode notAProgram = python("print(1)").test("1", null).json();
        notAProgram.put("interactor", "guess.py");
        assertProblem(http.postJson("/execute", notAProgram), 400, "interactor");
        assertProblem(http.postJson("/execute", python("print(1)").test("1", null).interactor("cobol", "X").json()), 400,
                "interactor");
    }

    @Test
    void a_judged_submission_is_refused_with_400_naming_the_field_when_its_judge_fields_are_wrong() {
        Map<String, ObjectNode> cases = new LinkedHashMap<>();
        cases.put("stdin_data", python("print(1)").test("1", "1").json().put("stdin_data", "both"));
        cases.put("expected_output", python("print(1)").test("1", "1").json().put("expected_output", "1"));
        cases.put("checker", python("print(1)").checker("tokens").json());
        cases.put("tests", python("print(1)").test(null, "1", "1", -1.0).json());
        ObjectNode tolerance = python("print(1)").test("1", "1").json();
        tolerance.set("checker", Http.JSON.createObjectNode().put("name", "tokens").put("abs_tol", 0.1));
        cases.put("checker ", tolerance);
        cases.put(" checker", python("print(1)").test("1", "1").checkerProgram("cobol", "DISPLAY 'X'.").json());
        ObjectNode checkerFile = python("print(1)").test("1", "1").checkerProgram("python", "pass").json();
        ((ObjectNode) checkerFile.get("checker")).putArray("files").addObject().put("name", "input-1.txt").put("content", "x");
        cases.put("  checker", checkerFile);
        ObjectNode unknown = python("print(1)").json();
        unknown.putArray("tests").addObject().put("stdin", "1").put("timeout", 5);
        cases.put("tests ", unknown);
        cases.forEach((field, body) -> assertProblem(http.postJson("/execute", body), 400, field.strip()));
    }

    @Test
    void a_judged_submission_waits_batches_and_is_cached_like_any_other() {
        Http one = http.pinned();
        Submission s = python(unique() + "print(int(input()) * 2)").cache(true).test("1", "2").test("21", "42");
        Http.Reply waited = one.postJson("/execute?wait=true&timeout_sec=30", s.json());
        assertThat(waited.status()).as("%s", waited).isEqualTo(200);
        assertStatus(waited.json(), "OK");
        assertThat(waited.json().get("tests")).hasSize(2);
        Http.Reply again = one.postJson("/execute", s.json());
        assertThat(again.json().get("status").asText()).as("cached: %s", again).isEqualTo("OK");
        JsonNode copy = one.get("/result/" + again.json().get("submission_id").asText()).json();
        assertThat(copy.get("cached").asBoolean()).isTrue();
        assertThat(copy.get("tests")).isEqualTo(waited.json().get("tests"));
        ObjectNode envelope = Http.JSON.createObjectNode();
        envelope.putArray("submissions").add(python("print(input())").test("x", "x").json())
                .add(python("print(1)").test("1", "1").checker("nope").json());
        JsonNode answers = http.postJson("/execute/batch", envelope).json().get("submissions");
        assertThat(answers.get(1).get("field").asText()).isEqualTo("checker");
        JsonNode batched = awaitFinal(answers.get(0).get("submission_id").asText());
        assertStatus(batched, "OK");
        assertThat(batched.get("tests").get(0).get("stdout").asText()).isEqualTo("x\n");
    }

    // ------------------------------------------------------------------ GET /result/{id}

    @Test
    void a_final_result_has_every_documented_field_with_its_type() throws Exception {
        String id = submit(python("import sys\nprint('out')\nprint('err', file=sys.stderr)"));
        JsonNode r = awaitFinal(id);
        assertStatus(r, "OK");
        assertThat(r.get("submission_id").asText()).isEqualTo(id);
        assertThat(r.get("stdout").asText()).isEqualTo("out\n");
        assertThat(r.get("stderr").asText()).isEqualTo("err\n");
        assertThat(r.get("stdout_truncated").isBoolean()).isTrue();
        assertThat(r.get("stderr_truncated").isBoolean()).isTrue();
        assertThat(r.get("exit_code").asInt()).isZero();
        assertThat(r.get("exit_code").isIntegralNumber()).isTrue();
        assertThat(r.has("signal") && r.get("signal").isNull()).as("signal: present and null").isTrue();
        assertThat(r.get("time_sec").isNumber()).isTrue();
        assertThat(r.get("time_sec").asDouble()).isPositive();
        assertThat(r.get("cpu_time_sec").isNumber()).isTrue();
        assertThat(r.get("memory_kb").isIntegralNumber()).isTrue();
        assertThat(r.get("memory_kb").asLong()).isPositive();
        assertThat(r.has("message") && r.get("message").isNull()).as("message: present, null for OK").isTrue();
        assertThat(r.get("language").asText()).isEqualTo("python");
        assertThat(r.has("compile_output") && r.get("compile_output").isNull()).as("compile_output: null for an interpreted language").isTrue();
        Instant created = Instant.parse(r.get("created_at").asText());
        Instant started = Instant.parse(r.get("started_at").asText());
        Instant finished = Instant.parse(r.get("finished_at").asText());
        assertThat(r.get("created_at").asText()).endsWith("Z");
        assertThat(created).isBeforeOrEqualTo(started);
        assertThat(started).isBeforeOrEqualTo(finished);
        assertThat(r.get("cached").isBoolean()).isTrue();
        assertThat(r.get("cached").asBoolean()).isFalse();
        if (Files.isReadable(README)) {
            Set<String> documented = new LinkedHashSet<>(readmeTableNames("### `GET /result/{id}`"));
            documented.addAll(readmeTableNames("### Result fields and statuses"));
            List<String> present = new ArrayList<>();
            r.fieldNames().forEachRemaining(present::add);
            assertThat(present).as("fields of %s", r).containsAll(documented);
        }
    }

    // ------------------------------------------------------------------ statuses over time: the event stream

    /** Jobs the deployment runs at once: the concurrency of its live workers. */
    private int capacity() {
        int sum = 0;
        for (JsonNode w : http.get("/workers").json().path("workers")) {
            if (w.path("alive").asBoolean()) sum += w.path("concurrency").asInt();
        }
        return sum > 0 ? sum : http.get("/health").json().path("workers").asInt(1);
    }

    @Test
    void the_event_stream_shows_PENDING_then_PROCESSING_then_the_final_result() throws Exception {
        // every worker busy with a sleeper: the probe waits in the queue, so its stream starts PENDING
        List<String> sleepers = new ArrayList<>();
        for (int i = 0; i < capacity(); i++) {
            sleepers.add(submit(python("import time\ntime.sleep(" + enough(2.0) + ")").timeLimitSec(enough(2.0))));
        }
        String probe = submit(python("import time\ntime.sleep(0.5)\nprint('probed')"));
        SseLines.Stream_ stream = http.events("/result/" + probe + "/events");

        assertThat(stream.response().statusCode()).isEqualTo(200);
        assertThat(stream.response().headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<String> statuses = new ArrayList<>();
        for (SseLines.Event e : stream.events()) {
            assertThat(e.name()).isEqualTo("status");
            assertThat(e.json().get("submission_id").asText()).isEqualTo(probe);
            statuses.add(e.json().get("status").asText());
        }
        assertThat(statuses).as("statuses streamed").startsWith("PENDING").contains("PROCESSING").endsWith("OK");
        assertThat(statuses.indexOf("PROCESSING")).isGreaterThan(statuses.lastIndexOf("PENDING"));
        JsonNode pending = stream.events().get(0).json();
        assertThat(pending.get("stdout").isNull()).as("stdout until final").isTrue();
        assertThat(pending.get("stdout_truncated").isNull()).as("stdout_truncated until final").isTrue();
        assertThat(pending.get("finished_at").isNull()).isTrue();
        JsonNode last = stream.events().get(stream.events().size() - 1).json();
        assertThat(last).isEqualTo(http.get("/result/" + probe).json());
        for (String s : sleepers) assertStatus(awaitFinal(s), "OK");
    }

    // ------------------------------------------------------------------ waiting

    @Test
    void wait_true_answers_200_with_the_final_result() {
        Http.Reply r = http.postJson("/execute?wait=true&timeout_sec=30", python("print('waited')").json());
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        assertStatus(r.json(), "OK");
        assertThat(r.json().get("stdout").asText()).isEqualTo("waited\n");
        assertThat(r.json().get("finished_at").isTextual()).isTrue();
    }

    @Test
    void wait_shorter_than_the_run_answers_202_with_the_current_status() {
        Http.Reply r = http.postJson("/execute?wait=true&timeout_sec=0.3",
                python("import time\ntime.sleep(1.5)\nprint('late')").json());
        assertThat(r.status()).as("%s", r).isEqualTo(202);
        assertThat(r.json().get("status").asText()).isIn("PENDING", "PROCESSING");
        JsonNode done = awaitFinal(r.json().get("submission_id").asText());
        assertStatus(done, "OK");
        assertThat(done.get("stdout").asText()).isEqualTo("late\n");
    }

    @Test
    void bad_wait_or_timeout_sec_is_a_400_problem() {
        ObjectNode body = python("print(1)").json();
        assertProblem(http.postJson("/execute?wait=perhaps", body), 400, null);
        assertProblem(http.postJson("/execute?timeout_sec=5", body), 400, null);
        assertProblem(http.postJson("/execute?wait=true&timeout_sec=0", body), 400, null);
    }

    // ------------------------------------------------------------------ batches

    @Test
    void a_batch_judges_each_item_on_its_own_and_results_answers_in_order() {
        ObjectNode envelope = Http.JSON.createObjectNode();
        ArrayNode items = envelope.putArray("submissions");
        items.add(python("print('first')").json());
        items.add(of("cobol", "DISPLAY 'X'.").json());
        items.add(python("print('third')").json());
        Http.Reply r = http.postJson("/execute/batch", envelope);
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        JsonNode answers = r.json().get("submissions");
        assertThat(answers).hasSize(3);
        assertThat(answers.get(0).get("status").asText()).isEqualTo("PENDING");
        assertThat(answers.get(1).get("status").asInt()).isEqualTo(400);
        assertThat(answers.get(1).get("field").asText()).isEqualTo("language");
        assertThat(answers.get(2).get("status").asText()).isEqualTo("PENDING");
        String first = answers.get(0).get("submission_id").asText();
        String third = answers.get(2).get("submission_id").asText();
        awaitFinal(first);
        awaitFinal(third);

        String unknown = UUID.randomUUID().toString();
        Http.Reply results = http.get("/results?ids=" + first + "," + third + ",not-an-id," + unknown);
        assertThat(results.status()).as("%s", results).isEqualTo(200);
        JsonNode list = results.json().get("results");
        assertThat(list).hasSize(4);
        assertThat(list.get(0).get("stdout").asText()).isEqualTo("first\n");
        assertThat(list.get(1).get("stdout").asText()).isEqualTo("third\n");
        assertThat(list.get(2).get("status").asInt()).isEqualTo(400);
        assertThat(list.get(3).get("status").asInt()).isEqualTo(404);
    }

    @Test
    void a_malformed_batch_envelope_is_refused_whole_with_400() {
        ObjectNode empty = Http.JSON.createObjectNode();
        empty.putArray("submissions");
        assertProblem(http.postJson("/execute/batch", empty), 400, null);
        ObjectNode extra = Http.JSON.createObjectNode();
        extra.putArray("submissions").add(python("print(1)").json());
        extra.put("priority", 1);
        assertProblem(http.postJson("/execute/batch", extra), 400, null);
        assertProblem(http.post("/execute/batch", "application/json", "[]".getBytes(StandardCharsets.UTF_8)), 400, null);
    }

    // ------------------------------------------------------------------ result cache

    @Test
    void a_repeat_of_a_cached_run_is_a_copy_marked_cached_with_its_own_id() {
        Http one = http.pinned(); // each API process has its own cache
        Submission s = python(unique() + "print('computed once')").cache(true);
        String firstId = submit(one, s);
        JsonNode first = awaitFinal(firstId);
        assertStatus(first, "OK");
        Http.Reply again = one.postJson("/execute", s.json());
        assertThat(again.status()).as("%s", again).isEqualTo(202);
        assertThat(again.json().get("status").asText()).as("a cached answer is final at once").isEqualTo("OK");
        String secondId = again.json().get("submission_id").asText();
        assertThat(secondId).isNotEqualTo(firstId);
        JsonNode copy = http.get("/result/" + secondId).json();
        assertThat(copy.get("cached").asBoolean()).isTrue();
        assertThat(copy.get("stdout").asText()).isEqualTo("computed once\n");
        assertThat(copy.get("started_at").asText()).isEqualTo(copy.get("created_at").asText());
        assertThat(copy.get("finished_at").asText()).isEqualTo(copy.get("created_at").asText());
    }

    @Test
    void a_run_without_cache_true_is_never_answered_from_the_cache() {
        Http one = http.pinned();
        Submission s = python(unique() + "print('fresh')").cache(false);
        awaitFinal(submit(one, s));
        JsonNode second = awaitFinal(submit(one, s));
        assertThat(second.get("cached").asBoolean()).isFalse();
    }

    // ------------------------------------------------------------------ callbacks

    @Test
    void the_final_result_is_posted_to_callback_url_signed_with_the_callback_secret() throws Exception {
        requireCallbacks();
        String id = submit(python("print('called back')").callbackUrl(receiver.url("signed")));
        CallbackReceiver.Call call = awaitSignedCallback("signed", id);
        JsonNode body = Http.JSON.readTree(call.body());
        assertStatus(body, "OK");
        assertThat(body.get("stdout").asText()).isEqualTo("called back\n");
        assertThat(body).isEqualTo(Http.JSON.readTree(http.get("/result/" + id).body()));
    }

    // ------------------------------------------------------------------ API keys

    @Test
    void without_an_api_key_every_route_but_the_public_ones_answers_401() {
        requireKeys();
        for (Http.Reply r : List.of(anonymous.postJson("/execute", python("print(1)").json()),
                anonymous.get("/languages"), anonymous.get("/result/" + UUID.randomUUID()), anonymous.get("/results?ids=" + UUID.randomUUID()),
                anonymous.get("/submissions/recent"), anonymous.get("/metrics"))) {
            assertProblem(r, 401, null);
            assertThat(r.header("WWW-Authenticate")).as("%s", r).hasValue("Bearer realm=\"runbox\"");
        }
        for (String open : List.of("/health", "/ready", "/openapi.json", "/docs")) {
            assertThat(anonymous.get(open).status()).as("%s without a key", open).isEqualTo(200);
        }
        assertProblem(http.withKey(Optional.of("not-a-key-of-this-server-0123456789")).get("/languages"), 401, null);
    }

    @Test
    void a_submission_is_visible_only_to_the_key_that_made_it() throws Exception {
        requireKeys();
        assumeTrue(deployment.otherApiKey().isPresent(), "no second API key (-D" + ExternalDeployment.OTHER_API_KEY + ")");
        Http owner = http.pinned();
        Http other = owner.withKey(deployment.otherApiKey());
        String id = submit(owner, python("print('mine')"));
        awaitFinal(owner, id);
        assertProblem(other.get("/result/" + id), 404, null);
        assertThat(other.get("/results?ids=" + id).json().get("results").get(0).get("status").asInt()).isEqualTo(404);
        assertThat(other.get("/result/" + id + "/events", "Accept", "text/event-stream").status()).isEqualTo(404);
        assertThat(other.get("/submissions/recent").json().get("submissions").findValuesAsText("submission_id")).doesNotContain(id);
        assertThat(owner.get("/result/" + id).status()).isEqualTo(200);
    }

    // ------------------------------------------------------------------ errors

    @Test
    void an_invalid_field_is_a_400_problem_naming_the_field() {
        Map<String, ObjectNode> cases = new LinkedHashMap<>();
        cases.put("time_limit_sec", python("print(1)").json().put("time_limit_sec", "2"));
        cases.put("memory_limit_mb", python("print(1)").memoryLimitMb(1).json());
        cases.put("cpu_cores", python("print(1)").cpuCores(0).json());
        cases.put("language", of("cobol", "DISPLAY 'X'.").json());
        cases.put("stdin_data", python("print(1)").json().put("stdin_data", 5));
        cases.put("cache", python("print(1)").json().put("cache", "yes"));
        cases.put("compiler_options", python("print(1)").compilerOptions("-O2").json());
        cases.put("command_line_arguments", python("print(1)").json().put("command_line_arguments", "a b"));
        cases.put("expected_output", python("print(1)").json().put("expected_output", 1));
        cases.put("callback_url", python("print(1)").callbackUrl("ftp://example.com/hook").json());
        cases.put("enable_network", python("print(1)").json().put("enable_network", true));
        cases.put("files", python("print(1)").file("../escape.py", "x = 1").json());
        cases.put("tests", python("print(1)").json().set("tests", Http.JSON.createArrayNode()));
        cases.put("checker", python("print(1)").test("1", "1").checker("close_enough").json());
        cases.put("stop_on_first_failure", python("print(1)").test("1", "1").json().put("stop_on_first_failure", "yes"));
        cases.put("collect", python("print(1)").collect("../etc/passwd").json());
        cases.put("interactor", python("print(1)").interactor("python", "pass").json());
        cases.put("stderr_to_stdout", python("print(1)").json().put("stderr_to_stdout", "yes"));
        ObjectNode noSource = python("print(1)").json();
        noSource.remove("source_code");
        cases.put("source_code", noSource);
        assertThat(cases.keySet()).as("a case for every field").containsAll(Submission.FIELDS);
        cases.forEach((field, body) -> {
            Http.Reply r = http.postJson("/execute", body);
            assertProblem(r, 400, field);
            assertThat(r.json().get("instance").asText()).isEqualTo("/execute");
        });
    }

    @Test
    void a_body_that_is_not_json_is_400_and_one_not_declared_json_is_415() {
        assertProblem(http.post("/execute", "application/json", "{\"source_code\": ".getBytes(StandardCharsets.UTF_8)), 400, null);
        assertProblem(http.post("/execute", "text/plain", python("print(1)").json().toString().getBytes(StandardCharsets.UTF_8)), 415, null);
    }

    @Test
    void a_body_past_the_size_limit_is_413() throws Exception {
        // Over a plain socket: a 40 MB Content-Length and the body's first bytes, then the answer is read.
        // The server refuses by the announced length without reading on and may close the connection, so a
        // client still writing the rest would see a broken pipe instead of the answer (a race, not the API).
        java.net.URI base = deployment.apiBases().get(0);
        try (java.net.Socket socket = new java.net.Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(30_000);
            String request = "POST /execute HTTP/1.1\r\nHost: " + base.getHost() + "\r\nContent-Type: application/json\r\n"
                    + deployment.apiKey().map(k -> "Authorization: Bearer " + k + "\r\n").orElse("")
                    + "Content-Length: " + 40 * 1024 * 1024 + "\r\nConnection: close\r\n\r\n{\"source_code\":\"xxxx";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).as(answer).startsWith("HTTP/1.1 413 ");
            assertThat(answer).as(answer).containsIgnoringCase("content-type: application/problem+json").contains("\"status\":413");
        }
    }

    @Test
    void an_unknown_id_is_404_and_a_malformed_one_400() {
        assertProblem(http.get("/result/" + UUID.randomUUID()), 404, null);
        assertProblem(http.get("/result/not-an-id"), 400, null);
    }

    @Test
    void an_unknown_route_is_404_and_a_wrong_method_405() {
        assertProblem(http.get("/no-such-route"), 404, null);
        assertProblem(http.send("DELETE", "/execute", null, null), 405, null);
        assertProblem(http.get("/execute"), 405, null);
    }

    @Test
    void an_event_stream_asked_for_without_accept_text_event_stream_is_406() {
        String id = submit(python("print(1)"));
        assertProblem(http.get("/result/" + id + "/events", "Accept", "application/json"), 406, null);
        awaitFinal(id);
    }

    // ------------------------------------------------------------------ other endpoints

    @Test
    void health_answers_ok_with_the_queue_and_worker_counts() {
        Http.Reply r = anonymous.get("/health");
        assertThat(r.status()).isEqualTo(200);
        JsonNode h = r.json();
        assertThat(h.get("status").asText()).isEqualTo("ok");
        assertThat(h.has("queue_depth")).isTrue();
        assertThat(h.get("workers").isInt()).isTrue();
        assertThat(h.get("workers_busy").isInt()).isTrue();
    }

    @Test
    void ready_answers_ready() {
        Http.Reply r = anonymous.get("/ready");
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        assertThat(r.json().get("status").asText()).isEqualTo("ready");
    }

    @Test
    void languages_lists_id_name_version_and_source_file_of_each() {
        Http.Reply r = http.get("/languages");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().isArray()).isTrue();
        assertThat(r.json().findValuesAsText("id")).contains("python");
        for (JsonNode l : r.json()) {
            for (String f : List.of("id", "name", "version", "source_file")) {
                assertThat(l.path(f).isTextual()).as("%s of %s", f, l).isTrue();
            }
        }
    }

    @Test
    void every_listed_language_has_a_hello_program_in_this_suite() {
        List<String> listed = http.get("/languages").json().findValuesAsText("id");
        assertThat(HelloPrograms.BY_LANGUAGE.keySet()).as("add a hello for each language GET /languages lists").containsAll(listed);
    }

    @TestFactory
    Stream<DynamicTest> hello_world_runs_in_every_listed_language() {
        Map<String, String> submitted = new LinkedHashMap<>();
        for (JsonNode l : http.get("/languages").json()) {
            String id = l.get("id").asText();
            String source = HelloPrograms.BY_LANGUAGE.get(id);
            if (source == null) continue; // every_listed_language_has_a_hello_program_in_this_suite fails for it
            submitted.put(id, submit(of(id, source).timeLimitSec(enough(5)).memoryLimitMb(256)));
        }
        return submitted.entrySet().stream().map(e -> DynamicTest.dynamicTest("hello world in " + e.getKey(), () -> {
            JsonNode r = awaitFinal(e.getValue());
            assertStatus(r, "OK");
            assertThat(r.get("stdout").asText()).isEqualTo(HelloPrograms.OUTPUT);
            assertThat(r.get("language").asText()).isEqualTo(e.getKey());
        }));
    }

    @TestFactory
    Stream<DynamicTest> piston_v2_api() {
        return new PistonCases(http, anonymous, deployment.apiKey().isPresent(), deployment.slowdown()).tests();
    }

    @Test
    void openapi_json_is_an_openapi_3_1_document_of_every_route() {
        Http.Reply r = anonymous.get("/openapi.json");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("openapi").asText()).startsWith("3.1");
        List<String> paths = new ArrayList<>();
        r.json().get("paths").fieldNames().forEachRemaining(paths::add);
        assertThat(paths).contains("/execute", "/execute/batch", "/result/{id}", "/result/{id}/events", "/results", "/health",
                "/ready", "/languages", "/metrics", "/openapi.json", "/docs", "/submissions/recent");
    }

    @Test
    void docs_is_the_swagger_ui_page() {
        Http.Reply r = anonymous.get("/docs");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("text/html");
        assertThat(r.body().toLowerCase()).contains("swagger");
    }

    @Test
    void metrics_are_in_the_prometheus_text_format() {
        awaitFinal(submit(python("print(1)")));
        Http.Reply r = http.get("/metrics");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("text/plain");
        assertThat(r.body()).contains("# TYPE ").contains("http_server_requests_seconds_count").contains("runbox_queue_depth");
    }

    @Test
    void recent_submissions_list_a_new_submission_first_without_its_output() {
        Http one = http.pinned(); // the list is of this API process's submissions
        String id = submit(one, python("print('recent')"));
        Http.Reply r = one.get("/submissions/recent");
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        assertThat(r.json().get("capacity").isInt()).isTrue();
        JsonNode newest = r.json().get("submissions").get(0);
        assertThat(newest.get("submission_id").asText()).isEqualTo(id);
        assertThat(newest.get("status").isTextual()).isTrue();
        assertThat(newest.get("language").asText()).isEqualTo("python");
        assertThat(newest.has("stdout")).as("no output in %s", newest).isFalse();
        awaitFinal(id);
    }

    @Test
    void requests_spread_over_every_api_server_reach_the_same_results() {
        String id = submit(python("print('anywhere')"));
        awaitFinal(id);
        for (int i = 0; i < http.servers(); i++) {
            Http.Reply r = http.get("/result/" + id);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().get("stdout").asText()).isEqualTo("anywhere\n");
        }
    }

    // ------------------------------------------------------------------ the Judge0 drop-in API (README "Coming from Judge0")

    private static String b64(String s) {
        return java.util.Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String unb64(JsonNode n) {
        return n == null || n.isNull() ? null : new String(java.util.Base64.getMimeDecoder().decode(n.asText()), StandardCharsets.UTF_8);
    }

    /** A Judge0 submission with every field a Judge0 client may send (nulls where Judge0's default is meant). */
    private static ObjectNode judge0(int languageId, String source, String stdin) {
        ObjectNode b = Http.JSON.createObjectNode();
        b.put("source_code", source);
        b.put("language_id", languageId);
        b.put("stdin", stdin);
        b.putNull("expected_output");
        b.put("compiler_options", "");
        b.put("command_line_arguments", "");
        b.putNull("cpu_time_limit");
        b.put("cpu_extra_time", 0.5);
        b.put("wall_time_limit", 10);
        b.put("memory_limit", 128000);
        b.put("stack_limit", 64000);
        b.put("max_processes_and_or_threads", 60);
        b.put("enable_per_process_and_thread_time_limit", false);
        b.put("enable_per_process_and_thread_memory_limit", false);
        b.put("max_file_size", 1024);
        b.put("redirect_stderr_to_stdout", false);
        b.put("enable_network", false);
        b.put("number_of_runs", 1);
        b.putNull("additional_files");
        b.putNull("callback_url");
        return b;
    }

    private JsonNode judge0Wait(ObjectNode body) {
        Http.Reply r = http.postJson("/judge0/submissions?base64_encoded=false&wait=true&fields=*", body);
        assertThat(r.status()).as("%s", r).isEqualTo(201);
        return r.json();
    }

    @Test
    void judge0_wait_true_answers_201_with_accepted_and_decimal_time_strings() {
        JsonNode r = judge0Wait(judge0(71, "print(input()[::-1])", "olleh").put("cpu_time_limit", enough(2)));
        assertThat(r.get("status").get("id").asInt()).as("%s", r).isEqualTo(3);
        assertThat(r.get("status").get("description").asText()).isEqualTo("Accepted");
        assertThat(r.get("status_id").asInt()).isEqualTo(3);
        assertThat(r.get("stdout").asText()).isEqualTo("hello\n");
        assertThat(r.get("time").isTextual()).as("time is a decimal string: %s", r).isTrue();
        assertThat(Double.parseDouble(r.get("time").asText())).isGreaterThanOrEqualTo(0);
        assertThat(Double.parseDouble(r.get("wall_time").asText())).isGreaterThan(0);
        assertThat(r.get("memory").asLong()).isGreaterThan(0);
        assertThat(r.get("language").get("id").asInt()).isEqualTo(71);
        assertThat(r.get("language_id").asInt()).isEqualTo(71);
        assertThat(r.get("exit_code").asInt()).isEqualTo(0);
        assertThat(r.get("created_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(r.has("source_code")).as("Runbox keeps no source: left out of *").isFalse();
    }

    @Test
    void judge0_wrong_answer_time_limit_compilation_error_and_nzec_have_judge0_status_ids() {
        assertThat(judge0Wait(judge0(71, "print(41)", "").put("expected_output", "42").put("cpu_time_limit", enough(2)))
                .get("status").get("id").asInt()).isEqualTo(4);
        JsonNode tle = judge0Wait(judge0(71, "while True: pass", "").put("cpu_time_limit", 0.3));
        assertThat(tle.get("status").get("id").asInt()).as("%s", tle).isEqualTo(5);
        assertThat(tle.get("status").get("description").asText()).isEqualTo("Time Limit Exceeded");
        JsonNode ce = judge0Wait(judge0(50, "int main( { return 0; }", ""));
        assertThat(ce.get("status").get("id").asInt()).as("%s", ce).isEqualTo(6);
        assertThat(ce.get("compile_output").asText()).contains("error");
        JsonNode nzec = judge0Wait(judge0(71, "import sys; sys.exit(3)", "").put("cpu_time_limit", enough(2)));
        assertThat(nzec.get("status").get("id").asInt()).as("%s", nzec).isEqualTo(11);
        assertThat(nzec.get("exit_code").asInt()).isEqualTo(3);
    }

    @Test
    void judge0_async_token_then_poll_until_done() {
        Http.Reply created = http.postJson("/judge0/submissions?base64_encoded=true&wait=false",
                judge0(71, b64("print('polled')"), b64("")).put("cpu_time_limit", enough(2)));
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        assertThat(created.json().size()).as("only the token: %s", created).isEqualTo(1);
        String token = created.json().get("token").asText();
        JsonNode[] last = new JsonNode[1];
        await().atMost(RESULT_DEADLINE).pollInterval(Duration.ofMillis(100)).until(() -> {
            Http.Reply r = http.get("/judge0/submissions/" + token + "?base64_encoded=true");
            assertThat(r.status()).as("%s", r).isEqualTo(200);
            last[0] = r.json();
            return last[0].get("status").get("id").asInt() > 2;
        });
        List<String> keys = new ArrayList<>();
        last[0].fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactly("token", "time", "memory", "stdout", "stderr", "compile_output", "message", "status");
        assertThat(unb64(last[0].get("stdout"))).isEqualTo("polled\n");
        assertThat(last[0].get("token").asText()).isEqualTo(token);
    }

    @Test
    void judge0_base64_round_trips_stdin_and_stdout_and_refuses_non_utf8_output_without_it() {
        String text = "héllo wörld ✓\nsecond line";
        JsonNode r = http.postJson("/judge0/submissions?base64_encoded=true&wait=true",
                judge0(71, b64("import sys\nsys.stdout.write(sys.stdin.read())"), b64(text)).put("cpu_time_limit", enough(2))).json();
        assertThat(unb64(r.get("stdout"))).as("%s", r).isEqualTo(text);
        String token = http.postJson("/judge0/submissions?wait=false",
                judge0(71, "import sys\nsys.stdout.buffer.write(b'\\xff\\xfe')", "").put("cpu_time_limit", enough(2))).json().get("token").asText();
        await().atMost(RESULT_DEADLINE).pollInterval(Duration.ofMillis(100)).until(() ->
                http.get("/judge0/submissions/" + token + "?base64_encoded=true").json().get("status").get("id").asInt() > 2);
        Http.Reply plain = http.get("/judge0/submissions/" + token);
        assertThat(plain.status()).as("%s", plain).isEqualTo(400);
        assertThat(plain.json().get("error").asText()).contains("use base64_encoded=true");
        assertThat(http.get("/judge0/submissions/" + token + "?base64_encoded=true").json().get("stdout").isTextual()).isTrue();
    }

    @Test
    void judge0_additional_files_zip_is_unpacked_into_box_and_a_zip_with_a_directory_is_refused() throws Exception {
        String zip = zip(Map.of("helper.py", "def shout(s):\n    return s.upper() + '!'\n", "data.txt", "from the zip"));
        JsonNode r = judge0Wait(judge0(71, "from helper import shout\nprint(shout(open('data.txt').read()))", "")
                .put("additional_files", zip).put("cpu_time_limit", enough(2)));
        assertThat(r.get("status").get("id").asInt()).as("%s", r).isEqualTo(3);
        assertThat(r.get("stdout").asText()).isEqualTo("FROM THE ZIP!\n");
        Http.Reply refused = http.postJson("/judge0/submissions", judge0(71, "print(1)", "")
                .put("additional_files", zip(Map.of("lib/helper.py", "x = 1\n"))));
        assertThat(refused.status()).as("%s", refused).isEqualTo(422);
        assertThat(refused.json().get("additional_files").get(0).asText()).contains("directory");
    }

    private static String zip(Map<String, String> files) throws java.io.IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(bytes)) {
            for (Map.Entry<String, String> f : new java.util.TreeMap<>(files).entrySet()) {
                z.putNextEntry(new java.util.zip.ZipEntry(f.getKey()));
                z.write(f.getValue().getBytes(StandardCharsets.UTF_8));
                z.closeEntry();
            }
        }
        return java.util.Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    @Test
    void judge0_refusals_are_422_objects_of_field_to_messages() {
        ObjectNode bad = judge0(9999, "", "");
        bad.put("enable_network", true);
        Http.Reply r = http.postJson("/judge0/submissions", bad);
        assertThat(r.status()).as("%s", r).isEqualTo(422);
        assertThat(r.json().get("language_id").get(0).asText()).isEqualTo("language with id 9999 doesn't exist");
        assertThat(r.json().get("source_code").get(0).asText()).isEqualTo("can't be blank");
        assertThat(r.json().get("enable_network").get(0).asText()).contains("network");
        Http.Reply tooLong = http.postJson("/judge0/submissions", judge0(71, "print(1)", "").put("cpu_time_limit", 1000));
        assertThat(tooLong.status()).isEqualTo(422);
        assertThat(tooLong.json().get("cpu_time_limit").get(0).asText()).startsWith("must be less than or equal to");
        Http.Reply fields = http.get("/judge0/submissions/" + UUID.randomUUID() + "?fields=stdout,nonsense");
        assertThat(fields.status()).isEqualTo(400);
        assertThat(fields.json().get("error").asText()).isEqualTo("invalid fields: [nonsense]");
        assertThat(http.get("/judge0/submissions/" + UUID.randomUUID()).status()).isEqualTo(404);
    }

    @Test
    void judge0_languages_carry_judge0_ce_ids_and_statuses_are_judge0s() {
        Http.Reply r = http.get("/judge0/languages");
        assertThat(r.status()).isEqualTo(200);
        Map<Integer, String> ids = new LinkedHashMap<>();
        r.json().forEach(l -> ids.put(l.get("id").asInt(), l.get("name").asText()));
        Http.Reply runbox = http.get("/languages");
        List<String> offered = new ArrayList<>();
        runbox.json().forEach(l -> offered.add(l.get("id").asText()));
        Map<String, Integer> expected = Map.of("python", 71, "c", 50, "cpp", 54, "java", 62, "javascript", 63, "bash", 46,
                "perl", 85, "rust", 73, "go", 60);
        expected.forEach((id, judge0Id) -> {
            if (offered.contains(id)) assertThat(ids).as("Judge0 id of %s", id).containsKey(judge0Id);
        });
        JsonNode python = http.get("/judge0/languages/71").json();
        assertThat(python.get("source_file").asText()).isEqualTo("main.py");
        assertThat(python.get("run_cmd").asText()).contains("python3");
        assertThat(http.get("/judge0/languages/1").status()).isEqualTo(404);
        JsonNode statuses = http.get("/judge0/statuses").json();
        assertThat(statuses).hasSize(14);
        assertThat(statuses.get(2).get("description").asText()).isEqualTo("Accepted");
        assertThat(http.get("/judge0/about").json().get("version").asText()).isEqualTo("1.13.1");
    }

    @Test
    void judge0_batch_of_two_then_batch_read_by_tokens() {
        ObjectNode env = Http.JSON.createObjectNode();
        ArrayNode items = env.putArray("submissions");
        items.add(judge0(71, b64("print('one')"), null).put("cpu_time_limit", enough(2)));
        items.add(judge0(71, b64(""), null));
        Http.Reply r = http.postJson("/judge0/submissions/batch?base64_encoded=true", env);
        assertThat(r.status()).as("%s", r).isEqualTo(201);
        String token = r.json().get(0).get("token").asText();
        assertThat(r.json().get(1).get("source_code").get(0).asText()).isEqualTo("can't be blank");
        String missing = UUID.randomUUID().toString();
        await().atMost(RESULT_DEADLINE).pollInterval(Duration.ofMillis(100)).until(() -> {
            JsonNode subs = http.get("/judge0/submissions/batch?tokens=" + token + "," + missing + "&base64_encoded=true&fields=*")
                    .json().get("submissions");
            assertThat(subs.get(1).isNull()).isTrue();
            return subs.get(0).get("status_id").asInt() > 2;
        });
        JsonNode done = http.get("/judge0/submissions/batch?tokens=" + token + "&base64_encoded=true&fields=stdout,status_id").json();
        assertThat(unb64(done.get("submissions").get(0).get("stdout"))).isEqualTo("one\n");
    }

    @Test
    void judge0_x_auth_token_is_taken_as_the_api_key() {
        assumeTrue(deployment.apiKey().isPresent(), "needs an API key (keys on)");
        Http.Reply none = anonymous.get("/judge0/languages");
        assertThat(none.status()).isEqualTo(401);
        Http.Reply header = anonymous.get("/judge0/languages", "X-Auth-Token", deployment.apiKey().get());
        assertThat(header.status()).as("%s", header).isEqualTo(200);
        Http.Reply query = anonymous.get("/judge0/config_info?X-Auth-Token=" + deployment.apiKey().get());
        assertThat(query.status()).as("%s", query).isEqualTo(200);
        assertThat(query.json().get("enable_network").asBoolean()).isFalse();
        Http.Reply preflight = anonymous.send("OPTIONS", "/judge0/submissions", null, null,
                "Origin", "https://ide.example", "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "x-auth-token");
        assertThat(preflight.status()).as("a CORS preflight needs no key: %s", preflight).isEqualTo(204);
        assertThat(preflight.header("Access-Control-Allow-Origin")).contains("*");
    }
}
