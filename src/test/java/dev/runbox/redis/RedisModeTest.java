package dev.runbox.redis;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runbox.testing.RedisServer;
import dev.runbox.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A real Runbox in Redis mode, in this JVM: readiness, outages, backpressure, TTL, heartbeats. */
class RedisModeTest {

    private static Map<String, String> redisMode(RedisServer redis, String... more) {
        Map<String, String> s = new java.util.LinkedHashMap<>();
        s.put("redis-url", redis.url());
        s.put("worker-heartbeat-sec", "1");
        for (int i = 0; i < more.length; i += 2) s.put(more[i], more[i + 1]);
        return s;
    }

    @Test
    void result_expires_after_its_ttl_then_get_answers_404() throws Exception {
        try (RedisServer redis = RedisServer.start();
             TestServer server = TestServer.start(redisMode(redis, "workers", "1", "result-ttl-sec", "4"))) {
            String id = server.submit(TestServer.body("print(6 * 7)"));
            JsonNode done = server.awaitFinal(id);
            assertThat(done.get("status").asText()).isEqualTo("OK");
            assertThat(done.get("stdout").asText()).isEqualTo("42\n");

            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                    .until(() -> server.get("/result/" + id).statusCode() == 404);
            HttpResponse<String> gone = server.get("/result/" + id);
            assertThat(gone.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        }
    }

    @Test
    void while_redis_is_down_post_answers_503_at_once_and_ready_says_so_then_all_carries_on() throws Exception {
        try (RedisServer redis = RedisServer.start();
             TestServer server = TestServer.start(redisMode(redis, "workers", "1"))) {
            assertThat(server.get("/ready").statusCode()).isEqualTo(200);
            String before = server.submit(TestServer.body("print('before')"));
            server.awaitFinal(before);

            redis.kill();
            long start = System.nanoTime();
            HttpResponse<String> refused = server.postJson(TestServer.body("print(1)").toString());
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(took).as("answered at once, not after a hang").isLessThan(Duration.ofSeconds(2));
            assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            assertThat(TestServer.JSON.readTree(refused.body()).get("type").asText()).isEqualTo("urn:runbox:problem:backend-unavailable");
            assertThat(server.get("/result/" + before).statusCode()).isEqualTo(503);
            HttpResponse<String> ready = server.get("/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("127.0.0.1:" + redis.port());
            assertThat(server.get("/health").statusCode()).as("liveness does not depend on Redis").isEqualTo(200);

            redis.restart();
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> server.get("/ready").statusCode() == 200);
            JsonNode after = server.run(TestServer.body("print('after')"));
            assertThat(after.get("stdout").asText()).isEqualTo("after\n");
            assertThat(server.awaitFinal(before).get("stdout").asText()).as("kept by the AOF").isEqualTo("before\n");
        }
    }

    @Test
    void past_the_queue_bound_post_answers_503_with_retry_after() throws Exception {
        try (RedisServer redis = RedisServer.start();
             TestServer api = TestServer.start(redisMode(redis, "workers", "0", "queue-capacity", "2"))) {
            api.submit(TestServer.body("print(1)"));
            api.submit(TestServer.body("print(2)"));

            HttpResponse<String> full = api.postJson(TestServer.body("print(3)").toString());

            assertThat(full.statusCode()).isEqualTo(503);
            assertThat(full.headers().firstValue("Retry-After")).contains("2");
            assertThat(TestServer.JSON.readTree(full.body()).get("type").asText()).isEqualTo("urn:runbox:problem:queue-full");
            assertThat(TestServer.JSON.readTree(api.get("/health").body()).get("queue_depth").asInt()).isEqualTo(2);
        }
    }

    @Test
    void workers_endpoint_lists_each_worker_process_with_its_heartbeat() throws Exception {
        try (RedisServer redis = RedisServer.start();
             TestServer server = TestServer.start(redisMode(redis, "workers", "2"))) {
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> TestServer.JSON.readTree(server.get("/workers").body()).get("alive").asInt() == 1);
            server.run(TestServer.body("print(1)"));
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> TestServer.JSON.readTree(server.get("/workers").body()).get("workers").get(0).get("jobs_done").asInt() == 1);

            JsonNode w = TestServer.JSON.readTree(server.get("/workers").body()).get("workers").get(0);
            assertThat(w.get("alive").asBoolean()).isTrue();
            assertThat(w.get("concurrency").asInt()).isEqualTo(2);
            assertThat(w.get("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
            assertThat(w.get("state").asText()).isEqualTo("running");
            assertThat(w.get("heartbeat_sec").asDouble()).isEqualTo(1.0);
        }
    }

    // The fields below crossed Redis through a hand list that had forgotten them: each came back lost.

    @Test
    void expected_output_the_program_does_not_print_is_WA() throws Exception {
        try (RedisServer redis = RedisServer.start();
             TestServer server = TestServer.start(redisMode(redis, "workers", "1"))) {
            JsonNode done = server.run(TestServer.body("print('actual')", "expected_output", "expected\n"));

            assertThat(done.get("status").asText()).isEqualTo("WA");
        }
    }

    @Test
    void command_line_arguments_reach_the_program_one_argv_element_each() throws Exception {
        try (RedisServer redis = RedisServer.start();
             TestServer server = TestServer.start(redisMode(redis, "workers", "1"))) {
            JsonNode done = server.run(TestServer.body("import sys\nprint(sys.argv[1:])",
                    "command_line_arguments", java.util.List.of("a", "b c")));

            assertThat(done.get("status").asText()).isEqualTo("OK");
            assertThat(done.get("stdout").asText()).isEqualTo("['a', 'b c']\n");
        }
    }

    @Test
    void c_compile_error_is_CE_with_the_compilers_output() throws Exception {
        try (RedisServer redis = RedisServer.start();
             TestServer server = TestServer.start(redisMode(redis, "workers", "1"))) {
            JsonNode done = server.run(TestServer.body("int main(void) { return no_such_name; }", "language", "c"));

            assertThat(done.get("status").asText()).isEqualTo("CE");
            assertThat(done.get("compile_output").isNull()).as("compile_output is null").isFalse();
            assertThat(done.get("compile_output").asText()).contains("no_such_name");
        }
    }
}
