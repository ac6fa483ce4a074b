package dev.runbox.store;

/**
 * The result store (Redis) cannot be reached right now. A failed write may or may not have been
 * applied (the reply was lost); writes are compare-and-set, so repeating one is safe.
 */
public class StoreUnavailableException extends RuntimeException {
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
