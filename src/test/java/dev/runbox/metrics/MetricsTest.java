package dev.runbox.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runbox.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** GET /metrics of a real server, after real runs in the real sandbox. */
class MetricsTest {

    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        // one worker, so that a second job must wait in the queue while the first runs
        server = TestServer.start(Map.of("workers", "1", "prepared-sandboxes", "1"));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Test
    void metrics_are_served_in_the_prometheus_text_format() throws Exception {
        HttpResponse<String> r = server.get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain; version=0.0.4"));
        for (String line : r.body().lines().toList()) {
            if (line.isEmpty() || line.startsWith("# HELP ") || line.startsWith("# TYPE ")) continue;
            assertThat(line).as("a sample line: name{labels} value").matches("[a-zA-Z_:][a-zA-Z0-9_:]*(\\{.*\\})? [-+0-9.eEInfNa]+");
        }
        assertThat(value(r.body(), "runbox_workers", Map.of())).hasValue(1.0);
        assertThat(r.body()).contains("# TYPE runbox_run_seconds histogram", "# TYPE runbox_sandbox_overhead_seconds histogram",
                "# TYPE jvm_memory_used_bytes gauge");
    }

    @Test
    void finished_submissions_are_counted_by_language_and_status_and_their_times_recorded() throws Exception {
        double okBefore = value(scrape(), "runbox_submissions_total", Map.of("language", "python", "status", "OK")).orElse(0);
        double reBefore = value(scrape(), "runbox_submissions_total", Map.of("language", "python", "status", "RE")).orElse(0);
        double runsBefore = value(scrape(), "runbox_run_seconds_count", Map.of()).orElse(0);
        // a judged submission is one queue wait for several runs: count each on its own
        double waitsBefore = value(scrape(), "runbox_queue_wait_seconds_count", Map.of()).orElse(0);

        assertThat(server.run(TestServer.body("print('hi')")).get("status").asText()).isEqualTo("OK");
        assertThat(server.run(TestServer.body("raise SystemExit(3)")).get("status").asText()).isEqualTo("RE");

        String m = scrape();
        assertThat(value(m, "runbox_submissions_total", Map.of("language", "python", "status", "OK"))).hasValue(okBefore + 1);
        assertThat(value(m, "runbox_submissions_total", Map.of("language", "python", "status", "RE"))).hasValue(reBefore + 1);
        assertThat(value(m, "runbox_run_seconds_count", Map.of())).hasValue(runsBefore + 2);
        assertThat(value(m, "runbox_sandbox_overhead_seconds_count", Map.of())).hasValue(runsBefore + 2);
        // a python hello takes well over a millisecond of wall time; the sum is in seconds
        assertThat(value(m, "runbox_run_seconds_sum", Map.of()).orElseThrow()).isGreaterThan(0.001 * (runsBefore + 2));
        assertThat(value(m, "runbox_queue_wait_seconds_count", Map.of()).orElseThrow()).isGreaterThanOrEqualTo(waitsBefore + 2);
        assertThat(value(m, "runbox_run_seconds_bucket", Map.of("le", "+Inf"))).hasValue(runsBefore + 2);
    }

    @Test
    void the_tests_of_a_judged_submission_are_counted_by_their_status() throws Exception {
        Map<String, String> ok = Map.of("language", "python", "status", "OK");
        Map<String, String> wa = Map.of("language", "python", "status", "WA");
        double okBefore = value(scrape(), "runbox_tests_total", ok).orElse(0);
        double waBefore = value(scrape(), "runbox_tests_total", wa).orElse(0);
        var body = TestServer.body("print(input())");
        body.putArray("tests").add(TestServer.JSON.createObjectNode().put("stdin", "a").put("expected_output", "a"))
                .add(TestServer.JSON.createObjectNode().put("stdin", "b").put("expected_output", "a"))
                .add(TestServer.JSON.createObjectNode().put("stdin", "c").put("expected_output", "c"));
        assertThat(server.run(body).get("status").asText()).isEqualTo("WA");
        String m = scrape();
        assertThat(value(m, "runbox_tests_total", ok)).hasValue(okBefore + 2);
        assertThat(value(m, "runbox_tests_total", wa)).hasValue(waBefore + 1);
    }

    @Test
    void queue_depth_and_jobs_running_follow_the_work() throws Exception {
        // the first job sleeps (wall time, not CPU) long enough to be seen running; the second waits behind it
        String sleeper = server.submit(TestServer.body("import time; time.sleep(3)", "time_limit_sec", 5));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> value(scrape(), "runbox_jobs_running", Map.of()).orElse(0) == 1.0);
        String waiting = server.submit(TestServer.body("print(1)"));
        assertThat(value(scrape(), "runbox_queue_depth", Map.of())).hasValue(1.0);

        JsonNode first = server.awaitFinal(sleeper);
        server.awaitFinal(waiting);
        assertThat(first.get("status").asText()).isEqualTo("OK");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
            String m = scrape();
            return value(m, "runbox_jobs_running", Map.of()).orElse(-1) == 0.0 && value(m, "runbox_queue_depth", Map.of()).orElse(-1) == 0.0;
        });
    }

    @Test
    void prepared_sandboxes_ready_are_reported() throws Exception {
        // the pool refills in the background after each run
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> value(scrape(), "runbox_sandboxes_ready", Map.of()).orElse(0) == 1.0);
    }

    @Test
    void http_requests_are_timed_by_route_template_and_status() throws Exception {
        String id = server.submit(TestServer.body("print(2)"));
        server.awaitFinal(id);
        assertThat(server.get("/result/00000000-0000-4000-8000-000000000000").statusCode()).isEqualTo(404);
        assertThat(server.get("/no/such/path/" + id).statusCode()).isEqualTo(404);
        assertThat(server.postJson("{\"source_code\": 1}").statusCode()).isEqualTo(400);

        String m = scrape();
        assertThat(value(m, "http_server_requests_seconds_count", Map.of("method", "POST", "route", "/execute", "status", "202")).orElse(0))
                .isGreaterThanOrEqualTo(1);
        assertThat(value(m, "http_server_requests_seconds_count", Map.of("method", "POST", "route", "/execute", "status", "400")).orElse(0))
                .isGreaterThanOrEqualTo(1);
        assertThat(value(m, "http_server_requests_seconds_count", Map.of("method", "GET", "route", "/result/{id}", "status", "200")).orElse(0))
                .isGreaterThanOrEqualTo(1);
        assertThat(value(m, "http_server_requests_seconds_count", Map.of("method", "GET", "route", "/result/{id}", "status", "404")).orElse(0))
                .isGreaterThanOrEqualTo(1);
        assertThat(value(m, "http_server_requests_seconds_count", Map.of("method", "GET", "route", "unmatched", "status", "404")).orElse(0))
                .isGreaterThanOrEqualTo(1);
        assertThat(m).as("raw paths never become labels").doesNotContain(id);
    }

    private static String scrape() throws Exception {
        HttpResponse<String> r = server.get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** The value of the sample {@code name} whose labels include {@code labels}; empty when there is none. */
    static OptionalDouble value(String exposition, String name, Map<String, String> labels) {
        Pattern line = Pattern.compile("^" + Pattern.quote(name) + "(\\{(.*)\\})? (\\S+)$", Pattern.MULTILINE);
        Matcher m = line.matcher(exposition);
        while (m.find()) {
            Map<String, String> found = new LinkedHashMap<>();
            if (m.group(2) != null) {
                Matcher l = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(m.group(2));
                while (l.find()) found.put(l.group(1), l.group(2));
            }
            if (found.entrySet().containsAll(labels.entrySet())) return OptionalDouble.of(Double.parseDouble(m.group(3)));
        }
        return OptionalDouble.empty();
    }
}
