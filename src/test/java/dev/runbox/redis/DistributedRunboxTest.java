package dev.runbox.redis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runbox.testing.RedisServer;
import dev.runbox.testing.RunboxProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * End to end, as deployed: one Redis (password, AOF), one API process ({@code serve --workers 0}),
 * worker processes ({@code runbox worker}), all real processes talking real HTTP and Redis; workers
 * and Redis are killed under load.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DistributedRunboxTest {

    private static final Logger log = LoggerFactory.getLogger(DistributedRunboxTest.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FINAL = Set.of("OK", "TLE", "MLE", "OLE", "RE", "CE", "WA", "INTERNAL_ERROR", "CHECKER_FAILED");
    private static final String SQUARE = "import sys, time\nn = int(sys.stdin.read())\ntime.sleep(0.1)\nprint(n * n)\n";
    private static final int VISIBILITY_SEC = 3;

    private final String password = "pw-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<RunboxProcess> processes = new CopyOnWriteArrayList<>();
    private final List<RunboxProcess> workers = new CopyOnWriteArrayList<>();
    private RedisServer redis;
    private Map<String, String> env;
    private String base;

    @BeforeAll
    void startRedisAndApi() throws Exception {
        redis = RedisServer.start(password);
        env = new HashMap<>();
        env.put("RUNBOX_REDIS_URL", redis.url());
        env.put("RUNBOX_VISIBILITY_TIMEOUT_SEC", Integer.toString(VISIBILITY_SEC));
        env.put("RUNBOX_WORKER_HEARTBEAT_SEC", "1");
        env.put("RUNBOX_SHUTDOWN_GRACE_SEC", "20");
        int port = RedisServer.freePort();
        RunboxProcess api = RunboxProcess.start("api", env, "serve", "--workers", "0", "--port", Integer.toString(port));
        processes.add(api);
        base = "http://127.0.0.1:" + port;
        RunboxProcess.awaitHttp(api, base + "/ready", Duration.ofSeconds(90));
    }

    @AfterAll
    void stopAll() throws Exception {
        for (RunboxProcess p : processes) p.close();
        if (redis != null) redis.close();
    }

    /** Starts a worker process and waits for its first heartbeat. */
    private RunboxProcess startWorker(String name, Map<String, String> extraEnv) throws Exception {
        Map<String, String> e = new HashMap<>(env);
        e.putAll(extraEnv);
        RunboxProcess w = RunboxProcess.start(name, e, "worker", "--concurrency", "2");
        processes.add(w);
        workers.add(w);
        awaitHeartbeat(w);
        return w;
    }

    private void awaitHeartbeat(RunboxProcess w) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!w.isAlive()) throw new AssertionError(w.name + " exited: " + w.log());
            return workerByPid(w.pid()).map(n -> n.get("alive").asBoolean()).orElse(false);
        });
    }

    private java.util.Optional<JsonNode> workerByPid(long pid) throws Exception {
        for (JsonNode n : getJson("/workers").get("workers")) {
            if (n.get("pid").asLong() == pid) return java.util.Optional.of(n);
        }
        return java.util.Optional.empty();
    }

    private HttpResponse<String> post(ObjectNode body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + "/execute")).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode getJson(String path) throws Exception {
        return JSON.readTree(get(path).body());
    }

    private static ObjectNode body(String source, String stdin) {
        ObjectNode b = JSON.createObjectNode();
        b.put("source_code", source);
        b.put("stdin_data", stdin);
        return b;
    }

    private String submit(ObjectNode body) throws Exception {
        HttpResponse<String> r = post(body);
        assertThat(r.statusCode()).as("POST /execute: %s", r.body()).isEqualTo(202);
        return JSON.readTree(r.body()).get("submission_id").asText();
    }

    /** Waits until every id has a final result; returns them. */
    private Map<String, JsonNode> awaitAllFinal(Set<String> ids, Duration within) {
        Map<String, JsonNode> done = new ConcurrentHashMap<>();
        await().atMost(within).pollInterval(Duration.ofMillis(500)).until(() -> {
            for (String id : ids) {
                if (done.containsKey(id)) continue;
                HttpResponse<String> r = get("/result/" + id);
                assertThat(r.statusCode()).as("GET /result/%s: %s", id, r.body()).isEqualTo(200);
                JsonNode n = JSON.readTree(r.body());
                if (FINAL.contains(n.get("status").asText())) done.put(id, n);
            }
            return done.size() == ids.size();
        });
        return done;
    }

    private void awaitQueueDrained() {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() ->
                redis.command("XLEN", "{runbox}:jobs").equals(":0"));
    }

    private void ensureWorkers(int n) throws Exception {
        for (RunboxProcess w : workers) {
            if (!w.isAlive()) {
                w.restart();
                awaitHeartbeat(w);
            }
        }
        // kills every few seconds may hit one job several times in a row: a cap above what this test
        // can cause keeps every job's verdict OK here (the cap itself is the poison test's subject)
        while (workers.size() < n) startWorker("worker-" + workers.size(), Map.of("RUNBOX_MAX_ATTEMPTS", "10"));
    }

    @Test
    @Order(1)
    void five_hundred_submissions_all_end_once_and_right_while_workers_are_killed_mid_run() throws Exception {
        ensureWorkers(3);
        int total = 500;
        Map<String, Integer> expected = new ConcurrentHashMap<>();
        AtomicBoolean submitted = new AtomicBoolean();
        Thread submitter = new Thread(() -> {
            try {
                for (int n = 0; n < total; n++) expected.put(submit(body(SQUARE, Integer.toString(n))), n);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            } finally {
                submitted.set(true);
            }
        }, "submitter");
        submitter.start();

        int kills = 0;
        int killsMidRun = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        while (kills < 5 && System.nanoTime() < deadline) {
            // every few seconds, the busiest worker dies without warning and comes back
            Thread.sleep(2500);
            RunboxProcess victim = null;
            int busiest = -1;
            for (RunboxProcess w : workers) {
                int busy = workerByPid(w.pid()).map(n -> n.get("busy").asInt()).orElse(0);
                if (w.isAlive() && busy > busiest) {
                    busiest = busy;
                    victim = w;
                }
            }
            if (victim == null) continue;
            if (busiest > 0) killsMidRun++;
            log.info("killing {} (pid {}, {} running)", victim.name, victim.pid(), busiest);
            victim.kill();
            kills++;
            victim.restart();
            if (submitted.get() && expected.size() == total && countFinal(expected.keySet()) == total) break;
        }
        submitter.join(Duration.ofMinutes(2).toMillis());
        assertThat(expected).hasSize(total);

        Map<String, JsonNode> results = awaitAllFinal(expected.keySet(), Duration.ofMinutes(4));

        for (Map.Entry<String, Integer> e : expected.entrySet()) {
            JsonNode r = results.get(e.getKey());
            assertThat(r.get("status").asText()).as("status of n=%d: %s", e.getValue(), r).isEqualTo("OK");
            assertThat(r.get("stdout").asText()).as("output of n=%d", e.getValue()).isEqualTo((long) e.getValue() * e.getValue() + "\n");
        }
        assertThat(kills).isGreaterThanOrEqualTo(2);
        assertThat(killsMidRun).as("some kills hit running jobs").isGreaterThanOrEqualTo(1);
        awaitQueueDrained(); // acknowledged entries are deleted: an empty stream means nothing waits and no lease is left
        log.info("500 submissions done with {} worker kills ({} mid-run)", kills, killsMidRun);
    }

    private long countFinal(Set<String> ids) throws Exception {
        long n = 0;
        for (String id : ids) {
            JsonNode r = JSON.readTree(get("/result/" + id).body());
            if (r.has("status") && FINAL.contains(r.get("status").asText())) n++;
        }
        return n;
    }

    @Test
    @Order(2)
    void redis_killed_under_load_post_answers_503_meanwhile_and_everything_accepted_finishes() throws Exception {
        ensureWorkers(3);
        Map<String, Integer> accepted = new ConcurrentHashMap<>();
        List<Duration> refusals = new CopyOnWriteArrayList<>();
        List<String> unexpected = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread submitter = new Thread(() -> {
            int n = 0;
            while (!stop.get()) {
                n++;
                long start = System.nanoTime();
                try {
                    HttpResponse<String> r = post(body(SQUARE, Integer.toString(n)));
                    Duration took = Duration.ofNanos(System.nanoTime() - start);
                    if (r.statusCode() == 202) {
                        accepted.put(JSON.readTree(r.body()).get("submission_id").asText(), n);
                    } else if (r.statusCode() == 503 && r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json")
                            && r.headers().firstValue("Retry-After").isPresent()) {
                        refusals.add(took);
                        Thread.sleep(100);
                    } else {
                        unexpected.add(r.statusCode() + " " + r.body());
                    }
                } catch (Exception e) {
                    unexpected.add(e.toString());
                }
            }
        }, "submitter");
        submitter.start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> accepted.size() >= 40);
            redis.kill();
            long down = System.nanoTime();
            int acceptedBefore = accepted.size();
            // down for a few seconds, with POSTs refused meanwhile
            await().atMost(Duration.ofSeconds(30)).until(() -> refusals.size() >= 10
                    && System.nanoTime() - down > Duration.ofSeconds(4).toNanos());
            redis.restart();
            await().atMost(Duration.ofSeconds(60)).until(() -> accepted.size() >= acceptedBefore + 40);
        } finally {
            stop.set(true);
            submitter.join(60_000);
        }

        assertThat(unexpected).isEmpty();
        assertThat(refusals).allSatisfy(d -> assertThat(d).as("503 at once").isLessThan(Duration.ofSeconds(3)));
        Map<String, JsonNode> results = awaitAllFinal(accepted.keySet(), Duration.ofMinutes(3));
        for (Map.Entry<String, Integer> e : accepted.entrySet()) {
            JsonNode r = results.get(e.getKey());
            assertThat(r.get("status").asText()).as("n=%d: %s", e.getValue(), r).isEqualTo("OK");
            assertThat(r.get("stdout").asText()).isEqualTo((long) e.getValue() * e.getValue() + "\n");
        }
        awaitQueueDrained();
        log.info("Redis outage: {} accepted, {} refused with 503 (slowest {} ms)", accepted.size(), refusals.size(),
                refusals.stream().mapToLong(Duration::toMillis).max().orElse(0));
    }

    @Test
    @Order(3)
    void poison_job_whose_worker_dies_every_time_ends_internal_error_after_the_cap() throws Exception {
        for (RunboxProcess w : workers) if (w.isAlive()) w.kill();
        RunboxProcess only = startWorker("poison-worker", Map.of()); // default cap: 3 deliveries
        String id = submit(body("import time\ntime.sleep(30)\n", ""));

        String lastStart = null;
        for (int delivery = 1; delivery <= 3; delivery++) {
            String previous = lastStart;
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() -> {
                JsonNode r = getJson("/result/" + id);
                return r.get("status").asText().equals("PROCESSING") && !r.get("started_at").asText().equals(previous);
            });
            lastStart = getJson("/result/" + id).get("started_at").asText();
            long pid = only.pid();
            only.kill();
            if (delivery == 1) {
                // the API notices a dead worker by its silence
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                        .until(() -> workerByPid(pid).map(n -> !n.get("alive").asBoolean()).orElse(false));
            }
            only.restart();
        }

        JsonNode r = awaitAllFinal(Set.of(id), Duration.ofSeconds(120)).get(id);
        assertThat(r.get("status").asText()).isEqualTo("INTERNAL_ERROR");
        assertThat(r.get("message").asText()).contains("gave up after 3 deliveries");
        awaitQueueDrained();
    }

    @Test
    @Order(4)
    void worker_stopped_with_sigterm_finishes_its_run_and_leaves_the_list() throws Exception {
        // one worker: whichever is alive (starting more JVMs would only slow the test)
        RunboxProcess w = workers.stream().filter(RunboxProcess::isAlive).findFirst().orElse(null);
        if (w == null) {
            w = workers.get(0);
            w.restart();
            awaitHeartbeat(w);
        }
        for (RunboxProcess other : workers) if (other != w && other.isAlive()) other.kill();
        String id = submit(body("import time\ntime.sleep(2)\nprint('finished')\n", ""));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> getJson("/result/" + id).get("status").asText().equals("PROCESSING"));
        long pid = w.pid();

        int exit = w.stop(Duration.ofSeconds(60));

        assertThat(exit).as("graceful exit").isIn(0, 143);
        JsonNode r = getJson("/result/" + id);
        assertThat(r.get("status").asText()).isEqualTo("OK");
        assertThat(r.get("stdout").asText()).isEqualTo("finished\n");
        assertThat(workerByPid(pid)).as("a cleanly stopped worker removes its heartbeat").isEmpty();
        awaitQueueDrained();
    }

    @Test
    @Order(5)
    void redis_password_reaches_no_log_and_no_sandboxed_program() throws Exception {
        RunboxProcess flagged = RunboxProcess.start("worker-flag", Map.of("RUNBOX_VISIBILITY_TIMEOUT_SEC", "3",
                "RUNBOX_WORKER_HEARTBEAT_SEC", "1"), "worker", "--concurrency", "1", "--redis", redis.url());
        processes.add(flagged);
        awaitHeartbeat(flagged);
        String snoop = """
                import os
                seen = repr(dict(os.environ))
                for p in ('/proc/self/environ', '/proc/1/environ', '/proc/1/cmdline', '/proc/self/cmdline'):
                    try:
                        seen += open(p, 'rb').read().decode('latin-1')
                    except OSError as e:
                        seen += str(e)
                print(seen)
                """;
        JsonNode r = awaitAllFinal(Set.of(submit(body(snoop, ""))), Duration.ofSeconds(60)).values().iterator().next();

        assertThat(r.get("status").asText()).isEqualTo("OK");
        assertThat(r.get("stdout").asText()).doesNotContain(password).doesNotContain("RUNBOX");
        flagged.stop(Duration.ofSeconds(30));
        for (RunboxProcess p : processes) {
            assertThat(p.log()).as("log of %s", p.name).doesNotContain(password).isNotEmpty();
        }
        assertThat(processes.get(0).log()).as("the API says where Redis is").contains("redis://127.0.0.1:" + redis.port());
    }
}
