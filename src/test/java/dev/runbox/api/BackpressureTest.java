package dev.runbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runbox.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static dev.runbox.api.Api.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A full queue refuses new work with 503 + Retry-After, keeps nothing of it, and loses none of what it took. */
class BackpressureTest {

    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(Map.of("workers", "1", "queue-capacity", "1"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
    }

    @Test
    void full_queue_refuses_with_503_and_retry_after_and_keeps_what_it_accepted() throws Exception {
        // wall limit = 2 × 3 s, above the 4 s sleep: the sleeper holds the only worker while the queue fills
        String sleeper = server.submit(TestServer.body("import time\ntime.sleep(4)\nprint('slept')", "time_limit_sec", 3));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
            JsonNode h = Api.health(server);
            assertThat(h.path("workers_busy").asInt()).isEqualTo(1);
            assertThat(h.path("queue_depth").asInt()).isZero();
        });
        String queued = server.submit(TestServer.body("print('queued')"));
        assertThat(Api.health(server).path("queue_depth").asInt()).isEqualTo(1);

        HttpResponse<String> refused = server.postJson(TestServer.body("print('refused')").toString());

        JsonNode p = assertProblem(refused, 503);
        assertThat(p.path("type").asText()).isEqualTo("urn:runbox:problem:queue-full");
        assertThat(p.path("detail").asText()).contains("retry");
        assertThat(refused.headers().firstValue("Retry-After")).as("Retry-After is delay-seconds")
                .hasValueSatisfying(v -> assertThat(v).matches("[1-9][0-9]*"));
        assertThat(refused.headers().firstValue("Location")).isEmpty();
        JsonNode during = Api.health(server);
        assertThat(during.path("workers_busy").asInt()).as("the sleeper must still hold the worker, or this proves nothing")
                .isEqualTo(1);
        assertThat(during.path("queue_depth").asInt()).as("the refused submission left nothing in the queue").isEqualTo(1);

        JsonNode first = server.awaitFinal(sleeper);
        JsonNode second = server.awaitFinal(queued);
        assertThat(first.path("status").asText()).as(first.toString()).isEqualTo("OK");
        assertThat(first.path("stdout").asText()).isEqualTo("slept\n");
        assertThat(second.path("status").asText()).as(second.toString()).isEqualTo("OK");
        assertThat(second.path("stdout").asText()).isEqualTo("queued\n");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
            JsonNode h = Api.health(server);
            assertThat(h.path("queue_depth").asInt()).isZero();
            assertThat(h.path("workers_busy").asInt()).isZero();
        });

        JsonNode retried = server.run(TestServer.body("print('refused')"));
        assertThat(retried.path("stdout").asText()).as("once there is room, the same submission is accepted").isEqualTo("refused\n");
    }
}
