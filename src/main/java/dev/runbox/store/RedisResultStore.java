package dev.runbox.store;

import dev.runbox.job.ExecutionResult;
import dev.runbox.job.Status;
import dev.runbox.job.SubmissionId;
import dev.runbox.redis.Keys;
import dev.runbox.redis.LuaScript;
import dev.runbox.redis.RedisConnection;
import dev.runbox.wire.Wire;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

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

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RedisResultStore.class);

    private static final LuaScript CREATE = LuaScript.load("create");
    private static final LuaScript TRANSITION = LuaScript.load("transition");

    private final RedisConnection redis;
    private final Keys keys;
    private final Duration ttl;
    /** Watchers in this process, by id; fed from one subscription to the result-change channel. */
    private final ConcurrentHashMap<SubmissionId, List<Consumer<ExecutionResult>>> watchers = new ConcurrentHashMap<>();
    private final AtomicBoolean subscribed = new AtomicBoolean();

    public RedisResultStore(RedisConnection redis, Keys keys, Duration ttl) {
        if (ttl.toMillis() < 1) throw new IllegalArgumentException("ttl must be > 0");
        this.redis = redis;
        this.keys = keys;
        this.ttl = ttl;
    }

    /**
     * Results stored by any process are announced on {@link Keys#resultChanges()}; the first watch
     * subscribes this process (worker processes, which never watch, never subscribe). A message
     * carries only the id: the result is read back for the ids watched here. After a reconnect every
     * watched id is read again, since announcements made meanwhile were lost.
     */
    @Override
    public Watch watch(SubmissionId id, Consumer<ExecutionResult> listener) {
        if (!subscribed.getAndSet(true)) {
            try {
                redis.subscribe(keys.resultChanges(), this::changed, () -> watchers.keySet().forEach(this::notifyWatchers));
            } catch (RuntimeException e) {
                subscribed.set(false);
                throw e;
            }
        }
        watchers.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(listener);
        return () -> watchers.computeIfPresent(id, (k, list) -> {
            list.remove(listener);
            return list.isEmpty() ? null : list;
        });
    }

    private void changed(String message) {
        SubmissionId.parse(message).filter(watchers::containsKey).ifPresent(this::notifyWatchers);
    }

    private void notifyWatchers(SubmissionId id) {
        List<Consumer<ExecutionResult>> list = watchers.get(id);
        if (list == null) return;
        Optional<ExecutionResult> now;
        try {
            now = get(id);
        } catch (RuntimeException e) {
            log.warn("cannot read the changed result of {}: {}", id, e.getMessage());
            return;
        }
        now.ifPresent(r -> {
            for (Consumer<ExecutionResult> l : list) {
                try {
                    l.accept(r);
                } catch (RuntimeException e) {
                    log.warn("a watcher of {} failed", id, e);
                }
            }
        });
    }

    @Override
    public void create(ExecutionResult pending) {
        Long created;
        try {
            created = redis.eval(CREATE, ScriptOutputType.INTEGER, new String[]{keys.result(pending.submissionId())},
                    pending.status().name(), Wire.write(pending), Long.toString(ttl.toMillis()));
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
        return Optional.ofNullable(json).map(j -> Wire.read(j, ExecutionResult.class));
    }

    @Override
    public boolean transition(SubmissionId id, Status from, ExecutionResult next) {
        if (!from.canMoveTo(next.status())) return false;
        try {
            Long moved = redis.eval(TRANSITION, ScriptOutputType.INTEGER, new String[]{keys.result(id)},
                    from.name(), next.status().name(), Wire.write(next), Long.toString(ttl.toMillis()),
                    keys.resultChanges(), id.toString());
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
