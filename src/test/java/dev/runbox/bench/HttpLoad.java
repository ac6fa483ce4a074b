package dev.runbox.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Clients of a Runbox over real HTTP, as a user would write them, in either of the API's two ways
 * (see {@link Fetch}): POST /execute, then poll GET /result/{id} at a fixed interval until the
 * status is final (a latency then includes up to one poll interval of waiting, the polls' own cost
 * is part of the load, and a client finishes at most one run per interval); or POST
 * /execute?wait=true, answered with the final result as soon as it is stored.
 */
final class HttpLoad {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FINAL = Set.of("OK", "TLE", "MLE", "OLE", "RE", "CE", "WA", "INTERNAL_ERROR", "CHECKER_FAILED");

    private final String base;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** How a client gets its result. */
    sealed interface Fetch permits Poll, Wait {
        /** As a table row says it ("poll every 50 ms"). */
        String describe();
    }

    /** POST /execute, then GET /result/{id} every {@code intervalNanos} until final. */
    record Poll(long intervalNanos) implements Fetch {
        public String describe() {
            return "submit + poll every " + intervalNanos / 1_000_000 + " ms";
        }
    }

    /** POST /execute?wait=true: one request, answered with the final result (the store pushes it; no polls). */
    record Wait() implements Fetch {
        public String describe() {
            return "POST ?wait=true";
        }
    }

    HttpLoad(String base) {
        this.base = base;
    }

    HttpClient client() {
        return http;
    }

    static String body(Program p) {
        ObjectNode n = JSON.createObjectNode();
        n.put("source_code", p.httpSource());
        n.put("language", p.httpLanguage());
        return n.toString();
    }

    String submit(String body) throws IOException, InterruptedException {
        HttpResponse<String> r = post("/execute", body);
        if (r.statusCode() != 202) throw new IOException("POST /execute answered " + r.statusCode() + ": " + r.body());
        return JSON.readTree(r.body()).get("submission_id").asText();
    }

    /** POST /execute?wait=true: the final result (200); throws on any other answer (a 202 is a wait that timed out). */
    JsonNode submitAndWait(String body) throws IOException, InterruptedException {
        HttpResponse<String> r = post("/execute?wait=true", body);
        if (r.statusCode() != 200) throw new IOException("POST /execute?wait=true answered " + r.statusCode() + ": " + r.body());
        return JSON.readTree(r.body());
    }

    private HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The final result of one submission of {@code body}, got the way {@code fetch} says. */
    JsonNode finalResult(String body, Fetch fetch) throws IOException, InterruptedException {
        if (fetch instanceof Poll poll) return awaitFinal(submit(body), poll.intervalNanos());
        return submitAndWait(body);
    }

    JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IOException("GET " + path + " answered " + r.statusCode() + ": " + r.body());
        return JSON.readTree(r.body());
    }

    /** Polls every {@code pollNanos} until final (deadline 60 s); returns the final result. */
    JsonNode awaitFinal(String id, long pollNanos) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            JsonNode r = get("/result/" + id);
            if (FINAL.contains(r.path("status").asText())) return r;
            if (System.nanoTime() > deadline) throw new IOException(id + " not final after 60 s: " + r);
            java.util.concurrent.locks.LockSupport.parkNanos(pollNanos); // the client's poll interval, by design
        }
    }

    /** Submits and waits; throws unless the run was OK and printed exactly what it should. */
    JsonNode runChecked(Program p, String body, Fetch fetch) throws IOException, InterruptedException {
        JsonNode r = finalResult(body, fetch);
        if (!r.path("status").asText().equals("OK") || !r.path("stdout").asText().equals(p.expectedStdout())) {
            throw new IOException(p.label() + " over HTTP ended " + r);
        }
        return r;
    }

    /**
     * Where the time of one submission went, by the server's own timestamps: waiting in the queue
     * (created_at → started_at), in the worker (started_at → finished_at: the sandboxed run plus
     * storing its result), and the rest, on the client's side of the server (the POST before
     * created_at; polling: up to one poll interval and the GET that saw the result; waiting: the
     * push of the stored result to the request and its answer).
     */
    record Parts(long queueNanos, long workerNanos, long clientNanos) {
        /** Empty when the result lacks a timestamp (a server that does not give them). */
        static java.util.Optional<Parts> of(JsonNode result, long totalNanos) {
            try {
                long created = nanos(result, "created_at");
                long started = nanos(result, "started_at");
                long finished = nanos(result, "finished_at");
                return java.util.Optional.of(new Parts(started - created, finished - started, totalNanos - (finished - created)));
            } catch (java.time.format.DateTimeParseException e) {
                return java.util.Optional.empty();
            }
        }

        private static long nanos(JsonNode result, String field) {
            java.time.Instant t = java.time.Instant.parse(result.path(field).asText());
            return t.getEpochSecond() * 1_000_000_000L + t.getNano();
        }
    }

    /**
     * One client, one submission at a time: end-to-end latency of each (POST sent → final result
     * seen); where each one's time went is added to {@code parts}.
     */
    long[] latencies(Program p, int count, Fetch fetch, List<Parts> parts) throws IOException, InterruptedException {
        String body = body(p);
        long[] ns = new long[count];
        for (int i = 0; i < count; i++) {
            long t0 = System.nanoTime();
            JsonNode r = runChecked(p, body, fetch);
            ns[i] = System.nanoTime() - t0;
            Parts.of(r, ns[i]).ifPresent(parts::add);
        }
        return ns;
    }

    /**
     * {@code clients} clients, each submitting its next program as soon as its last one is final;
     * the runs seen final in the window after the warm-up (every client finishes the run it has in
     * flight, so the next measurement starts with an empty queue).
     */
    Rate throughput(Program p, int clients, Fetch fetch, double warmupSec, double windowSec) throws InterruptedException {
        String body = body(p);
        return Saturation.measure("HTTP " + p.label(), clients, warmupSec, windowSec, () -> runChecked(p, body, fetch));
    }
}
