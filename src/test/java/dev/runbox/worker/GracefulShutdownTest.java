package dev.runbox.worker;

import dev.runbox.job.ExecutionResult;
import dev.runbox.job.Status;
import dev.runbox.job.SubmissionId;
import dev.runbox.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Stopping a server lets the running job finish and refuses new ones meanwhile. */
class GracefulShutdownTest {

    @Test
    void running_job_finishes_during_shutdown_and_new_jobs_are_refused() throws Exception {
        TestServer server = TestServer.start(Map.of("workers", "1", "shutdown-grace-sec", "20"));
        String id = server.submit(TestServer.body("import time\ntime.sleep(1.5)\nprint('finished')", "time_limit_sec", 5));
        await().atMost(Duration.ofSeconds(30)).until(() -> server.get("/result/" + id).body().contains("PROCESSING"));

        CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> {
            try {
                server.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // while the job drains, the API is still up but takes no new work
        HttpResponse<String>[] refused = new HttpResponse[1];
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            refused[0] = server.postJson(TestServer.body("print(1)").toString());
            return refused[0].statusCode() == 503;
        });
        assertThat(stopping).isNotDone(); // the sleeper still runs, so the server must still be up
        assertThat(refused[0].headers().firstValue("Retry-After")).isPresent();
        assertThat(refused[0].headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));

        stopping.get();
        ExecutionResult done = server.runbox.results().get(SubmissionId.parse(id).orElseThrow()).orElseThrow();
        assertThat(done.status()).isEqualTo(Status.OK);
        assertThat(done.stdout()).isEqualTo("finished\n");
    }
}
