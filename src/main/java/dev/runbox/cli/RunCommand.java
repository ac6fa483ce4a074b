package dev.runbox.cli;

import dev.runbox.client.Result;
import dev.runbox.client.RunboxClient;
import dev.runbox.client.RunboxException;
import dev.runbox.client.RunboxTimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.Optional;

/** {@code runbox run FILE}: runs a program and shows its output, through a server or in this process. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run a program and print its output as it wrote it, then a summary line on stderr.",
                "Through the server of --server or $RUNBOX_SERVER; without one, in this process (needs root, like serve).",
                "Exit status: the program's own; 124 TLE, 123 MLE, 122 OLE, 121 CE, 120 WA, 128+N killed by signal N,",
                "125 Runbox failed, 75 no final result within --wait-timeout, 2 bad usage or request refused."})
final class RunCommand extends ClientCommand {

    @Mixin
    ProgramOptions program;

    @Option(names = "--wait-timeout", paramLabel = "SEC", defaultValue = "600",
            description = "Give up waiting for the result after SEC seconds (default ${DEFAULT-VALUE}).")
    double waitTimeoutSec;

    @Override
    int execute() throws CliFailure, RunboxException, InterruptedException {
        Optional<String> url = server();
        Result result;
        try (Spinner spinner = Spinner.start(System.err, Terminal.stderr())) {
            if (url.isPresent()) {
                result = runOn(RunboxClient.create(url.get()), spinner, true);
            } else {
                spinner.status("starting a sandbox");
                try (EmbeddedRunbox local = EmbeddedRunbox.start()) {
                    result = runOn(local.client(), spinner, false);
                }
            }
        }
        ResultPrinter.print(result, System.out, System.err, Terminal.stdout(), Terminal.stderr());
        return ExitCodes.of(result);
    }

    private Result runOn(RunboxClient client, Spinner spinner, boolean goesOn) throws CliFailure, RunboxException, InterruptedException {
        String id = client.submit(program.request(client));
        try {
            return Waiting.await(client, id, Duration.ofMillis((long) (waitTimeoutSec * 1000)), spinner);
        } catch (RunboxTimeoutException e) {
            throw new CliFailure(ExitCodes.NOT_FINAL, "no final result after " + waitTimeoutSec + " s (last status "
                    + e.last().status() + ")" + (goesOn ? "; it goes on: runbox result " + id + " --wait" : ""));
        }
    }
}
