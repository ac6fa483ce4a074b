package dev.runbox.redis;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runbox.testing.KeyedClient;
import dev.runbox.testing.RedisServer;
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
import java.util.UUID;

import static dev.runbox.testing.TestServer.JSON;
import static dev.runbox.testing.TestServer.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two API servers on one real Redis: a key has one budget, one quota and one set of results across
 * them. API-only servers (workers 0) plus one server with a worker, so jobs really run.
 */
class SharedKeyLimitsTest {

    static final String SHARED = "shared-" + UUID.randomUUID();
    static final String QUOTA = "quota-" + UUID.randomUUID();
    static final String OTHER = "other-" + UUID.randomUUID();
    static final int BURST = 5;

    static RedisServer redis;
    static Path keysFile;
    static TestServer a;
    static TestServer b;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
        keysFile = Files.createTempFile("runbox-keys-", ".txt");
        // one token an hour: no refill during the test, so the count is exact
        Files.writeString(keysFile, "shared:" + SHARED + " rate=1/h burst=" + BURST + "\nquota:" + QUOTA + " concurrent=1\nother:" + OTHER + "\n");
        Map<String, String> common = Map.of("redis-url", redis.url(), "api-keys-file", keysFile.toString());
        a = TestServer.start(with(common, "workers", "1", "prepared-sandboxes", "1"));
        b = TestServer.start(with(common, "workers", "0", "prepared-sandboxes", "0"));
    }

    static Map<String, String> with(Map<String, String> base, String... kv) {
        Map<String, String> m = new java.util.HashMap<>(base);
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    @AfterAll
    static void stop() throws Exception {
        if (b != null) b.close();
        if (a != null) a.close();
        if (redis != null) redis.close();
        Files.deleteIfExists(keysFile);
    }

    @Test
    void two_api_servers_share_one_bucket() throws Exception {
        List<KeyedClient> servers = List.of(new KeyedClient(a.base(), SHARED), new KeyedClient(b.base(), SHARED));
        // invalid bodies take a token too and leave no job behind
        int accepted = 0;
        int limited = 0;
        for (int i = 0; i < 2 * BURST; i++) {
            HttpResponse<String> r = servers.get(i % 2).post("/execute", "{}");
            if (r.statusCode() == 429) {
                limited++;
                assertThat(r.headers().firstValue("Retry-After")).isPresent();
            } else {
                assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
                accepted++;
            }
        }
        assertThat(accepted).as("requests let through by both servers together").isEqualTo(BURST);
        assertThat(limited).isEqualTo(BURST);
    }

    @Test
    void results_and_the_quota_follow_the_key_across_servers() throws Exception {
        KeyedClient onA = new KeyedClient(a.base(), QUOTA);
        KeyedClient onB = new KeyedClient(b.base(), QUOTA);
        // warm both servers up (first requests on a loaded 2-core host took over a second)
        assertThat(onA.get("/languages").statusCode()).isEqualTo(200);
        assertThat(onB.get("/languages").statusCode()).isEqualTo(200);
        HttpResponse<String> first = onB.post("/execute", body("import time\ntime.sleep(3)\nprint('done')", "time_limit_sec", 6).toString());
        assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
        String id = JSON.readTree(first.body()).get("submission_id").asText();
        HttpResponse<String> second = onA.post("/execute", body("print(2)").toString());
        assertThat(second.statusCode()).as("one job at a time, whichever server: " + second.body() + "; first job now: "
                + onB.get("/result/" + id).body() + "; counted: " + redis.commandRaw("ZRANGE", "runbox:key-jobs:quota", "0", "-1")
                + " / " + redis.command("ZCARD", "runbox:key-jobs:quota")).isEqualTo(429);

        assertThat(new KeyedClient(a.base(), OTHER).get("/result/" + id).statusCode()).isEqualTo(404);
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            HttpResponse<String> r = onA.get("/result/" + id);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            last[0] = JSON.readTree(r.body());
            return last[0].get("status").asText().equals("OK");
        });
        assertThat(last[0].get("stdout").asText()).isEqualTo("done\n");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> onA.post("/execute", body("print(2)").toString()).statusCode() == 202);
    }
}
