package dev.runbox.registry;

import dev.runbox.redis.Keys;
import dev.runbox.redis.LuaScript;
import dev.runbox.redis.RedisConnection;
import dev.runbox.wire.Wire;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Heartbeats in one Redis hash ({@code {runbox}:workers}: worker id → last seen + JSON). Times are
 * the Redis server's, so workers on machines with skewed clocks are judged fairly. A worker that
 * stops cleanly removes itself; one that died stays listed as dead for {@link #FORGET_AFTER}.
 */
public final class RedisWorkerRegistry implements WorkerRegistry {

    private static final LuaScript HEARTBEAT = LuaScript.load("heartbeat");
    private static final LuaScript WORKERS = LuaScript.load("workers");
    static final Duration FORGET_AFTER = Duration.ofHours(1);

    private final RedisConnection redis;
    private final Keys keys;

    public RedisWorkerRegistry(RedisConnection redis, Keys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    @Override
    public void beat(WorkerStatus s) {
        try {
            redis.eval(HEARTBEAT, ScriptOutputType.INTEGER, new String[]{keys.workers()}, s.id(), Wire.write(s));
        } catch (RedisException e) {
            throw unavailable("record the heartbeat of " + s.id(), e);
        }
    }

    @Override
    public Snapshot list() {
        List<Object> r;
        try {
            r = redis.eval(WORKERS, ScriptOutputType.MULTI, new String[]{keys.workers()}, Long.toString(FORGET_AFTER.toMillis()));
        } catch (RedisException e) {
            throw unavailable("list the workers", e);
        }
        Instant now = Instant.ofEpochMilli((Long) r.get(0));
        List<WorkerStatus> out = new ArrayList<>();
        for (int i = 1; i + 1 < r.size(); i += 2) {
            String v = (String) r.get(i + 1);
            int space = v.indexOf(' ');
            try {
                Instant seen = Instant.ofEpochMilli(Long.parseLong(v.substring(0, space)));
                out.add(Wire.read(v.substring(space + 1), WorkerStatus.class).seenAt(seen));
            } catch (RuntimeException e) {
                // a record this version cannot read: skip it rather than fail the whole list
            }
        }
        out.sort(Comparator.comparing(WorkerStatus::id));
        return new Snapshot(now, out);
    }

    private RuntimeException unavailable(String what, RedisException e) {
        RuntimeException r = redis.unavailable(what, e);
        return r instanceof IllegalStateException ? r : new dev.runbox.store.StoreUnavailableException(r.getMessage(), e);
    }

    @Override
    public void leave(String workerId) {
        try {
            redis.commands().hdel(keys.workers(), workerId);
        } catch (RedisException e) {
            throw unavailable("remove worker " + workerId, e);
        }
    }
}
