package dev.runbox.config;

import dev.runbox.logging.LogFormat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
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
        LogFormat logFormat) {

    /** Names, defaults and meanings of all settings; the README's table mirrors this. */
    public static final Map<String, String> DEFAULTS = defaults();

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("host", "127.0.0.1");
        d.put("port", "8080");
        d.put("workers", Integer.toString(Runtime.getRuntime().availableProcessors()));
        d.put("prepared-sandboxes", Integer.toString(Runtime.getRuntime().availableProcessors()));
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
        d.put("max-cpu-cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
        d.put("output-cap-bytes", Integer.toString(1024 * 1024));
        d.put("max-processes", "128");
        d.put("writable-mb", "64");
        d.put("max-attempts", "3");
        d.put("state-dir", "/run/runbox");
        d.put("sandbox-uid-base", "60000");
        d.put("languages-file", "");
        d.put("shutdown-grace-sec", "30");
        d.put("log-format", "text");
        return Map.copyOf(d);
    }

    /** Builds the config from defaults, then {@code env}, then {@code flags} (name → value). */
    public static RunboxConfig from(Map<String, String> env, Map<String, String> flags) {
        Map<String, String> v = new LinkedHashMap<>(DEFAULTS);
        for (String name : DEFAULTS.keySet()) {
            String e = env.get(envName(name));
            if (e != null) v.put(name, e);
        }
        for (Map.Entry<String, String> f : flags.entrySet()) {
            if (!DEFAULTS.containsKey(f.getKey())) throw new ConfigException("unknown setting --" + f.getKey());
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
                r.integer("output-cap-bytes"),
                r.integer("max-processes"),
                r.integer("writable-mb"),
                r.integer("max-attempts"),
                Path.of(r.get("state-dir", Function.identity())),
                r.integer("sandbox-uid-base"),
                Optional.of(r.get("languages-file", Function.identity())).filter(s -> !s.isBlank()).map(Path::of),
                Duration.ofSeconds(r.integer("shutdown-grace-sec")),
                r.logFormat("log-format"));
        c.validate();
        return c;
    }

    public static String envName(String name) {
        return "RUNBOX_" + name.toUpperCase().replace('-', '_');
    }

    private void validate() {
        check(port >= 0 && port <= 65535, "port must be 0-65535");
        check(workers >= 1 && workers <= 256, "workers must be 1-256");
        check(preparedSandboxes >= 0 && preparedSandboxes <= 256, "prepared-sandboxes must be 0-256");
        check(queueCapacity >= 1, "queue-capacity must be >= 1");
        check(!resultTtl.isNegative() && !resultTtl.isZero(), "result-ttl-sec must be > 0");
        check(maxSourceBytes >= 1, "max-source-bytes must be >= 1");
        check(maxStdinBytes >= 0, "max-stdin-bytes must be >= 0");
        check(maxTimeLimitSec > 0 && maxTimeLimitSec <= 3600, "max-time-limit-sec must be in (0, 3600]");
        check(defaultTimeLimitSec > 0 && defaultTimeLimitSec <= maxTimeLimitSec, "default-time-limit-sec must be in (0, max-time-limit-sec]");
        check(minMemoryLimitMb >= 4 && minMemoryLimitMb <= maxMemoryLimitMb, "min-memory-limit-mb must be in [4, max-memory-limit-mb]");
        check(defaultMemoryLimitMb >= minMemoryLimitMb && defaultMemoryLimitMb <= maxMemoryLimitMb,
                "default-memory-limit-mb must be within [min-memory-limit-mb, max-memory-limit-mb]");
        check(maxCpuCores >= 0.01 && maxCpuCores <= 1024, "max-cpu-cores must be in [0.01, 1024]");
        check(defaultCpuCores >= 0.01 && defaultCpuCores <= maxCpuCores, "default-cpu-cores must be in [0.01, max-cpu-cores]");
        check(outputCapBytes >= 1, "output-cap-bytes must be >= 1");
        check(maxProcesses >= 1 && maxProcesses <= 32768, "max-processes must be 1-32768");
        check(writableMb >= 1, "writable-mb must be >= 1");
        check(maxAttempts >= 1 && maxAttempts <= 20, "max-attempts must be 1-20");
        check(stateDir.isAbsolute(), "state-dir must be an absolute path");
        check(sandboxUidBase >= 1000 && sandboxUidBase + workers + preparedSandboxes < 2_000_000_000L, "sandbox-uid-base must be >= 1000");
    }

    private static void check(boolean ok, String message) {
        if (!ok) throw new ConfigException("invalid setting: " + message);
    }

    /** What is in effect, for --print-config. */
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
