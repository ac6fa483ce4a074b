package dev.runbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runbox.testing.OpenApiContract;
import dev.runbox.testing.SseLines;
import dev.runbox.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.runbox.testing.TestServer.JSON;
import static dev.runbox.testing.TestServer.body;
import static org.assertj.core.api.Assertions.assertThat;

/** The OpenAPI document is true: every route is in it, everything in it is a route, real answers match it. */
class OpenApiContractTest {

    static final Set<String> HTTP_METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");
    static TestServer server;
    static OpenApiContract contract;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(Map.of("workers", "1", "prepared-sandboxes", "1", "max-wait-sec", "5"));
        contract = OpenApiContract.load();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static HttpResponse<String> post(String path, String json) throws Exception {
        return server.post(path, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void the_document_is_valid_openapi_and_is_what_openapi_json_serves() throws Exception {
        assertThat(contract.parserMessages).as("swagger-parser messages").isEmpty();
        assertThat(contract.model.getOpenapi()).startsWith("3.1");
        HttpResponse<String> served = server.get("/openapi.json");
        assertThat(served.statusCode()).isEqualTo(200);
        assertThat(OpenApiContract.mediaType(served)).isEqualTo("application/json");
        assertThat(JSON.readTree(served.body())).isEqualTo(contract.doc);
    }

    @Test
    void every_route_is_in_the_document_and_every_operation_is_a_route() {
        Set<String> routes = new TreeSet<>();
        for (String r : server.runbox.api().routes()) {
            if (HTTP_METHODS.contains(r.split(" ", 2)[0])) routes.add(r);
        }
        assertThat(routes).as("routes registered by the server").isNotEmpty();
        assertThat(routes).isEqualTo(contract.operations());
    }

    @Test
    void real_answers_of_execute_and_result_match_the_document() throws Exception {
        HttpResponse<String> accepted = post("/execute", body("print('doc')").toString());
        assertThat(accepted.statusCode()).isEqualTo(202);
        contract.assertMatches("POST", "/execute", accepted);
        String id = JSON.readTree(accepted.body()).get("submission_id").asText();
        server.awaitFinal(id);
        HttpResponse<String> result = server.get("/result/" + id);
        assertThat(result.statusCode()).isEqualTo(200);
        contract.assertMatches("GET", "/result/{id}", result);

        HttpResponse<String> waited = post("/execute?wait=true", body("print('waited')").toString());
        assertThat(waited.statusCode()).isEqualTo(200);
        contract.assertMatches("POST", "/execute", waited);

        HttpResponse<String> timedOut = post("/execute?wait=true&timeout_sec=0.5",
                body("import time\ntime.sleep(2)", "time_limit_sec", 3).toString());
        assertThat(timedOut.statusCode()).isEqualTo(202);
        contract.assertMatches("POST", "/execute", timedOut);

        HttpResponse<String> cached = post("/execute?wait=true", body("print('c')", "cache", true).toString());
        contract.assertMatches("POST", "/execute", cached);
    }

    @Test
    void real_problems_match_the_document() throws Exception {
        HttpResponse<String> invalid = post("/execute", "{\"source_code\": 3, \"mounts\": []}");
        assertThat(invalid.statusCode()).isEqualTo(400);
        contract.assertMatches("POST", "/execute", invalid);

        HttpResponse<String> badWait = post("/execute?wait=maybe", body("print(1)").toString());
        assertThat(badWait.statusCode()).isEqualTo(400);
        contract.assertMatches("POST", "/execute", badWait);

        HttpResponse<String> media = server.post("/execute", "text/plain", "print(1)".getBytes(StandardCharsets.UTF_8));
        assertThat(media.statusCode()).isEqualTo(415);
        contract.assertMatches("POST", "/execute", media);

        HttpResponse<String> badId = server.get("/result/NOT-AN-ID");
        assertThat(badId.statusCode()).isEqualTo(400);
        contract.assertMatches("GET", "/result/{id}", badId);

        HttpResponse<String> unknown = server.get("/result/" + UUID.randomUUID());
        assertThat(unknown.statusCode()).isEqualTo(404);
        contract.assertMatches("GET", "/result/{id}", unknown);

        HttpResponse<String> unknownEvents = server.get("/result/" + UUID.randomUUID() + "/events");
        assertThat(unknownEvents.statusCode()).isEqualTo(404);
        contract.assertMatches("GET", "/result/{id}/events", unknownEvents);
    }

    @Test
    void real_answers_of_batch_results_health_and_languages_match_the_document() throws Exception {
        ObjectNode batch = JSON.createObjectNode();
        batch.putArray("submissions").add(body("print(1)")).add(body("print(2)", "time_limit_sec", -1));
        HttpResponse<String> b = post("/execute/batch", batch.toString());
        assertThat(b.statusCode()).isEqualTo(200);
        contract.assertMatches("POST", "/execute/batch", b);
        String id = JSON.readTree(b.body()).get("submissions").get(0).get("submission_id").asText();
        server.awaitFinal(id);

        HttpResponse<String> results = server.get("/results?ids=" + id + ",nope," + UUID.randomUUID());
        assertThat(results.statusCode()).isEqualTo(200);
        contract.assertMatches("GET", "/results", results);

        HttpResponse<String> noIds = server.get("/results");
        assertThat(noIds.statusCode()).isEqualTo(400);
        contract.assertMatches("GET", "/results", noIds);

        HttpResponse<String> health = server.get("/health");
        assertThat(health.statusCode()).isEqualTo(200);
        contract.assertMatches("GET", "/health", health);

        HttpResponse<String> languages = server.get("/languages");
        assertThat(languages.statusCode()).isEqualTo(200);
        contract.assertMatches("GET", "/languages", languages);
    }

    @Test
    void real_answers_of_the_piston_api_match_the_document() throws Exception {
        for (String prefix : new String[]{"/api/v2", "/api/v2/piston"}) {
            HttpResponse<String> ran = post(prefix + "/execute",
                    "{\"language\": \"py\", \"version\": \"*\", \"files\": [{\"content\": \"print(1)\"}]}");
            assertThat(ran.statusCode()).as(ran.body()).isEqualTo(200);
            contract.assertMatches("POST", prefix + "/execute", ran);
            HttpResponse<String> compiled = post(prefix + "/execute",
                    "{\"language\": \"c\", \"version\": \"*\", \"files\": [{\"content\": \"int main(void) { return 0; }\"}]}");
            assertThat(compiled.statusCode()).as(compiled.body()).isEqualTo(200);
            assertThat(JSON.readTree(compiled.body()).has("compile")).isTrue();
            contract.assertMatches("POST", prefix + "/execute", compiled);
            HttpResponse<String> failed = post(prefix + "/execute",
                    "{\"language\": \"c\", \"version\": \"*\", \"files\": [{\"content\": \"int main(void) { return x; }\"}]}");
            assertThat(JSON.readTree(failed.body()).get("compile").get("status").asText()).as(failed.body()).isEqualTo("RE");
            contract.assertMatches("POST", prefix + "/execute", failed);
            HttpResponse<String> invalid = post(prefix + "/execute", "{\"language\": \"py\"}");
            assertThat(invalid.statusCode()).isEqualTo(400);
            contract.assertMatches("POST", prefix + "/execute", invalid);
            HttpResponse<String> runtimes = server.get(prefix + "/runtimes");
            assertThat(runtimes.statusCode()).isEqualTo(200);
            contract.assertMatches("GET", prefix + "/runtimes", runtimes);
            HttpResponse<String> packages = server.get(prefix + "/packages");
            assertThat(packages.statusCode()).isEqualTo(501);
            contract.assertMatches("GET", prefix + "/packages", packages);
        }
    }

    @Test
    void every_event_of_the_stream_is_a_documented_result() throws Exception {
        String id = server.submit(body("import time\ntime.sleep(0.5)\nprint('e')"));
        SseLines.Stream_ s = SseLines.read(server.base() + "/result/" + id + "/events");
        assertThat(s.response().statusCode()).isEqualTo(200);
        contract.responseSchema("GET", "/result/{id}/events", 200, OpenApiContract.mediaType(s.response()));
        assertThat(s.events()).isNotEmpty();
        for (SseLines.Event e : s.events()) {
            assertThat(contract.errors("GET", "/result/{id}", 200, "application/json", e.json())).as(e.data()).isEmpty();
        }
    }

    @Test
    void the_docs_page_is_swagger_ui_from_the_jar_over_openapi_json() throws Exception {
        HttpResponse<String> page = server.get("/docs");
        assertThat(page.statusCode()).isEqualTo(200);
        contract.responseSchema("GET", "/docs", 200, OpenApiContract.mediaType(page));
        assertThat(page.body()).contains("SwaggerUIBundle").contains("/openapi.json").doesNotContain("https://");
        Matcher assets = Pattern.compile("(?:src|href)=\"(/webjars/[^\"]+)\"").matcher(page.body());
        int found = 0;
        HttpClient http = HttpClient.newHttpClient();
        while (assets.find()) {
            HttpResponse<byte[]> a = http.send(HttpRequest.newBuilder(URI.create(server.base() + assets.group(1))).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(a.statusCode()).as(assets.group(1)).isEqualTo(200);
            assertThat(a.body().length).as(assets.group(1)).isGreaterThan(100);
            found++;
        }
        assertThat(found).as("assets referenced by /docs").isGreaterThanOrEqualTo(3);
    }

    @Test
    void a_response_that_does_not_match_the_document_fails_the_check() throws Exception {
        String id = server.submit(body("print('x')"));
        JsonNode real = JSON.readTree(server.get("/result/" + server.awaitFinal(id).get("submission_id").asText()).body());
        assertThat(contract.errors("GET", "/result/{id}", 200, "application/json", real)).isEmpty();

        ObjectNode missing = real.deepCopy();
        missing.remove("cached");
        ObjectNode wrongStatus = real.deepCopy();
        wrongStatus.put("status", "DONE");
        ObjectNode extra = real.deepCopy();
        extra.put("undocumented", 1);
        ObjectNode wrongType = real.deepCopy();
        wrongType.put("exit_code", "0");
        for (ObjectNode bad : new ObjectNode[]{missing, wrongStatus, extra, wrongType}) {
            assertThat(contract.errors("GET", "/result/{id}", 200, "application/json", bad)).as(bad.toString()).isNotEmpty();
        }
        // an undocumented status or media type fails too
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> contract.responseSchema("GET", "/result/{id}", 418, "application/json"))
                .isInstanceOf(AssertionError.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> contract.responseSchema("GET", "/health", 200, "text/plain"))
                .isInstanceOf(AssertionError.class);
    }
}
