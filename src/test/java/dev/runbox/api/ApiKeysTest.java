package dev.runbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runbox.testing.CapturedLogs;
import dev.runbox.testing.KeyedClient;
import dev.runbox.testing.OpenApiContract;
import dev.runbox.testing.RunboxCli;
import dev.runbox.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static dev.runbox.testing.TestServer.JSON;
import static dev.runbox.testing.TestServer.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** API keys end to end on an embedded server: real HTTP, real sandbox, the server's own log captured. */
class ApiKeysTest {

    static final String ALICE = "alice-" + UUID.randomUUID();
    static final String BOB = "bob-" + UUID.randomUUID();
    static final String LIMITED = "limited-" + UUID.randomUUID();
    static final String QUOTA = "quota-" + UUID.randomUUID();
    static final Set<String> FINAL = Set.of("OK", "TLE", "MLE", "OLE", "RE", "CE", "WA", "INTERNAL_ERROR", "CHECKER_FAILED");

    static final OpenApiContract CONTRACT = OpenApiContract.load();
    static CapturedLogs logs;
    static Path keysFile;
    static TestServer server;
    static KeyedClient anonymous;

    @BeforeAll
    static void start() throws Exception {
        logs = new CapturedLogs();
        keysFile = Files.createTempFile("runbox-keys-", ".txt");
        Files.writeString(keysFile, String.join("\n",
                "# test keys",
                "alice:" + ALICE,
                "bob:" + BOB + "   concurrent=10",
                "limited:" + LIMITED + " rate=1/s burst=3",
                "quota:" + QUOTA + " concurrent=2",
                ""));
        server = TestServer.start(Map.of("workers", "2", "prepared-sandboxes", "1", "api-keys-file", keysFile.toString()));
        anonymous = new KeyedClient(server.base(), null);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
        if (logs != null) logs.close();
        Files.deleteIfExists(keysFile);
    }

    static String submitted(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return JSON.readTree(r.body()).get("submission_id").asText();
    }

    static JsonNode awaitFinal(KeyedClient c, String id) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            HttpResponse<String> r = c.get("/result/" + id);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            last[0] = JSON.readTree(r.body());
            return FINAL.contains(last[0].get("status").asText());
        });
        return last[0];
    }

    @Test
    void no_key_or_a_wrong_key_is_401_with_a_bearer_challenge() throws Exception {
        for (KeyedClient c : List.of(anonymous, anonymous.withKey("not-a-key-" + UUID.randomUUID()))) {
            HttpResponse<String> r = c.post("/execute", body("print(1)").toString());
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
            assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(h -> assertThat(h).startsWith("Bearer"));
            assertThat(JSON.readTree(r.body()).get("type").asText()).isEqualTo("urn:runbox:problem:unauthorized");
            CONTRACT.assertMatches("POST", "/execute", r);
            CONTRACT.assertMatches("GET", "/result/{id}", c.get("/result/" + UUID.randomUUID()));
            assertThat(c.get("/languages").statusCode()).isEqualTo(401);
            assertThat(c.get("/result/" + UUID.randomUUID()).statusCode()).isEqualTo(401);
        }
        HttpResponse<String> basic = anonymous.get("/languages", "Authorization", "Basic YWxpY2U6eA==");
        assertThat(basic.statusCode()).isEqualTo(401);
    }

    @Test
    void health_ready_docs_and_the_openapi_document_need_no_key() throws Exception {
        for (String path : List.of("/health", "/ready", "/openapi.json", "/docs")) {
            assertThat(anonymous.get(path).statusCode()).as(path).isEqualTo(200);
        }
        // the docs page's static assets too
        java.util.regex.Matcher asset = java.util.regex.Pattern.compile("/webjars/swagger-ui/[^\"']+\\.js").matcher(anonymous.get("/docs").body());
        assertThat(asset.find()).isTrue();
        assertThat(anonymous.get(asset.group()).statusCode()).as(asset.group()).isEqualTo(200);
    }

    @Test
    void a_key_reads_its_own_results_and_another_key_gets_404() throws Exception {
        KeyedClient alice = anonymous.withKey(ALICE);
        KeyedClient bob = anonymous.withKey(BOB);
        String id = submitted(alice.post("/execute", body("print(6 * 7)").toString()));
        assertThat(awaitFinal(alice, id).get("stdout").asText()).isEqualTo("42\n");

        HttpResponse<String> other = bob.get("/result/" + id);
        HttpResponse<String> unknown = bob.get("/result/" + UUID.randomUUID());
        assertThat(other.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(other.body()).get("type")).isEqualTo(JSON.readTree(unknown.body()).get("type"));
        assertThat(bob.get("/result/" + id + "/events", "Accept", "text/event-stream").statusCode()).isEqualTo(404);
        JsonNode many = JSON.readTree(bob.get("/results?ids=" + id).body());
        assertThat(many.get("results").get(0).get("status").asInt()).isEqualTo(404);
        JsonNode own = JSON.readTree(alice.get("/results?ids=" + id).body());
        assertThat(own.get("results").get(0).get("status").asText()).isEqualTo("OK");
    }

    @Test
    void the_rate_limit_answers_429_with_retry_after_and_lets_requests_through_after_the_refill() throws Exception {
        KeyedClient limited = anonymous.withKey(LIMITED);
        String body = body("print(1)").toString();
        long start = System.nanoTime();
        int accepted = 0;
        HttpResponse<String> refused = null;
        for (int i = 0; i < 8 && refused == null; i++) {
            HttpResponse<String> r = limited.post("/execute", body);
            if (r.statusCode() == 202) accepted++;
            else refused = r;
        }
        double elapsedSec = (System.nanoTime() - start) / 1e9;
        assertThat(refused).as("8 requests against a bucket of 3 refilled at 1/s").isNotNull();
        // burst 3, plus at most one token per second that passed during the loop
        assertThat(accepted).isBetween(3, 3 + (int) Math.ceil(elapsedSec));
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(refused.headers().firstValue("Retry-After")).hasValueSatisfying(s -> assertThat(Integer.parseInt(s)).isBetween(1, 2));
        JsonNode p = JSON.readTree(refused.body());
        assertThat(p.get("type").asText()).isEqualTo("urn:runbox:problem:rate-limited");
        CONTRACT.assertMatches("POST", "/execute", refused);
        assertThat(p.get("detail").asText()).contains("limited").doesNotContain(LIMITED);

        // a batch counts its items: 5 items never fit a bucket of 3
        String batch = JSON.writeValueAsString(Map.of("submissions", List.of(body("print(1)"), body("print(1)"), body("print(1)"),
                body("print(1)"), body("print(1)"))));
        assertThat(limited.post("/execute/batch", batch).statusCode()).isEqualTo(429);
        // a judged submission counts its tests: 5 tests never fit a bucket of 3, alone or in a batch
        com.fasterxml.jackson.databind.node.ObjectNode judged = body("print(1)");
        for (int i = 0; i < 5; i++) judged.withArray("tests").addObject().put("stdin", "").put("expected_output", "1");
        assertThat(limited.post("/execute", judged.toString()).statusCode()).isEqualTo(429);
        assertThat(limited.post("/execute/batch", JSON.writeValueAsString(Map.of("submissions", List.of(judged)))).statusCode())
                .isEqualTo(429);

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> limited.post("/execute", body).statusCode() == 202);
    }

    @Test
    void the_concurrent_quota_refuses_while_sleepers_run_and_accepts_once_they_are_done() throws Exception {
        KeyedClient quota = anonymous.withKey(QUOTA);
        String sleeper = body("import time\ntime.sleep(1.5)\nprint('woke')", "time_limit_sec", 5).toString();
        String a = submitted(quota.post("/execute", sleeper));
        String b = submitted(quota.post("/execute", sleeper));
        HttpResponse<String> third = quota.post("/execute", body("print(3)").toString());
        // holds unless both sleepers finished in the meantime (1.5 s each): honest only while they run
        assertThat(third.statusCode()).as(third.body()).isEqualTo(429);
        assertThat(third.headers().firstValue("Retry-After")).isPresent();
        assertThat(JSON.readTree(third.body()).get("type").asText()).isEqualTo("urn:runbox:problem:too-many-jobs");
        // other keys are not held back
        submitted(anonymous.withKey(BOB).post("/execute", body("print(1)").toString()));

        assertThat(awaitFinal(quota, a).get("stdout").asText()).isEqualTo("woke\n");
        assertThat(awaitFinal(quota, b).get("stdout").asText()).isEqualTo("woke\n");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> quota.post("/execute", body("print(3)").toString()).statusCode() == 202);
    }

    @Test
    void keys_never_appear_in_the_log_or_in_print_config() throws Exception {
        // make some traffic of every kind first (the other tests may run before or after)
        anonymous.withKey(ALICE).get("/languages");
        anonymous.withKey("wrong-" + ALICE).get("/languages");
        anonymous.get("/languages");
        assertThat(logs.size()).isPositive();
        String log = logs.text();
        assertThat(log).contains("API keys on");
        for (String key : List.of(ALICE, BOB, LIMITED, QUOTA)) assertThat(log).doesNotContain(key);

        RunboxCli.Finished printed = RunboxCli.run(Map.of("RUNBOX_API_KEYS_FILE", keysFile.toString()), new byte[0],
                List.of("serve", "--print-config"));
        assertThat(printed.exitCode()).as(printed.stderr()).isZero();
        assertThat(printed.stdout()).contains(keysFile.toString());
        for (String key : List.of(ALICE, BOB, LIMITED, QUOTA)) assertThat(printed.stdout() + printed.stderr()).doesNotContain(key);
    }

    @Test
    void a_live_run_through_pistons_connect_needs_a_key_at_the_upgrade_and_is_that_keys_own() throws Exception {
        java.net.URI ws = java.net.URI.create(server.base().replaceFirst("^http", "ws") + "/api/v2/connect");
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.runbox.testing.PistonSocket.open(http, ws, java.util.Optional.empty()))
                .isInstanceOf(dev.runbox.testing.PistonSocket.Refused.class);
        String marker = "live-" + UUID.randomUUID();
        try (dev.runbox.testing.PistonSocket socket = dev.runbox.testing.PistonSocket.open(http, ws, java.util.Optional.of(ALICE))) {
            com.fasterxml.jackson.databind.node.ObjectNode init = JSON.createObjectNode().put("type", "init").put("language", "python")
                    .put("version", "*");
            init.putArray("files").addObject().put("content", "print('" + marker + "')");
            socket.send(init);
            assertThat(socket.awaitClosed(Duration.ofSeconds(60)).code()).isEqualTo(4999);
        }
        KeyedClient alice = anonymous.withKey(ALICE);
        KeyedClient bob = anonymous.withKey(BOB);
        String id = null;
        for (JsonNode s : JSON.readTree(alice.get("/submissions/recent").body()).get("submissions")) {
            String candidate = s.get("submission_id").asText();
            JsonNode r = JSON.readTree(alice.get("/result/" + candidate).body());
            if ((marker + "\n").equals(r.path("stdout").asText())) id = candidate;
        }
        assertThat(id).as("the live run among alice's recent submissions").isNotNull();
        assertThat(bob.get("/result/" + id).statusCode()).as("another key's").isEqualTo(404);
    }
}
