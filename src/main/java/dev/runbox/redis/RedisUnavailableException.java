package dev.runbox.redis;

/** Redis cannot be reached now (down, restarting, network): retry later. Never a bug in the command. */
public class RedisUnavailableException extends RuntimeException {
    public RedisUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
