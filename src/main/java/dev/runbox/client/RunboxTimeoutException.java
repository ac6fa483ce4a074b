package dev.runbox.client;

/** No final result before the deadline; the submission itself goes on. {@link #last()} is the result last seen. */
public final class RunboxTimeoutException extends RunboxException {

    private final transient Result last;

    RunboxTimeoutException(String message, Result last) {
        super(message);
        this.last = last;
    }

    public Result last() {
        return last;
    }
}
