package dev.runbox.registry;

import dev.runbox.config.RedisUrl;
import dev.runbox.redis.Keys;
import dev.runbox.redis.RedisConnection;
import dev.runbox.testing.CompleteRecords;
import dev.runbox.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Heartbeats through a real redis-server: what a worker tells is what the API lists. */
class RedisWorkerRegistryTest {

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

    @Test
    void listed_worker_is_the_one_that_beat_field_for_field_seen_by_the_redis_clock() {
        RedisWorkerRegistry registry = new RedisWorkerRegistry(redis, new Keys("w" + System.nanoTime()));
        WorkerStatus beat = CompleteRecords.workerStatus();
        CompleteRecords.assertComplete(beat);

        registry.beat(beat);
        WorkerRegistry.Snapshot snap = registry.list();

        assertThat(snap.workers()).hasSize(1);
        WorkerStatus listed = snap.workers().get(0);
        assertThat(listed.lastSeen()).isNotNull().isBeforeOrEqualTo(snap.now());
        CompleteRecords.assertSameComponents(beat.seenAt(listed.lastSeen()), listed);
    }

    @Test
    void a_worker_that_left_is_not_listed() {
        RedisWorkerRegistry registry = new RedisWorkerRegistry(redis, new Keys("w" + System.nanoTime()));
        WorkerStatus beat = CompleteRecords.workerStatus();
        registry.beat(beat);

        registry.leave(beat.id());

        assertThat(registry.list().workers()).isEmpty();
    }
}
