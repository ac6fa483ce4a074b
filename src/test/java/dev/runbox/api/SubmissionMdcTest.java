package dev.runbox.api;

import dev.runbox.logging.Logging;
import io.javalin.Javalin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** The submission id in the MDC while a request about it is handled, and never left behind on a reused thread. */
class SubmissionMdcTest {

    private Javalin app;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        app = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.jetty.host = "127.0.0.1";
            c.jetty.port = 0;
            // few threads, so that requests run on threads that handled earlier ones
            c.jetty.threadPool = new org.eclipse.jetty.util.thread.QueuedThreadPool(8, 1);
            c.routes.get("/result/{id}", ctx -> ctx.result(String.valueOf(MDC.get(Logging.SUBMISSION))));
            c.routes.get("/health", ctx -> ctx.result(String.valueOf(MDC.get(Logging.SUBMISSION))));
            c.routes.post("/execute", ctx -> {
                SubmissionMdc.put(dev.runbox.job.SubmissionId.random());
                ctx.result("queued");
            });
            SubmissionMdc.install(c);
        }).start();
    }

    @AfterEach
    void stop() {
        app.stop();
    }

    @Test
    void a_request_about_one_submission_carries_its_id_and_the_next_request_does_not() throws Exception {
        String id = "3f0c2a1e-1b2c-4d5e-8f90-0123456789ab";
        assertThat(get("/result/" + id)).isEqualTo(id);
        assertThat(get("/health")).isEqualTo("null");
        assertThat(get("/result/not-an-id")).as("only a well-formed id goes into the logs").isEqualTo("null");
        http.send(HttpRequest.newBuilder(URI.create(base() + "/execute")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get("/health")).as("the id set while queuing is cleared after the request").isEqualTo("null");
    }

    private String get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base() + path)).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private String base() {
        return "http://127.0.0.1:" + app.port();
    }
}
