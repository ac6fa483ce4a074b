package dev.runbox.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbox.client.Result;
import dev.runbox.client.RunboxClient;
import dev.runbox.client.RunboxException;
import dev.runbox.client.RunboxTimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;

/** {@code runbox result ID}: shows a submission's result, waiting for it with --wait. */
@Command(name = "result", mixinStandardHelpOptions = true,
        description = {"Show a submission's result: its output, then a summary line on stderr, with the exit statuses of run",
                "(75 while it is not final). --json prints the result document instead and exits 0 once it was read.",
                "Server: --server, else $RUNBOX_SERVER, else " + ClientCommand.DEFAULT_SERVER + "."})
final class ResultCommand extends ClientCommand {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Parameters(index = "0", paramLabel = "ID", description = "The submission id printed by submit.")
    String id;

    @Option(names = "--wait", description = "Wait until the result is final (a spinner shows progress when stderr is a terminal).")
    boolean waitForFinal;

    @Option(names = "--wait-timeout", paramLabel = "SEC", defaultValue = "600",
            description = "With --wait: give up after SEC seconds (default ${DEFAULT-VALUE}).")
    double waitTimeoutSec;

    @Option(names = "--json", description = "Print the result as the server's JSON document.")
    boolean json;

    @Override
    int execute() throws CliFailure, RunboxException, InterruptedException {
        RunboxClient client = serverOrDefault();
        Result result;
        if (waitForFinal) {
            try (Spinner spinner = Spinner.start(System.err, Terminal.stderr())) {
                result = Waiting.await(client, id, Duration.ofMillis((long) (waitTimeoutSec * 1000)), spinner);
            } catch (RunboxTimeoutException e) {
                result = e.last();
            }
        } else {
            result = client.result(id);
        }
        if (json) {
            try {
                System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result.json()));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a parsed document always serializes", e);
            }
            return 0;
        }
        ResultPrinter.print(result, System.out, System.err, Terminal.stdout(), Terminal.stderr());
        return ExitCodes.of(result);
    }
}
