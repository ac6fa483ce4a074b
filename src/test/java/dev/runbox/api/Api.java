package dev.runbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runbox.testing.TestServer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Raw HTTP against a {@link TestServer} (any method, chunked bodies) and assertions on the API's one
 * error shape: RFC 9457 problem details.
 */
final class Api {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private Api() {
    }

    static HttpResponse<String> send(TestServer server, String method, String path, String contentType, byte[] body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base() + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) b.header("Content-Type", contentType);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** POST with Transfer-Encoding: chunked, so the server cannot know the size up front. */
    static HttpResponse<String> postChunked(TestServer server, String path, String contentType, byte[] body)
            throws IOException, InterruptedException {
        HttpRequest r = HttpRequest.newBuilder(URI.create(server.base() + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build();
        return HTTP.send(r, HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode health(TestServer server) throws IOException, InterruptedException {
        HttpResponse<String> r = server.get("/health");
        assertThat(r.statusCode()).as("GET /health: %s", r.body()).isEqualTo(200);
        return TestServer.JSON.readTree(r.body());
    }

    /** Asserts {@code r} is a problem+json answer with this status and every member of the shape; returns the body. */
    static JsonNode assertProblem(HttpResponse<String> r, int status) throws IOException {
        String what = r.request().method() + " " + r.request().uri().getRawPath() + " answered " + r.statusCode()
                + " " + r.headers().firstValue("Content-Type").orElse("(no content type)") + ": " + r.body();
        assertThat(r.statusCode()).as(what).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).as(what).hasValueSatisfying(
                t -> assertThat(t).startsWith("application/problem+json"));
        JsonNode p = TestServer.JSON.readTree(r.body());
        assertThat(p.isObject()).as(what).isTrue();
        assertThat(p.path("type").asText()).as("type of " + what).startsWith("urn:runbox:problem:");
        assertThat(p.path("title").isTextual() && !p.path("title").asText().isBlank()).as("title of " + what).isTrue();
        assertThat(p.path("status").isInt() ? p.path("status").asInt() : -1).as("status member of " + what).isEqualTo(status);
        assertThat(p.path("detail").isTextual() && !p.path("detail").asText().isBlank()).as("detail of " + what).isTrue();
        assertThat(p.path("instance").asText()).as("instance of " + what).startsWith("/");
        return p;
    }

    /** Asserts a 400 problem whose first field error is {@code field}, with every error listed in {@code errors[]}. */
    static JsonNode assertFieldProblem(HttpResponse<String> r, String field) throws IOException {
        JsonNode p = assertProblem(r, 400);
        assertThat(p.path("type").asText()).as(r.body()).isEqualTo("urn:runbox:problem:invalid-request");
        assertThat(p.path("field").asText()).as("field of " + r.body()).isEqualTo(field);
        assertThat(p.path("errors").isArray() && p.path("errors").size() > 0).as("errors[] of " + r.body()).isTrue();
        for (JsonNode e : p.path("errors")) {
            assertThat(e.path("field").isTextual()).as("errors[].field of " + r.body()).isTrue();
            assertThat(e.path("message").asText()).as("errors[].message of " + r.body()).isNotBlank();
        }
        assertThat(errorFields(p)).as(r.body()).contains(field);
        assertThat(p.path("detail").asText()).as("detail names the field: " + r.body()).contains(field);
        return p;
    }

    static List<String> errorFields(JsonNode problem) {
        List<String> fields = new ArrayList<>();
        problem.path("errors").forEach(e -> fields.add(e.path("field").asText()));
        return fields;
    }

    /** The message of the error about {@code field}. */
    static String messageOf(JsonNode problem, String field) {
        for (JsonNode e : problem.path("errors")) {
            if (e.path("field").asText().equals(field)) return e.path("message").asText();
        }
        throw new AssertionError("no error about " + field + " in " + problem);
    }
}
