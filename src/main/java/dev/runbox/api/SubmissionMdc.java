package dev.runbox.api;

import dev.runbox.job.SubmissionId;
import dev.runbox.logging.Logging;
import io.javalin.config.JavalinConfig;
import org.slf4j.MDC;

/**
 * Puts the submission id of a request about one submission (any route with an {@code {id}} path
 * parameter, and POST /execute once the id exists) into the logging MDC, so every log line written
 * while handling it carries the id. Jetty reuses threads: the key is cleared before and after each request.
 */
final class SubmissionMdc {
    private SubmissionMdc() {
    }

    static void install(JavalinConfig c) {
        c.routes.before(ctx -> MDC.remove(Logging.SUBMISSION));
        c.routes.beforeMatched(ctx -> {
            String raw = ctx.pathParamMap().get("id");
            if (raw != null) SubmissionId.parse(raw).ifPresent(SubmissionMdc::put);
        });
        c.routes.after(ctx -> MDC.remove(Logging.SUBMISSION));
    }

    static void put(SubmissionId id) {
        MDC.put(Logging.SUBMISSION, id.toString());
    }
}
