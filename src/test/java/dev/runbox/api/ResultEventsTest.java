package dev.runbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runbox.testing.SseLines;
import dev.runbox.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.runbox.testing.TestServer.JSON;
import static dev.runbox.testing.TestServer.body;
import static org.assertj.core.api.Assertions.assertThat;

class ResultEventsTest {

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
    void events_stream_each_status_change_until_the_final_result_then_end() throws Exception {
        String id = server.submit(body("import time\ntime.sleep(1.5)\nprint('streamed')", "time_limit_sec", 3));
        SseLines.Stream_ s = SseLines.read(server.base() + "/result/" + id + "/events");

        assertThat(s.response().statusCode()).isEqualTo(200);
        assertThat(s.response().headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
        assertThat(s.events()).allSatisfy(e -> assertThat(e.name()).isEqualTo("status"));
        List<String> statuses = new ArrayList<>();
        for (SseLines.Event e : s.events()) {
            JsonNode r = e.json();
            assertThat(r.get("submission_id").asText()).isEqualTo(id);
            statuses.add(r.get("status").asText());
        }
        // subscribed while the program sleeps: at least one status before the final one, in life order
        assertThat(statuses).hasSizeGreaterThanOrEqualTo(2).doesNotHaveDuplicates();
        assertThat(statuses.get(statuses.size() - 1)).isEqualTo("OK");
        assertThat(statuses.subList(0, statuses.size() - 1)).isSubsetOf("PENDING", "PROCESSING");
        assertThat(statuses).isSortedAccordingTo((a, b) -> Integer.compare(rank(a), rank(b)));
        JsonNode last = s.events().get(s.events().size() - 1).json();
        assertThat(last.get("stdout").asText()).isEqualTo("streamed\n");
    }

    private static int rank(String status) {
        return switch (status) {
            case "PENDING" -> 0;
            case "PROCESSING" -> 1;
            default -> 2;
        };
    }

    @Test
    void events_of_a_finished_submission_are_its_final_result_alone() throws Exception {
        String id = server.submit(body("print('already')"));
        server.awaitFinal(id);
        SseLines.Stream_ s = SseLines.read(server.base() + "/result/" + id + "/events");
        assertThat(s.events()).hasSize(1);
        assertThat(s.events().get(0).json().get("status").asText()).isEqualTo("OK");
        assertThat(s.events().get(0).json().get("stdout").asText()).isEqualTo("already\n");
    }

    @Test
    void events_answer_problems_for_bad_ids_unknown_ids_and_requests_not_accepting_events() throws Exception {
        assertThat(SseLines.read(server.base() + "/result/not-an-id/events").response().statusCode()).isEqualTo(400);
        assertThat(SseLines.read(server.base() + "/result/" + UUID.randomUUID() + "/events").response().statusCode()).isEqualTo(404);

        String id = server.submit(body("print(1)"));
        HttpResponse<String> plain = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(server.base() + "/result/" + id + "/events")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(plain.statusCode()).isEqualTo(406);
        assertThat(plain.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(JSON.readTree(plain.body()).get("detail").asText()).contains("Accept: text/event-stream");
    }
}
