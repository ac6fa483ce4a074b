package dev.runbox.config;

import dev.runbox.logging.LogFormat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Every setting of a Runbox process, immutable and validated. Values come from the defaults below,
 * then environment variables {@code RUNBOX_<NAME>}, then command-line flags {@code --<name>}; the
 * name is the same everywhere (e.g. {@code max-time-limit-sec}, {@code RUNBOX_MAX_TIME_LIMIT_SEC}).
 */
public record RunboxConfig(
        String host,
        int port,
        int workers,
        int preparedSandboxes,
        int queueCapacity,
        Duration resultTtl,
        int maxSourceBytes,
        int maxStdinBytes,
        double defaultTimeLimitSec,
        int defaultMemoryLimitMb,
        double defaultCpuCores,
        double maxTimeLimitSec,
        int maxMemoryLimitMb,
        int minMemoryLimitMb,
        double maxCpuCores,
        long outputCapBytes,
        int maxProcesses,
        int writableMb,
        int maxAttempts,
        Path stateDir,
        int sandboxUidBase,
        Optional<Path> languagesFile,
        Duration shutdownGrace,
        Duration maxWait,
        int maxBatch,
        boolean cache,
        int cacheMaxMb,
        Duration cacheTtl,
        Optional<Secret> callbackSecret,
        boolean callbackAllowPrivate,
        int callbackMaxAttempts,
        Duration callbackBackoff,
        Duration callbackMaxBackoff,
        Optional<RedisUrl> redisUrl,
        Duration redisTimeout,
        Duration visibilityTimeout,
        Duration workerHeartbeat,
        LogFormat logFormat,
        Optional<Path> apiKeysFile,
        SandboxKind sandbox,
        String dockerHost,
        Optional<String> dockerImage,
        int maxFiles,
        long maxFilesBytes,
        int maxTests,
        int testOutputKeepBytes,
        long collectCapBytes,
        int judge0MaxBatch,
        boolean judge0EnableSubmissionDelete,
        boolean sandboxReuse,
        int sandboxMaxRuns) {

    /** The sandbox that runs languages without an image of their own. */
    public enum SandboxKind {
        /** bubblewrap + a cgroup per run, on the host's /usr (the default). */
        BUBBLEWRAP,
        /** a Docker container per run, of the language's image or else {@code docker-image}. */
        DOCKER
    }

    /** A value that must not be printed (--print-config, logs): its toString hides it. */
    public record Secret(String value) {
        @Override
        public String toString() {
            return "(set, " + value.length() + " characters)";
        }
    }

    /** Most concurrent runs, and most sandboxes prepared ahead: the defaults (one per core) stop here. */
    public static final int MAX_WORKERS = 256;
    public static final int MAX_PREPARED_SANDBOXES = 256;
    /** Largest CPU quota a run may ask for; the default (every core) stops here. */
    public static final double MAX_CPU_CORES = 1024;

    /**
     * {@code RUNBOX_*} variables that are not settings but are read elsewhere on purpose; any other
     * {@code RUNBOX_*} variable that names no setting stops the start (a typo would otherwise be
     * ignored silently). Keep this list in step with {@code grep -rn RUNBOX_ src/ runbox .ci}.
     */
    static final Set<String> OTHER_ENV = Set.of(
            "RUNBOX_JAVA_OPTS",      // ./runbox: options of the JVM that runs Runbox
            "RUNBOX_LOG_LEVEL",      // logback.xml: level of the root logger
            "RUNBOX_CANARY_SECRET",  // .ci/run: a secret in the server's environment no sandbox may see
            "RUNBOX_LAUNCHER",       // ./runbox: its own path, for the command lines in check-host's fixes
            "RUNBOX_SCOPED");        // bin/in-delegated-cgroup: already in a transient systemd scope, or none wanted (1)

    /**
     * Where Runbox keeps its state dirs: /run (a tmpfs, cleared at boot) where it allows exec, else
     * /var/lib. The state dir must allow exec (runbox-launch runs from it, compiled programs from its
     * work dirs), and systemd mounts /run noexec.
     */
    public static final Path STATE_BASE = stateBase(dev.runbox.sandbox.cgroup.MountInfo.holding(Path.of("/run/runbox")));

    static Path stateBase(Optional<dev.runbox.sandbox.cgroup.MountInfo.Mount> runMount) {
        return runMount.filter(dev.runbox.sandbox.cgroup.MountInfo.Mount::noexec).isPresent() ? Path.of("/var/lib") : Path.of("/run");
    }

    /** Names, defaults and meanings of all settings; the README's table mirrors this. */
    public static final Map<String, String> DEFAULTS = defaults(Runtime.getRuntime().availableProcessors());

    /** The defaults on a host with {@code cpus} cores: those that follow the cores never fail their own check. */
    static Map<String, String> defaults(int cpus) {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("host", "127.0.0.1");
        d.put("port", "8080");
        d.put("workers", Integer.toString(Math.min(cpus, MAX_WORKERS)));
        d.put("prepared-sandboxes", Integer.toString(Math.min(2 * cpus, MAX_PREPARED_SANDBOXES)));
        d.put("queue-capacity", "10000");
        d.put("result-ttl-sec", "3600");
        d.put("max-source-bytes", Integer.toString(1024 * 1024));
        d.put("max-stdin-bytes", Integer.toString(16 * 1024 * 1024));
        d.put("default-time-limit-sec", "2.0");
        d.put("default-memory-limit-mb", "256");
        d.put("default-cpu-cores", "1.0");
        d.put("max-time-limit-sec", "20");
        d.put("max-memory-limit-mb", "2048");
        d.put("min-memory-limit-mb", "16");
        d.put("max-cpu-cores", Integer.toString((int) Math.min(cpus, MAX_CPU_CORES)));
        d.put("output-cap-bytes", Integer.toString(1024 * 1024));
        d.put("max-processes", "128");
        d.put("writable-mb", "64");
        d.put("max-attempts", "3");
        d.put("state-dir", STATE_BASE.resolve("runbox").toString());
        d.put("sandbox-uid-base", "60000");
        d.put("languages-file", "");
        d.put("shutdown-grace-sec", "30");
        d.put("max-wait-sec", "30");
        d.put("max-batch", "50");
        d.put("cache", "false");
        d.put("cache-max-mb", "64");
        d.put("cache-ttl-sec", "600");
        d.put("callback-secret", "");
        d.put("callback-allow-private", "false");
        d.put("callback-max-attempts", "5");
        d.put("callback-backoff-ms", "500");
        d.put("callback-max-backoff-sec", "60");
        // Redis mode: empty means embedded (in-memory queue and store in this process)
        d.put("redis-url", "");
        d.put("redis-timeout-ms", "2000");
        d.put("visibility-timeout-sec", "30");
        d.put("worker-heartbeat-sec", "5");
        d.put("log-format", "text");
        // API keys: empty means off (no Authorization needed); see dev.runbox.keys.ApiKeys for the format
        d.put("api-keys-file", "");
        // bubblewrap or docker; languages with an "image" in the languages file run in Docker either way
        d.put("sandbox", "bubblewrap");
        d.put("docker-host", "unix:///var/run/docker.sock");
        // with sandbox=docker: the image of languages that name none (empty: such languages are not offered)
        d.put("docker-image", "");
        // judge mode: the request's files[] beside the source
        d.put("max-files", "64");
        d.put("max-files-bytes", Integer.toString(8 * 1024 * 1024));
        // judge mode: the request's tests[]
        d.put("max-tests", "1000");
        d.put("test-output-keep-bytes", Integer.toString(8 * 1024));
        d.put("collect-cap-bytes", Integer.toString(256 * 1024));
        // the Judge0 drop-in API (dev.runbox.compat.judge0): Judge0's MAX_SUBMISSION_BATCH_SIZE and ENABLE_SUBMISSION_DELETE
        d.put("judge0-max-batch", "20");
        d.put("judge0-enable-submission-delete", "false");
        d.put("sandbox-reuse", "true");
        d.put("sandbox-max-runs", "100");
        return Map.copyOf(d);
    }

    /** Builds the config from defaults, then {@code env}, then {@code flags} (name → value). */
    public static RunboxConfig from(Map<String, String> env, Map<String, String> flags) {
        return from(env, flags, DEFAULTS);
    }

    static RunboxConfig from(Map<String, String> env, Map<String, String> flags, Map<String, String> defaults) {
        Map<String, String> v = new LinkedHashMap<>(defaults);
        Set<String> settingVars = new HashSet<>();
        for (String name : defaults.keySet()) {
            settingVars.add(envName(name));
            String e = env.get(envName(name));
            if (e != null) v.put(name, e);
        }
        List<String> unknown = env.keySet().stream()
                .filter(k -> k.startsWith("RUNBOX_") && !settingVars.contains(k) && !OTHER_ENV.contains(k)).sorted().toList();
        if (!unknown.isEmpty()) {
            throw new ConfigException("unknown setting in the environment: " + String.join(", ", unknown)
                    + " (settings are RUNBOX_<NAME> with a NAME of the README's table, upper case, '-' as '_';"
                    + " see --print-config)");
        }
        for (Map.Entry<String, String> f : flags.entrySet()) {
            if (!defaults.containsKey(f.getKey())) throw new ConfigException("unknown setting --" + f.getKey());
            v.put(f.getKey(), f.getValue());
        }
        Reader r = new Reader(v);
        RunboxConfig c = new RunboxConfig(
                r.get("host", Function.identity()),
                r.integer("port"),
                r.integer("workers"),
                r.integer("prepared-sandboxes"),
                r.integer("queue-capacity"),
                Duration.ofSeconds(r.integer("result-ttl-sec")),
                r.integer("max-source-bytes"),
                r.integer("max-stdin-bytes"),
                r.decimal("default-time-limit-sec"),
                r.integer("default-memory-limit-mb"),
                r.decimal("default-cpu-cores"),
                r.decimal("max-time-limit-sec"),
                r.integer("max-memory-limit-mb"),
                r.integer("min-memory-limit-mb"),
                r.decimal("max-cpu-cores"),
                r.longInteger("output-cap-bytes"),
                r.integer("max-processes"),
                r.integer("writable-mb"),
                r.integer("max-attempts"),
                Path.of(r.get("state-dir", Function.identity())),
                r.integer("sandbox-uid-base"),
                Optional.of(r.get("languages-file", Function.identity())).filter(s -> !s.isBlank()).map(Path::of),
                Duration.ofSeconds(r.integer("shutdown-grace-sec")),
                Duration.ofSeconds(r.integer("max-wait-sec")),
                r.integer("max-batch"),
                r.bool("cache"),
                r.integer("cache-max-mb"),
                Duration.ofSeconds(r.integer("cache-ttl-sec")),
                // a secret is taken as given, not trimmed
                Optional.of(r.values().get("callback-secret")).filter(s -> !s.isEmpty()).map(Secret::new),
                r.bool("callback-allow-private"),
                r.integer("callback-max-attempts"),
                Duration.ofMillis(r.integer("callback-backoff-ms")),
                Duration.ofSeconds(r.integer("callback-max-backoff-sec")),
                Optional.of(r.get("redis-url", Function.identity())).filter(u -> !u.isBlank()).map(RedisUrl::parse),
                Duration.ofMillis(r.integer("redis-timeout-ms")),
                Duration.ofSeconds(r.integer("visibility-timeout-sec")),
                Duration.ofSeconds(r.integer("worker-heartbeat-sec")),
                r.logFormat("log-format"),
                Optional.of(r.get("api-keys-file", Function.identity())).filter(s -> !s.isBlank()).map(Path::of),
                r.sandboxKind("sandbox"),
                r.get("docker-host", Function.identity()),
                Optional.of(r.get("docker-image", Function.identity())).filter(s -> !s.isBlank()),
                r.integer("max-files"),
                r.longInteger("max-files-bytes"),
                r.integer("max-tests"),
                r.integer("test-output-keep-bytes"),
                r.longInteger("collect-cap-bytes"),
                r.integer("judge0-max-batch"),
                r.bool("judge0-enable-submission-delete"),
                r.bool("sandbox-reuse"),
                r.integer("sandbox-max-runs"));
        c.validate();
        return c;
    }

    public static String envName(String name) {
        return "RUNBOX_" + name.toUpperCase().replace('-', '_');
    }

    private void validate() {
        check(port >= 0 && port <= 65535, "port must be 0-65535");
        if (redisUrl.isPresent()) {
            // an API-only process (serve --workers 0) leaves the running to `runbox worker` processes
            check(workers >= 0 && workers <= MAX_WORKERS, "workers must be 0-" + MAX_WORKERS);
        } else {
            check(workers >= 1 && workers <= MAX_WORKERS, "workers must be 1-" + MAX_WORKERS
                    + " (0 only with redis-url: nobody else would run the jobs)");
        }
        check(preparedSandboxes >= 0 && preparedSandboxes <= MAX_PREPARED_SANDBOXES, "prepared-sandboxes must be 0-" + MAX_PREPARED_SANDBOXES);
        check(queueCapacity >= 1, "queue-capacity must be >= 1");
        check(!resultTtl.isNegative() && !resultTtl.isZero(), "result-ttl-sec must be > 0");
        check(maxSourceBytes >= 1, "max-source-bytes must be >= 1");
        check(maxStdinBytes >= 0, "max-stdin-bytes must be >= 0");
        check(maxTimeLimitSec > 0 && maxTimeLimitSec <= 3600, "max-time-limit-sec must be in (0, 3600]");
        check(defaultTimeLimitSec > 0 && defaultTimeLimitSec <= maxTimeLimitSec, "default-time-limit-sec must be in (0, max-time-limit-sec]");
        check(minMemoryLimitMb >= 4 && minMemoryLimitMb <= maxMemoryLimitMb, "min-memory-limit-mb must be in [4, max-memory-limit-mb]");
        check(defaultMemoryLimitMb >= minMemoryLimitMb && defaultMemoryLimitMb <= maxMemoryLimitMb,
                "default-memory-limit-mb must be within [min-memory-limit-mb, max-memory-limit-mb]");
        check(maxCpuCores >= 0.01 && maxCpuCores <= MAX_CPU_CORES, "max-cpu-cores must be in [0.01, " + (int) MAX_CPU_CORES + "]");
        check(defaultCpuCores >= 0.01 && defaultCpuCores <= maxCpuCores, "default-cpu-cores must be in [0.01, max-cpu-cores]");
        check(outputCapBytes >= 1, "output-cap-bytes must be >= 1");
        check(maxProcesses >= 1 && maxProcesses <= 32768, "max-processes must be 1-32768");
        check(sandboxMaxRuns >= 1 && sandboxMaxRuns <= 100_000, "sandbox-max-runs must be 1-100000");
        check(writableMb >= 1, "writable-mb must be >= 1");
        check(maxAttempts >= 1 && maxAttempts <= 20, "max-attempts must be 1-20");
        check(stateDir.isAbsolute(), "state-dir must be an absolute path");
        // the Engine API over its unix socket only: a TCP daemon would take the host's files for the run's
        check(dockerHost.startsWith("unix:///"), "docker-host must be a unix socket URL, unix:///path/to/docker.sock");
        // long: the uid range must not wrap around to a small int and pass
        check(sandboxUidBase >= 1000 && (long) sandboxUidBase + 3L * workers + preparedSandboxes + 1 < 2_000_000_000L,
                "sandbox-uid-base must be >= 1000 and leave room below 2000000000 for 3 × workers + prepared-sandboxes + 1 uids");
        check(maxWait.toSeconds() >= 1 && maxWait.toSeconds() <= 300, "max-wait-sec must be 1-300");
        check(maxBatch >= 1 && maxBatch <= 1000, "max-batch must be 1-1000");
        check(cacheMaxMb >= 1, "cache-max-mb must be >= 1");
        check(!cacheTtl.isNegative() && !cacheTtl.isZero(), "cache-ttl-sec must be > 0");
        check(callbackSecret.map(s -> s.value().length() >= 16).orElse(true),
                "callback-secret must be at least 16 characters (e.g. `openssl rand -hex 32`)");
        check(callbackMaxAttempts >= 1 && callbackMaxAttempts <= 20, "callback-max-attempts must be 1-20");
        check(callbackBackoff.toMillis() >= 1, "callback-backoff-ms must be >= 1");
        check(callbackMaxBackoff.compareTo(callbackBackoff) >= 0, "callback-max-backoff-sec must be >= callback-backoff-ms");
        check(redisTimeout.toMillis() >= 100 && redisTimeout.toMillis() <= 60_000, "redis-timeout-ms must be 100-60000");
        // the lease is renewed every third of it while a run lasts, so it only has to outlast a stall
        // (GC pause, network blip), not the longest run; see RedisJobQueue
        check(visibilityTimeout.toSeconds() >= 2 && visibilityTimeout.toSeconds() <= 3600, "visibility-timeout-sec must be 2-3600");
        check(maxFiles >= 0 && maxFiles <= 4096, "max-files must be 0-4096");
        check(maxFilesBytes >= 0 && maxFilesBytes <= (long) writableMb * 1024 * 1024,
                "max-files-bytes must be >= 0 and <= writable-mb (the files live in the work dir)");
        check(maxTests >= 1 && maxTests <= 100_000, "max-tests must be 1-100000");
        check(testOutputKeepBytes >= 0 && testOutputKeepBytes <= outputCapBytes, "test-output-keep-bytes must be 0-output-cap-bytes");
        check(collectCapBytes >= 0 && collectCapBytes <= (long) writableMb * 1024 * 1024,
                "collect-cap-bytes must be 0 to writable-mb (the files come from the work dir)");
        check(judge0MaxBatch >= 1 && judge0MaxBatch <= 1000, "judge0-max-batch must be 1-1000");
        check(workerHeartbeat.toSeconds() >= 1 && workerHeartbeat.toSeconds() <= 300, "worker-heartbeat-sec must be 1-300");
    }

    private static void check(boolean ok, String message) {
        if (!ok) throw new ConfigException("invalid setting: " + message);
    }

    /** How often a worker renews the lease of each job it runs: a third of the visibility timeout. */
    public Duration leaseRenewal() {
        return visibilityTimeout.dividedBy(3);
    }

    /** What is in effect, for --print-config (the Redis URL without its password). */
    public String render() {
        return toString().replace(", ", "\n  ").replace("RunboxConfig[", "RunboxConfig\n  ").replace("]", "");
    }

    private record Reader(Map<String, String> values) {
        <T> T get(String name, Function<String, T> parse) {
            return parse.apply(values.get(name).trim());
        }

        int integer(String name) {
            try {
                return Integer.parseInt(values.get(name).trim());
            } catch (NumberFormatException e) {
                throw new ConfigException("invalid setting " + name + "='" + values.get(name) + "': not an integer");
            }
        }

        boolean bool(String name) {
            String s = values.get(name).trim();
            if (s.equals("true")) return true;
            if (s.equals("false")) return false;
            throw new ConfigException("invalid setting " + name + "='" + values.get(name) + "': must be true or false");
        }

        long longInteger(String name) {
            try {
                return Long.parseLong(values.get(name).trim());
            } catch (NumberFormatException e) {
                throw new ConfigException("invalid setting " + name + "='" + values.get(name) + "': not an integer");
            }
        }

        SandboxKind sandboxKind(String name) {
            return switch (values.get(name).trim()) {
                case "bubblewrap" -> SandboxKind.BUBBLEWRAP;
                case "docker" -> SandboxKind.DOCKER;
                default -> throw new ConfigException("invalid setting " + name + "='" + values.get(name) + "': must be bubblewrap or docker");
            };
        }

        LogFormat logFormat(String name) {
            try {
                return LogFormat.parse(values.get(name));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("invalid setting " + name + "='" + values.get(name) + "': must be text or json");
            }
        }

        double decimal(String name) {
            try {
                double d = Double.parseDouble(values.get(name).trim());
                if (!Double.isFinite(d)) throw new NumberFormatException();
                return d;
            } catch (NumberFormatException e) {
                throw new ConfigException("invalid setting " + name + "='" + values.get(name) + "': not a number");
            }
        }
    }
}
