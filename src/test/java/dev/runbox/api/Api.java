package dev.runbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runbox.testing.TestServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLSession;

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

    /**
     * Writes {@code head} (request line and headers, without the blank line) and {@code body} on a plain
     * socket, then reads the answer. Unlike HttpClient, this reads the answer even when the server
     * answers before reading the body: the way to see a 413 given for a too-large Content-Length.
     */
    static HttpResponse<String> raw(TestServer server, String head, byte[] body) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.runbox.port())) {
            socket.setSoTimeout(10_000);
            IOException writeFailure = null;
            try {
                OutputStream out = socket.getOutputStream();
                out.write((head + "\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.write(body);
                out.flush();
            } catch (IOException e) {
                writeFailure = e; // the server may have answered and closed early: its answer can still be read
            }
            try {
                return parse(head, socket.getInputStream());
            } catch (IOException e) {
                if (writeFailure != null) e.addSuppressed(writeFailure);
                throw e;
            }
        }
    }

    private static HttpResponse<String> parse(String head, InputStream in) throws IOException {
        ByteArrayOutputStream headers = new ByteArrayOutputStream();
        while (!headers.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) throw new IOException("connection closed inside the response headers: " + headers);
            headers.write(b);
        }
        String[] lines = headers.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, List<String>> map = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            String[] kv = lines[i].split(":", 2);
            map.computeIfAbsent(kv[0].trim(), k -> new ArrayList<>()).add(kv[1].trim());
        }
        HttpHeaders hs = HttpHeaders.of(map, (k, v) -> true);
        int length = Integer.parseInt(hs.firstValue("Content-Length").orElseThrow(() -> new IOException("no Content-Length: " + map)));
        String text = new String(in.readNBytes(length), StandardCharsets.UTF_8);
        String[] requestLine = head.split("\r\n", 2)[0].split(" ");
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1" + requestLine[1]))
                .method(requestLine[0], HttpRequest.BodyPublishers.noBody()).build();
        return new HttpResponse<>() {
            public int statusCode() { return status; }
            public HttpRequest request() { return request; }
            public Optional<HttpResponse<String>> previousResponse() { return Optional.empty(); }
            public HttpHeaders headers() { return hs; }
            public String body() { return text; }
            public Optional<SSLSession> sslSession() { return Optional.empty(); }
            public URI uri() { return request.uri(); }
            public HttpClient.Version version() { return HttpClient.Version.HTTP_1_1; }
        };
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
