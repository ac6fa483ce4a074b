package dev.runbox.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import org.slf4j.LoggerFactory;

import java.net.URL;
import java.util.Optional;

/**
 * Chooses the log format and level of this process once its settings are known. Logback starts on its
 * own from {@code logback.xml} (format and level from the environment variables {@code RUNBOX_LOG_FORMAT}
 * and {@code RUNBOX_LOG_LEVEL}); {@link #configure} loads the same file again with the values of the
 * settings, so a flag has the same effect as the variable.
 */
public final class Logging {

    /** The MDC key holding the submission id of whatever a line is about. */
    public static final String SUBMISSION = "submission";

    private Logging() {
    }

    /**
     * @param format the line format
     * @param level  the root level (e.g. {@code WARN}); empty keeps {@code RUNBOX_LOG_LEVEL} or INFO
     */
    public static void configure(LogFormat format, Optional<String> level) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) return; // another SLF4J binding: its business
        URL file = Logging.class.getResource("/logback.xml");
        if (file == null) throw new IllegalStateException("logback.xml is missing from the jar");
        context.reset();
        context.putProperty("RUNBOX_LOG_FORMAT", format.id());
        level.ifPresent(l -> context.putProperty("RUNBOX_LOG_LEVEL", l));
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        try {
            configurator.doConfigure(file);
        } catch (JoranException e) {
            throw new IllegalStateException("logback.xml of the jar is invalid: " + e.getMessage(), e);
        }
    }
}
