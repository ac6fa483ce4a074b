package dev.runbox.cli;

import dev.runbox.client.RunboxClient;
import dev.runbox.client.RunboxException;
import dev.runbox.client.RunboxProblemException;
import picocli.CommandLine.Option;

import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * What {@code run}, {@code submit} and {@code result} share: the server option, and one place that
 * turns failures into a message on stderr and an exit status ({@link ExitCodes}).
 */
abstract class ClientCommand implements Callable<Integer> {

    /** Where {@code runbox serve} listens by default. */
    static final String DEFAULT_SERVER = "http://127.0.0.1:8080";

    @Option(names = "--server", paramLabel = "URL",
            description = "The Runbox server, e.g. http://127.0.0.1:8080 (default: $RUNBOX_SERVER).")
    String server;

    /** The server from --server, else $RUNBOX_SERVER; empty when neither is set. */
    Optional<String> server() {
        if (server != null && !server.isBlank()) return Optional.of(server);
        String env = System.getenv("RUNBOX_SERVER");
        return env == null || env.isBlank() ? Optional.empty() : Optional.of(env);
    }

    RunboxClient serverOrDefault() {
        return RunboxClient.create(server().orElse(DEFAULT_SERVER));
    }

    abstract int execute() throws CliFailure, RunboxException, InterruptedException;

    @Override
    public final Integer call() {
        try {
            return execute();
        } catch (CliFailure e) {
            return fail(e.exitCode, e.getMessage());
        } catch (RunboxProblemException e) {
            // 4xx: the request was wrong (like a bad flag); 5xx: the server failed
            return fail(e.status() / 100 == 4 ? ExitCodes.USAGE : ExitCodes.RUNBOX_FAILED, "the server answered " + e.getMessage());
        } catch (RunboxException e) {
            return fail(ExitCodes.RUNBOX_FAILED, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail(ExitCodes.RUNBOX_FAILED, "interrupted");
        }
    }

    private static int fail(int code, String message) {
        System.err.println("runbox: " + message);
        return code;
    }
}
