package dev.runbox.cli;

import dev.runbox.Runbox;
import dev.runbox.config.ConfigException;
import dev.runbox.config.RunboxConfig;
import dev.runbox.logging.Logging;
import dev.runbox.redis.RedisUnavailableException;
import dev.runbox.sandbox.SandboxFailure;
import dev.runbox.sandbox.host.HostCheck;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code runbox serve | worker | check-host | run | submit | result | judge}. */
@Command(name = "runbox", mixinStandardHelpOptions = true, version = "runbox 0.1.0",
        description = "Remote code execution service: runs untrusted code in a sandbox, over HTTP.",
        subcommands = {Main.Serve.class, Main.Worker.class, Main.CheckHost.class, RunCommand.class, SubmitCommand.class,
                ResultCommand.class, JudgeCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** Options shared by the commands that start a Runbox process. */
    static final class Common {
        @Option(names = "--set", paramLabel = "NAME=VALUE",
                description = "Any setting, e.g. --set port=9090 (same names as RUNBOX_* variables, see README).")
        Map<String, String> settings = new LinkedHashMap<>();
        @Option(names = "--redis", paramLabel = "URL",
                description = "Redis URL for the shared queue and results (the redis-url setting, RUNBOX_REDIS_URL);"
                        + " prefer the variable when the URL holds a password (command lines are visible to other users).")
        String redis;
        @Option(names = "--print-config", description = "Print the settings in effect and exit.")
        boolean printConfig;
        @Option(names = "--log-format", paramLabel = "text|json", description = "Log lines for people (text, the default) or JSON lines.")
        String logFormat;
        @Option(names = "--sandbox", paramLabel = "bubblewrap|docker",
                description = "Where languages without an image of their own run (the sandbox setting): bubblewrap (the default)"
                        + " or docker (see README, The Docker sandbox).")
        String sandbox;

        Map<String, String> flags() {
            Map<String, String> flags = new LinkedHashMap<>(settings);
            if (redis != null) flags.put("redis-url", redis);
            if (sandbox != null) flags.put("sandbox", sandbox);
            if (logFormat != null) flags.put("log-format", logFormat);
            return flags;
        }
    }

    @Command(name = "serve", mixinStandardHelpOptions = true, description = {"Run the HTTP API with worker threads.",
            "Without --redis: embedded (in-memory queue and store). With --redis: on the shared Redis queue;"
                    + " --workers 0 makes an API-only process (no sandbox needed on this host)."})
    static final class Serve implements Callable<Integer> {
        @CommandLine.Mixin
        Common common = new Common();
        @Option(names = "--port", description = "Port to listen on (default 8080).")
        Integer port;
        @Option(names = "--host", description = "Address to listen on (default 127.0.0.1).")
        String host;
        @Option(names = "--workers", description = "Worker threads (default: number of cores; 0 with --redis: API only).")
        Integer workers;

        @Override
        public Integer call() throws Exception {
            Map<String, String> flags = common.flags();
            if (port != null) flags.put("port", port.toString());
            if (host != null) flags.put("host", host);
            if (workers != null) flags.put("workers", workers.toString());
            return run(flags, common.printConfig, true);
        }
    }

    @Command(name = "worker", mixinStandardHelpOptions = true, description = {"Run worker threads that take jobs from the shared Redis queue (no HTTP API).",
            "Needs --redis URL or RUNBOX_REDIS_URL. SIGTERM stops it gracefully: it takes no new job and finishes"
                    + " its runs (up to shutdown-grace-sec), then hands back what is left."})
    static final class Worker implements Callable<Integer> {
        @CommandLine.Mixin
        Common common = new Common();
        @Option(names = "--concurrency", description = "Jobs run at once: the workers setting, RUNBOX_WORKERS (default: number of cores).")
        Integer concurrency;

        @Override
        public Integer call() throws Exception {
            Map<String, String> flags = common.flags();
            if (concurrency != null) flags.put("workers", concurrency.toString());
            return run(flags, common.printConfig, false);
        }
    }

    private static int run(Map<String, String> flags, boolean printConfig, boolean serveHttp) throws Exception {
        RunboxConfig config;
        try {
            config = RunboxConfig.from(System.getenv(), flags);
            if (!serveHttp && config.redisUrl().isEmpty()) {
                throw new ConfigException("runbox worker takes its jobs from Redis: give --redis URL or set RUNBOX_REDIS_URL");
            }
            if (!serveHttp && config.workers() < 1) throw new ConfigException("invalid setting: --concurrency must be 1-256");
        } catch (ConfigException e) {
            System.err.println("runbox: " + e.getMessage());
            return 2;
        }
        if (printConfig) {
            System.out.println(config.render());
            return 0;
        }
        Logging.configure(config.logFormat(), Optional.empty());
        Runbox runbox;
        try {
            runbox = serveHttp ? Runbox.start(config) : Runbox.startWorker(config);
        } catch (SandboxFailure | RedisUnavailableException | ConfigException e) {
            System.err.println("runbox: " + e.getMessage());
            return 3;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            runbox.close();
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
        return 0;
    }

    @Command(name = "check-host", mixinStandardHelpOptions = true, description = "Check that this host can sandbox programs; print the fix for each failure.")
    static final class CheckHost implements Callable<Integer> {
        @Option(names = "--docker-host", paramLabel = "URL", arity = "0..1", fallbackValue = "unix:///var/run/docker.sock",
                description = "Also check the Docker Engine the Docker sandbox would use (default unix:///var/run/docker.sock).")
        String dockerHost;
        @Option(names = "--set", paramLabel = "NAME=VALUE",
                description = "A setting, as for serve: state-dir is checked (it must allow exec).")
        Map<String, String> settings = new LinkedHashMap<>();

        @Override
        public Integer call() {
            RunboxConfig config;
            try {
                config = RunboxConfig.from(System.getenv(), settings);
            } catch (ConfigException e) {
                System.err.println("runbox: " + e.getMessage());
                return 2;
            }
            HostCheck.Report r = HostCheck.run(config.stateDir(), java.util.Optional.ofNullable(dockerHost));
            System.out.print(r.render());
            System.out.println(r.ok() ? "this host can run Runbox" : "this host cannot sandbox programs yet");
            return r.ok() ? 0 : 1;
        }
    }
}
