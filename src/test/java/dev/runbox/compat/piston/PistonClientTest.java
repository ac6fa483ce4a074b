package dev.runbox.compat.piston;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runbox.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.runbox.testing.TestServer.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The npm package {@code piston-client} (a real Piston client, run by node) against a live Runbox: what
 * a Piston user's code does, unchanged but for the server's address.
 */
class PistonClientTest {

    /** The client's version: pinned, so that a new release cannot change what this test means. */
    private static final String CLIENT = "piston-client@1.0.2";
    private static final Path HOME = Path.of("target", "piston-client").toAbsolutePath();
    /** Calls the client: {@code node call.mjs SERVER runtimes} or {@code node call.mjs SERVER execute '{"language", "code", "config"}'}. */
    private static final String SCRIPT = """
            import piston from 'piston-client';
            const [server, op, arg] = process.argv.slice(2);
            const client = piston({ server });
            let out;
            if (op === 'runtimes') {
              out = await client.runtimes();
            } else {
              const a = JSON.parse(arg);
              out = a.code === undefined ? await client.execute(a.config) : await client.execute(a.language, a.code, a.config);
            }
            process.stdout.write(JSON.stringify(out));
            """;

    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(onPath("node") && onPath("npm"), "node and npm are not installed (apt-get install nodejs npm): piston-client cannot run");
        Files.createDirectories(HOME);
        if (!Files.isDirectory(HOME.resolve("node_modules/piston-client"))) {
            Process npm = new ProcessBuilder("npm", "install", "--prefix", HOME.toString(), "--no-audit", "--no-fund",
                    "--cache", HOME.resolve("npm-cache").toString(), CLIENT)
                    .redirectErrorStream(true).start();
            String log = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(npm.waitFor(300, TimeUnit.SECONDS)).as("npm install finished").isTrue();
            assertThat(npm.exitValue()).as("npm install %s: %s", CLIENT, log).isZero();
        }
        Files.writeString(HOME.resolve("call.mjs"), SCRIPT);
        server = TestServer.start(Map.of("workers", "2"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) return true;
        }
        return false;
    }

    private static JsonNode client(String... args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("node", HOME.resolve("call.mjs").toString(), server.base()));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).directory(HOME.toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("node finished").isTrue();
        assertThat(p.exitValue()).as("node: %s", err).isZero();
        return JSON.readTree(out);
    }

    private static JsonNode execute(String language, String code, ObjectNode config) throws Exception {
        ObjectNode a = JSON.createObjectNode();
        a.put("language", language);
        a.put("code", code);
        a.set("config", config);
        return client("execute", a.toString());
    }

    private static ObjectNode config(Object... fieldsAndValues) {
        ObjectNode n = JSON.createObjectNode();
        for (int i = 0; i < fieldsAndValues.length; i += 2) n.set((String) fieldsAndValues[i], JSON.valueToTree(fieldsAndValues[i + 1]));
        return n;
    }

    @Test
    void runtimes_list_each_language_with_a_semver_version_and_its_aliases() throws Exception {
        JsonNode runtimes = client("runtimes");
        assertThat(runtimes.isArray()).as("%s", runtimes).isTrue();
        List<String> languages = runtimes.findValuesAsText("language");
        assertThat(languages).contains("python", "c", "bash", "javascript");
        for (JsonNode rt : runtimes) {
            assertThat(rt.get("version").asText()).as("%s", rt).matches("\\d+\\.\\d+\\.\\d+");
            assertThat(rt.get("aliases").isArray()).as("%s", rt).isTrue();
        }
        JsonNode python = runtimes.findParents("language").stream().filter(n -> n.get("language").asText().equals("python")).findFirst().orElseThrow();
        assertThat(python.get("aliases").toString()).contains("\"py\"", "\"python3\"");
    }

    @Test
    void python_runs_with_stdin_and_the_clients_default_args() throws Exception {
        JsonNode r = execute("python", "import sys\nprint(input()[::-1], sys.argv[1:])", config("stdin", "hello"));
        assertThat(r.get("language").asText()).as("%s", r).isEqualTo("python");
        assertThat(r.get("version").asText()).matches("3\\.\\d+\\.\\d+");
        JsonNode run = r.get("run");
        assertThat(run.get("stdout").asText()).isEqualTo("olleh ['1', '2', '3']\n"); // piston-client sends args 1 2 3 unless told
        assertThat(run.get("stderr").asText()).isEmpty();
        assertThat(run.get("output").asText()).isEqualTo(run.get("stdout").asText());
        assertThat(run.get("code").asInt()).isZero();
        assertThat(run.get("signal").isNull()).isTrue();
        assertThat(run.get("status").isNull()).isTrue();
        assertThat(run.get("cpu_time").asLong()).isPositive();
        assertThat(run.get("wall_time").asLong()).isPositive();
        assertThat(run.get("memory").asLong()).isGreaterThan(1024 * 1024);
        assertThat(r.has("compile")).as("an interpreted language has no compile stage: %s", r).isFalse();
    }

    @Test
    void c_compiles_then_runs() throws Exception {
        JsonNode r = execute("c", "#include <stdio.h>\nint main(int argc, char **argv) { printf(\"c %d\\n\", argc); return 3; }\n",
                config("args", List.of("a", "b")));
        assertThat(r.get("compile").get("code").asInt()).as("%s", r).isZero();
        assertThat(r.get("compile").get("status").isNull()).isTrue();
        assertThat(r.get("run").get("stdout").asText()).isEqualTo("c 3\n");
        assertThat(r.get("run").get("code").asInt()).isEqualTo(3);
        assertThat(r.get("run").get("status").asText()).isEqualTo("RE");
    }

    @Test
    void bash_and_javascript_run() throws Exception {
        JsonNode bash = execute("bash", "read x; echo \"bash $x $#\"; echo oops >&2", config("stdin", "in", "args", List.of()));
        assertThat(bash.get("run").get("stdout").asText()).as("%s", bash).isEqualTo("bash in 0\n");
        assertThat(bash.get("run").get("stderr").asText()).isEqualTo("oops\n");
        assertThat(bash.get("run").get("output").asText()).contains("bash in 0\n", "oops\n");
        JsonNode js = execute("javascript", "console.log('js', process.argv.slice(2).join(','))", config());
        assertThat(js.get("run").get("stdout").asText()).as("%s", js).isEqualTo("js 1,2,3\n");
        assertThat(js.get("run").get("code").asInt()).isZero();
    }

    @Test
    void a_compile_error_is_the_compile_stage_and_the_run_is_that_stage_again() throws Exception {
        JsonNode r = execute("c", "int main(void) { return undefined_thing; }\n", config());
        JsonNode compile = r.get("compile");
        assertThat(compile.get("code").asInt()).as("%s", r).isNotZero();
        assertThat(compile.get("status").asText()).isEqualTo("RE");
        assertThat(compile.get("stderr").asText()).contains("undefined_thing");
        assertThat(compile.get("output").asText()).contains("undefined_thing");
        assertThat(r.get("run")).isEqualTo(compile);
    }

    @Test
    void an_unknown_language_is_pistons_message() throws Exception {
        JsonNode r = execute("brainfudge", "+", config("version", "1.0.0"));
        assertThat(r.get("message").asText()).as("%s", r).isEqualTo("brainfudge-1.0.0 runtime is unknown");
        JsonNode noVersion = execute("brainfudge", "+", config());
        // the client finds no version for it in GET /runtimes and sends none
        assertThat(noVersion.get("message").asText()).as("%s", noVersion).isEqualTo("version is required as a string");
    }

    @Test
    void a_timeout_is_status_TO_with_SIGKILL() throws Exception {
        JsonNode r = execute("python", "while True: pass", config("runTimeout", 1000));
        JsonNode run = r.get("run");
        assertThat(run.get("status").asText()).as("%s", r).isEqualTo("TO");
        assertThat(run.get("signal").asText()).isEqualTo("SIGKILL");
        assertThat(run.get("code").isNull()).isTrue();
        // run_timeout 1000 ms wall: the CPU time limit is half of it, so both hold
        assertThat(run.get("wall_time").asLong()).isLessThan(3000);
    }
}
