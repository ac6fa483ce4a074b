package dev.runbox.logging;

import java.util.Arrays;
import java.util.Locale;

/** How log lines are written: for people, or as one JSON object per line for a log pipeline. */
public enum LogFormat {
    /** {@code 12:00:01.234 INFO  [worker-0] WorkerPool sub=3f0c… - running 3f0c… (python)} */
    TEXT,
    /** One JSON object per line (logstash-logback-encoder): {@code @timestamp}, {@code level}, {@code message}, MDC keys… */
    JSON;

    /** The value of the {@code log-format} setting: {@code text} or {@code json}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static LogFormat parse(String text) {
        return Arrays.stream(values()).filter(f -> f.id().equals(text.trim().toLowerCase(Locale.ROOT))).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("'" + text + "' is not a log format; use text or json"));
    }
}
