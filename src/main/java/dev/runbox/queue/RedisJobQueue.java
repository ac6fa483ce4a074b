package dev.runbox.queue;

import dev.runbox.job.Submission;
import dev.runbox.redis.Keys;
import dev.runbox.wire.Wire;
import dev.runbox.redis.LuaScript;
import dev.runbox.redis.RedisConnection;
import io.lettuce.core.Consumer;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The shared queue: a Redis Stream ({@code {runbox}:jobs}) read through one consumer group by every
 * worker process, each process being one consumer.
 *
 * <p><b>At-least-once delivery.</b> {@link #enqueue} is XADD; {@link #take} is XREADGROUP, which puts
 * the entry in the group's pending list (PEL) under this consumer: that is the lease. The entry
 * leaves the stream (XACK + XDEL) only in {@link #ack}, which the worker calls after the final
 * result is stored. A worker that dies holding a lease loses nothing: the entry stays pending.
 *
 * <p><b>Leases are renewed, the visibility timeout stays short.</b> A lease expires when its entry
 * has been idle for the visibility timeout; {@link #take} then claims it (XCLAIM, oldest first,
 * before any new job) and the delivery count grows by one. The timeout cannot simply exceed the
 * longest run: a run may last max-time-limit-sec × {@value dev.runbox.job.Limits#WALL_TIME_FACTOR}
 * ÷ min(1, cpu_cores) with cpu_cores as low as 0.01 — 4000 s with the defaults, per sandbox attempt
 * — and a worker lost at the start of such a run would hold its job for hours. Instead the worker
 * renews each lease it holds every third of the timeout ({@link #renew}: XCLAIM to itself with
 * JUSTID, which resets the idle time without counting a delivery), and stops renewing once a run
 * has outlasted the longest it could legally take. So the timeout only has to outlast a stall of a
 * live worker (GC pause, network blip): 30 s by default, and a lost job is taken again within about
 * that long.
 *
 * <p>Every lease operation (ack, renew, release) is a script that first checks that the entry is
 * still pending for this consumer at this delivery count: a worker whose lease expired and was
 * claimed by another can finish its run (the result store's compare-and-set keeps the first final
 * result) but can never acknowledge, extend or hand back the other worker's lease.
 *
 * <p><b>Redelivery is capped</b> by the worker, which gives up on a lease whose delivery passed
 * max-attempts (INTERNAL_ERROR, then ack): a program that keeps killing its workers cannot loop.
 *
 * <p><b>Bound.</b> {@link #enqueue} refuses a job when {@code capacity} jobs already wait (not yet
 * delivered), atomically with the add. The stream key never expires; Redis must run with
 * {@code maxmemory-policy noeviction} (an evicted stream loses every queued job) and AOF for jobs to
 * survive a Redis restart.
 *
 * <p>Connections: short commands share the process's connection; each worker thread blocks in
 * XREADGROUP on a connection of its own, opened on its first {@link #take}.
 */
public final class RedisJobQueue implements JobQueue {

    private static final Logger log = LoggerFactory.getLogger(RedisJobQueue.class);
    private static final LuaScript ENQUEUE = LuaScript.load("enqueue");
    private static final LuaScript CLAIM = LuaScript.load("claim");
    private static final LuaScript LEASE = LuaScript.load("lease");
    private static final LuaScript DEPTH = LuaScript.load("depth");
    private static final LuaScript HOUSEKEEP = LuaScript.load("housekeep");
    /** Longest single XREADGROUP BLOCK; a longer take() loops (so a stop is noticed). */
    private static final Duration MAX_BLOCK = Duration.ofSeconds(1);
    /** A consumer (worker process) silent this long and holding nothing is forgotten by the group. */
    static final Duration CONSUMER_IDLE_LIMIT = Duration.ofHours(1);

    private final RedisConnection redis;
    private final Keys keys;
    private final String consumer;
    private final int capacity;
    private final Duration visibilityTimeout;
    private final ConcurrentHashMap<Thread, RedisClusterCommands<String, String>> readers = new ConcurrentHashMap<>();

    /**
     * @param consumer          this process's name in the consumer group (its worker id): unique per process
     * @param capacity          most jobs waiting (not yet delivered) before enqueue refuses
     * @param visibilityTimeout how long a lease lives without renewal
     */
    public RedisJobQueue(RedisConnection redis, Keys keys, String consumer, int capacity, Duration visibilityTimeout) {
        if (capacity < 1) throw new IllegalArgumentException("queue capacity must be >= 1");
        if (visibilityTimeout.toMillis() < 1) throw new IllegalArgumentException("visibility timeout must be > 0");
        this.redis = redis;
        this.keys = keys;
        this.consumer = consumer;
        this.capacity = capacity;
        this.visibilityTimeout = visibilityTimeout;
        try {
            ensureGroup(redis.commands());
        } catch (RedisException e) {
            throw unavailable("create the consumer group", e);
        }
    }

    @Override
    public void enqueue(Submission job) throws QueueFullException {
        Long waiting;
        try {
            waiting = redis.eval(ENQUEUE, ScriptOutputType.INTEGER, new String[]{keys.jobs()},
                    Keys.GROUP, Integer.toString(capacity), Wire.write(job));
        } catch (RedisException e) {
            throw unavailable("queue " + job.id(), e);
        }
        if (waiting < 0) throw new QueueFullException(capacity);
    }

    @Override
    public Optional<Lease> take(Duration wait) throws InterruptedException {
        if (Thread.interrupted()) throw new InterruptedException();
        Optional<Lease> expired = claimExpired();
        if (expired.isPresent()) return expired;
        long deadline = System.nanoTime() + wait.toNanos();
        do {
            long blockMs = Math.max(1, Math.min(MAX_BLOCK.toMillis(), (deadline - System.nanoTime()) / 1_000_000));
            Optional<Lease> fresh = readNew(blockMs);
            if (fresh.isPresent()) return fresh;
            if (Thread.interrupted()) throw new InterruptedException();
        } while (System.nanoTime() < deadline);
        return Optional.empty();
    }

    private Optional<Lease> claimExpired() throws InterruptedException {
        List<Object> r;
        try {
            r = redis.eval(CLAIM, ScriptOutputType.MULTI, new String[]{keys.jobs()},
                    Keys.GROUP, consumer, Long.toString(visibilityTimeout.toMillis()));
        } catch (RedisCommandInterruptedException e) {
            throw new InterruptedException();
        } catch (RedisException e) {
            if (isNoGroup(e)) {
                recreateGroup();
                return Optional.empty();
            }
            throw unavailable("claim expired leases", e);
        }
        if (r == null || r.isEmpty()) return Optional.empty();
        String id = (String) r.get(0);
        @SuppressWarnings("unchecked") List<Object> fields = (List<Object>) r.get(1);
        int delivery = ((Long) r.get(2)).intValue();
        String json = null;
        for (int i = 0; i + 1 < fields.size(); i += 2) {
            if ("job".equals(fields.get(i))) json = (String) fields.get(i + 1);
        }
        Optional<Lease> lease = decode(id, json, delivery);
        lease.ifPresent(l -> log.info("claimed {} from an expired lease (delivery {})", l.job().id(), delivery));
        return lease;
    }

    private Optional<Lease> readNew(long blockMs) throws InterruptedException {
        List<StreamMessage<String, String>> got;
        try {
            RedisClusterCommands<String, String> reader = readers.computeIfAbsent(Thread.currentThread(),
                    t -> redis.openDedicated(MAX_BLOCK));
            got = reader.xreadgroup(Consumer.from(Keys.GROUP, consumer), XReadArgs.Builder.block(blockMs).count(1),
                    XReadArgs.StreamOffset.lastConsumed(keys.jobs()));
        } catch (RedisCommandInterruptedException e) {
            throw new InterruptedException();
        } catch (RedisException e) {
            if (isNoGroup(e)) {
                recreateGroup();
                return Optional.empty();
            }
            // the dedicated connection may be the broken part: open a fresh one next time
            readers.remove(Thread.currentThread());
            throw unavailable("read new jobs", e);
        }
        if (got == null || got.isEmpty()) return Optional.empty();
        StreamMessage<String, String> m = got.get(0);
        return decode(m.getId(), m.getBody() == null ? null : m.getBody().get("job"), 1);
    }

    private Optional<Lease> decode(String id, String json, int delivery) {
        try {
            if (json == null) throw new IllegalArgumentException("no 'job' field");
            return Optional.of(new Lease(Wire.read(json, Submission.class), delivery, id));
        } catch (RuntimeException e) {
            // nothing can ever run it (written by an incompatible version, or by hand): drop it loudly
            log.error("dropping stream entry {} that is not a job ({}); it cannot be run", id, e.getMessage());
            leaseAction(new Lease(null, delivery, id), "ack");
            return Optional.empty();
        }
    }

    @Override
    public void ack(Lease lease) {
        if (!leaseAction(lease, "ack")) {
            log.info("lease on {} (delivery {}) was no longer ours to acknowledge: another worker holds it", lease.job().id(),
                    lease.delivery());
        }
    }

    @Override
    public boolean renew(Lease lease) {
        return leaseAction(lease, "renew");
    }

    @Override
    public boolean release(Lease lease) {
        return leaseAction(lease, "release");
    }

    private boolean leaseAction(Lease lease, String action) {
        try {
            Long done = redis.eval(LEASE, ScriptOutputType.INTEGER, new String[]{keys.jobs()},
                    Keys.GROUP, consumer, lease.token(), Integer.toString(lease.delivery()), action);
            return done == 1;
        } catch (RedisException e) {
            throw unavailable(action + " the lease on " + (lease.job() == null ? lease.token() : lease.job().id()), e);
        }
    }

    /**
     * Expired leases are claimed by {@link #take} (before new jobs), so nothing needs putting back
     * here: returns how many leases have expired and wait for a worker, and forgets consumers of
     * workers gone for over an hour that hold nothing.
     */
    @Override
    public int reclaimExpired() {
        try {
            List<Object> r = redis.eval(HOUSEKEEP, ScriptOutputType.MULTI, new String[]{keys.jobs()},
                    Keys.GROUP, Long.toString(visibilityTimeout.toMillis()), Long.toString(CONSUMER_IDLE_LIMIT.toMillis()));
            long deleted = (Long) r.get(1);
            if (deleted > 0) log.info("forgot {} consumers of workers gone for over {} h", deleted, CONSUMER_IDLE_LIMIT.toHours());
            return ((Long) r.get(0)).intValue();
        } catch (RedisException e) {
            throw unavailable("look for expired leases", e);
        }
    }

    @Override
    public int depth() {
        try {
            Long n = redis.eval(DEPTH, ScriptOutputType.INTEGER, new String[]{keys.jobs()}, Keys.GROUP);
            return n.intValue();
        } catch (RedisException e) {
            throw unavailable("count waiting jobs", e);
        }
    }

    public Duration visibilityTimeout() {
        return visibilityTimeout;
    }

    private void ensureGroup(RedisClusterCommands<String, String> c) {
        try {
            c.xgroupCreate(XReadArgs.StreamOffset.from(keys.jobs(), "0"), Keys.GROUP, XGroupCreateArgs.Builder.mkstream(true));
        } catch (RedisCommandExecutionException e) {
            if (e.getMessage() == null || !e.getMessage().startsWith("BUSYGROUP")) throw e;
        }
    }

    /** The group vanished (Redis restarted without persistence, or FLUSHALL): make it again. */
    private void recreateGroup() {
        log.warn("consumer group '{}' of {} is missing (Redis lost its data?); creating it again", Keys.GROUP, keys.jobs());
        try {
            ensureGroup(redis.commands());
        } catch (RedisException e) {
            throw unavailable("create the consumer group", e);
        }
    }

    private static boolean isNoGroup(RedisException e) {
        return e instanceof RedisCommandExecutionException && e.getMessage() != null && e.getMessage().contains("NOGROUP");
    }

    private RuntimeException unavailable(String what, RedisException e) {
        RuntimeException r = redis.unavailable(what, e);
        return r instanceof IllegalStateException ? r : new QueueUnavailableException(r.getMessage(), e);
    }
}
