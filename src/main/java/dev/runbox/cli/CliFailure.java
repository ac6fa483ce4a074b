package dev.runbox.cli;

/** A command cannot go on: the message is for the user, the code is the exit status ({@link ExitCodes}). */
final class CliFailure extends Exception {
    final int exitCode;

    CliFailure(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }
}
