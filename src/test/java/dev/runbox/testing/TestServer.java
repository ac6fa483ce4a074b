package dev.runbox.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runbox.Runbox;
import dev.runbox.config.RunboxConfig;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * A real Runbox (real HTTP on a free port, real sandbox) for one test class, with a private state
 * dir and uid range, and small helpers to talk to it.
 */
public final class TestServer implements AutoCloseable {

    public static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FINAL = Set.of("OK", "TLE", "MLE", "OLE", "RE", "CE", "WA", "INTERNAL_ERROR", "CHECKER_FAILED");

    public final Runbox runbox;
    public final Path stateDir;
    public final int uidBase;
    public final RunboxConfig config;
    private final HttpClient http = HttpClient.newHttpClient();

    private TestServer(Runbox runbox, Path stateDir, int uidBase, RunboxConfig config) {
        this.runbox = runbox;
        this.stateDir = stateDir;
        this.uidBase = uidBase;
        this.config = config;
    }

    public static TestServer start() throws Exception {
        return start(Map.of());
    }

    /**
     * How many times slower than an ordinary host this one runs programs: 1, or the system property
     * {@code runbox.test.slowdown} (the VM stage's emulated guest sets it, 1 … 20). A test's time limits
     * that its runs must stay within are this many times larger, as the default limit of its servers
     * is; limits meant to be reached are not.
     */
    public static double slowdown() {
        double s = Double.parseDouble(System.getProperty("runbox.test.slowdown", "1"));
        if (!(s >= 1 && s <= 20)) throw new IllegalStateException("runbox.test.slowdown must be 1 … 20, was " + s);
        return s;
    }

    /** Starts a server with these settings on top of the test defaults. */
    public static TestServer start(Map<String, String> settings) throws Exception {
        Path state = TestStateDirs.fresh();
        int uidBase = 70000 + ThreadLocalRandom.current().nextInt(10000) * 10;
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put("port", "0");
        flags.put("state-dir", state.toString());
        flags.put("sandbox-uid-base", Integer.toString(uidBase));
        flags.put("shutdown-grace-sec", "5");
        flags.put("default-time-limit-sec", Double.toString(Math.min(20, Double.parseDouble(RunboxConfig.DEFAULTS.get("default-time-limit-sec")) * slowdown())));
        flags.putAll(settings);
        RunboxConfig config = RunboxConfig.from(Map.of(), flags);
        return new TestServer(Runbox.start(config), state, uidBase, config);
    }

    /** {@code a}'s settings with {@code b}'s on top. */
    public static Map<String, String> merged(Map<String, String> a, Map<String, String> b) {
        Map<String, String> m = new LinkedHashMap<>(a);
        m.putAll(b);
        return m;
    }

    public String base() {
        return "http://127.0.0.1:" + runbox.port();
    }

    public HttpResponse<String> post(String path, String contentType, byte[] body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) b.header("Content-Type", contentType);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> postJson(String json) throws IOException, InterruptedException {
        return post("/execute", "application/json", json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A request body: python {@code source} with the given extra fields. */
    public static ObjectNode body(String source, Object... fieldsAndValues) {
        ObjectNode n = JSON.createObjectNode();
        n.put("source_code", source);
        for (int i = 0; i < fieldsAndValues.length; i += 2) {
            n.set((String) fieldsAndValues[i], JSON.valueToTree(fieldsAndValues[i + 1]));
        }
        return n;
    }

    /** Submits and returns the submission id (asserting 202). */
    public String submit(ObjectNode body) throws IOException, InterruptedException {
        HttpResponse<String> r = postJson(body.toString());
        if (r.statusCode() != 202) throw new AssertionError("POST /execute answered " + r.statusCode() + ": " + r.body());
        return JSON.readTree(r.body()).get("submission_id").asText();
    }

    /** Polls GET /result/{id} until the status is final (deadline 60 s). */
    public JsonNode awaitFinal(String id) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            HttpResponse<String> r = get("/result/" + id);
            if (r.statusCode() != 200) throw new AssertionError("GET /result/" + id + " answered " + r.statusCode() + ": " + r.body());
            last[0] = JSON.readTree(r.body());
            return FINAL.contains(last[0].get("status").asText());
        });
        return last[0];
    }

    /** Submits, waits, returns the final result. */
    public JsonNode run(ObjectNode body) throws IOException, InterruptedException {
        return awaitFinal(submit(body));
    }

    @Override
    public void close() throws IOException {
        runbox.close();
        // the FIFOs' root of interactive tests (see Executor): empty once every test is over, else this throws
        Files.deleteIfExists(stateDir.resolveSibling(stateDir.getFileName() + ".pipes"));
        if (Files.exists(stateDir)) {
            try (Stream<Path> walk = Files.walk(stateDir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }
}
