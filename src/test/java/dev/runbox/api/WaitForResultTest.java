package dev.runbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runbox.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static dev.runbox.testing.TestServer.JSON;
import static dev.runbox.testing.TestServer.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class WaitForResultTest {

    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(Map.of("workers", "1", "prepared-sandboxes", "1", "max-wait-sec", "15"));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static HttpResponse<String> execute(String query, String json) throws Exception {
        return server.post("/execute" + query, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void wait_true_answers_200_with_the_final_result() throws Exception {
        HttpResponse<String> r = execute("?wait=true", body("print('waited')").toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode result = JSON.readTree(r.body());
        assertThat(result.get("status").asText()).isEqualTo("OK");
        assertThat(result.get("stdout").asText()).isEqualTo("waited\n");
        assertThat(r.headers().firstValue("Location")).hasValue("/result/" + result.get("submission_id").asText());
    }

    @Test
    void wait_answers_202_with_the_current_result_when_the_timeout_comes_first() throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> r = execute("?wait=true&timeout_sec=1",
                body("import time\ntime.sleep(4)\nprint('late')", "time_limit_sec", 5).toString());
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        JsonNode current = JSON.readTree(r.body());
        assertThat(current.get("status").asText()).isIn("PENDING", "PROCESSING");
        assertThat(current.has("stdout")).as("the 202 of a wait is the whole current result").isTrue();
        // not before the timeout, and well before the program could end (4 s)
        assertThat(took).isBetween(Duration.ofMillis(950), Duration.ofMillis(3500));
        assertThat(server.awaitFinal(current.get("submission_id").asText()).get("stdout").asText()).isEqualTo("late\n");
    }

    @Test
    void wait_parameters_out_of_bounds_are_refused_naming_the_parameter() throws Exception {
        String ok = body("print(1)").toString();
        for (String[] c : new String[][]{
                {"?wait=yes", "wait"},
                {"?wait=true&timeout_sec=0", "timeout_sec"},
                {"?wait=true&timeout_sec=-1", "timeout_sec"},
                {"?wait=true&timeout_sec=16", "timeout_sec"},
                {"?wait=true&timeout_sec=abc", "timeout_sec"},
                {"?wait=true&timeout_sec=NaN", "timeout_sec"},
                {"?timeout_sec=5", "timeout_sec"}}) {
            HttpResponse<String> r = execute(c[0], ok);
            assertThat(r.statusCode()).as(c[0] + " → " + r.body()).isEqualTo(400);
            assertThat(JSON.readTree(r.body()).get("field").asText()).as(c[0]).isEqualTo(c[1]);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        }
    }

    @Test
    void waiting_requests_hold_no_server_thread() throws Exception {
        // the only worker is kept busy, so every waiting request's job stays queued
        String blocker = server.submit(body("import time\ntime.sleep(4)", "time_limit_sec", 5));
        await().atMost(Duration.ofSeconds(20)).until(() -> JSON.readTree(server.get("/result/" + blocker).body())
                .get("status").asText().equals("PROCESSING"));
        int before = server.runbox.api().busyHttpThreads();
        int waiting = 30;
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < waiting; i++) {
            answers.add(client.sendAsync(HttpRequest.newBuilder(URI.create(server.base() + "/execute?wait=true&timeout_sec=15"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body("print(" + i + ")").toString())).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        // every request has been accepted and is now waiting for its queued job
        await().atMost(Duration.ofSeconds(20)).until(() -> JSON.readTree(server.get("/health").body()).get("queue_depth").asInt() == waiting);
        assertThat(answers).noneMatch(CompletableFuture::isDone);
        int during = server.runbox.api().busyHttpThreads();
        assertThat(during).as("busy HTTP threads with %d requests waiting (before: %d)", waiting, before)
                .isLessThanOrEqualTo(before + 3);
        for (int i = 0; i < waiting; i++) {
            HttpResponse<String> r = answers.get(i).get();
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(JSON.readTree(r.body()).get("stdout").asText()).isEqualTo(i + "\n");
        }
    }
}
