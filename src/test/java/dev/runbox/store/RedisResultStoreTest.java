package dev.runbox.store;

import dev.runbox.config.RedisUrl;
import dev.runbox.job.ExecutionResult;
import dev.runbox.job.Status;
import dev.runbox.job.SubmissionId;
import dev.runbox.redis.Keys;
import dev.runbox.redis.RedisConnection;
import dev.runbox.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The store contract against a real redis-server, plus what only Redis has: TTL keys, outages. */
class RedisResultStoreTest extends ResultStoreContract {

    static RedisServer server;
    static RedisConnection redis;

    @BeforeAll
    static void startRedis() throws Exception {
        server = RedisServer.start();
        redis = RedisConnection.open(RedisUrl.parse(server.url()), Duration.ofSeconds(2));
    }

    @AfterAll
    static void stopRedis() throws Exception {
        if (redis != null) redis.close();
        if (server != null) server.close();
    }

    static Keys freshKeys() {
        return new Keys("t" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
    }

    private Keys keys;

    @Override
    protected ResultStore newStore(Duration ttl) {
        keys = freshKeys();
        return new RedisResultStore(redis, keys, ttl);
    }

    @Override
    protected Duration shortTtl() {
        return Duration.ofMillis(300);
    }

    @Override
    protected void letExpire(ResultStore store, SubmissionId id, Duration ttl) {
        await().atMost(ttl.plusSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() -> store.get(id).isEmpty());
    }

    @Test
    void one_key_per_submission_with_the_ttl_restarted_by_each_write() throws Exception {
        ResultStore s = newStore(Duration.ofSeconds(100));
        ExecutionResult pending = ExecutionResult.pending(submission());
        s.create(pending);
        String key = keys.result(pending.submissionId());
        assertThat(server.command("EXISTS", key)).isEqualTo(":1");
        long first = Long.parseLong(server.command("PTTL", key).substring(1));
        assertThat(first).isBetween(90_000L, 100_000L);

        server.command("PEXPIRE", key, "50000");
        s.transition(pending.submissionId(), Status.PENDING, pending.processing("w", Instant.now()));

        assertThat(Long.parseLong(server.command("PTTL", key).substring(1))).as("TTL restarted").isGreaterThan(90_000L);
    }

    @Test
    void calls_fail_at_once_while_redis_is_down_then_work_again() throws Exception {
        try (RedisServer own = RedisServer.start();
             RedisConnection conn = RedisConnection.open(RedisUrl.parse(own.url()), Duration.ofSeconds(2))) {
            ResultStore s = new RedisResultStore(conn, freshKeys(), LONG_TTL);
            ExecutionResult pending = ExecutionResult.pending(submission());
            s.create(pending);
            own.kill();

            long start = System.nanoTime();
            assertThatThrownBy(() -> s.get(pending.submissionId())).isInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("127.0.0.1:" + own.port());
            assertThatThrownBy(() -> s.create(ExecutionResult.pending(submission()))).isInstanceOf(StoreUnavailableException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("no hang").isLessThan(Duration.ofMillis(1500));

            own.restart();
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                    .until(() -> s.get(pending.submissionId()).isPresent());
            assertThat(s.get(pending.submissionId())).as("kept through the crash by the AOF").contains(pending);
        }
    }
}
