package dev.runbox.sandbox;

/**
 * Runbox could not run the program as asked (sandbox setup failed, host misconfigured, I/O error).
 * Never used for the program's own failures, which are outcomes; a failure is retried, then reported
 * as INTERNAL_ERROR.
 */
public class SandboxFailure extends Exception {
    public SandboxFailure(String message) {
        super(message);
    }

    public SandboxFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
