package dev.runbox.client;

/**
 * Runbox could not be asked or did not answer as expected: the server is unreachable, or answered
 * something that is not Runbox's API. Subclasses: {@link RunboxProblemException} (the server refused
 * the request), {@link RunboxTimeoutException} (no final result before a deadline).
 */
public class RunboxException extends Exception {
    public RunboxException(String message) {
        super(message);
    }

    public RunboxException(String message, Throwable cause) {
        super(message, cause);
    }
}
