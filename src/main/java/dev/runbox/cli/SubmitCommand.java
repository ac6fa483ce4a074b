package dev.runbox.cli;

import dev.runbox.client.RunboxClient;
import dev.runbox.client.RunboxException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code runbox submit FILE}: queues a program on a server and prints its submission id. */
@Command(name = "submit", mixinStandardHelpOptions = true,
        description = {"Queue a program on a server and print its submission id (then: runbox result ID --wait).",
                "Server: --server, else $RUNBOX_SERVER, else " + ClientCommand.DEFAULT_SERVER + "."})
final class SubmitCommand extends ClientCommand {

    @Mixin
    ProgramOptions program;

    @Override
    int execute() throws CliFailure, RunboxException, InterruptedException {
        RunboxClient client = serverOrDefault();
        System.out.println(client.submit(program.request(client)));
        return 0;
    }
}
