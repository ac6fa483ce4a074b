package dev.runbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.runbox.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.runbox.testing.TestServer.JSON;
import static dev.runbox.testing.TestServer.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Callbacks to a real HTTP receiver on this machine (the server allows private targets for it). */
class CallbackTest {

    static final String SECRET = "test-secret-0123456789abcdef";

    record Received(Map<String, String> headers, byte[] body, Instant at) {
    }

    static TestServer server;
    static HttpServer receiver;
    static final List<Received> received = new CopyOnWriteArrayList<>();
    /** The status codes the receiver answers, in turn; 200 once they run out. */
    static final Deque<Integer> plan = new ArrayDeque<>();

    @BeforeAll
    static void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            byte[] b = ex.getRequestBody().readAllBytes();
            Map<String, String> h = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            ex.getRequestHeaders().forEach((k, v) -> h.put(k, v.get(0)));
            received.add(new Received(h, b, Instant.now()));
            int code;
            synchronized (plan) {
                code = plan.isEmpty() ? 200 : plan.poll();
            }
            ex.sendResponseHeaders(code, -1);
            ex.close();
        });
        receiver.start();
        server = TestServer.start(Map.of("workers", "1", "prepared-sandboxes", "1", "callback-secret", SECRET,
                "callback-allow-private", "true", "callback-backoff-ms", "200", "callback-max-backoff-sec", "1",
                "callback-max-attempts", "3"));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        receiver.stop(0);
    }

    @BeforeEach
    void reset() {
        received.clear();
        synchronized (plan) {
            plan.clear();
        }
    }

    private static String hook() {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
    }

    private static String hmac(String timestamp, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    }

    @Test
    void the_final_result_is_posted_signed_and_retried_after_a_500() throws Exception {
        synchronized (plan) {
            plan.add(500);
        }
        String id = server.submit(body("print('called back')", "callback_url", hook()));
        await().atMost(Duration.ofSeconds(60)).until(() -> received.size() >= 2);

        Received first = received.get(0);
        Received second = received.get(1);
        for (Received r : List.of(first, second)) {
            assertThat(r.headers().get("Content-Type")).isEqualTo("application/json");
            assertThat(r.headers().get("X-Runbox-Submission-Id")).isEqualTo(id);
            // the receiver's check: HMAC-SHA256(secret, timestamp + "." + body), with a fresh timestamp
            assertThat(r.headers().get("X-Runbox-Signature")).isEqualTo(hmac(r.headers().get("X-Runbox-Timestamp"), r.body()));
            assertThat(Long.parseLong(r.headers().get("X-Runbox-Timestamp"))).isCloseTo(Instant.now().getEpochSecond(),
                    org.assertj.core.data.Offset.offset(120L));
            JsonNode result = JSON.readTree(r.body());
            assertThat(result.get("submission_id").asText()).isEqualTo(id);
            assertThat(result.get("status").asText()).isEqualTo("OK");
            assertThat(result.get("stdout").asText()).isEqualTo("called back\n");
        }
        assertThat(first.headers().get("X-Runbox-Attempt")).isEqualTo("1");
        assertThat(second.headers().get("X-Runbox-Attempt")).isEqualTo("2");
        assertThat(Duration.between(first.at(), second.at())).as("backoff before the retry").isGreaterThanOrEqualTo(Duration.ofMillis(150));
        // the body is the result as GET /result/{id} shows it
        assertThat(JSON.readTree(second.body())).isEqualTo(JSON.readTree(server.get("/result/" + id).body()));
        // delivered: no third attempt
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() -> received.size() == 2);
    }

    @Test
    void a_receiver_failing_every_time_gets_at_most_max_attempts() throws Exception {
        synchronized (plan) {
            for (int i = 0; i < 10; i++) plan.add(503);
        }
        server.submit(body("print(1)", "callback_url", hook()));
        await().atMost(Duration.ofSeconds(60)).until(() -> received.size() >= 3);
        await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(6)).until(() -> received.size() == 3);
        // 200 ms, then 400 ms: exponential
        Duration gap1 = Duration.between(received.get(0).at(), received.get(1).at());
        Duration gap2 = Duration.between(received.get(1).at(), received.get(2).at());
        assertThat(gap1).isGreaterThanOrEqualTo(Duration.ofMillis(150));
        assertThat(gap2).isGreaterThanOrEqualTo(Duration.ofMillis(350));
    }

    @Test
    void a_4xx_answer_is_not_retried() throws Exception {
        synchronized (plan) {
            plan.add(410);
        }
        server.submit(body("print(1)", "callback_url", hook()));
        await().atMost(Duration.ofSeconds(60)).until(() -> received.size() >= 1);
        await().during(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(4)).until(() -> received.size() == 1);
    }

    @Test
    void callback_urls_that_are_not_http_urls_are_refused_naming_the_field() throws Exception {
        for (String url : new String[]{"ftp://example.com/x", "/relative", "http://user:pw@127.0.0.1/x", "not a url",
                "http://127.0.0.1/x#frag"}) {
            HttpResponse<String> r = server.postJson(body("print(1)", "callback_url", url).toString());
            assertThat(r.statusCode()).as(url + " → " + r.body()).isEqualTo(400);
            assertThat(JSON.readTree(r.body()).get("field").asText()).isEqualTo("callback_url");
        }
    }
}
