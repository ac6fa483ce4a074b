package dev.runbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runbox.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static dev.runbox.api.Api.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Results are kept result-ttl-sec after their last change, then answered as unknown. */
class ResultTtlTest {

    private static final Duration TTL = Duration.ofSeconds(1);

    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(Map.of("result-ttl-sec", Long.toString(TTL.toSeconds())));
        // a job that takes longer than the TTL expires while it runs: warm up the JVM and the sandbox
        // first, so that the measured job runs well within one second
        String warmUp = server.submit(TestServer.body("print('warm')"));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
            HttpResponse<String> r = server.get("/result/" + warmUp);
            return r.statusCode() == 404 || !TestServer.JSON.readTree(r.body()).path("finished_at").isNull();
        });
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
    }

    @Test
    void finished_result_becomes_404_after_the_ttl() throws Exception {
        String id = server.submit(TestServer.body("print('short-lived')"));
        JsonNode done = server.awaitFinal(id);
        assertThat(done.path("stdout").asText()).isEqualTo("short-lived\n");
        Instant finished = Instant.parse(done.path("finished_at").asText());

        HttpResponse<String>[] last = new HttpResponse[1];
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
            last[0] = server.get("/result/" + id);
            return last[0].statusCode() != 200;
        });
        Instant gone = Instant.now();

        JsonNode p = assertProblem(last[0], 404);
        assertThat(p.path("type").asText()).isEqualTo("urn:runbox:problem:unknown-submission");
        assertThat(p.path("detail").asText()).contains(id).contains("expired after " + TTL.toSeconds() + " s");
        // same host, same clock: the final result was stored at or after finished_at
        assertThat(gone).as("not expired before the TTL ran out").isAfterOrEqualTo(finished.plus(TTL));
        assertProblem(server.get("/result/" + id), 404);
    }
}
