package dev.runbox.conformance;

import dev.runbox.testing.DockerEngine;
import dev.runbox.testing.RedisCluster;
import dev.runbox.testing.RedisServer;
import dev.runbox.testing.RunboxProcess;
import dev.runbox.testing.TestImage;
import dev.runbox.testing.TestServer;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.awaitility.Awaitility.await;

/**
 * A deployment made of Runbox processes started here as a user would start them ({@code runbox serve},
 * {@code runbox worker}, as child JVMs), with API keys and signed callbacks on: two keys of two owners
 * in a keys file, a callback secret, and private callback targets allowed so that a receiver on this
 * machine can be called. Each process's log is kept in {@code target/conformance-logs} when it stops.
 */
final class LocalDeployment implements Deployment {

    // a slow host (the VM stage's emulated guest) starts a server many times slower: seen there, 132 s
    private static final Duration START_TIMEOUT = Duration.ofSeconds(Math.round(120 * TestServer.slowdown()));
    private static final Path LOGS = Path.of("target", "conformance-logs");

    /** How a Redis deployment's processes are set up. */
    record RedisOptions(boolean apiKeys, int workerConcurrency, Map<String, String> extraEnv) {
        static RedisOptions conformance() {
            return new RedisOptions(true, 1, Map.of());
        }
    }

    private final String name;
    private final List<URI> bases;
    private final Optional<Keys> keys;
    private final String callbackSecret;
    private final List<RunboxProcess> apiServers;
    private final List<RunboxProcess> workers;
    private final List<AutoCloseable> backing;

    private LocalDeployment(String name, List<URI> bases, Optional<Keys> keys, String callbackSecret,
                            List<RunboxProcess> apiServers, List<RunboxProcess> workers, List<AutoCloseable> backing) {
        this.name = name;
        this.bases = bases;
        this.keys = keys;
        this.callbackSecret = callbackSecret;
        this.apiServers = apiServers;
        this.workers = workers;
        this.backing = backing;
    }

    /** Two keys of two owners, in a keys file of their own. */
    private record Keys(String key, String otherKey, Path file) {
        static Keys create() throws IOException {
            Keys k = new Keys("conformance-" + UUID.randomUUID(), "other-" + UUID.randomUUID(), Files.createTempFile("runbox-keys-", ".txt"));
            Files.writeString(k.file, "conformance:" + k.key + "\nother:" + k.otherKey + "\n");
            return k;
        }
    }

    /** One {@code runbox serve}: API, queue, store and workers in one process. */
    static LocalDeployment embedded() throws Exception {
        return singleServer("embedded", Map.of(), "serve");
    }

    /** One {@code runbox serve --sandbox docker} on the tests' own dockerd, every language in the tests' base image. */
    static LocalDeployment docker() throws Exception {
        DockerEngine engine = DockerEngine.shared();
        return singleServer("docker", Map.of("RUNBOX_DOCKER_HOST", engine.host(), "RUNBOX_DOCKER_IMAGE", TestImage.ensure(engine)),
                "serve", "--sandbox", "docker");
    }

    /** A real redis-server, two API-only servers and two worker processes. */
    static LocalDeployment redis(RedisOptions options) throws Exception {
        RedisServer redis = RedisServer.start();
        try {
            return onRedis("redis", redis.url(), redis, options);
        } catch (Exception | AssertionError e) {
            redis.close();
            throw e;
        }
    }

    /** The local three-master Redis Cluster, two API-only servers and two worker processes on it. */
    static LocalDeployment redisCluster() throws Exception {
        RedisCluster cluster = RedisCluster.start();
        try {
            return onRedis("redis-cluster", cluster.url(), cluster, RedisOptions.conformance());
        } catch (Exception | AssertionError e) {
            cluster.close();
            throw e;
        }
    }

    private static LocalDeployment singleServer(String name, Map<String, String> extraEnv, String... command) throws Exception {
        Keys keys = Keys.create();
        String secret = "callback-secret-" + UUID.randomUUID();
        Map<String, String> env = commonEnv(Optional.of(keys), secret);
        env.put("RUNBOX_WORKERS", "2");
        env.putAll(extraEnv);
        int port = RedisServer.freePort();
        List<String> args = new ArrayList<>(List.of(command));
        args.addAll(List.of("--port", Integer.toString(port)));
        RunboxProcess server = RunboxProcess.start(name, env, args.toArray(String[]::new));
        LocalDeployment d = new LocalDeployment(name, List.of(URI.create("http://127.0.0.1:" + port)), Optional.of(keys), secret,
                List.of(server), List.of(), List.of());
        try {
            RunboxProcess.awaitHttp(server, d.bases.get(0) + "/ready", START_TIMEOUT);
        } catch (Exception | AssertionError e) {
            d.close();
            throw e;
        }
        return d;
    }

    private static LocalDeployment onRedis(String name, String redisUrl, AutoCloseable redis, RedisOptions options) throws Exception {
        Optional<Keys> keys = options.apiKeys() ? Optional.of(Keys.create()) : Optional.empty();
        String secret = "callback-secret-" + UUID.randomUUID();
        Map<String, String> env = commonEnv(keys, secret);
        env.put("RUNBOX_REDIS_URL", redisUrl);
        env.put("RUNBOX_WORKER_HEARTBEAT_SEC", "1");
        env.putAll(options.extraEnv());
        List<RunboxProcess> apis = new ArrayList<>();
        List<RunboxProcess> workers = new ArrayList<>();
        List<URI> bases = new ArrayList<>();
        LocalDeployment d = new LocalDeployment(name, bases, keys, secret, apis, workers, List.of(redis));
        try {
            for (int i = 1; i <= 2; i++) {
                int port = RedisServer.freePort();
                apis.add(RunboxProcess.start(name + "-api" + i, env, "serve", "--workers", "0", "--port", Integer.toString(port)));
                bases.add(URI.create("http://127.0.0.1:" + port));
            }
            for (int i = 1; i <= 2; i++) {
                workers.add(RunboxProcess.start(name + "-worker" + i, env, "worker", "--concurrency", Integer.toString(options.workerConcurrency())));
            }
            for (int i = 0; i < apis.size(); i++) RunboxProcess.awaitHttp(apis.get(i), bases.get(i) + "/ready", START_TIMEOUT);
            d.awaitWorkersAlive();
        } catch (Exception | AssertionError e) {
            d.close();
            throw e;
        }
        return d;
    }

    private static Map<String, String> commonEnv(Optional<Keys> keys, String callbackSecret) {
        Map<String, String> env = new HashMap<>();
        keys.ifPresent(k -> env.put("RUNBOX_API_KEYS_FILE", k.file.toString()));
        env.put("RUNBOX_CALLBACK_SECRET", callbackSecret);
        env.put("RUNBOX_CALLBACK_ALLOW_PRIVATE", "true");
        env.put("RUNBOX_CALLBACK_BACKOFF_MS", "200");
        env.put("RUNBOX_PREPARED_SANDBOXES", "1");
        env.put("RUNBOX_SHUTDOWN_GRACE_SEC", "5");
        return env;
    }

    /** Until GET /workers shows every worker process alive. */
    private void awaitWorkersAlive() {
        Http http = Http.to(bases, apiKey());
        await().atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() -> {
            for (RunboxProcess w : workers) {
                if (!w.isAlive()) throw new AssertionError(w.name + " exited: " + w.log());
            }
            Http.Reply r = http.get("/workers");
            return r.status() == 200 && r.json().get("alive").asInt() == workers.size();
        });
    }

    /** A worker process: it runs the sandboxes. */
    RunboxProcess worker(int i) {
        return workers.get(i);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<URI> apiBases() {
        return List.copyOf(bases);
    }

    @Override
    public Optional<String> apiKey() {
        return keys.map(Keys::key);
    }

    @Override
    public Optional<String> otherApiKey() {
        return keys.map(Keys::otherKey);
    }

    @Override
    public Optional<String> callbackSecret() {
        return Optional.of(callbackSecret);
    }

    @Override
    public void close() throws Exception {
        List<RunboxProcess> all = new ArrayList<>(apiServers);
        all.addAll(workers);
        Files.createDirectories(LOGS);
        for (RunboxProcess p : all) {
            if (p.isAlive()) p.stop(Duration.ofSeconds(10));
            Files.writeString(LOGS.resolve(p.name + ".log"), p.log());
            p.close();
        }
        for (AutoCloseable b : backing) b.close();
        if (keys.isPresent()) Files.deleteIfExists(keys.get().file);
    }
}
