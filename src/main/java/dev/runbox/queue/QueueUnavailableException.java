package dev.runbox.queue;

/** The queue's storage (Redis) cannot be reached right now; nothing was changed by the failed call. */
public class QueueUnavailableException extends RuntimeException {
    public QueueUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
