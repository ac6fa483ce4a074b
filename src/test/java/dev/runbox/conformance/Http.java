package dev.runbox.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbox.testing.PistonSocket;
import dev.runbox.testing.SseLines;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Real HTTP to a deployment's API servers, round-robin: each request goes to the next server, so a
 * submission made on one is read, waited for and streamed from another. {@link #pinned()} stays on
 * one server, for what the README says is per API process (the result cache, recent submissions).
 */
final class Http {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final HttpClient client;
    private final List<URI> bases;
    private final AtomicInteger next;
    private final Optional<String> key;

    private Http(HttpClient client, List<URI> bases, AtomicInteger next, Optional<String> key) {
        this.client = client;
        this.bases = List.copyOf(bases);
        this.next = next;
        this.key = key;
    }

    static Http to(List<URI> bases, Optional<String> key) {
        return new Http(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build(),
                bases, new AtomicInteger(), key);
    }

    /** The same servers, sending {@code other} as the key (empty: no Authorization header). */
    Http withKey(Optional<String> other) {
        return new Http(client, bases, next, other);
    }

    /** The next server of the rotation only. */
    Http pinned() {
        return new Http(client, List.of(nextBase()), new AtomicInteger(), key);
    }

    int servers() {
        return bases.size();
    }

    /** An answer, read whole. */
    record Reply(int status, HttpResponse<String> response) {
        String body() {
            return response.body();
        }

        JsonNode json() {
            try {
                return JSON.readTree(response.body());
            } catch (IOException e) {
                throw new AssertionError("not JSON (HTTP " + status + "): " + response.body(), e);
            }
        }

        Optional<String> header(String name) {
            return response.headers().firstValue(name);
        }

        String contentType() {
            return header("Content-Type").orElse("");
        }

        @Override
        public String toString() {
            return "HTTP " + status + " " + contentType() + " " + response.body();
        }
    }

    Reply get(String path, String... headers) {
        return send("GET", path, null, null, headers);
    }

    Reply postJson(String path, JsonNode body) {
        return post(path, "application/json", body.toString().getBytes(StandardCharsets.UTF_8));
    }

    Reply post(String path, String contentType, byte[] body) {
        return send("POST", path, contentType, body);
    }

    Reply send(String method, String path, String contentType, byte[] body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(nextBase().resolve(path)).timeout(REQUEST_TIMEOUT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) b.header("Content-Type", contentType);
        key.ifPresent(k -> b.header("Authorization", "Bearer " + k));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        try {
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Reply(r.statusCode(), r);
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Reads the whole event stream of {@code path} (until the server closes it). */
    SseLines.Stream_ events(String path) throws Exception {
        List<String> headers = new ArrayList<>();
        key.ifPresent(k -> {
            headers.add("Authorization");
            headers.add("Bearer " + k);
        });
        return SseLines.read(nextBase().resolve(path).toString(), headers.toArray(String[]::new));
    }

    /** A WebSocket to {@code path} of the next server (with the key, when there is one). */
    PistonSocket socket(String path) {
        URI http = nextBase().resolve(path);
        URI ws = URI.create(http.toString().replaceFirst("^http", "ws"));
        return PistonSocket.open(client, ws, key);
    }

    private URI nextBase() {
        return bases.get(Math.floorMod(next.getAndIncrement(), bases.size()));
    }
}
