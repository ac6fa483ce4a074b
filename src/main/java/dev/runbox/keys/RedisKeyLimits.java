package dev.runbox.keys;

import dev.runbox.job.SubmissionId;
import dev.runbox.redis.Keys;
import dev.runbox.redis.LuaScript;
import dev.runbox.redis.RedisConnection;
import dev.runbox.store.StoreUnavailableException;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Key limits shared by every API server of one Redis, so that N servers give a key one budget, not N.
 *
 * <ul>
 *   <li>Rate: Bucket4j's Lettuce proxy manager (compare-and-swap on {@code runbox:key-rate:<name>}); the
 *       bucket's state expires once it would be full again anyway.</li>
 *   <li>Concurrent jobs: a sorted set {@code runbox:key-jobs:<name>} of unfinished job ids, added to by
 *       an atomic script at the quota ({@code key-jobs.lua}) and removed from when the result is final.
 *       An API server that dies between the two leaves its ids behind; they are dropped when the key is
 *       at its quota and their result is final or gone ({@code finished}), and at the latest after
 *       {@code jobTtl}.</li>
 *   <li>Ownership: {@code runbox:owner:<id>} holds the key name, for {@code ownerTtl} after its last write.</li>
 * </ul>
 * A Redis failure is a {@link StoreUnavailableException} (503 with Retry-After), never a free pass.
 */
public final class RedisKeyLimits implements KeyLimits {

    private static final LuaScript START_JOB = LuaScript.load("key-jobs");

    private final RedisConnection redis;
    private final Keys keys;
    private final ProxyManager<String> buckets;
    private final Map<String, BucketConfiguration> configurations = new ConcurrentHashMap<>();
    private final Duration jobTtl;
    private final Duration ownerTtl;
    private final Predicate<SubmissionId> finished;
    private final Clock clock;

    /**
     * @param jobTtl   longest a job counts without being seen final (e.g. the result TTL)
     * @param finished whether a job's result is final or gone (to prune ids a dead API server left)
     */
    @SuppressWarnings("unchecked")
    public RedisKeyLimits(RedisConnection redis, Keys keys, Duration jobTtl, Duration ownerTtl,
                          Predicate<SubmissionId> finished, Clock clock) {
        this.redis = redis;
        this.keys = keys;
        this.jobTtl = jobTtl;
        this.ownerTtl = ownerTtl;
        this.finished = finished;
        this.clock = clock;
        StatefulConnection<String, byte[]> c = redis.openBinary();
        var builder = c instanceof StatefulRedisClusterConnection<?, ?> cc
                ? Bucket4jLettuce.casBasedBuilder((StatefulRedisClusterConnection<String, byte[]>) cc)
                : Bucket4jLettuce.casBasedBuilder((StatefulRedisConnection<String, byte[]>) c);
        this.buckets = builder
                .requestTimeout(redis.timeout())
                .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10)))
                .build();
    }

    @Override
    public Optional<Duration> take(ApiKey key, int tokens) {
        if (key.rate().isEmpty()) return Optional.empty();
        Buckets.checkFits(key, tokens);
        BucketConfiguration cfg = configurations.computeIfAbsent(key.name(), n -> Buckets.configuration(key.rate().get()));
        try {
            return Buckets.verdict(buckets.builder().build(keys.keyRate(key.name()), () -> cfg).tryConsumeAndReturnRemaining(tokens));
        } catch (RuntimeException e) {
            throw new StoreUnavailableException("Redis at " + redis.where() + " could not check the rate of key " + key.name()
                    + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean startJob(ApiKey key, SubmissionId id) {
        if (key.concurrent() < 1) return true;
        if (tryStart(key, id)) return true;
        // at the quota: drop ids whose result is final or gone (left by an API server that stopped), then retry once
        String set = keys.keyJobs(key.name());
        List<String> counted = call("list the jobs of key " + key.name(), () -> redis.commands().zrange(set, 0, -1));
        boolean pruned = false;
        for (String raw : counted) {
            Optional<SubmissionId> other = SubmissionId.parse(raw);
            if (other.isEmpty() || finished.test(other.get())) {
                call("forget a finished job", () -> redis.commands().zrem(set, raw));
                pruned = true;
            }
        }
        return pruned && tryStart(key, id);
    }

    private boolean tryStart(ApiKey key, SubmissionId id) {
        long now = clock.millis();
        Long ok = call("count a job of key " + key.name(), () -> redis.eval(START_JOB, ScriptOutputType.INTEGER,
                new String[]{keys.keyJobs(key.name())}, Long.toString(now), Long.toString(now + jobTtl.toMillis()),
                Integer.toString(key.concurrent()), id.toString()));
        return ok != null && ok == 1L;
    }

    @Override
    public void endJob(ApiKey key, SubmissionId id) {
        if (key.concurrent() < 1) return;
        call("forget a finished job", () -> redis.commands().zrem(keys.keyJobs(key.name()), id.toString()));
    }

    @Override
    public void own(SubmissionId id, String keyName) {
        call("record who submitted " + id, () -> redis.commands().psetex(keys.owner(id), ownerTtl.toMillis(), keyName));
    }

    @Override
    public Optional<String> owner(SubmissionId id) {
        return Optional.ofNullable(call("read who submitted " + id, () -> redis.commands().get(keys.owner(id))));
    }

    private <T> T call(String what, java.util.function.Supplier<T> command) {
        try {
            return command.get();
        } catch (RedisException e) {
            RuntimeException r = redis.unavailable(what, e);
            throw r instanceof IllegalStateException ? r : new StoreUnavailableException(r.getMessage(), e);
        }
    }
}
