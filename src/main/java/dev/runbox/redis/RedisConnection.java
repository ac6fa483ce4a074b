package dev.runbox.redis;

import dev.runbox.config.RedisUrl;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * This process's link to Redis (a single server, Sentinel, or Cluster): one shared, multiplexed,
 * thread-safe connection for every short command, plus a dedicated connection for each thread that
 * blocks (XREADGROUP BLOCK), because a command queued behind a blocking read on a shared connection
 * waits for it.
 *
 * <p>Failure behaviour: commands never hang. While the connection to a single server (or Sentinel's
 * master) is down they are rejected at once (no offline buffering that would replay stale writes
 * later); a command that gets no reply fails after {@code timeout}. With a Cluster, commands to an
 * unreachable node fail after {@code timeout} (see {@link #clusterClient}). Lettuce reconnects in the background with a capped exponential backoff
 * (100 ms doubling to {@value #RECONNECT_MAX_MS} ms), so callers just retry later.
 */
public final class RedisConnection implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisConnection.class);
    static final long RECONNECT_MAX_MS = 2000;
    /** At start, Redis may not be up yet (all processes started together): wait this long for it. */
    public static final Duration STARTUP_WAIT = Duration.ofSeconds(60);
    /** Redis error replies that mean "not now" rather than "this command is wrong". */
    private static final Set<String> TRANSIENT_ERRORS = Set.of("LOADING", "BUSY", "READONLY", "MASTERDOWN", "CLUSTERDOWN",
            "TRYAGAIN", "MISCONF", "NOREPLICAS", "MOVED", "ASK");

    private final RedisUrl url;
    private final Duration timeout;
    private final ClientResources resources;
    private final AbstractRedisClient client;
    private final StatefulConnection<String, String> shared;
    private final RedisClusterCommands<String, String> commands;
    private final List<StatefulConnection<String, String>> dedicated = new CopyOnWriteArrayList<>();

    private RedisConnection(RedisUrl url, Duration timeout, ClientResources resources, AbstractRedisClient client,
                            StatefulConnection<String, String> shared) {
        this.url = url;
        this.timeout = timeout;
        this.resources = resources;
        this.client = client;
        this.shared = shared;
        this.commands = commandsOf(shared);
    }

    /**
     * Connects, waiting up to {@link #STARTUP_WAIT} (capped backoff) for a Redis that is not up yet;
     * gives up at once when Redis refuses the credentials.
     */
    public static RedisConnection open(RedisUrl url, Duration timeout) throws InterruptedException {
        ClientResources resources = DefaultClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(100), Duration.ofMillis(RECONNECT_MAX_MS), 2, TimeUnit.MILLISECONDS))
                .build();
        AbstractRedisClient client = url.isCluster() ? clusterClient(url, timeout, resources) : singleClient(url, timeout, resources);
        long deadline = System.nanoTime() + STARTUP_WAIT.toNanos();
        long pauseMs = 100;
        while (true) {
            try {
                StatefulConnection<String, String> c = connect(client);
                log.info("connected to Redis at {}", url.where());
                return new RedisConnection(url, timeout, resources, client, c);
            } catch (RedisException e) {
                if (isAuthFailure(e) || System.nanoTime() > deadline) {
                    client.shutdown();
                    resources.shutdown();
                    throw new RedisUnavailableException("cannot connect to Redis at " + url.where() + ": " + describe(e)
                            + (isAuthFailure(e) ? " (check the password in the Redis URL)" : " (is redis-server running there?)"), e);
                }
                log.warn("Redis at {} not reachable yet ({}); retrying in {} ms", url.where(), describe(e), pauseMs);
                Thread.sleep(pauseMs);
                pauseMs = Math.min(pauseMs * 2, RECONNECT_MAX_MS);
            }
        }
    }

    private static RedisClient singleClient(RedisUrl url, Duration timeout, ClientResources resources) {
        RedisURI uri = RedisURI.create(url.value());
        uri.setTimeout(timeout);
        RedisClient c = RedisClient.create(resources, uri);
        c.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .socketOptions(SocketOptions.builder().connectTimeout(timeout).keepAlive(true).build())
                .build());
        return c;
    }

    private static RedisClusterClient clusterClient(RedisUrl url, Duration timeout, ClientResources resources) {
        List<RedisURI> seeds = url.clusterNodes().stream().map(RedisURI::create).peek(u -> u.setTimeout(timeout)).toList();
        RedisClusterClient c = RedisClusterClient.create(resources, seeds);
        c.setOptions(ClusterClientOptions.builder()
                .autoReconnect(true)
                // not REJECT_COMMANDS: Lettuce 7.7 opens node connections lazily and rejects every
                // command on a node connection that is still being opened (seen against Redis 7.0).
                // So in a cluster, commands to an unreachable node fail after `timeout`, not at once.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.DEFAULT)
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .socketOptions(SocketOptions.builder().connectTimeout(timeout).keepAlive(true).build())
                // follow failovers and resharding: refresh the slot map on MOVED/ASK and reconnects
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enableAllAdaptiveRefreshTriggers()
                        .enablePeriodicRefresh(Duration.ofSeconds(30))
                        .build())
                .build());
        return c;
    }

    private static StatefulConnection<String, String> connect(AbstractRedisClient client) {
        if (client instanceof RedisClusterClient cc) return cc.connect();
        return ((RedisClient) client).connect();
    }

    @SuppressWarnings("unchecked")
    private static RedisClusterCommands<String, String> commandsOf(StatefulConnection<String, String> c) {
        if (c instanceof StatefulRedisClusterConnection<String, String> cc) return cc.sync();
        return ((StatefulRedisConnection<String, String>) c).sync();
    }

    /** Commands on the shared connection: never for blocking commands. */
    public RedisClusterCommands<String, String> commands() {
        return commands;
    }

    /**
     * A new connection of its own for one thread's blocking reads; closed with this object. Its
     * command timeout is {@code timeout + maxBlock}, so a read blocking up to {@code maxBlock} is not
     * mistaken for a dead server.
     */
    public RedisClusterCommands<String, String> openDedicated(Duration maxBlock) {
        try {
            StatefulConnection<String, String> c = connect(client);
            c.setTimeout(timeout.plus(maxBlock));
            dedicated.add(c);
            return commandsOf(c);
        } catch (RedisException e) {
            throw unavailable("open a connection", e);
        }
    }

    /** A connection of its own for blocking reads that ends before this object does: close it when done. */
    public interface Blocking extends AutoCloseable {
        RedisClusterCommands<String, String> commands();

        @Override
        void close();
    }

    /**
     * As {@link #openDedicated}, for a reader that lives shorter than this process (one live run's
     * end): the caller closes it; anything left open is closed with this object.
     */
    public Blocking openBlocking(Duration maxBlock) {
        try {
            StatefulConnection<String, String> c = connect(client);
            c.setTimeout(timeout.plus(maxBlock));
            dedicated.add(c);
            RedisClusterCommands<String, String> commands = commandsOf(c);
            return new Blocking() {
                @Override
                public RedisClusterCommands<String, String> commands() {
                    return commands;
                }

                @Override
                public void close() {
                    dedicated.remove(c);
                    try {
                        c.close();
                    } catch (RuntimeException e) {
                        log.debug("closing a Redis connection: {}", e.toString());
                    }
                }
            };
        } catch (RedisException e) {
            throw unavailable("open a connection", e);
        }
    }

    /**
     * A connection of its own with String keys and byte[] values, for libraries that store binary
     * state (Bucket4j's Lettuce proxy manager); closed with this object. A
     * {@code StatefulRedisConnection} or, for a cluster, a {@code StatefulRedisClusterConnection}.
     */
    public StatefulConnection<String, byte[]> openBinary() {
        io.lettuce.core.codec.RedisCodec<String, byte[]> codec = io.lettuce.core.codec.RedisCodec.of(
                io.lettuce.core.codec.StringCodec.UTF8, io.lettuce.core.codec.ByteArrayCodec.INSTANCE);
        try {
            StatefulConnection<String, byte[]> c = client instanceof RedisClusterClient cc ? cc.connect(codec)
                    : ((RedisClient) client).connect(codec);
            binary.add(c);
            return c;
        } catch (RedisException e) {
            throw unavailable("open a connection", e);
        }
    }

    private final List<StatefulConnection<String, byte[]>> binary = new CopyOnWriteArrayList<>();

    /**
     * Subscribes to a pub/sub channel on a connection of its own (Lettuce subscribes again after a
     * reconnect; {@code onReconnect} then runs, because messages sent meanwhile are lost). In a
     * cluster, published messages reach every node, so any node serves the subscription.
     *
     * <p>{@code onMessage} and {@code onReconnect} run on a thread of their own, one call at a time
     * and in order, never on Lettuce's event loop: a handler that sends a command and waits for its
     * reply on that loop would wait for itself (each change read back its result and stalled the
     * process for the command timeout).
     */
    public void subscribe(String channel, java.util.function.Consumer<String> onMessage, Runnable onReconnect) {
        try {
            io.lettuce.core.pubsub.StatefulRedisPubSubConnection<String, String> c = client instanceof RedisClusterClient cc
                    ? cc.connectPubSub() : ((RedisClient) client).connectPubSub();
            c.addListener(new io.lettuce.core.pubsub.RedisPubSubAdapter<>() {
                @Override
                public void message(String ch, String message) {
                    if (ch.equals(channel)) deliver(() -> onMessage.accept(message));
                }

                @Override
                public void subscribed(String ch, long count) {
                    if (ch.equals(channel) && subscribedOnce.getAndSet(true)) deliver(onReconnect);
                }
            });
            c.sync().subscribe(channel);
            pubSub.add(c);
        } catch (RedisException e) {
            throw unavailable("subscribe to " + channel, e);
        }
    }

    private final java.util.concurrent.atomic.AtomicBoolean subscribedOnce = new java.util.concurrent.atomic.AtomicBoolean();
    /** Runs the pub/sub handlers (see {@link #subscribe}); its thread is made by the first message. */
    private final java.util.concurrent.ExecutorService delivery = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "redis-pubsub-delivery");
        t.setDaemon(true);
        return t;
    });

    private void deliver(Runnable handler) {
        try {
            delivery.execute(() -> {
                try {
                    handler.run();
                } catch (RuntimeException e) {
                    log.warn("a Redis pub/sub handler failed", e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // the connection is closing: nobody listens any more
        }
    }
    private final List<StatefulConnection<String, String>> pubSub = new CopyOnWriteArrayList<>();

    /** The command timeout: no call waits longer for a reply. */
    public Duration timeout() {
        return timeout;
    }

    /** Where Redis is, without credentials: for logs and messages. */
    public String where() {
        return url.where();
    }

    public boolean isCluster() {
        return url.isCluster();
    }

    /** Empty when Redis answers PING now; otherwise why not. */
    public java.util.Optional<String> check() {
        try {
            String pong = commands.ping();
            return "PONG".equalsIgnoreCase(pong) ? java.util.Optional.empty()
                    : java.util.Optional.of("Redis at " + where() + " answered PING with " + pong);
        } catch (RedisException e) {
            return java.util.Optional.of("Redis at " + where() + " is unreachable: " + describe(e));
        }
    }

    /** Runs a Lua script by its digest, loading it first when this server does not know it (after a restart). */
    public <T> T eval(LuaScript script, ScriptOutputType type, String[] keys, String... args) {
        return eval(commands, script, type, keys, args);
    }

    static <T> T eval(RedisClusterCommands<String, String> on, LuaScript script, ScriptOutputType type, String[] keys, String... args) {
        try {
            return on.evalsha(script.sha1(), type, keys, args);
        } catch (RedisNoScriptException e) {
            return on.eval(script.text(), type, keys, args);
        }
    }

    /**
     * Whether a failure means "Redis is not reachable now" (retry later) rather than a bug in the
     * command itself (which must surface, not be retried).
     */
    public static boolean isTransient(RedisException e) {
        if (e instanceof RedisConnectionException || e instanceof RedisCommandTimeoutException) return true;
        if (e instanceof RedisCommandInterruptedException) return false;
        if (e instanceof RedisCommandExecutionException) {
            String m = e.getMessage() == null ? "" : e.getMessage();
            String code = m.split(" ", 2)[0].toUpperCase(Locale.ROOT);
            return TRANSIENT_ERRORS.contains(code);
        }
        // "Currently not connected", "Connection closed", and other client-side states of a lost link
        return true;
    }

    /** Wraps a Redis failure: transient ones as {@link RedisUnavailableException}, bugs as IllegalStateException. */
    public RuntimeException unavailable(String what, RedisException e) {
        if (e instanceof RedisCommandInterruptedException) {
            Thread.currentThread().interrupt();
            return new RedisUnavailableException("interrupted while waiting for Redis to " + what, e);
        }
        if (!isTransient(e)) return new IllegalStateException("Redis refused to " + what + ": " + describe(e), e);
        return new RedisUnavailableException("Redis at " + where() + " is unreachable (could not " + what + "): " + describe(e), e);
    }

    static String describe(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && t.getMessage() != null && t.getMessage().startsWith("Unable to connect")) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return m.length() > 200 ? m.substring(0, 200) + "…" : m;
    }

    private static boolean isAuthFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage();
            if (m != null && (m.contains("WRONGPASS") || m.contains("NOAUTH") || m.contains("invalid password")
                    || m.contains("invalid username-password"))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        delivery.shutdownNow();
        for (StatefulConnection<String, String> c : pubSub) {
            try {
                c.close();
            } catch (RuntimeException e) {
                log.debug("closing a Redis pub/sub connection: {}", e.toString());
            }
        }
        for (StatefulConnection<String, byte[]> c : binary) {
            try {
                c.close();
            } catch (RuntimeException e) {
                log.debug("closing a binary Redis connection: {}", e.toString());
            }
        }
        for (StatefulConnection<String, String> c : dedicated) {
            try {
                c.close();
            } catch (RuntimeException e) {
                log.debug("closing a dedicated Redis connection: {}", e.toString());
            }
        }
        try {
            shared.close();
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            resources.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }
}
