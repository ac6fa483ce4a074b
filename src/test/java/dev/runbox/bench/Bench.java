package dev.runbox.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runbox.sandbox.bubblewrap.RunParts;
import dev.runbox.testing.DockerEngine;
import dev.runbox.testing.TestImage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * The benchmark of issue 5, in one run: bare baseline, Runbox's sandbox alone, Runbox over HTTP
 * (embedded, and with Redis and a separate worker process when this build has that mode), the API
 * alone under wrk, and the server's memory. Prints a table of medians, p99s and ratios against the
 * bare baseline measured in the same run, with the targets met or missed-by, and writes it as
 * JSON. Started by {@code bench/run}, which builds and passes the paths below.
 *
 * <p>Exit status 0 when every row was measured (met or missed); 1 when a measurement failed or a run
 * gave a wrong result; 2 on bad arguments.
 */
public final class Bench {

    private final Plan plan;
    private final Map<String, String> args;
    private final int parallel = Runtime.getRuntime().availableProcessors();
    private final Report report = new Report();
    private final Path work;
    private final Path stateRoot;
    private final String serverClasspath;
    private final List<String> serverJavaOpts;
    /** Sandbox uids of this run: one block per Runbox process, 2 × workers + prepared sandboxes + 1 of them (see {@link #runboxSettings}). */
    private final int uidBase = 100_000 + ThreadLocalRandom.current().nextInt(900) * 1_000;
    private final Program c;
    private final Program py;
    private final Program bashTrue;
    private final BareSpawner bare;
    private final List<ServerProcess> processes = new ArrayList<>();
    private Path languagesFile;
    private final long t0 = System.nanoTime();
    /** A second, eager poll interval for one informational row. */
    private static final long FAST_POLL_NANOS = 1_000_000L;
    /** Clients that wait for their result (POST ?wait=true) instead of polling for it. */
    private static final HttpLoad.Fetch WAIT = new HttpLoad.Wait();

    private Bench(Map<String, String> args) throws IOException {
        this.args = args;
        this.plan = Plan.named(args.getOrDefault("mode", "full"));
        this.work = Path.of(required("work"));
        this.stateRoot = Path.of(required("state-root"));
        this.serverClasspath = required("server-classpath");
        this.serverJavaOpts = Arrays.stream(args.getOrDefault("server-java-opts", "").split("\\s+")).filter(s -> !s.isBlank()).toList();
        Path pyDir = Files.createDirectories(work.resolve("python"));
        Files.writeString(pyDir.resolve("main.py"), Program.PYTHON_SOURCE);
        this.c = Program.cHello(Path.of(required("hello")), work, Files.readString(Path.of(required("hello-source"))));
        this.py = Program.pythonHello(pyDir);
        this.bashTrue = Program.bashTrue(work);
        this.bare = new BareSpawner(Path.of(required("spawn")));
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new LinkedHashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            if (!argv[i].startsWith("--")) {
                System.err.println("bench: expected --name value pairs, got " + argv[i]);
                System.exit(2);
            }
            args.put(argv[i].substring(2), argv[i + 1]);
        }
        Bench b = new Bench(args);
        // stopped from outside (SIGTERM, Ctrl-C): the servers it started stop too
        Runtime.getRuntime().addShutdownHook(new Thread(b::stopAll, "bench-stop"));
        int code;
        try {
            code = b.run();
        } finally {
            b.stopAll();
        }
        System.exit(code);
    }

    /** Progress on stderr, with the seconds since start. */
    private void log(String format, Object... a) {
        System.err.printf(java.util.Locale.ROOT, "bench: [%5.1f s] %s%n", (System.nanoTime() - t0) / 1e9, String.format(format, a));
    }

    private String required(String name) {
        String v = args.get(name);
        if (v == null) throw new IllegalArgumentException("bench: --" + name + " is required");
        return v;
    }

    private int run() throws Exception {
        Instant started = Instant.now();
        report.meta.put("benchmark", "runbox issue 5");
        report.meta.put("mode", plan.mode());
        report.meta.put("command", args.getOrDefault("command", "bench/run"));
        report.meta.put("git_commit", args.getOrDefault("git-commit", "unknown"));
        report.meta.put("started_at", started.truncatedTo(ChronoUnit.SECONDS).toString());
        report.meta.put("load_average_start", Machine.loadAverage());
        report.meta.put("machine", Machine.describe());
        report.meta.put("parameters", parameters());
        log("%s run, %d cores, load %s; sandbox uids from %d; state under %s", plan.mode(), parallel,
                report.meta.get("load_average_start"), uidBase, stateRoot);
        writeLanguagesFile();

        Rows rows = new Rows();
        log("starting the servers");
        try (InProcessSandbox sandbox = InProcessSandbox.open(stateRoot.resolve("sandbox"), uidBase, parallel);
             InProcessSandbox docker = openDocker()) {
            Embedded embedded = startEmbedded(rows);
            RedisMode redis = startRedisMode();
            warmUp(sandbox, embedded, redis);
            if (docker != null) {
                for (Program p : List.of(c, py)) docker.latencies(p.inContainer(), plan.warmupRuns());
            }
            latencyPhase(sandbox, docker, embedded, redis, rows);
            throughputPhase(sandbox, embedded, redis, rows);
            apiPhase(embedded, rows);
            judgePhase(embedded, rows);
            stopAll();
        }
        memoryPhase(rows);

        rows.addAllTo(report);
        report.meta.put("load_average_end", Machine.loadAverage());
        report.meta.put("finished_at", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        report.meta.put("duration_sec", Duration.between(started, Instant.now()).toSeconds());

        System.out.println();
        System.out.println(report.markdown());
        Path out = Path.of(args.getOrDefault("out", "bench/results/latest.json"));
        report.writeJson(out);
        System.out.println("bench: wrote " + out);
        if (args.containsKey("benchmarks-md")) {
            Path md = Path.of(args.get("benchmarks-md"));
            System.out.println(report.updateBetweenMarkers(md) ? "bench: updated the results in " + md
                    : "bench: " + md + " has no " + Report.BEGIN + " marker; left as it is");
        }
        if (report.failed()) {
            System.out.println("bench: FAILED rows above: the benchmark did not measure everything it should");
            return 1;
        }
        return 0;
    }

    private Map<String, Object> parameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("parallelism", parallel);
        p.put("clients", plan.clientsPerWorker() * parallel);
        p.put("plan", plan);
        p.put("server_java_opts", String.join(" ", serverJavaOpts));
        p.put("sandbox_limits", InProcessSandbox.DEFAULT_LIMITS.toString());
        return p;
    }

    /** The built-in python language plus a bench-only language that runs the prebuilt C hello. */
    private void writeLanguagesFile() throws IOException {
        ObjectNode root = HttpLoad.JSON.createObjectNode();
        var list = root.putArray("languages");
        try (var in = Bench.class.getResourceAsStream("/languages.json")) {
            if (in == null) throw new IOException("languages.json is not on the classpath " + serverClasspath);
            HttpLoad.JSON.readTree(in).path("languages").forEach(list::add);
        }
        ObjectNode ch = list.addObject();
        ch.put("id", Program.C_HELLO_LANGUAGE);
        ch.put("name", "C hello (prebuilt, benchmark only)");
        ch.put("source_file", "main.c");
        ch.putArray("run").add(c.sandboxCommand().get(0));
        ch.putArray("version").add("/usr/bin/gcc").add("--version");
        ch.putArray("mounts");
        ch.putObject("env");
        languagesFile = work.resolve("languages.json");
        HttpLoad.JSON.writeValue(languagesFile.toFile(), root);
    }

    // ---------------------------------------------------------------------------------------------
    // servers

    /** The embedded server of {@code runbox serve}. */
    private record Embedded(ServerProcess process, HttpLoad http, int port) {
    }

    /** Redis mode: redis-server, {@code serve --redis --workers 0} and {@code worker --redis}; or why not. */
    private record RedisMode(HttpLoad http, String unavailable, String failed) {
        boolean usable() {
            return http != null;
        }
    }

    /** Settings of one Runbox process: its own state dir, and its own block of sandbox uids. */
    private List<String> runboxSettings(String role, int block) {
        return List.of("--set", "state-dir=" + stateRoot.resolve(role), "--set", "sandbox-uid-base=" + (uidBase + block * (4 * parallel + 2)),
                "--set", "languages-file=" + languagesFile, "--set", "shutdown-grace-sec=5");
    }

    private Embedded startEmbedded(Rows rows) throws Exception {
        int port = ServerProcess.freePort();
        List<String> a = new ArrayList<>(List.of("serve", "--port", Integer.toString(port), "--workers", Integer.toString(parallel)));
        a.addAll(runboxSettings("embedded", 1));
        ServerProcess p = track(ServerProcess.runbox("runbox serve (embedded)", serverClasspath, serverJavaOpts, a,
                work.resolve("serve-embedded.log")));
        HttpLoad http = new HttpLoad("http://127.0.0.1:" + port);
        p.awaitHttp(http.client(), "http://127.0.0.1:" + port + "/health", Duration.ofSeconds(60));
        Thread.sleep(plan.settleMillis()); // let start-up work (JIT, class loading) finish before calling it idle
        rows.idleRss = measureRss(new Row("memory_idle_rss", "memory", "server RSS idle, just started (embedded, "
                + parallel + " workers)"), p);
        rows.idleRss.check("RSS", (Double) rows.idleRss.data.get("rss_mb"), 150, false, " MB");
        return new Embedded(p, http, port);
    }

    private Row measureRss(Row row, ServerProcess p) throws IOException, InterruptedException {
        long raw = p.rssBytes();
        p.fullGc();
        long afterGc = p.rssBytes();
        row.value = String.format(java.util.Locale.ROOT, "%.1f MB (%.1f MB after a full GC)", mb(raw), mb(afterGc));
        row.data.put("rss_mb", mb(raw));
        row.data.put("rss_after_full_gc_mb", mb(afterGc));
        row.data.put("pid", p.pid());
        return row;
    }

    private static double mb(long bytes) {
        return bytes / 1048576.0;
    }

    /** Redis mode, when bench/run found it in this build ({@code --redis-mode available}; else why not). */
    private RedisMode startRedisMode() {
        String mode = args.getOrDefault("redis-mode", "not available: bench/run did not say whether this build has it");
        if (!mode.equals("available")) return new RedisMode(null, mode, null);
        if (!Files.isExecutable(Path.of("/usr/bin/redis-server"))) {
            return new RedisMode(null, "redis-server is not installed (apt-get install redis-server)", null);
        }
        try {
            int redisPort = ServerProcess.freePort();
            ServerProcess redis = track(ServerProcess.start("redis-server", List.of("/usr/bin/redis-server", "--port",
                    Integer.toString(redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"),
                    work.resolve("redis.log")));
            redis.awaitLog("Ready to accept connections", Duration.ofSeconds(20));
            String url = "redis://127.0.0.1:" + redisPort;
            int port = ServerProcess.freePort();
            List<String> api = new ArrayList<>(List.of("serve", "--port", Integer.toString(port), "--redis", url, "--workers", "0"));
            api.addAll(runboxSettings("redis-api", 2));
            ServerProcess serve = track(ServerProcess.runbox("runbox serve --redis", serverClasspath, serverJavaOpts, api,
                    work.resolve("serve-redis.log")));
            List<String> w = new ArrayList<>(List.of("worker", "--redis", url, "--concurrency", Integer.toString(parallel)));
            w.addAll(runboxSettings("redis-worker", 3));
            track(ServerProcess.runbox("runbox worker --redis", serverClasspath, serverJavaOpts, w, work.resolve("worker-redis.log")));
            HttpLoad http = new HttpLoad("http://127.0.0.1:" + port);
            serve.awaitHttp(http.client(), "http://127.0.0.1:" + port + "/health", Duration.ofSeconds(60));
            return new RedisMode(http, null, null);
        } catch (Exception e) {
            log("Redis mode failed to start: %s", e.getMessage());
            return new RedisMode(null, null, "Redis mode did not start: " + e.getMessage());
        }
    }

    private synchronized ServerProcess track(ServerProcess p) {
        processes.add(p);
        return p;
    }

    private synchronized void stopAll() {
        for (int i = processes.size() - 1; i >= 0; i--) processes.get(i).close();
        processes.clear();
    }

    // ---------------------------------------------------------------------------------------------
    // phases

    private void warmUp(InProcessSandbox sandbox, Embedded embedded, RedisMode redis) throws Exception {
        int n = plan.warmupRuns();
        log("warming up (%d runs of each program on each side)", n);
        for (Program p : List.of(c, py)) {
            bare.latencies(p, n);
            sandbox.latencies(p, n);
            embedded.http().latencies(p, n, latencyPoll(), new ArrayList<>());
            embedded.http().latencies(p, n, WAIT, new ArrayList<>());
        }
        InProcessSandbox.jvmSpawnLatencies(c, n);
        if (redis.usable()) {
            try {
                for (Program p : List.of(c, py)) {
                    redis.http().latencies(p, n, latencyPoll(), new ArrayList<>());
                    redis.http().latencies(p, n, WAIT, new ArrayList<>());
                }
            } catch (Exception e) {
                log("Redis mode warm-up failed: %s", e.getMessage());
            }
        }
    }

    /** A series of latencies gathered over the rounds; a failure stops the series, not the benchmark. */
    private static final class Series {
        interface Measure {
            long[] take(int count) throws Exception;
        }

        final String name;
        final int perRound;
        final Measure measure;
        long[] samples = new long[0];
        String error;

        Series(String name, int perRound, Measure measure) {
            this.name = name;
            this.perRound = perRound;
            this.measure = measure;
        }

        void round() {
            if (error != null) return;
            try {
                long[] more = measure.take(perRound);
                long[] all = Arrays.copyOf(samples, samples.length + more.length);
                System.arraycopy(more, 0, all, samples.length, more.length);
                samples = all;
            } catch (Exception e) {
                error = e.getClass().getSimpleName() + ": " + e.getMessage();
                System.err.println("bench: " + name + " failed: " + error);
            }
        }
    }

    /**
     * The Docker sandbox on a dockerd of the benchmark's own (the tests' engine and base image), for its
     * per-run cost beside the default sandbox's; null, and no Docker rows, where dockerd is not installed.
     */
    private InProcessSandbox openDocker() throws Exception {
        if (!Files.isExecutable(DockerEngine.DOCKERD)) {
            log("no Docker rows: %s is not installed (apt-get install docker.io)", DockerEngine.DOCKERD);
            return null;
        }
        log("starting dockerd and the base image for the Docker rows");
        DockerEngine engine = DockerEngine.shared();
        // uids past the Runbox processes' blocks (runboxSettings), below the next benchmark run's base
        return InProcessSandbox.openDocker(stateRoot.resolve("docker"), uidBase + 900, parallel, engine.host(),
                TestImage.ensure(engine));
    }

    private static Program uncheckedInContainer(Program p) {
        try {
            return p.inContainer();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The one-client rows' polling clients (every 5 ms). */
    private HttpLoad.Fetch latencyPoll() {
        return new HttpLoad.Poll(plan.latencyPollNanos());
    }

    private void latencyPhase(InProcessSandbox sandbox, InProcessSandbox docker, Embedded embedded, RedisMode redis, Rows rows) {
        HttpLoad.Fetch poll = latencyPoll();
        Series bareC = new Series("bare C hello", plan.bareCPerRound(), n -> bare.latencies(c, n));
        Series jvmC = new Series("C hello spawned by the JVM", plan.sandboxCPerRound(), n -> InProcessSandbox.jvmSpawnLatencies(c, n));
        Series sbC = new Series("sandbox C hello", plan.sandboxCPerRound(), n -> sandbox.latencies(c, n));
        List<String> bwrapArgv = RunParts.bubblewrapAlone(InProcessSandbox.spec(c));
        Program bwrapC = new Program("C hello in bubblewrap alone", bwrapArgv, bwrapArgv, Map.of(), c.workDir(), c.environment(),
                c.httpLanguage(), c.httpSource(), c.expectedStdout());
        // time_sec as a run reports it (runbox-init's measure, issue 14) against the program's bare wall time
        Series bareBash = new Series("bare bash true", plan.sandboxCPerRound(), n -> bare.latencies(bashTrue, n));
        Series timeC = new Series("time_sec of sandbox C hello", plan.sandboxCPerRound(), n -> sandbox.programTimes(c, n));
        Series timeBash = new Series("time_sec of sandbox bash true", plan.sandboxCPerRound(), n -> sandbox.programTimes(bashTrue, n));
        Series bwC = new Series("C hello in bubblewrap alone", plan.sandboxCPerRound(), n -> bare.latencies(bwrapC, n));
        // moves 50 ms apart, about one sandboxed run: how far apart they are in a worker (see SandboxParts)
        Series join = new Series("cgroup join", Math.max(1, plan.sandboxCPerRound() / 4),
                n -> RunParts.cgroupJoinLatencies(stateRoot.resolve("parts"), n, Duration.ofMillis(50)));
        Series bareP = new Series("bare python hello", plan.pythonPerRound(), n -> bare.latencies(py, n));
        Series sbP = new Series("sandbox python hello", plan.pythonPerRound(), n -> sandbox.latencies(py, n));
        List<HttpLoad.Parts> httpPParts = new ArrayList<>();
        List<HttpLoad.Parts> httpCParts = new ArrayList<>();
        List<HttpLoad.Parts> redisPParts = new ArrayList<>();
        List<HttpLoad.Parts> redisCParts = new ArrayList<>();
        Series httpP = new Series("HTTP embedded python hello", plan.pythonPerRound(),
                n -> embedded.http().latencies(py, n, poll, httpPParts));
        Series httpC = new Series("HTTP embedded C hello", plan.httpCPerRound(), n -> embedded.http().latencies(c, n, poll, httpCParts));
        // the same client polling 5 times as often: what the polls themselves cost the run on these cores
        List<HttpLoad.Parts> httpPFastParts = new ArrayList<>();
        Series httpPFast = new Series("HTTP embedded python hello, 1 ms polls", plan.pythonPerRound(),
                n -> embedded.http().latencies(py, n, new HttpLoad.Poll(FAST_POLL_NANOS), httpPFastParts));
        // and waiting for the result (POST ?wait=true): no poll interval at all
        List<HttpLoad.Parts> httpPWaitParts = new ArrayList<>();
        List<HttpLoad.Parts> httpCWaitParts = new ArrayList<>();
        Series httpPWait = new Series("HTTP embedded python hello, waiting", plan.pythonPerRound(),
                n -> embedded.http().latencies(py, n, WAIT, httpPWaitParts));
        Series httpCWait = new Series("HTTP embedded C hello, waiting", plan.httpCPerRound(),
                n -> embedded.http().latencies(c, n, WAIT, httpCWaitParts));
        List<Series> all = new ArrayList<>(List.of(bareC, jvmC, sbC, bwC, join, bareP, sbP, httpP, httpPFast, httpPWait, httpC, httpCWait,
                bareBash, timeC, timeBash));
        Series dockerC = null;
        Series dockerP = null;
        if (docker != null) {
            Program cInContainer = uncheckedInContainer(c);
            dockerC = new Series("Docker sandbox C hello", plan.pythonPerRound(), n -> docker.latencies(cInContainer, n));
            dockerP = new Series("Docker sandbox python hello", plan.pythonPerRound(), n -> docker.latencies(py, n));
            all.addAll(List.of(dockerC, dockerP));
        }
        Series redisP = null;
        Series redisC = null;
        Series redisPWait = null;
        List<HttpLoad.Parts> redisPWaitParts = new ArrayList<>();
        if (redis.usable()) {
            redisP = new Series("HTTP Redis python hello", plan.pythonPerRound(), n -> redis.http().latencies(py, n, poll, redisPParts));
            redisC = new Series("HTTP Redis C hello", plan.httpCPerRound(), n -> redis.http().latencies(c, n, poll, redisCParts));
            redisPWait = new Series("HTTP Redis python hello, waiting", plan.pythonPerRound(),
                    n -> redis.http().latencies(py, n, WAIT, redisPWaitParts));
            all.addAll(List.of(redisP, redisC, redisPWait));
        }
        for (int r = 1; r <= plan.rounds(); r++) {
            log("latency round %d/%d (load %s)", r, plan.rounds(), Machine.loadAverage());
            for (Series s : all) s.round();
        }

        rows.latency.add(latencyRow("bare_c_latency", "bare baseline", "bare C hello, sequential (posix_spawn)", bareC, null));
        rows.latency.add(latencyRow("bare_python_latency", "bare baseline", "bare python hello, sequential", bareP, null));
        rows.latency.add(latencyRow("jvm_spawn_c_latency", "bare baseline", "C hello spawned bare by the JVM (ProcessBuilder)",
                jvmC, bareC));
        Row sandboxC = latencyRow("sandbox_c_latency", "sandbox alone", "Sandbox.run, C hello, sequential", sbC, bareC);
        if (sandboxC.status != Row.Status.FAILED) {
            sandboxC.check("p50 overhead", (Double) sandboxC.data.get("overhead_p50_ms"), 2, false, " ms");
            sandboxC.check("p99 overhead", (Double) sandboxC.data.get("overhead_p99_ms"), 5, false, " ms");
        }
        rows.latency.add(sandboxC);
        rows.latency.add(latencyRow("bare_bash_true_latency", "bare baseline", "bare bash true, sequential (posix_spawn)",
                bareBash, null));
        for (Row t : List.of(
                latencyRow("time_sec_c", "sandbox alone", "time_sec of C hello (runbox-init: fork to exit), sequential", timeC, bareC),
                latencyRow("time_sec_bash_true", "sandbox alone", "time_sec of bash true (runbox-init: fork to exit), sequential",
                        timeBash, bareBash))) {
            if (t.status != Row.Status.FAILED) t.check("p50 over bare", (Double) t.data.get("overhead_p50_ms"), 1, false, " ms");
            rows.latency.add(t);
        }
        rows.latency.add(latencyRow("part_bwrap_c_latency", "sandbox alone", "part: C hello in bubblewrap alone (Runbox's bwrap "
                + "arguments; no launcher, cgroup, seccomp or uid drop)", bwC, bareC));
        rows.latency.add(latencyRow("part_cgroup_join_latency", "sandbox alone", "part: moving a process into a run's cgroups "
                + "(its pid into each cgroup.procs), 50 ms apart", join, null));
        rows.latency.add(latencyRow("sandbox_python_latency", "sandbox alone", "Sandbox.run, python hello, sequential", sbP, bareP));
        if (docker != null) {
            // no target here (issue 14's is in BENCHMARKS.md): the cost of sandbox=docker, containers reused, beside the default's
            rows.latency.add(latencyRow("docker_c_latency", "sandbox alone", "Docker sandbox: Sandbox.run, C hello (through ld.so), sequential"
                    + " (containers reused)", dockerC, bareC));
            rows.latency.add(latencyRow("docker_python_latency", "sandbox alone", "Docker sandbox: Sandbox.run, python hello,"
                    + " sequential (containers reused)", dockerP, bareP));
        }
        Row e2e = withParts(latencyRow("http_embedded_python_latency", "HTTP embedded", "python hello, 1 client, " + poll.describe(),
                httpP, bareP), httpPParts);
        if (e2e.status != Row.Status.FAILED) e2e.check("p50 over bare", (Double) e2e.data.get("overhead_p50_ms"), 10, false, " ms");
        rows.latency.add(e2e);
        rows.latency.add(withParts(latencyRow("http_embedded_python_latency_poll_1ms", "HTTP embedded", "python hello, 1 client, "
                + "submit + poll every 1 ms", httpPFast, bareP), httpPFastParts));
        rows.latency.add(withParts(latencyRow("http_embedded_python_latency_wait", "HTTP embedded", "python hello, 1 client, "
                + WAIT.describe(), httpPWait, bareP), httpPWaitParts));
        rows.latency.add(withParts(latencyRow("http_embedded_c_latency", "HTTP embedded", "C hello, 1 client, " + poll.describe(),
                httpC, bareC), httpCParts));
        rows.latency.add(withParts(latencyRow("http_embedded_c_latency_wait", "HTTP embedded", "C hello, 1 client, " + WAIT.describe(),
                httpCWait, bareC), httpCWaitParts));
        String pollText = "1 client, " + poll.describe();
        String waitText = "1 client, " + WAIT.describe();
        if (redis.usable()) {
            Row rp = withParts(latencyRow("http_redis_python_latency", "HTTP Redis", "python hello, " + pollText, redisP, bareP),
                    redisPParts);
            if (rp.status != Row.Status.FAILED) rp.check("p50 over bare", (Double) rp.data.get("overhead_p50_ms"), 15, false, " ms");
            rows.latency.add(rp);
            rows.latency.add(withParts(latencyRow("http_redis_python_latency_wait", "HTTP Redis", "python hello, " + waitText, redisPWait,
                    bareP), redisPWaitParts));
            rows.latency.add(withParts(latencyRow("http_redis_c_latency", "HTTP Redis", "C hello, " + pollText, redisC, bareC),
                    redisCParts));
        } else {
            rows.latency.add(redisRow(redis, "http_redis_python_latency", "python hello, " + pollText, "p50 over bare ≤ 15 ms"));
            rows.latency.add(redisRow(redis, "http_redis_python_latency_wait", "python hello, " + waitText, ""));
            rows.latency.add(redisRow(redis, "http_redis_c_latency", "C hello, " + pollText, ""));
        }
    }

    /** The medians of where the time went (see {@link HttpLoad.Parts}), in the value column and the JSON. */
    private static Row withParts(Row r, List<HttpLoad.Parts> parts) {
        if (parts.isEmpty() || r.status == Row.Status.FAILED) return r;
        double queue = Stats.of(parts.stream().mapToLong(HttpLoad.Parts::queueNanos).toArray()).p50Ms();
        double worker = Stats.of(parts.stream().mapToLong(HttpLoad.Parts::workerNanos).toArray()).p50Ms();
        double client = Stats.of(parts.stream().mapToLong(HttpLoad.Parts::clientNanos).toArray()).p50Ms();
        r.value = String.format(java.util.Locale.ROOT, "medians: queue %.1f + worker %.1f + client side %.1f ms", queue, worker, client);
        r.data.put("queue_p50_ms", queue);
        r.data.put("worker_p50_ms", worker);
        r.data.put("client_side_p50_ms", client);
        return r;
    }

    private static Row redisRow(RedisMode redis, String id, String title, String target) {
        Row r = new Row(id, "HTTP Redis", title);
        if (redis.failed() != null) {
            r.target = target;
            return r.fail(redis.failed());
        }
        return r.notAvailable(redis.unavailable(), target);
    }

    private static Row latencyRow(String id, String section, String title, Series s, Series baseline) {
        Row r = new Row(id, section, title);
        if (s.error != null) return r.fail(s.error);
        Stats st = Stats.of(s.samples);
        r.latency(st);
        if (baseline != null && baseline.error == null) r.against(baseline.name, st, Stats.of(baseline.samples));
        else if (baseline != null) r.fail("no baseline: " + baseline.error);
        return r;
    }

    /** A throughput measurement accumulated over alternating rounds. */
    private static final class RateSeries {
        interface Measure {
            Rate take() throws Exception;
        }

        final String name;
        final Measure measure;
        Rate total = Rate.ZERO;
        String error;

        RateSeries(String name, Measure measure) {
            this.name = name;
            this.measure = measure;
        }

        void round() {
            if (error != null) return;
            try {
                total = total.plus(measure.take());
            } catch (Exception e) {
                error = e.getClass().getSimpleName() + ": " + e.getMessage();
                System.err.println("bench: " + name + " failed: " + error);
            }
        }
    }

    private void throughputPhase(InProcessSandbox sandbox, Embedded embedded, RedisMode redis, Rows rows) {
        double warm = plan.throughputWarmupSec();
        double win = plan.throughputWindowSec();
        int clients = plan.clientsPerWorker() * parallel;
        HttpLoad.Fetch poll = new HttpLoad.Poll(plan.throughputPollNanos());
        String clientText = clients + " clients, poll every " + plan.throughputPollNanos() / 1_000_000 + " ms";
        // clients that poll every 50 ms finish at most 20 runs a second each, however fast the server:
        // waiting clients show what the server itself can do
        String waitText = clients + " clients, POST ?wait=true";
        warmUpUnderLoad(embedded, redis, clients);
        for (Program p : List.of(c, py)) {
            String key = p == c ? "c" : "python";
            RateSeries b = new RateSeries("bare " + p.label() + " ×" + parallel, () -> bare.throughput(p, parallel, warm, win));
            RateSeries s = new RateSeries("sandbox " + p.label() + " ×" + parallel, () -> sandbox.throughput(p, parallel, warm, win));
            RateSeries h = new RateSeries("HTTP embedded " + p.label(), () -> embedded.http().throughput(p, clients, poll, warm, win));
            RateSeries rd = redis.usable()
                    ? new RateSeries("HTTP Redis " + p.label(), () -> redis.http().throughput(p, clients, poll, warm, win)) : null;
            RateSeries hw = new RateSeries("HTTP embedded " + p.label() + ", waiting",
                    () -> embedded.http().throughput(p, clients, WAIT, warm, win));
            RateSeries rdw = redis.usable() ? new RateSeries("HTTP Redis " + p.label() + ", waiting",
                    () -> redis.http().throughput(p, clients, WAIT, warm, win)) : null;
            for (int r = 1; r <= plan.throughputRounds(); r++) {
                log("throughput, %s, round %d/%d (load %s)", p.label(), r, plan.throughputRounds(),
                        Machine.loadAverage());
                b.round();
                s.round();
                h.round();
                hw.round();
                if (rd != null) rd.round();
                if (rdw != null) rdw.round();
            }
            rows.throughput.add(rateRow("bare_" + key + "_throughput", "bare baseline", "bare " + p.label() + ", "
                    + parallel + " spawning in parallel", b, null, false));
            rows.throughput.add(rateRow("sandbox_" + key + "_throughput", "sandbox alone", "Sandbox.run, " + p.label() + ", "
                    + parallel + " threads", s, b, false));
            rows.throughput.add(rateRow("http_embedded_" + key + "_throughput", "HTTP embedded", p.label() + " at saturation, "
                    + clientText + ", " + parallel + " workers", h, b, true));
            rows.throughput.add(rateRow("http_embedded_" + key + "_throughput_wait", "HTTP embedded", p.label() + " at saturation, "
                    + waitText + ", " + parallel + " workers", hw, b, true));
            String redisTitle = p.label() + " at saturation, " + clientText + ", worker --concurrency " + parallel;
            if (rd != null) rows.throughput.add(rateRow("http_redis_" + key + "_throughput", "HTTP Redis", redisTitle, rd, b, true));
            else rows.throughput.add(redisRow(redis, "http_redis_" + key + "_throughput", redisTitle, "≥ 70% of bare"));
            String redisWaitTitle = p.label() + " at saturation, " + waitText + ", worker --concurrency " + parallel;
            if (rdw != null) rows.throughput.add(rateRow("http_redis_" + key + "_throughput_wait", "HTTP Redis", redisWaitTitle, rdw, b, true));
            else rows.throughput.add(redisRow(redis, "http_redis_" + key + "_throughput_wait", redisWaitTitle, "≥ 70% of bare"));
        }
    }

    /**
     * Saturating HTTP load before the throughput windows. The latency phase's one client at a time
     * leaves the code of 16 concurrent ones (this JVM's HTTP clients, the servers' request and push
     * paths) still to be compiled, and the JIT then takes the cores the windows measure: seen on one
     * core, a fresh client JVM's C2 took 16 % of it after 22 s, and the rate rose from 164 to ~540
     * runs/s over the first 25 s. The 1 s warm-up of each window is too short for that.
     */
    private void warmUpUnderLoad(Embedded embedded, RedisMode redis, int clients) {
        double sec = plan.loadWarmupSec();
        log("throughput warm-up: %d clients at saturation, %.1f s embedded%s", clients, sec,
                redis.usable() ? String.format(java.util.Locale.ROOT, ", %.1f s Redis", sec * 2 / 3) : "");
        try {
            embedded.http().throughput(c, clients, WAIT, 0, sec);
            if (redis.usable()) redis.http().throughput(c, clients, WAIT, 0, sec * 2 / 3);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log("throughput warm-up failed: %s", e.getMessage()); // the windows below say what fails
        }
    }

    private static Row rateRow(String id, String section, String title, RateSeries s, RateSeries base, boolean target) {
        Row r = new Row(id, section, title);
        if (s.error != null) return r.fail(s.error);
        r.rate(s.total, "runs/s");
        if (base == null) return r;
        if (base.error != null) return r.fail("no baseline: " + base.error);
        r.rateAgainst(base.name, s.total, base.total);
        if (target) r.check("share of bare", 100 * s.total.perSecond() / base.total.perSecond(), 70, true, "%");
        return r;
    }

    private void apiPhase(Embedded embedded, Rows rows) {
        Row r = new Row("api_get_result", "API alone", "GET /result/{id} of a stored result, wrk " + parallel + " threads "
                + plan.wrkConnections() + " connections");
        log("API alone: wrk on GET /result for %.0f s", plan.wrkSec());
        try {
            String id = embedded.http().submit(HttpLoad.body(py));
            JsonNode done = embedded.http().awaitFinal(id, plan.latencyPollNanos());
            if (!done.path("status").asText().equals("OK")) throw new IOException("the stored result is not OK: " + done);
            Wrk.Result w = Wrk.run("http://127.0.0.1:" + embedded.port() + "/result/" + id, parallel, plan.wrkConnections(), plan.wrkSec());
            r.n = (int) Math.min(Integer.MAX_VALUE, w.requests());
            r.p50Ms = w.p50Ms();
            r.p99Ms = w.p99Ms();
            r.value = String.format(java.util.Locale.ROOT, "%,.0f req/s", w.requestsPerSecond());
            r.data.put("requests_per_second", w.requestsPerSecond());
            r.data.put("requests", w.requests());
            r.data.put("p50_ms", w.p50Ms());
            r.data.put("p99_ms", w.p99Ms());
            r.data.put("errors", w.errors());
            r.data.put("command", w.command());
            if (w.errors() > 0) r.fail(w.errors() + " requests failed (non-2xx or socket errors)");
            r.check("rate", w.requestsPerSecond(), 15_000, true, " req/s");
        } catch (Exception e) {
            r.fail(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        rows.api = r;
        try {
            Thread.sleep(plan.settleMillis()); // the load just ended: let in-flight work finish before calling it idle
            Row idle = measureRss(new Row("memory_idle_rss_after_load", "memory", "server RSS idle, after all the load above"),
                    embedded.process());
            idle.check("RSS", (Double) idle.data.get("rss_mb"), 150, false, " MB");
            rows.idleRssAfterLoad = idle;
        } catch (Exception e) {
            rows.idleRssAfterLoad = new Row("memory_idle_rss_after_load", "memory", "server RSS idle, after all the load above")
                    .fail(e.getMessage());
        }
    }

    /** Judge mode's per-test cost and memory (see {@link JudgeCost}), on the embedded server. */
    private void judgePhase(Embedded embedded, Rows rows) {
        log("judge mode: %d + 1 tests against 1, %d rounds; one submission of %d tests", plan.judgeTests(), plan.rounds(),
                plan.judgeMemoryTests());
        long[] bareC;
        try {
            bareC = bare.latencies(c, plan.bareCPerRound());
        } catch (Exception e) {
            rows.judge.add(new Row("judge_per_test_cost", "judge mode", "per-test cost").fail("no baseline: " + e.getMessage()));
            return;
        }
        // waiting for the result: a client polling a judged submission every 5 ms takes the two cores' time from
        // the worker it measures (each poll is the partial result of every test so far, written and parsed)
        rows.judge.add(JudgeCost.perTest(embedded.http(), plan.judgeTests(), plan.rounds(), WAIT, bareC));
        rows.judge.add(JudgeCost.memory(embedded.http(), embedded.process(), plan.judgeMemoryTests(), latencyPoll()));
    }

    /**
     * RSS with {@code queuedSmall} and then {@code queuedLarge} jobs waiting, on a server of its own
     * whose one worker is held by a program that sleeps for an hour, so that nothing queued runs: the
     * queue and the store hold every job, as they would behind busy workers. Read after a full GC,
     * so that the garbage of the submissions themselves does not count (the raw RSS is kept too).
     */
    private void memoryPhase(Rows rows) {
        Row r = new Row("memory_queued_rss", "memory", "server RSS with " + plan.queuedSmall() + " vs " + plan.queuedLarge()
                + " jobs queued (embedded, worker held busy)");
        rows.queued = r;
        log("memory: a server of its own, %d then %d jobs queued", plan.queuedSmall(), plan.queuedLarge());
        try {
            int port = ServerProcess.freePort();
            List<String> a = new ArrayList<>(List.of("serve", "--port", Integer.toString(port), "--workers", "1",
                    "--set", "queue-capacity=" + (plan.queuedLarge() + 10), "--set", "max-time-limit-sec=3600"));
            a.addAll(runboxSettings("memory", 4));
            a.addAll(List.of("--set", "shutdown-grace-sec=1"));
            ServerProcess p = track(ServerProcess.runbox("runbox serve (memory)", serverClasspath, serverJavaOpts, a,
                    work.resolve("serve-memory.log")));
            HttpLoad http = new HttpLoad("http://127.0.0.1:" + port);
            p.awaitHttp(http.client(), "http://127.0.0.1:" + port + "/health", Duration.ofSeconds(60));

            ObjectNode blocker = HttpLoad.JSON.createObjectNode();
            blocker.put("source_code", "import time\ntime.sleep(3600)\n");
            blocker.put("time_limit_sec", 3600);
            http.submit(blocker.toString());
            awaitHealth(http, "workers_busy", 1);

            String body = HttpLoad.body(py);
            queueWithWrk(http, port, body, plan.queuedSmall());
            Thread.sleep(plan.settleMillis()); // the posting just ended: let the server's own work finish
            int small = http.get("/health").path("queue_depth").asInt();
            long smallRaw = p.rssBytes();
            p.fullGc();
            long smallRss = p.rssBytes();

            long t0 = System.nanoTime();
            queueWithWrk(http, port, body, plan.queuedLarge());
            double postSeconds = (System.nanoTime() - t0) / 1e9;
            Thread.sleep(plan.settleMillis());
            int large = http.get("/health").path("queue_depth").asInt();
            long largeRaw = p.rssBytes();
            p.fullGc();
            long largeRss = p.rssBytes();
            p.close();

            long payloadPerJob = Program.PYTHON_SOURCE.getBytes(StandardCharsets.UTF_8).length; // source + empty stdin
            long payloads = (long) (large - small) * payloadPerJob;
            long growth = largeRss - smallRss;
            double pct = 100.0 * (growth - payloads) / smallRss;
            r.value = String.format(java.util.Locale.ROOT, "%,d queued: %.1f MB → %,d queued: %.1f MB, after a full GC (raw %.1f → %.1f MB)",
                    small, mb(smallRss), large, mb(largeRss), mb(smallRaw), mb(largeRaw));
            r.vsBaseline = String.format(java.util.Locale.ROOT, "%+.1f MB, of which payloads %.2f MB: %,.0f bytes per queued job "
                    + "beyond its payload", mb(growth), mb(payloads), (double) (growth - payloads) / (large - small));
            r.data.put("queued_small", small);
            r.data.put("queued_large", large);
            r.data.put("rss_small_mb", mb(smallRss));
            r.data.put("rss_large_mb", mb(largeRss));
            r.data.put("rss_small_raw_mb", mb(smallRaw));
            r.data.put("rss_large_raw_mb", mb(largeRaw));
            r.data.put("payload_bytes_per_job", payloadPerJob);
            r.data.put("bytes_per_job_beyond_payload", (double) (growth - payloads) / (large - small));
            r.data.put("post_execute_per_second", (large - small) / postSeconds);
            r.data.put("growth_beyond_payloads_pct", pct);
            // flat means ±10 %: a shrink that large would be as surprising as a growth
            r.check("change beyond payloads", Math.abs(pct), 10, false, "% of RSS at " + small);
        } catch (Exception e) {
            r.fail(e.getClass().getSimpleName() + ": " + e.getMessage());
        } finally {
            stopAll();
        }
    }

    /**
     * Fills the queue up to about {@code target} jobs with wrk POSTing (the fastest client here), then
     * stops it. wrk's threads stop after their share of requests give or take the ones in flight, so
     * the wait ends when the depth is near the target and has stopped moving; the real depth is what
     * the row reports.
     */
    private void queueWithWrk(HttpLoad http, int port, String body, int target) throws Exception {
        int connections = 2 * parallel;
        int depth = http.get("/health").path("queue_depth").asInt();
        int perThread = (int) Math.ceil((target - depth) / (double) parallel);
        Process wrk = Wrk.startPosting("http://127.0.0.1:" + port + "/execute", body, perThread, parallel, connections, work);
        try {
            long deadline = System.nanoTime() + 300_000_000_000L;
            long stableSince = System.nanoTime();
            int last = -1;
            while (true) {
                int now = http.get("/health").path("queue_depth").asInt();
                if (now != last) stableSince = System.nanoTime();
                last = now;
                if (now >= target - connections && System.nanoTime() - stableSince > 500_000_000L) return;
                if (System.nanoTime() > deadline) throw new IOException("queueing " + target + " jobs: stuck at " + now + " after 300 s");
                if (!wrk.isAlive()) throw new IOException("wrk stopped while queueing: " + Files.readString(work.resolve("wrk-post.log")));
                Thread.sleep(50); // watching the queue fill, with a deadline
            }
        } finally {
            wrk.destroy();
            wrk.waitFor();
        }
    }

    private static void awaitHealth(HttpLoad http, String field, int value) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 300_000_000_000L;
        JsonNode h = null;
        while (System.nanoTime() < deadline) {
            h = http.get("/health");
            if (h.path(field).asInt() >= value) return;
            Thread.sleep(20); // polling the server's own health endpoint, with a deadline
        }
        throw new IOException("/health never showed " + field + " >= " + value + " within 300 s; last: " + h);
    }

    /** The rows in the order of the table. */
    private static final class Rows {
        final List<Row> latency = new ArrayList<>();
        final List<Row> throughput = new ArrayList<>();
        final List<Row> judge = new ArrayList<>();
        Row api;
        Row idleRss;
        Row idleRssAfterLoad;
        Row queued;

        void addAllTo(Report report) {
            List<Row> order = new ArrayList<>();
            order.addAll(latency.stream().filter(r -> r.section.equals("bare baseline")).toList());
            order.addAll(throughput.stream().filter(r -> r.section.equals("bare baseline")).toList());
            for (String section : List.of("sandbox alone", "HTTP embedded", "HTTP Redis")) {
                order.addAll(latency.stream().filter(r -> r.section.equals(section)).toList());
                order.addAll(throughput.stream().filter(r -> r.section.equals(section)).toList());
            }
            order.addAll(judge);
            Stream.of(api, idleRss, idleRssAfterLoad, queued).filter(java.util.Objects::nonNull).forEach(order::add);
            report.rows.addAll(order);
        }
    }
}
