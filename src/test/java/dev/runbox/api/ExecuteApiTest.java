package dev.runbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runbox.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The happy path of the API over real HTTP and the real sandbox: submit, poll, read the result. */
class ExecuteApiTest {

    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final List<String> SEED_FIELDS = List.of("stdout", "stderr", "exit_code", "time_sec", "cpu_time_sec",
            "memory_kb", "signal", "stdout_truncated", "stderr_truncated", "finished_at");

    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(Map.of("workers", "2"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
    }

    @Test
    void readme_example_reverses_its_input() throws Exception {
        HttpResponse<String> accepted = server.postJson("{\"source_code\": \"print(input()[::-1])\", \"stdin_data\": \"hello\"}");

        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        assertThat(accepted.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        JsonNode ack = TestServer.JSON.readTree(accepted.body());
        assertThat(fieldNames(ack)).containsExactlyInAnyOrder("submission_id", "status");
        String id = ack.path("submission_id").asText();
        assertThat(id).matches(UUID);
        assertThat(ack.path("status").asText()).isEqualTo("PENDING");
        assertThat(accepted.headers().firstValue("Location")).hasValue("/result/" + id);

        JsonNode r = server.awaitFinal(id);
        assertThat(r.path("submission_id").asText()).isEqualTo(id);
        assertThat(r.path("status").asText()).as(r.toString()).isEqualTo("OK");
        assertThat(r.path("stdout").asText()).isEqualTo("olleh\n");
        assertThat(r.path("stderr").isTextual()).isTrue();
        assertThat(r.path("stderr").asText()).isEmpty();
        assertThat(r.path("exit_code").isInt()).isTrue();
        assertThat(r.path("exit_code").asInt()).isZero();
        assertThat(r.path("time_sec").isNumber()).as(r.toString()).isTrue();
        assertThat(r.path("time_sec").asDouble()).isPositive();
        assertThat(r.path("cpu_time_sec").isNumber()).as(r.toString()).isTrue();
        assertThat(r.path("cpu_time_sec").asDouble()).isGreaterThanOrEqualTo(0);
        assertThat(r.path("memory_kb").isIntegralNumber()).as(r.toString()).isTrue();
        assertThat(r.path("memory_kb").asLong()).isPositive();
        assertThat(r.has("signal") && r.path("signal").isNull()).as(r.toString()).isTrue();
        assertThat(r.path("stdout_truncated").isBoolean() && !r.path("stdout_truncated").asBoolean()).as(r.toString()).isTrue();
        assertThat(r.path("stderr_truncated").isBoolean() && !r.path("stderr_truncated").asBoolean()).as(r.toString()).isTrue();
        assertThat(r.has("message") && r.path("message").isNull()).as(r.toString()).isTrue();
        assertThat(r.path("language").asText()).isEqualTo("python");
        Instant created = Instant.parse(r.path("created_at").asText());
        Instant started = Instant.parse(r.path("started_at").asText());
        Instant finished = Instant.parse(r.path("finished_at").asText());
        assertThat(created).isBeforeOrEqualTo(started);
        assertThat(started).isBeforeOrEqualTo(finished);
    }

    @Test
    void location_header_leads_to_the_result() throws Exception {
        HttpResponse<String> accepted = server.postJson(TestServer.body("print('here')").toString());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String location = accepted.headers().firstValue("Location").orElseThrow();
        server.awaitFinal(TestServer.JSON.readTree(accepted.body()).path("submission_id").asText());

        HttpResponse<String> r = server.get(location);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        assertThat(TestServer.JSON.readTree(r.body()).path("stdout").asText()).isEqualTo("here\n");
    }

    @Test
    void post_answers_before_the_job_has_run_and_the_seed_fields_stay_null_until_then() throws Exception {
        // wall limit = 2 × time_limit_sec: 6 s, well above the 3 s sleep
        String id = server.submit(TestServer.body("import time\ntime.sleep(3)\nprint('woke')", "time_limit_sec", 3));
        Instant accepted = Instant.now();

        HttpResponse<String> early = server.get("/result/" + id);
        assertThat(early.statusCode()).as(early.body()).isEqualTo(200);
        JsonNode r = TestServer.JSON.readTree(early.body());
        assertThat(r.path("status").asText()).as("POST must not wait for the run: " + r).isIn("PENDING", "PROCESSING");
        for (String field : SEED_FIELDS) {
            assertThat(r.has(field) && r.get(field).isNull()).as(field + " before the run is final: " + r).isTrue();
        }
        assertThat(r.path("message").isNull()).as(r.toString()).isTrue();
        assertThat(r.path("language").asText()).isEqualTo("python");
        assertThat(r.path("created_at").isTextual()).as(r.toString()).isTrue();

        JsonNode done = server.awaitFinal(id);
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("OK");
        assertThat(done.path("stdout").asText()).isEqualTo("woke\n");
        assertThat(done.path("time_sec").asDouble()).isGreaterThanOrEqualTo(3);
        // same host, same clock
        assertThat(accepted).as("the 202 came before the run ended").isBefore(Instant.parse(done.path("finished_at").asText()));
    }

    @Test
    void a_charset_parameter_on_the_json_content_type_is_accepted() throws Exception {
        HttpResponse<String> r = server.post("/execute", "application/json; charset=utf-8",
                TestServer.body("print(input())", "stdin_data", "héllo wörld").toString().getBytes(StandardCharsets.UTF_8));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        JsonNode done = server.awaitFinal(TestServer.JSON.readTree(r.body()).path("submission_id").asText());
        assertThat(done.path("stdout").asText()).isEqualTo("héllo wörld\n");
    }

    @Test
    void omitted_or_null_time_limit_is_the_server_default() throws Exception {
        // the run's CPU rlimit is derived from its time limit: equal limits give equal rlimits
        String probe = "import resource\nprint(resource.getrlimit(resource.RLIMIT_CPU))";
        double byDefault = server.config.defaultTimeLimitSec();
        List<JsonNode> r = runAll(TestServer.body(probe), TestServer.body(probe, "time_limit_sec", null),
                TestServer.body(probe, "time_limit_sec", byDefault), TestServer.body(probe, "time_limit_sec", byDefault + 5));
        for (JsonNode x : r) assertThat(x.path("status").asText()).as(x.toString()).isEqualTo("OK");
        String omitted = r.get(0).path("stdout").asText();
        String nulled = r.get(1).path("stdout").asText();
        String explicitDefault = r.get(2).path("stdout").asText();
        String other = r.get(3).path("stdout").asText();

        assertThat(omitted).isEqualTo(explicitDefault);
        assertThat(nulled).isEqualTo(explicitDefault);
        assertThat(other).as("the probe must see the time limit at all").isNotEqualTo(explicitDefault);
    }

    @Test
    void omitted_or_null_memory_limit_is_the_server_default() throws Exception {
        int mb = server.config.defaultMemoryLimitMb();
        int fill = mb + mb / 4;
        // fills (and so really uses) more than the default allows, less than twice the default
        String hog = "b = b'x' * (" + fill + " << 20)\nprint(len(b) >> 20)";
        List<JsonNode> r = runAll(TestServer.body(hog), TestServer.body(hog, "memory_limit_mb", null),
                TestServer.body(hog, "memory_limit_mb", mb), TestServer.body(hog, "memory_limit_mb", 2 * mb));

        assertThat(r.subList(0, 3)).as("omitted, null, explicit default").extracting(x -> x.path("status").asText())
                .containsExactly("MLE", "MLE", "MLE");
        assertThat(r.get(3).path("status").asText()).as("the hog fits in twice the default: " + r.get(3)).isEqualTo("OK");
        assertThat(r.get(3).path("stdout").asText()).isEqualTo(fill + "\n");
    }

    @Test
    void all_limits_null_runs_with_the_defaults() throws Exception {
        JsonNode r = server.run(TestServer.body("print('defaults')", "time_limit_sec", null, "memory_limit_mb", null,
                "cpu_cores", null, "stdin_data", null, "language", null));
        assertThat(r.path("status").asText()).as(r.toString()).isEqualTo("OK");
        assertThat(r.path("stdout").asText()).isEqualTo("defaults\n");
        assertThat(r.path("language").asText()).isEqualTo("python");
    }

    @Test
    void health_reports_queue_and_workers_as_json() throws Exception {
        HttpResponse<String> r = server.get("/health");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        JsonNode h = TestServer.JSON.readTree(r.body());
        assertThat(h.path("status").asText()).isEqualTo("ok");
        assertThat(h.path("queue_depth").isInt()).as(r.body()).isTrue();
        assertThat(h.path("workers").asInt()).as(r.body()).isEqualTo(2);
        assertThat(h.path("workers_busy").isInt()).as(r.body()).isTrue();
        assertThat(h.path("workers_busy").asInt()).isBetween(0, 2);
    }

    @Test
    void languages_lists_python_with_its_version() throws Exception {
        HttpResponse<String> r = server.get("/languages");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        JsonNode all = TestServer.JSON.readTree(r.body());
        assertThat(all.isArray()).as(r.body()).isTrue();
        JsonNode python = null;
        for (JsonNode l : all) if (l.path("id").asText().equals("python")) python = l;
        assertThat(python).as("python in " + r.body()).isNotNull();
        assertThat(python.path("version").asText()).as(r.body()).isNotBlank();
        assertThat(python.path("name").asText()).as(r.body()).isNotBlank();
        assertThat(python.path("source_file").asText()).isEqualTo("main.py");
    }

    /** Submits all first (so the workers run them side by side), then waits for each. */
    private static List<JsonNode> runAll(ObjectNode... bodies) throws Exception {
        List<String> ids = new ArrayList<>();
        for (ObjectNode b : bodies) ids.add(server.submit(b));
        List<JsonNode> results = new ArrayList<>();
        for (String id : ids) results.add(server.awaitFinal(id));
        return results;
    }

    private static Set<String> fieldNames(JsonNode n) {
        Set<String> names = new java.util.HashSet<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
