package dev.runbox;

import dev.runbox.config.RunboxConfig;
import dev.runbox.keys.InMemoryKeyLimits;
import dev.runbox.keys.KeyLimits;
import dev.runbox.keys.RedisKeyLimits;
import dev.runbox.live.InMemoryLiveChannels;
import dev.runbox.live.LiveChannels;
import dev.runbox.live.RedisLiveChannels;
import dev.runbox.queue.InMemoryJobQueue;
import dev.runbox.queue.JobQueue;
import dev.runbox.queue.RedisJobQueue;
import dev.runbox.redis.Keys;
import dev.runbox.redis.RedisConnection;
import dev.runbox.registry.LocalWorkerRegistry;
import dev.runbox.registry.RedisWorkerRegistry;
import dev.runbox.registry.WorkerRegistry;
import dev.runbox.store.InMemoryResultStore;
import dev.runbox.store.ResultStore;
import dev.runbox.store.RedisResultStore;

import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The queue, store, heartbeat registry and live channels a process talks to, all of one kind: in this process
 * ({@link #embedded}) or shared through Redis ({@link #redis}), and how to tell they work. The rest of
 * Runbox sees only their interfaces; this is the one place that picks the implementations.
 *
 * @param unready why the backends cannot serve now (empty when they can)
 * @param redis   the connection they share, null when embedded; closed by whoever owns these backends
 */
record Backends(JobQueue queue, ResultStore store, WorkerRegistry registry, LiveChannels live, Supplier<Optional<String>> unready,
                RedisConnection redis) {

    /** Redis backends when the config names a Redis, else embedded ones. */
    static Backends open(RunboxConfig config, String workerId, Clock clock, ScheduledExecutorService housekeeping)
            throws InterruptedException {
        return config.redisUrl().isPresent() ? redis(config, workerId) : embedded(config, clock, housekeeping);
    }

    /** Everything in this process's memory; expired results are evicted by {@code housekeeping}. */
    static Backends embedded(RunboxConfig config, Clock clock, ScheduledExecutorService housekeeping) {
        InMemoryResultStore store = new InMemoryResultStore(config.resultTtl(), clock);
        housekeeping.scheduleAtFixedRate(store::evictExpired, 30, 30, TimeUnit.SECONDS);
        return new Backends(new InMemoryJobQueue(config.queueCapacity()), store, new LocalWorkerRegistry(clock),
                new InMemoryLiveChannels(config.resultTtl(), clock), Optional::empty, null);
    }

    /** Everything shared through the Redis of the config; {@code workerId} is this process's consumer name in the queue. */
    static Backends redis(RunboxConfig config, String workerId) throws InterruptedException {
        RedisConnection redis = RedisConnection.open(config.redisUrl().orElseThrow(), config.redisTimeout());
        try {
            Keys keys = Keys.DEFAULT;
            RedisJobQueue queue = new RedisJobQueue(redis, keys, workerId, config.queueCapacity(), config.visibilityTimeout());
            return new Backends(queue, new RedisResultStore(redis, keys, config.resultTtl()), new RedisWorkerRegistry(redis, keys),
                    new RedisLiveChannels(redis, keys, config.resultTtl()), redis::check, redis);
        } catch (RuntimeException e) {
            redis.close();
            throw e;
        }
    }

    /** The per-key rate limits, kept where the results are: in this process, or shared through Redis. */
    KeyLimits keyLimits(RunboxConfig config, Clock clock) {
        if (redis == null) return new InMemoryKeyLimits(config.resultTtl());
        return new RedisKeyLimits(redis, Keys.DEFAULT, config.resultTtl(), config.resultTtl(),
                id -> store.get(id).map(r -> r.status().isFinal()).orElse(true), clock);
    }
}
