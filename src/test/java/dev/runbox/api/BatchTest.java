package dev.runbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runbox.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

import static dev.runbox.testing.TestServer.JSON;
import static dev.runbox.testing.TestServer.body;
import static org.assertj.core.api.Assertions.assertThat;

class BatchTest {

    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(Map.of("workers", "1", "prepared-sandboxes", "1", "max-batch", "4"));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static HttpResponse<String> batch(String json) throws Exception {
        return server.post("/execute/batch", "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    private static ObjectNode envelope(JsonNode... items) {
        ObjectNode b = JSON.createObjectNode();
        ArrayNode a = b.putArray("submissions");
        for (JsonNode i : items) a.add(i);
        return b;
    }

    @Test
    void a_batch_queues_each_valid_item_and_answers_a_problem_for_each_invalid_one_in_order() throws Exception {
        HttpResponse<String> r = batch(envelope(
                body("print('first')"),
                body(""),
                body("print(2)", "enable_network", true),
                body("print('last')", "stdin_data", "x")).toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode items = JSON.readTree(r.body()).get("submissions");
        assertThat(items).hasSize(4);
        assertThat(items.get(0).get("status").asText()).isEqualTo("PENDING");
        assertThat(items.get(1).get("status").asInt()).isEqualTo(400);
        assertThat(items.get(1).get("field").asText()).isEqualTo("source_code");
        assertThat(items.get(2).get("status").asInt()).isEqualTo(400);
        assertThat(items.get(2).get("field").asText()).isEqualTo("enable_network");
        assertThat(items.get(3).get("status").asText()).isEqualTo("PENDING");

        String first = items.get(0).get("submission_id").asText();
        String last = items.get(3).get("submission_id").asText();
        assertThat(server.awaitFinal(first).get("stdout").asText()).isEqualTo("first\n");
        assertThat(server.awaitFinal(last).get("stdout").asText()).isEqualTo("last\n");

        String unknown = UUID.randomUUID().toString();
        HttpResponse<String> results = server.get("/results?ids=" + first + ",not-an-id," + unknown + "," + last);
        assertThat(results.statusCode()).as(results.body()).isEqualTo(200);
        JsonNode rs = JSON.readTree(results.body()).get("results");
        assertThat(rs).hasSize(4);
        assertThat(rs.get(0).get("stdout").asText()).isEqualTo("first\n");
        assertThat(rs.get(1).get("status").asInt()).isEqualTo(400);
        assertThat(rs.get(1).get("type").asText()).isEqualTo("urn:runbox:problem:invalid-id");
        assertThat(rs.get(2).get("status").asInt()).isEqualTo(404);
        assertThat(rs.get(2).get("detail").asText()).contains(unknown);
        assertThat(rs.get(3).get("stdout").asText()).isEqualTo("last\n");
    }

    @Test
    void callbacks_are_refused_per_item_when_the_server_has_no_callback_secret() throws Exception {
        HttpResponse<String> r = batch(envelope(body("print(1)", "callback_url", "http://example.com/hook")).toString());
        JsonNode item = JSON.readTree(r.body()).get("submissions").get(0);
        assertThat(item.get("status").asInt()).isEqualTo(400);
        assertThat(item.get("field").asText()).isEqualTo("callback_url");
        assertThat(item.get("detail").asText()).contains("callback-secret");
    }

    @Test
    void a_malformed_batch_is_refused_whole_naming_the_field() throws Exception {
        ObjectNode tooMany = envelope(body("print(1)"), body("print(2)"), body("print(3)"), body("print(4)"), body("print(5)"));
        String[][] cases = {
                {"[]", "body"},
                {"{}", "submissions"},
                {"{\"submissions\": {}}", "submissions"},
                {"{\"submissions\": []}", "submissions"},
                {tooMany.toString(), "submissions"},
                {"{\"submissions\": [{\"source_code\": \"print(1)\"}], \"wait\": true}", "wait"}};
        for (String[] c : cases) {
            HttpResponse<String> r = batch(c[0]);
            assertThat(r.statusCode()).as(c[0] + " → " + r.body()).isEqualTo(400);
            assertThat(JSON.readTree(r.body()).get("field").asText()).as(c[0]).isEqualTo(c[1]);
        }
        assertThat(JSON.readTree(batch(tooMany.toString()).body()).get("detail").asText()).contains("1 to 4 items");
        assertThat(server.post("/execute/batch", "text/plain", "{}".getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(415);
    }

    @Test
    void results_needs_ids_and_at_most_max_batch_of_them() throws Exception {
        for (String q : new String[]{"/results", "/results?ids=", "/results?ids=a,b,c,d,e"}) {
            HttpResponse<String> r = server.get(q);
            assertThat(r.statusCode()).as(q).isEqualTo(400);
            assertThat(JSON.readTree(r.body()).get("field").asText()).as(q).isEqualTo("ids");
        }
    }
}
