package dev.runbox.config;

/** A setting that makes no sense; Runbox does not start with it. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
