package dev.runbox.redis;

import dev.runbox.config.RedisUrl;
import dev.runbox.job.ExecutionResult;
import dev.runbox.job.Limits;
import dev.runbox.job.Submission;
import dev.runbox.job.SubmissionId;
import dev.runbox.queue.Lease;
import dev.runbox.queue.RedisJobQueue;
import dev.runbox.store.RedisResultStore;
import dev.runbox.testing.RedisServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A Sentinel URL works as a plain one: Lettuce asks the sentinel for the master, then talks to it. */
class RedisSentinelTest {

    @Test
    void queue_and_store_work_through_a_sentinel_url() throws Exception {
        try (RedisServer master = RedisServer.start()) {
            int port = RedisServer.freePort();
            Path dir = Files.createTempDirectory("runbox-sentinel-");
            Path conf = dir.resolve("sentinel.conf");
            Files.writeString(conf, "port " + port + "\nbind 127.0.0.1\ndir " + dir + "\n"
                    + "sentinel monitor mymaster 127.0.0.1 " + master.port() + " 1\n");
            Process sentinel = new ProcessBuilder(RedisServer.BINARY.toString(), conf.toString(), "--sentinel")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("sentinel.log").toFile()).start();
            try {
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(() -> {
                    try (Socket s = new Socket("127.0.0.1", port)) {
                        return true;
                    }
                });
                RedisUrl url = RedisUrl.parse("redis-sentinel://127.0.0.1:" + port + "#mymaster");
                try (RedisConnection redis = RedisConnection.open(url, Duration.ofSeconds(2))) {
                    Keys keys = new Keys("sentinel");
                    RedisJobQueue queue = new RedisJobQueue(redis, keys, "w", 10, Duration.ofSeconds(30));
                    RedisResultStore store = new RedisResultStore(redis, keys, Duration.ofMinutes(1));
                    Submission job = new Submission(SubmissionId.random(), "python", "print(1)", "",
                            new Limits(Duration.ofSeconds(1), 64L << 20, 1.0), Instant.now());
                    store.create(ExecutionResult.pending(job));
                    queue.enqueue(job);

                    Lease lease = queue.take(Duration.ofSeconds(5)).orElseThrow();
                    assertThat(lease.job()).isEqualTo(job);
                    queue.ack(lease);
                    assertThat(store.get(job.id())).isPresent();
                    assertThat(master.command("EXISTS", keys.result(job.id()))).as("written on the master").isEqualTo(":1");
                    assertThat(redis.check()).isEmpty();
                }
            } finally {
                sentinel.destroyForcibly();
                sentinel.waitFor(10, TimeUnit.SECONDS);
                try (var walk = Files.walk(dir)) {
                    for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort
                }
            }
        }
    }
}
