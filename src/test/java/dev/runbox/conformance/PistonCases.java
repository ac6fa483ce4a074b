package dev.runbox.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runbox.testing.PistonSocket;
import org.junit.jupiter.api.DynamicTest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's Piston part as a black box: {@code /api/v2} (and {@code /api/v2/piston}) over real HTTP,
 * requests spread over the deployment's API servers like every other case of the suite. Each request
 * writes every Piston field ({@link #request}), so a field lost on the way changes an answer checked here.
 */
final class PistonCases {

    private final Http http;
    private final Http anonymous;
    private final boolean keysOn;
    private final double slowdown;

    /**
     * @param anonymous the same servers without an API key
     * @param keysOn    whether the deployment has API keys on (then the anonymous requests are refused)
     */
    PistonCases(Http http, Http anonymous, boolean keysOn, double slowdown) {
        this.http = http;
        this.anonymous = anonymous;
        this.keysOn = keysOn;
        this.slowdown = slowdown;
    }

    Stream<DynamicTest> tests() {
        List<DynamicTest> t = new ArrayList<>();
        t.add(DynamicTest.dynamicTest("piston: execute runs python by an alias, with stdin, args and every field", this::executeOk));
        t.add(DynamicTest.dynamicTest("piston: a signal is SG with its name, a timeout TO with SIGKILL", this::signalAndTimeout));
        t.add(DynamicTest.dynamicTest("piston: a compiled language has a compile stage; a failed compile is also the run", this::compileStage));
        t.add(DynamicTest.dynamicTest("piston: base64 and hex files arrive as bytes beside the program", this::encodedFiles));
        t.add(DynamicTest.dynamicTest("piston: a multi-file C program compiles every .c file", this::multiFile));
        t.add(DynamicTest.dynamicTest("piston: runtimes list versions and aliases, on both paths", this::runtimes));
        t.add(DynamicTest.dynamicTest("piston: refusals are 400 {message} in Piston's words", this::refusals));
        t.add(DynamicTest.dynamicTest("piston: a body without Content-Type is read as JSON", this::noContentType));
        t.add(DynamicTest.dynamicTest("piston: packages are the operator's: 501 {message}", this::packages));
        t.add(DynamicTest.dynamicTest("piston: connect runs a program live: stdin sent while it runs reaches it, output comes as written",
                this::connectLive));
        t.add(DynamicTest.dynamicTest("piston: connect passes a client's signal to the program, on both paths", this::connectSignal));
        t.add(DynamicTest.dynamicTest("piston: connect compiles C in a stage of its own; a failed compile ends the job", this::connectCompiled));
        t.add(DynamicTest.dynamicTest("piston: connect closes with Piston's codes on protocol errors", this::connectErrors));
        t.add(DynamicTest.dynamicTest("piston: README's connect example greets Ada", this::connectReadmeExample));
        return t.stream();
    }

    /** ms of CPU a run that must end by itself gets here (at most the server's 20 s). */
    private long enoughMs(double seconds) {
        return Math.round(Math.min(20, seconds * slowdown) * 1000);
    }

    /** A request with every field Piston v2 takes; limits that let a small program end by itself. */
    private ObjectNode request(String language, String version, String mainName, String mainContent) {
        ObjectNode r = Http.JSON.createObjectNode();
        r.put("language", language);
        r.put("version", version);
        ArrayNode files = r.putArray("files");
        files.addObject().put("name", mainName).put("content", mainContent).put("encoding", "utf8");
        r.put("stdin", "");
        r.putArray("args");
        r.put("compile_timeout", 2 * enoughMs(10));
        r.put("run_timeout", 2 * enoughMs(5));
        r.put("compile_cpu_time", enoughMs(10));
        r.put("run_cpu_time", enoughMs(5));
        r.put("compile_memory_limit", 512L * 1024 * 1024);
        r.put("run_memory_limit", 128L * 1024 * 1024);
        return r;
    }

    private JsonNode ok(String path, ObjectNode body) {
        Http.Reply r = http.postJson(path, body);
        assertThat(r.status()).as("POST %s: %s", path, r).isEqualTo(200);
        assertThat(r.contentType()).startsWith("application/json");
        return r.json();
    }

    private JsonNode execute(ObjectNode body) {
        return ok("/api/v2/execute", body);
    }

    /** Every field of a Piston stage, of its documented type. */
    private static void assertStage(JsonNode stage) {
        assertThat(stage.get("stdout").isTextual()).as("stdout of %s", stage).isTrue();
        assertThat(stage.get("stderr").isTextual()).as("stderr of %s", stage).isTrue();
        assertThat(stage.get("output").asText()).as("output of %s", stage).isEqualTo(stage.get("stdout").asText() + stage.get("stderr").asText());
        for (String f : List.of("code", "signal", "message", "status", "cpu_time", "wall_time", "memory")) {
            assertThat(stage.has(f)).as("%s of %s", f, stage).isTrue();
        }
        assertThat(stage.get("code").isNull() || stage.get("code").isInt()).as("code of %s", stage).isTrue();
        assertThat(stage.get("signal").isNull() ^ stage.get("code").isNull() || stage.get("status").asText().equals("XX"))
                .as("exactly one of code and signal in %s", stage).isTrue();
    }

    private void executeOk() {
        ObjectNode body = request("py", "3", "test.py", "import sys\nprint(input().upper(), sys.argv[1:])\nprint('e', file=sys.stderr)");
        body.put("stdin", "shout");
        body.putArray("args").add("a b").add("--c");
        JsonNode r = execute(body);
        assertThat(r.get("language").asText()).as("%s", r).isEqualTo("python");
        assertThat(r.get("version").asText()).matches("3\\.\\d+\\.\\d+");
        JsonNode run = r.get("run");
        assertStage(run);
        assertThat(run.get("stdout").asText()).isEqualTo("SHOUT ['a b', '--c']\n");
        assertThat(run.get("stderr").asText()).isEqualTo("e\n");
        assertThat(run.get("code").asInt()).isZero();
        assertThat(run.get("signal").isNull()).isTrue();
        assertThat(run.get("status").isNull()).isTrue();
        assertThat(run.get("message").isNull()).isTrue();
        assertThat(run.get("wall_time").asLong()).isPositive();
        assertThat(run.get("cpu_time").isIntegralNumber()).isTrue();
        assertThat(run.get("memory").asLong()).isGreaterThan(1024 * 1024).isLessThanOrEqualTo(128L * 1024 * 1024);
        assertThat(r.has("compile")).as("python has no compile stage: %s", r).isFalse();
        // stdin without a final newline gets one, as Piston gives it
        ObjectNode lines = request("python", "*", "m.py", "import sys\nprint(repr(sys.stdin.read()))");
        lines.put("stdin", "x");
        assertThat(execute(lines).get("run").get("stdout").asText()).isEqualTo("'x\\n'\n");
    }

    private void signalAndTimeout() {
        JsonNode killed = execute(request("python", "*", "k.py", "import os, signal\nprint('before', flush=True)\nos.kill(os.getpid(), signal.SIGSEGV)"))
                .get("run");
        assertStage(killed);
        assertThat(killed.get("status").asText()).as("%s", killed).isEqualTo("SG");
        assertThat(killed.get("signal").asText()).isEqualTo("SIGSEGV");
        assertThat(killed.get("code").isNull()).isTrue();
        assertThat(killed.get("stdout").asText()).isEqualTo("before\n");
        assertThat(killed.get("message").isTextual()).isTrue();

        ObjectNode spin = request("python", "*", "t.py", "while True: pass");
        spin.put("run_timeout", 1000);
        spin.put("run_cpu_time", 0); // the default: the CPU limit is then half of run_timeout
        JsonNode timedOut = execute(spin).get("run");
        assertStage(timedOut);
        assertThat(timedOut.get("status").asText()).as("%s", timedOut).isEqualTo("TO");
        assertThat(timedOut.get("signal").asText()).isEqualTo("SIGKILL");
        assertThat(timedOut.get("code").isNull()).isTrue();
        // both of the client's bounds hold: at most half of run_timeout in CPU, run_timeout in wall time (each
        // with the kill's slack); which is reached first depends on how much CPU a busy host gave the loop
        assertThat(timedOut.get("cpu_time").asLong()).isLessThanOrEqualTo(500 + 200);
        assertThat(timedOut.get("wall_time").asLong()).isLessThanOrEqualTo(1000 + Math.round(500 * slowdown));
    }

    private void compileStage() {
        JsonNode r = execute(request("c", "*", "prog.c", "#include <stdio.h>\nint main(void) { puts(\"compiled\"); return 0; }"));
        assertThat(r.get("language").asText()).isEqualTo("c");
        assertStage(r.get("compile"));
        assertThat(r.get("compile").get("code").asInt()).as("%s", r).isZero();
        assertThat(r.get("compile").get("status").isNull()).isTrue();
        assertThat(r.get("run").get("stdout").asText()).isEqualTo("compiled\n");

        JsonNode failed = execute(request("gcc", "*", "prog.c", "int main(void) { return nope; }"));
        JsonNode compile = failed.get("compile");
        assertStage(compile);
        assertThat(compile.get("status").asText()).as("%s", failed).isEqualTo("RE");
        assertThat(compile.get("code").asInt()).isEqualTo(1);
        assertThat(compile.get("stderr").asText()).contains("nope");
        assertThat(compile.get("message").asText()).contains("compilation failed");
        assertThat(failed.get("run")).isEqualTo(compile);
    }

    private void encodedFiles() {
        byte[] bin = {0, 1, (byte) 0xfe, (byte) 0xff, '\n'};
        ObjectNode body = request("python", "*", "main.py",
                "print(open('a.bin','rb').read().hex(), open('b.bin','rb').read().hex(), open('file3.code').read())");
        ArrayNode files = (ArrayNode) body.get("files");
        // a data file first: the main file is the first utf8 one, as in Piston
        files.insertObject(0).put("name", "a.bin").put("content", Base64.getEncoder().encodeToString(bin)).put("encoding", "base64");
        files.addObject().put("name", "b.bin").put("content", HexFormat.of().formatHex(bin)).put("encoding", "hex");
        files.addObject().put("content", "unnamed").put("encoding", "utf8");
        JsonNode run = execute(body).get("run");
        assertThat(run.get("stdout").asText()).as("%s", run).isEqualTo("0001feff0a 0001feff0a unnamed\n");
    }

    private void multiFile() {
        ObjectNode body = request("c", "10 - 100", "main.c", "#include <stdio.h>\n#include \"util.h\"\nint main(void) { printf(\"%d\\n\", twice(21)); return 0; }");
        ArrayNode files = (ArrayNode) body.get("files");
        files.addObject().put("name", "util.h").put("content", "int twice(int);\n").put("encoding", "utf8");
        files.addObject().put("name", "util.c").put("content", "int twice(int x) { return 2 * x; }\n").put("encoding", "utf8");
        JsonNode r = execute(body);
        assertThat(r.get("run").get("stdout").asText()).as("%s", r).isEqualTo("42\n");
        ObjectNode py = request("python3", ">=3", "app.py", "import helper\nprint(helper.VALUE)");
        ((ArrayNode) py.get("files")).addObject().put("name", "helper.py").put("content", "VALUE = 'from helper'").put("encoding", "utf8");
        assertThat(ok("/api/v2/piston/execute", py).get("run").get("stdout").asText()).isEqualTo("from helper\n");
    }

    private void runtimes() {
        Http.Reply r = http.get("/api/v2/runtimes");
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        JsonNode list = r.json();
        List<String> languages = list.findValuesAsText("language");
        List<String> ids = http.get("/languages").json().findValuesAsText("id");
        assertThat(languages).as("GET /api/v2/runtimes lists what GET /languages lists").containsExactlyInAnyOrderElementsOf(ids);
        for (JsonNode rt : list) {
            assertThat(rt.get("version").asText()).as("%s", rt).matches("\\d+\\.\\d+\\.\\d+");
            assertThat(rt.get("aliases").isArray()).as("%s", rt).isTrue();
        }
        JsonNode python = list.findParents("language").stream().filter(n -> n.get("language").asText().equals("python")).findFirst().orElseThrow();
        assertThat(python.get("aliases").toString()).contains("\"py\"", "\"python3\"");
        Http.Reply other = http.get("/api/v2/piston/runtimes");
        assertThat(other.status()).isEqualTo(200);
        assertThat(other.json()).isEqualTo(list);
        // the version a runtime lists is one its language answers to
        String version = python.get("version").asText();
        assertThat(execute(request("python", version, "v.py", "print(1)")).get("version").asText()).isEqualTo(version);
    }

    private static void assertMessage(Http.Reply r, int status, String message) {
        assertThat(r.status()).as("%s", r).isEqualTo(status);
        assertThat(r.contentType()).as("%s", r).startsWith("application/json");
        JsonNode b = r.json();
        assertThat(b.size()).as("only a message in %s", r).isEqualTo(1);
        if (message != null) assertThat(b.get("message").asText()).isEqualTo(message);
        else assertThat(b.get("message").asText()).isNotBlank();
    }

    private void refusals() {
        assertMessage(http.postJson("/api/v2/execute", request("cobol", "*", "m.cob", "x")), 400, "cobol-* runtime is unknown");
        assertMessage(http.postJson("/api/v2/execute", request("python", "1.0.0", "m.py", "x")), 400, "python-1.0.0 runtime is unknown");
        ObjectNode noVersion = request("python", "*", "m.py", "x");
        noVersion.remove("version");
        assertMessage(http.postJson("/api/v2/execute", noVersion), 400, "version is required as a string");
        ObjectNode tooLong = request("python", "*", "m.py", "x");
        tooLong.put("run_cpu_time", 10_000_000);
        Http.Reply r = http.postJson("/api/v2/execute", tooLong);
        assertMessage(r, 400, null);
        assertThat(r.json().get("message").asText()).startsWith("run_cpu_time cannot exceed the configured limit of ");
        ObjectNode empty = request("python", "*", "m.py", "");
        assertMessage(http.postJson("/api/v2/execute", empty), 400, "files[0].content: must not be empty");
        assertMessage(http.send("POST", "/api/v2/execute", null, "{not json".getBytes(StandardCharsets.UTF_8)), 400, null);
        assertMessage(http.get("/api/v2/nothing-here"), 404, null);
        assertMessage(http.get("/api/v2/execute"), 405, null);
        if (keysOn) {
            Http.Reply noKey = anonymous.postJson("/api/v2/execute", request("python", "*", "m.py", "print(1)"));
            assertMessage(noKey, 401, null);
            assertThat(noKey.header("WWW-Authenticate")).as("%s", noKey).isPresent();
        }
    }

    private void noContentType() {
        byte[] body = request("python", "*", "m.py", "print('no content type')").toString().getBytes(StandardCharsets.UTF_8);
        Http.Reply r = http.send("POST", "/api/v2/execute", null, body);
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        assertThat(r.json().get("run").get("stdout").asText()).isEqualTo("no content type\n");
        Http.Reply text = http.post("/api/v2/execute", "text/plain;charset=UTF-8", body); // what node-fetch sends for a string
        assertThat(text.status()).as("%s", text).isEqualTo(200);
    }

    private void packages() {
        for (String method : List.of("GET", "POST", "DELETE")) {
            for (String prefix : List.of("/api/v2", "/api/v2/piston")) {
                byte[] body = method.equals("GET") ? null : "{\"language\":\"python\",\"version\":\"3.12.0\"}".getBytes(StandardCharsets.UTF_8);
                Http.Reply r = http.send(method, prefix + "/packages", body == null ? null : "application/json", body);
                assertMessage(r, 501, null);
                assertThat(r.json().get("message").asText()).as("%s %s", method, prefix).contains("languages file", prefix + "/runtimes");
            }
        }
    }

    // ------------------------------------------------------------------ WebSocket /connect

    private static final java.time.Duration MESSAGE_WAIT = java.time.Duration.ofSeconds(60);

    private ObjectNode init(String language, String mainName, String mainContent) {
        ObjectNode r = request(language, "*", mainName, mainContent);
        r.put("type", "init");
        return r;
    }

    private static void assertType(JsonNode m, String type) {
        assertThat(m.path("type").asText()).as("%s", m).isEqualTo(type);
    }

    private void connectLive() throws Exception {
        String program = "import sys\nprint('ready', flush=True)\nfor line in sys.stdin:\n"
                + "    print(line.strip().upper(), flush=True)\n    if line.strip() == 'bye': break\n"
                + "print('done', file=sys.stderr, flush=True)\n";
        try (PistonSocket ws = http.socket("/api/v2/connect")) {
            ws.send(init("py", "main.py", program).put("stdin", "first\n"));
            JsonNode runtime = ws.next(MESSAGE_WAIT);
            assertType(runtime, "runtime");
            assertThat(runtime.get("language").asText()).isEqualTo("python");
            assertThat(runtime.get("version").asText()).matches("\\d+\\.\\d+\\.\\d+");
            JsonNode stage = ws.next(MESSAGE_WAIT);
            assertType(stage, "stage");
            assertThat(stage.get("stage").asText()).isEqualTo("run");
            StringBuilder out = new StringBuilder();
            StringBuilder err = new StringBuilder();
            // the init's stdin, then each line as it is sent: answered before the next is sent
            ws.awaitStdout("ready\nFIRST\n", out, err, MESSAGE_WAIT);
            ws.stdin("hello ");
            ws.stdin("world\n");
            ws.awaitStdout("HELLO WORLD\n", out, err, MESSAGE_WAIT);
            ws.stdin("bye\nnever read\n");
            JsonNode exit = ws.nextNotData(MESSAGE_WAIT, out, err);
            assertType(exit, "exit");
            assertThat(out.toString()).isEqualTo("ready\nFIRST\nHELLO WORLD\nBYE\n");
            assertThat(err.toString()).isEqualTo("done\n");
            assertThat(exit.get("stage").asText()).isEqualTo("run");
            assertThat(exit.get("code").asInt()).as("%s", exit).isZero();
            assertThat(exit.get("signal").isNull()).as("%s", exit).isTrue();
            assertThat(ws.awaitClosed(MESSAGE_WAIT)).isEqualTo(new PistonSocket.Closed(4999, "Job Completed"));
        }
    }

    private void connectReadmeExample() throws Exception {
        java.nio.file.Path readme = java.nio.file.Path.of("README.md");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isReadable(readme), "no README.md here");
        String section = java.nio.file.Files.readString(readme).split("#### Interactive runs", 2)[1];
        String init = section.split("```json\n", 2)[1].split("\n```", 2)[0];
        try (PistonSocket ws = http.socket("/api/v2/connect")) {
            ws.send((ObjectNode) Http.JSON.readTree(init));
            assertType(ws.next(MESSAGE_WAIT), "runtime");
            assertThat(ws.next(MESSAGE_WAIT).get("stage").asText()).isEqualTo("run");
            ws.stdin("Ada\n");
            StringBuilder out = new StringBuilder();
            StringBuilder err = new StringBuilder();
            JsonNode exit = ws.nextNotData(MESSAGE_WAIT, out, err);
            assertThat(out.toString()).as("stderr: %s", err).isEqualTo("hello, Ada\n");
            assertThat(exit.toString()).isEqualTo("{\"type\":\"exit\",\"stage\":\"run\",\"code\":0,\"signal\":null}");
            assertThat(ws.awaitClosed(MESSAGE_WAIT).code()).isEqualTo(4999);
        }
    }

    private void connectSignal() throws Exception {
        for (String prefix : List.of("/api/v2", "/api/v2/piston")) {
            try (PistonSocket ws = http.socket(prefix + "/connect")) {
                ws.send(init("python", "main.py", "import time\nprint('waiting', flush=True)\ntime.sleep(600)\n"));
                assertType(ws.next(MESSAGE_WAIT), "runtime");
                assertType(ws.next(MESSAGE_WAIT), "stage");
                StringBuilder out = new StringBuilder();
                StringBuilder err = new StringBuilder();
                ws.awaitStdout("waiting\n", out, err, MESSAGE_WAIT);
                ws.send(Http.JSON.createObjectNode().put("type", "signal").put("signal", "SIGTERM"));
                JsonNode exit = ws.nextNotData(MESSAGE_WAIT, out, err);
                assertType(exit, "exit");
                assertThat(exit.get("signal").asText()).as("%s", exit).isEqualTo("SIGTERM");
                assertThat(exit.get("code").isNull()).as("%s", exit).isTrue();
                assertThat(ws.awaitClosed(MESSAGE_WAIT).code()).isEqualTo(4999);
            }
        }
    }

    private void connectCompiled() throws Exception {
        String c = "#include <stdio.h>\nint main(void) { int n; while (scanf(\"%d\", &n) == 1) { printf(\"%d\\n\", 2 * n); fflush(stdout);"
                + " if (n == 0) return 3; } return 0; }\n";
        try (PistonSocket ws = http.socket("/api/v2/connect")) {
            ws.send(init("c", "main.c", c));
            assertType(ws.next(MESSAGE_WAIT), "runtime");
            JsonNode compile = ws.next(MESSAGE_WAIT);
            assertType(compile, "stage");
            assertThat(compile.get("stage").asText()).isEqualTo("compile");
            StringBuilder out = new StringBuilder();
            StringBuilder err = new StringBuilder();
            JsonNode compiled = ws.nextNotData(MESSAGE_WAIT, out, err);
            assertType(compiled, "exit");
            assertThat(compiled.get("stage").asText()).isEqualTo("compile");
            assertThat(compiled.get("code").asInt()).as("%s: %s", compiled, err).isZero();
            JsonNode run = ws.next(MESSAGE_WAIT);
            assertThat(run.get("stage").asText()).as("%s", run).isEqualTo("run");
            out.setLength(0);
            ws.stdin("21\n");
            ws.awaitStdout("42\n", out, err, MESSAGE_WAIT);
            ws.stdin("0\n");
            JsonNode exit = ws.nextNotData(MESSAGE_WAIT, out, err);
            assertThat(exit.get("stage").asText()).isEqualTo("run");
            assertThat(exit.get("code").asInt()).as("%s", exit).isEqualTo(3);
            assertThat(ws.awaitClosed(MESSAGE_WAIT).code()).isEqualTo(4999);
        }
        try (PistonSocket ws = http.socket("/api/v2/connect")) {
            ws.send(init("c", "main.c", "int main( { return 0; }\n"));
            assertType(ws.next(MESSAGE_WAIT), "runtime");
            assertType(ws.next(MESSAGE_WAIT), "stage");
            StringBuilder out = new StringBuilder();
            StringBuilder err = new StringBuilder();
            JsonNode exit = ws.nextNotData(MESSAGE_WAIT, out, err);
            assertThat(exit.get("stage").asText()).as("%s", exit).isEqualTo("compile");
            assertThat(exit.get("code").asInt()).as("%s", exit).isNotZero();
            assertThat(err.toString()).contains("error");
            assertThat(ws.awaitClosed(MESSAGE_WAIT)).isEqualTo(new PistonSocket.Closed(4999, "Job Completed"));
        }
    }

    private void connectErrors() throws Exception {
        try (PistonSocket ws = http.socket("/api/v2/connect")) {
            ws.stdin("too early");
            assertThat(ws.awaitClosed(MESSAGE_WAIT)).isEqualTo(new PistonSocket.Closed(4003, "Not yet initialized"));
        }
        try (PistonSocket ws = http.socket("/api/v2/connect")) {
            assertThat(ws.awaitClosed(MESSAGE_WAIT)).as("nothing sent within a second")
                    .isEqualTo(new PistonSocket.Closed(4001, "Initialization Timeout"));
        }
        try (PistonSocket ws = http.socket("/api/v2/connect")) {
            ws.send(init("brainfuck", "main.bf", "+").put("version", "9.9.9"));
            JsonNode error = ws.next(MESSAGE_WAIT);
            assertType(error, "error");
            assertThat(error.get("message").asText()).isEqualTo("brainfuck-9.9.9 runtime is unknown");
            assertThat(ws.awaitClosed(MESSAGE_WAIT)).isEqualTo(new PistonSocket.Closed(4002, "Notified Error"));
        }
        String sleeper = "import time\nprint('up', flush=True)\ntime.sleep(600)\n";
        for (Object[] bad : new Object[][]{
                {Http.JSON.createObjectNode().put("type", "init"), 4000, "Already Initialized"},
                {Http.JSON.createObjectNode().put("type", "data").put("stream", "stdout").put("data", "x"), 4004, "Can only write to stdin"},
                {Http.JSON.createObjectNode().put("type", "signal").put("signal", "SIGNOPE"), 4005, "Invalid signal"}}) {
            try (PistonSocket ws = http.socket("/api/v2/connect")) {
                ws.send(init("python", "main.py", sleeper));
                assertType(ws.next(MESSAGE_WAIT), "runtime");
                ws.send((ObjectNode) bad[0]); // the run's stage and output may come before the close
                assertThat(ws.awaitClosed(MESSAGE_WAIT)).as("after %s", bad[0]).isEqualTo(new PistonSocket.Closed((Integer) bad[1], (String) bad[2]));
            }
        }
        if (keysOn) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> anonymous.socket("/api/v2/connect"))
                    .as("an upgrade without an API key is refused").isInstanceOf(PistonSocket.Refused.class);
        }
    }
}
