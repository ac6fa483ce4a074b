package dev.runbox.redis;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runbox.config.RedisUrl;
import dev.runbox.job.ExecutionResult;
import dev.runbox.job.Status;
import dev.runbox.job.SubmissionId;
import dev.runbox.queue.JobQueue;
import dev.runbox.queue.JobQueueContract;
import dev.runbox.queue.RedisJobQueue;
import dev.runbox.store.RedisResultStore;
import dev.runbox.store.ResultStore;
import dev.runbox.testing.RedisCluster;
import dev.runbox.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A local Redis Cluster of three masters, made by the test: the queue contract, results spread over
 * the masters, and a real Runbox on it (redis-cluster:// URL).
 */
class RedisClusterTest extends JobQueueContract {

    static RedisCluster cluster;
    static RedisConnection redis;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = RedisCluster.start();
        redis = RedisConnection.open(RedisUrl.parse(cluster.url()), Duration.ofSeconds(2));
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (redis != null) redis.close();
        if (cluster != null) cluster.close();
    }

    private static Keys freshKeys() {
        return new Keys("c" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
    }

    @Override
    protected JobQueue newQueue(int capacity) {
        return new RedisJobQueue(redis, freshKeys(), "contract", capacity, Duration.ofMinutes(10));
    }

    @Test
    void results_spread_over_the_masters_and_each_write_stays_in_one_slot() throws Exception {
        ResultStore store = new RedisResultStore(redis, freshKeys(), Duration.ofMinutes(5));
        List<SubmissionId> ids = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            ExecutionResult pending = ExecutionResult.pending(submission());
            store.create(pending);
            assertThat(store.transition(pending.submissionId(), Status.PENDING, pending.processing("w", Instant.now()))).isTrue();
            ids.add(pending.submissionId());
        }
        Set<Integer> mastersHolding = new HashSet<>();
        for (int n = 0; n < cluster.nodes().size(); n++) {
            String keys = cluster.nodes().get(n).command("DBSIZE");
            if (!keys.equals(":0")) mastersHolding.add(n);
        }
        for (SubmissionId id : ids) assertThat(store.get(id)).map(ExecutionResult::status).contains(Status.PROCESSING);
        assertThat(mastersHolding).as("results on more than one master").hasSizeGreaterThan(1);
    }

    @Test
    void runbox_runs_jobs_on_the_cluster() throws Exception {
        try (TestServer server = TestServer.start(Map.of("redis-url", cluster.url(), "workers", "2"))) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 10; i++) ids.add(server.submit(TestServer.body("print(" + i + " * 3)")));
            for (int i = 0; i < ids.size(); i++) {
                JsonNode r = server.awaitFinal(ids.get(i));
                assertThat(r.get("status").asText()).isEqualTo("OK");
                assertThat(r.get("stdout").asText()).isEqualTo(i * 3 + "\n");
            }
            assertThat(server.get("/ready").statusCode()).isEqualTo(200);
        }
    }

    private static dev.runbox.job.Submission submission() {
        return job();
    }
}
