package dev.runbox.store;

import dev.runbox.job.ExecutionResult;
import dev.runbox.job.Status;
import dev.runbox.job.SubmissionId;
import dev.runbox.redis.Codec;
import dev.runbox.redis.Keys;
import dev.runbox.redis.LuaScript;
import dev.runbox.redis.RedisConnection;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;

import java.time.Duration;
import java.util.Optional;

/**
 * The shared result store: one Redis hash per submission ({@code runbox:result:<id>}, fields
 * {@code status} and {@code json}), expiring {@code ttl} after its last write.
 *
 * <p>Exactly one final result: every write after the first is a Lua script that compares the stored
 * status with the expected one and replaces the result only if they match (and the move is allowed
 * by {@link Status#canMoveTo}, checked before). A stale worker finishing late finds the status already
 * final and changes nothing; nothing ever moves backwards. The status is kept in its own field so
 * the script never parses the (possibly megabytes long) JSON.
 *
 * <p>Result keys carry a TTL (an hour by default) and may be evicted only under
 * {@code volatile-*} policies; the queue's keys carry none (see {@link dev.runbox.queue.RedisJobQueue}).
 */
public final class RedisResultStore implements ResultStore {

    private static final LuaScript CREATE = LuaScript.load("create");
    private static final LuaScript TRANSITION = LuaScript.load("transition");

    private final RedisConnection redis;
    private final Keys keys;
    private final Duration ttl;

    public RedisResultStore(RedisConnection redis, Keys keys, Duration ttl) {
        if (ttl.toMillis() < 1) throw new IllegalArgumentException("ttl must be > 0");
        this.redis = redis;
        this.keys = keys;
        this.ttl = ttl;
    }

    @Override
    public void create(ExecutionResult pending) {
        Long created;
        try {
            created = redis.eval(CREATE, ScriptOutputType.INTEGER, new String[]{keys.result(pending.submissionId())},
                    pending.status().name(), Codec.result(pending), Long.toString(ttl.toMillis()));
        } catch (RedisException e) {
            throw unavailable("store the result of " + pending.submissionId(), e);
        }
        if (created != 1) throw new IllegalStateException("submission " + pending.submissionId() + " already exists");
    }

    @Override
    public Optional<ExecutionResult> get(SubmissionId id) {
        String json;
        try {
            json = redis.commands().hget(keys.result(id), "json");
        } catch (RedisException e) {
            throw unavailable("read the result of " + id, e);
        }
        return Optional.ofNullable(json).map(Codec::result);
    }

    @Override
    public boolean transition(SubmissionId id, Status from, ExecutionResult next) {
        if (!from.canMoveTo(next.status())) return false;
        try {
            Long moved = redis.eval(TRANSITION, ScriptOutputType.INTEGER, new String[]{keys.result(id)},
                    from.name(), next.status().name(), Codec.result(next), Long.toString(ttl.toMillis()));
            return moved == 1;
        } catch (RedisException e) {
            throw unavailable("store the result of " + id, e);
        }
    }

    @Override
    public void delete(SubmissionId id) {
        try {
            redis.commands().del(keys.result(id));
        } catch (RedisException e) {
            throw unavailable("delete the result of " + id, e);
        }
    }

    private RuntimeException unavailable(String what, RedisException e) {
        RuntimeException r = redis.unavailable(what, e);
        return r instanceof IllegalStateException ? r : new StoreUnavailableException(r.getMessage(), e);
    }
}
