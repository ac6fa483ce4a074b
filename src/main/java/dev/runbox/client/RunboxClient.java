package dev.runbox.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A client of a Runbox server for Java code: submit a program, read its result, wait for it.
 *
 * <pre>{@code
 * RunboxClient runbox = RunboxClient.create("http://127.0.0.1:8080");
 * Result r = runbox.run(SubmissionRequest.of("print(input()[::-1])").withStdin("hello"), Duration.ofSeconds(60));
 * r.status();   // "OK"
 * r.stdout();   // "olleh\n"
 * }</pre>
 *
 * <p>Waiting polls {@code GET /result/{id}}, 50 ms apart at first and then less often (×1.5 each
 * time, at most 1 s apart), until the result is final or the deadline passes. Thread-safe: one
 * client may be shared.
 */
public final class RunboxClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final Duration FIRST_POLL = Duration.ofMillis(50);
    static final Duration MAX_POLL = Duration.ofSeconds(1);

    private final URI base;
    private final HttpClient http;
    private final Duration requestTimeout;

    /**
     * @param base           the server, e.g. {@code http://127.0.0.1:8080}
     * @param http           the HTTP client to use
     * @param requestTimeout how long one HTTP request may take
     */
    public RunboxClient(URI base, HttpClient http, Duration requestTimeout) {
        String b = base.toString();
        this.base = URI.create(b.endsWith("/") ? b : b + "/");
        this.http = http;
        this.requestTimeout = requestTimeout;
    }

    public static RunboxClient create(String baseUrl) {
        return new RunboxClient(URI.create(baseUrl), HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build(),
                Duration.ofSeconds(30));
    }

    public URI base() {
        return base;
    }

    /** Queues the program; returns its submission id. */
    public String submit(SubmissionRequest request) throws RunboxException, InterruptedException {
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(request.toJson());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a request of strings and numbers always serializes", e);
        }
        JsonNode answer = send(HttpRequest.newBuilder(base.resolve("execute")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
        if (!answer.hasNonNull("submission_id")) throw new RunboxException("POST /execute answered without a submission_id: " + answer);
        return answer.get("submission_id").asText();
    }

    /** The result now, final or not. */
    public Result result(String submissionId) throws RunboxException, InterruptedException {
        return Result.from(send(HttpRequest.newBuilder(base.resolve("result/" + encodeSegment(submissionId))).GET()));
    }

    /** Waits for the final result; throws {@link RunboxTimeoutException} when {@code timeout} passes first. */
    public Result await(String submissionId, Duration timeout) throws RunboxException, InterruptedException {
        return await(submissionId, timeout, r -> {
        });
    }

    /**
     * Waits for the final result, calling {@code onPoll} with every result seen (e.g. to show progress);
     * throws {@link RunboxTimeoutException} when {@code timeout} passes first.
     */
    public Result await(String submissionId, Duration timeout, Consumer<Result> onPoll) throws RunboxException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Duration pause = FIRST_POLL;
        while (true) {
            Result r = result(submissionId);
            onPoll.accept(r);
            if (r.isFinal()) return r;
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new RunboxTimeoutException("no final result for " + submissionId + " after " + timeout.toMillis() / 1000.0
                        + " s (last status " + r.status() + "); the submission goes on", r);
            }
            Thread.sleep(Math.max(1, Math.min(pause.toMillis(), left / 1_000_000)));
            pause = Duration.ofMillis(Math.min(MAX_POLL.toMillis(), (long) (pause.toMillis() * 1.5)));
        }
    }

    /** Submits, then waits for the final result. */
    public Result run(SubmissionRequest request, Duration timeout) throws RunboxException, InterruptedException {
        return await(submit(request), timeout);
    }

    /** The languages the server offers. */
    public List<LanguageInfo> languages() throws RunboxException, InterruptedException {
        List<LanguageInfo> out = new ArrayList<>();
        for (JsonNode l : send(HttpRequest.newBuilder(base.resolve("languages")).GET())) {
            out.add(new LanguageInfo(l.path("id").asText(), l.path("name").asText(), l.path("version").asText(null),
                    l.path("source_file").asText(null)));
        }
        return out;
    }

    private JsonNode send(HttpRequest.Builder request) throws RunboxException, InterruptedException {
        HttpRequest r = request.timeout(requestTimeout).header("Accept", "application/json").build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(r, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new RunboxException("cannot reach Runbox at " + base + " (" + r.method() + " " + r.uri().getPath() + "): "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        }
        JsonNode body = parse(response);
        if (response.statusCode() / 100 != 2) {
            Optional<Long> retryAfter = response.headers().firstValue("Retry-After").flatMap(RunboxClient::seconds);
            throw new RunboxProblemException(response.statusCode(), body, retryAfter);
        }
        return body;
    }

    private JsonNode parse(HttpResponse<byte[]> response) throws RunboxException {
        try {
            JsonNode n = JSON.readTree(response.body());
            if (n == null || n.isMissingNode()) throw new IOException("empty body");
            return n;
        } catch (IOException e) {
            String text = new String(response.body(), StandardCharsets.UTF_8);
            throw new RunboxException("not a Runbox answer from " + response.uri() + " (HTTP " + response.statusCode() + "): "
                    + (text.length() > 200 ? text.substring(0, 200) + "…" : text), e);
        }
    }

    private static Optional<Long> seconds(String header) {
        try {
            return Optional.of(Long.parseLong(header.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** An id goes into the path as one segment, whatever a caller passes. */
    private static String encodeSegment(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
