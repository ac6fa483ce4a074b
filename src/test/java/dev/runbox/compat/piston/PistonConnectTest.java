package dev.runbox.compat.piston;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runbox.testing.PistonSocket;
import dev.runbox.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static dev.runbox.testing.TestServer.JSON;
import static dev.runbox.testing.TestServer.body;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What Piston's {@code /connect} must hold beyond the conformance suite's cases: a client that leaves
 * frees the worker at once (its program is killed, not left to its limit), and a program that floods
 * a live socket is stopped at the output cap (OLE), as any run. One worker, so that a program left
 * running would hold up the next job.
 */
class PistonConnectTest {

    private static final long CAP = 64 * 1024;
    private static final int MAX_STDIN = 512 * 1024;
    private static final Duration WAIT = Duration.ofSeconds(60);
    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(Map.of("workers", "1", "prepared-sandboxes", "1", "output-cap-bytes", Long.toString(CAP),
                "max-stdin-bytes", Integer.toString(MAX_STDIN)));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static PistonSocket socket() {
        return PistonSocket.open(HttpClient.newHttpClient(), URI.create(server.base().replaceFirst("^http", "ws") + "/api/v2/connect"),
                Optional.empty());
    }

    private static ObjectNode init(String source) {
        ObjectNode r = JSON.createObjectNode().put("type", "init").put("language", "python").put("version", "*");
        r.putArray("files").addObject().put("content", source);
        r.put("run_cpu_time", 20_000); // a wall time limit of 40 s: far longer than this test waits
        return r;
    }

    @Test
    void a_client_that_leaves_has_its_program_killed_and_the_only_worker_takes_the_next_job_at_once() throws Exception {
        try (PistonSocket ws = socket()) {
            ws.send(init("import time\nprint('up', flush=True)\ntime.sleep(600)\n"));
            assertThat(ws.next(WAIT).get("type").asText()).isEqualTo("runtime");
            assertThat(ws.next(WAIT).get("type").asText()).isEqualTo("stage");
            ws.awaitStdout("up\n", new StringBuilder(), new StringBuilder(), WAIT);
        } // the client closes the socket: its program is killed
        long start = System.nanoTime();
        JsonNode next = server.run(body("print('next')"));
        double took = (System.nanoTime() - start) / 1e9;
        assertThat(next.get("status").asText()).isEqualTo("OK");
        assertThat(took).as("the next job waited for the left program (its wall time limit is 40 s)").isLessThan(20);
    }

    @Test
    void a_program_flooding_its_socket_is_stopped_at_the_output_cap() throws Exception {
        try (PistonSocket ws = socket()) {
            ws.send(init("import sys\nwhile True: sys.stdout.write('x' * 1000 + '\\n')\n"));
            assertThat(ws.next(WAIT).get("type").asText()).isEqualTo("runtime");
            assertThat(ws.next(WAIT).get("type").asText()).isEqualTo("stage");
            StringBuilder out = new StringBuilder();
            JsonNode exit = ws.nextNotData(WAIT, out, new StringBuilder());
            assertThat(exit.get("type").asText()).as("%s", exit).isEqualTo("exit");
            assertThat(exit.get("signal").asText()).as("%s", exit).isEqualTo("SIGKILL");
            assertThat((long) out.length()).as("output sent").isBetween(CAP / 2, CAP);
            assertThat(ws.awaitClosed(WAIT).code()).isEqualTo(4999);
        }
    }

    @Test
    void a_program_that_does_not_read_its_stdin_still_gets_the_clients_signal_and_stdin_is_bounded() throws Exception {
        String chunk = "y".repeat(32 * 1024);
        try (PistonSocket ws = socket()) {
            ws.send(init("import time\nprint('up', flush=True)\ntime.sleep(600)\n"));
            assertThat(ws.next(WAIT).get("type").asText()).isEqualTo("runtime");
            assertThat(ws.next(WAIT).get("type").asText()).isEqualTo("stage");
            ws.awaitStdout("up\n", new StringBuilder(), new StringBuilder(), WAIT);
            for (int i = 0; i < 8; i++) ws.stdin(chunk); // 256 KiB: past the pipe's 64 KiB, nobody reads it
            ws.send(JSON.createObjectNode().put("type", "signal").put("signal", "SIGINT"));
            JsonNode exit = ws.nextNotData(WAIT, new StringBuilder(), new StringBuilder());
            assertThat(exit.get("type").asText()).as("%s", exit).isEqualTo("exit");
            // python's default SIGINT handler raises KeyboardInterrupt: it exits 1 with a traceback... or by the signal
            assertThat(exit.get("signal").isNull() ? exit.get("code").asInt() : exit.get("signal").asText()).as("%s", exit)
                    .isIn(1, "SIGINT");
            assertThat(ws.awaitClosed(WAIT).code()).isEqualTo(4999);
        }
        try (PistonSocket ws = socket()) {
            ws.send(init("import time\ntime.sleep(600)\n"));
            assertThat(ws.next(WAIT).get("type").asText()).isEqualTo("runtime");
            for (int i = 0; i <= MAX_STDIN / chunk.length(); i++) ws.stdin(chunk);
            JsonNode m;
            do {
                m = ws.next(WAIT);
            } while (m.get("type").asText().equals("stage"));
            assertThat(m.get("type").asText()).as("%s", m).isEqualTo("error");
            assertThat(m.get("message").asText()).contains("max-stdin-bytes");
            assertThat(ws.awaitClosed(WAIT)).isEqualTo(new PistonSocket.Closed(4002, "Notified Error"));
        }
        // and the worker is free again: the programs of both were killed
        assertThat(server.run(body("print('next')")).get("status").asText()).isEqualTo("OK");
    }

    @Test
    void an_init_as_big_as_a_request_body_may_be_is_taken() throws Exception {
        String big = "x = '" + "a".repeat(300_000) + "'\nprint(len(x))\n"; // past the 64 KiB of a WebSocket message by default
        try (PistonSocket ws = socket()) {
            ws.send(init(big));
            assertThat(ws.next(WAIT).get("type").asText()).isEqualTo("runtime");
            assertThat(ws.next(WAIT).get("type").asText()).isEqualTo("stage");
            StringBuilder out = new StringBuilder();
            JsonNode exit = ws.nextNotData(WAIT, out, new StringBuilder());
            assertThat(out.toString()).isEqualTo("300000\n");
            assertThat(exit.get("code").asInt()).as("%s", exit).isZero();
        }
    }

    @Test
    void output_written_a_byte_at_a_time_comes_whole_in_few_messages() throws Exception {
        String source = "import os\nfor i in range(20000): os.write(1, b'x')\nos.write(2, b'end')\n";
        try (PistonSocket ws = socket()) {
            ws.send(init(source));
            assertThat(ws.next(WAIT).get("type").asText()).isEqualTo("runtime");
            assertThat(ws.next(WAIT).get("type").asText()).isEqualTo("stage");
            StringBuilder out = new StringBuilder();
            StringBuilder err = new StringBuilder();
            int messages = 0;
            JsonNode m;
            while ((m = ws.next(WAIT)).get("type").asText().equals("data")) {
                messages++;
                ("stdout".equals(m.get("stream").asText()) ? out : err).append(m.get("data").asText());
            }
            assertThat(m.get("type").asText()).as("%s", m).isEqualTo("exit");
            assertThat(out.toString()).isEqualTo("x".repeat(20000));
            assertThat(err.toString()).isEqualTo("end");
            assertThat(messages).as("data messages for 20,000 writes").isLessThan(2000);
        }
    }
}
