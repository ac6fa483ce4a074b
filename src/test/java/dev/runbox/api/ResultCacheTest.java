package dev.runbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runbox.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static dev.runbox.testing.TestServer.JSON;
import static dev.runbox.testing.TestServer.body;
import static org.assertj.core.api.Assertions.assertThat;

class ResultCacheTest {

    /** Prints a fresh random number on every run: equal output means the result was reused. */
    static final String RANDOM = "import random\nprint(random.random())";

    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(Map.of("workers", "1", "prepared-sandboxes", "1"));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Test
    void an_identical_run_with_cache_true_gets_a_copy_of_the_stored_result_marked_cached() throws Exception {
        String source = RANDOM + "\n# " + System.nanoTime();
        JsonNode first = server.run(body(source, "cache", true, "stdin_data", "in"));
        assertThat(first.get("status").asText()).isEqualTo("OK");
        assertThat(first.get("cached").asBoolean()).isFalse();

        // answered at once, final, from the cache (wait=true proves it: 200 without running)
        HttpResponse<String> again = server.post("/execute?wait=true", "application/json",
                body(source, "cache", true, "stdin_data", "in").toString().getBytes(StandardCharsets.UTF_8));
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        JsonNode copy = JSON.readTree(again.body());
        assertThat(copy.get("cached").asBoolean()).isTrue();
        assertThat(copy.get("stdout").asText()).isEqualTo(first.get("stdout").asText());
        assertThat(copy.get("submission_id").asText()).isNotEqualTo(first.get("submission_id").asText());
        // and it is stored under its own id
        JsonNode stored = JSON.readTree(server.get("/result/" + copy.get("submission_id").asText()).body());
        assertThat(stored.get("cached").asBoolean()).isTrue();
        assertThat(stored.get("stdout").asText()).isEqualTo(first.get("stdout").asText());
    }

    @Test
    void a_different_stdin_limit_argument_expected_output_or_file_or_a_request_without_cache_runs_again() throws Exception {
        String source = RANDOM + "\n# " + System.nanoTime();
        JsonNode first = server.run(body(source, "cache", true));
        String out = first.get("stdout").asText();
        for (JsonNode other : new JsonNode[]{
                body(source, "cache", true, "stdin_data", "other"),
                body(source, "cache", true, "memory_limit_mb", 128),
                body(source, "cache", true, "time_limit_sec", 1.5),
                body(source, "cache", true, "command_line_arguments", JSON.createArrayNode().add("x")),
                body(source, "cache", true, "expected_output", "0.5\n"),
                body(source, "cache", true, "files", JSON.createArrayNode().add(JSON.createObjectNode().put("name", "d.txt").put("content", "x"))),
                body(source, "cache", true, "stderr_to_stdout", true),
                body(source, "cache", false),
                body(source)}) {
            JsonNode r = server.run((com.fasterxml.jackson.databind.node.ObjectNode) other);
            assertThat(r.get("cached").asBoolean()).as(other.toString()).isFalse();
            assertThat(r.get("stdout").asText()).as(other.toString()).isNotEqualTo(out);
        }
    }

    @Test
    void runtime_errors_are_cached_but_limit_verdicts_are_not() throws Exception {
        String re = RANDOM + "\nraise SystemExit(3)\n# " + System.nanoTime();
        JsonNode first = server.run(body(re, "cache", true));
        assertThat(first.get("status").asText()).isEqualTo("RE");
        JsonNode second = server.run(body(re, "cache", true));
        assertThat(second.get("cached").asBoolean()).isTrue();
        assertThat(second.get("stdout").asText()).isEqualTo(first.get("stdout").asText());

        String tle = RANDOM + "\nwhile True: pass\n# " + System.nanoTime();
        JsonNode t1 = server.run(body(tle, "cache", true, "time_limit_sec", 0.3));
        assertThat(t1.get("status").asText()).isEqualTo("TLE");
        JsonNode t2 = server.run(body(tle, "cache", true, "time_limit_sec", 0.3));
        assertThat(t2.get("status").asText()).isEqualTo("TLE");
        assertThat(t2.get("cached").asBoolean()).isFalse();

        String ole = "import random\nprint(random.random())\nwhile True: print('x' * 65536)\n# " + System.nanoTime();
        JsonNode o1 = server.run(body(ole, "cache", true));
        assertThat(o1.get("status").asText()).isEqualTo("OLE");
        assertThat(server.run(body(ole, "cache", true)).get("cached").asBoolean()).isFalse();
    }

    @Test
    void cache_must_be_a_boolean() throws Exception {
        HttpResponse<String> r = server.postJson(body("print(1)", "cache", "yes").toString());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).get("field").asText()).isEqualTo("cache");
    }
}
