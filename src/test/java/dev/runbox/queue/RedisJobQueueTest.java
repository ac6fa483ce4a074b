package dev.runbox.queue;

import dev.runbox.config.RedisUrl;
import dev.runbox.job.Submission;
import dev.runbox.redis.Keys;
import dev.runbox.redis.RedisConnection;
import dev.runbox.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The queue contract against a real redis-server, plus leases: expiry, claim, renewal, hand-back,
 * stale holders, and Redis crashes.
 */
class RedisJobQueueTest extends JobQueueContract {

    /** Short enough to watch leases expire, long enough for a loaded 2-core machine to renew in time. */
    private static final Duration VISIBILITY = Duration.ofMillis(1000);
    private static final Duration WAIT = Duration.ofSeconds(10);

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

    private static Keys freshKeys() {
        return new Keys("t" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
    }

    @Override
    protected JobQueue newQueue(int capacity) {
        // leases never expire within a contract test
        return new RedisJobQueue(redis, freshKeys(), "contract", capacity, Duration.ofMinutes(10));
    }

    /** Two worker processes (consumers) on one queue. */
    private record Pair(RedisJobQueue a, RedisJobQueue b, Keys keys) {
    }

    private static Pair pair(RedisConnection on) {
        Keys keys = freshKeys();
        return new Pair(new RedisJobQueue(on, keys, "worker-a", 100, VISIBILITY), new RedisJobQueue(on, keys, "worker-b", 100, VISIBILITY), keys);
    }

    private static Lease takeEventually(JobQueue q) {
        Lease[] got = new Lease[1];
        await().atMost(WAIT).until(() -> {
            Optional<Lease> l = q.take(Duration.ofMillis(100));
            l.ifPresent(x -> got[0] = x);
            return l.isPresent();
        });
        return got[0];
    }

    @Test
    void lease_of_a_dead_worker_is_claimed_by_another_after_the_visibility_timeout() throws Exception {
        Pair p = pair(redis);
        Submission j = job();
        p.a().enqueue(j);
        Lease first = p.a().take(WAIT).orElseThrow();
        assertThat(first.delivery()).isEqualTo(1);
        long dead = System.nanoTime();
        assertThat(p.b().take(Duration.ofMillis(200))).as("not before the timeout").isEmpty();

        Lease second = takeEventually(p.b());

        assertThat(Duration.ofNanos(System.nanoTime() - dead)).isGreaterThanOrEqualTo(VISIBILITY.minusMillis(100));
        assertThat(second.job()).isEqualTo(j);
        assertThat(second.delivery()).isEqualTo(2);
        assertThat(takeEventually(p.a()).delivery()).as("and again when b dies too").isEqualTo(3);
    }

    @Test
    void renewed_lease_does_not_expire() throws Exception {
        Pair p = pair(redis);
        p.a().enqueue(job());
        Lease held = p.a().take(WAIT).orElseThrow();
        long until = System.nanoTime() + VISIBILITY.multipliedBy(2).toNanos();
        while (System.nanoTime() < until) {
            assertThat(p.a().renew(held)).isTrue();
            assertThat(p.b().take(VISIBILITY.dividedBy(3))).as("b must not get a renewed lease").isEmpty();
        }
        p.a().ack(held);
        assertThat(p.b().reclaimExpired()).isZero();
    }

    @Test
    void stale_holder_can_neither_ack_renew_nor_release_the_new_lease() throws Exception {
        Pair p = pair(redis);
        p.a().enqueue(job());
        Lease stale = p.a().take(WAIT).orElseThrow();
        Lease current = takeEventually(p.b());

        assertThat(p.a().renew(stale)).isFalse();
        assertThat(p.a().release(stale)).isFalse();
        p.a().ack(stale);

        assertThat(p.b().renew(current)).as("b still holds it").isTrue();
        assertThat(redis.commands().xlen(p.keys().jobs())).as("a's ack removed nothing").isEqualTo(1);
        p.b().ack(current);
        assertThat(redis.commands().xlen(p.keys().jobs())).isZero();
    }

    @Test
    void released_job_is_taken_again_at_once_without_counting_a_delivery() throws Exception {
        Pair p = pair(redis);
        p.a().enqueue(job());
        Lease l = p.a().take(WAIT).orElseThrow();

        assertThat(p.a().release(l)).isTrue();
        long start = System.nanoTime();
        Lease again = p.b().take(WAIT).orElseThrow();

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(VISIBILITY);
        assertThat(again.job()).isEqualTo(l.job());
        assertThat(again.delivery()).isEqualTo(1);
    }

    @Test
    void expired_leases_are_taken_before_new_jobs() throws Exception {
        Pair p = pair(redis);
        Submission old = job();
        p.a().enqueue(old);
        p.a().take(WAIT).orElseThrow();
        Submission fresh = job();
        p.a().enqueue(fresh);
        await().atMost(WAIT).until(() -> p.b().reclaimExpired() == 1);

        assertThat(p.b().take(WAIT)).map(Lease::job).contains(old);
        assertThat(p.b().take(WAIT)).map(Lease::job).contains(fresh);
    }

    @Test
    void queued_and_leased_jobs_survive_a_redis_crash() throws Exception {
        try (RedisServer own = RedisServer.start();
             RedisConnection conn = RedisConnection.open(RedisUrl.parse(own.url()), Duration.ofSeconds(2))) {
            Pair p = pair(conn);
            List<Submission> jobs = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                jobs.add(job());
                p.a().enqueue(jobs.get(i));
            }
            Lease leased = p.a().take(WAIT).orElseThrow();

            own.kill();
            long start = System.nanoTime();
            assertThatThrownBy(() -> p.a().enqueue(job())).isInstanceOf(QueueUnavailableException.class);
            assertThatThrownBy(() -> p.b().take(Duration.ofMillis(100))).isInstanceOf(QueueUnavailableException.class);
            assertThatThrownBy(p.a()::depth).isInstanceOf(QueueUnavailableException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("no hang while down").isLessThan(Duration.ofMillis(1500));
            own.restart();

            await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(() -> p.a().depth() == 4);
            List<Submission> got = new ArrayList<>();
            for (int i = 0; i < 4; i++) got.add(p.b().take(WAIT).orElseThrow().job());
            assertThat(got).containsExactlyElementsOf(jobs.subList(1, 5));
            Lease reclaimed = takeEventually(p.b());
            assertThat(reclaimed.job()).as("the lease survived too").isEqualTo(leased.job());
            assertThat(reclaimed.delivery()).isEqualTo(2);
        }
    }

    @Test
    void queue_recovers_when_redis_lost_its_data() throws Exception {
        Keys keys = freshKeys();
        RedisJobQueue q = new RedisJobQueue(redis, keys, "worker-a", 10, VISIBILITY);
        redis.commands().del(keys.jobs()); // as after a restart without persistence

        assertThat(q.take(Duration.ofMillis(100))).isEmpty();
        Submission j = job();
        q.enqueue(j);
        assertThat(takeEventually(q).job()).isEqualTo(j);
    }

    @Test
    void queue_keys_never_expire() throws Exception {
        Keys keys = freshKeys();
        RedisJobQueue q = new RedisJobQueue(redis, keys, "worker-a", 10, VISIBILITY);
        q.enqueue(job());

        assertThat(redis.commands().ttl(keys.jobs())).isEqualTo(-1L);
        assertThat(keys.jobs()).as("hash tag: one slot for the queue's keys").startsWith("{" + keys.namespace() + "}");
    }
}
