package dev.runbox.cli;

import dev.runbox.Runbox;
import dev.runbox.config.ConfigException;
import dev.runbox.config.RunboxConfig;
import dev.runbox.logging.Logging;
import dev.runbox.sandbox.HostCheck;
import dev.runbox.sandbox.SandboxFailure;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code runbox serve | check-host | run | submit | result}. */
@Command(name = "runbox", mixinStandardHelpOptions = true, version = "runbox 0.1.0",
        description = "Remote code execution service: runs untrusted code in a sandbox, over HTTP.",
        subcommands = {Main.Serve.class, Main.CheckHost.class, RunCommand.class, SubmitCommand.class, ResultCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    @Command(name = "serve", description = "Run the HTTP API with embedded workers (in-memory queue and store).")
    static final class Serve implements Callable<Integer> {
        @Option(names = "--set", paramLabel = "NAME=VALUE",
                description = "Any setting, e.g. --set port=9090 (same names as RUNBOX_* variables, see README).")
        Map<String, String> settings = new LinkedHashMap<>();
        @Option(names = "--port", description = "Port to listen on (default 8080).")
        Integer port;
        @Option(names = "--host", description = "Address to listen on (default 127.0.0.1).")
        String host;
        @Option(names = "--workers", description = "Worker threads (default: number of cores).")
        Integer workers;
        @Option(names = "--print-config", description = "Print the settings in effect and exit.")
        boolean printConfig;
        @Option(names = "--log-format", paramLabel = "text|json", description = "Log lines for people (text, the default) or JSON lines.")
        String logFormat;

        @Override
        public Integer call() throws Exception {
            Map<String, String> flags = new LinkedHashMap<>(settings);
            if (port != null) flags.put("port", port.toString());
            if (host != null) flags.put("host", host);
            if (workers != null) flags.put("workers", workers.toString());
            if (logFormat != null) flags.put("log-format", logFormat);
            RunboxConfig config;
            try {
                config = RunboxConfig.from(System.getenv(), flags);
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
                runbox = Runbox.start(config);
            } catch (SandboxFailure e) {
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
    }

    @Command(name = "check-host", description = "Check that this host can sandbox programs; print the fix for each failure.")
    static final class CheckHost implements Callable<Integer> {
        @Override
        public Integer call() {
            HostCheck.Report r = HostCheck.run();
            System.out.print(r.render());
            System.out.println(r.ok() ? "this host can run Runbox" : "this host cannot sandbox programs yet");
            return r.ok() ? 0 : 1;
        }
    }
}
