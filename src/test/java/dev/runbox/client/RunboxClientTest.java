package dev.runbox.client;

import dev.runbox.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** RunboxClient against a real server running real programs. */
class RunboxClientTest {

    private static TestServer server;
    private static RunboxClient client;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start();
        client = RunboxClient.create(server.base());
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Test
    void run_returns_the_final_result_with_output() throws Exception {
        Result r = client.run(SubmissionRequest.of("print(input()[::-1])").withStdin("hello"), Duration.ofSeconds(60));
        assertThat(r.status()).isEqualTo("OK");
        assertThat(r.isFinal()).isTrue();
        assertThat(r.stdout()).isEqualTo("olleh\n");
        assertThat(r.exitCode()).isZero();
        assertThat(r.timeSec()).isPositive();
        assertThat(r.memoryKb()).isPositive();
        assertThat(r.language()).isEqualTo("python");
        assertThat(r.json().get("submission_id").asText()).isEqualTo(r.submissionId());
        assertThat(r.createdAt()).isNotNull();
        assertThat(r.startedAt()).isNotNull();
        assertThat(r.finishedAt()).isAfterOrEqualTo(r.startedAt());
        assertThat(r.cached()).isFalse();
        assertThat(r.compileOutput()).as("python has no compile step").isNull();
    }

    @Test
    void a_judged_submission_gives_each_test_and_the_points() throws Exception {
        Result r = client.run(SubmissionRequest.of("a, b = map(int, input().split())\nprint(a + b)")
                .withTest("1 2", "3").withTest("2 2", "5").withField("checker", "tokens"), Duration.ofSeconds(60));
        assertThat(r.status()).isEqualTo("WA");
        assertThat(r.testsPassed()).isEqualTo(1);
        assertThat(r.points()).isEqualTo(1.0);
        assertThat(r.tests()).extracting(t -> t.get("status").asText()).containsExactly("OK", "WA");
        assertThat(client.run(SubmissionRequest.of("print(1)"), Duration.ofSeconds(60)).tests()).isEmpty();
    }

    @Test
    void compile_error_carries_what_the_compiler_said() throws Exception {
        Result r = client.run(SubmissionRequest.of("int main(void) { return no_such_name; }").withLanguage("c"), Duration.ofSeconds(60));

        assertThat(r.status()).isEqualTo("CE");
        assertThat(r.compileOutput()).contains("no_such_name");
    }

    @Test
    void submit_then_await_sees_every_status_until_final() throws Exception {
        String id = client.submit(SubmissionRequest.of("import sys; print('x', file=sys.stderr); sys.exit(3)")
                .withLanguage("python").withTimeLimitSec(1.0).withMemoryLimitMb(64).withCpuCores(0.5));
        assertThat(id).matches("[0-9a-f-]{36}");
        List<String> seen = new ArrayList<>();
        Result r = client.await(id, Duration.ofSeconds(60), p -> seen.add(p.status()));
        assertThat(r.status()).isEqualTo("RE");
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.stderr()).isEqualTo("x\n");
        assertThat(r.message()).contains("exited with status 3");
        assertThat(seen).last().isEqualTo("RE");
        assertThat(seen.subList(0, seen.size() - 1)).allMatch(s -> s.equals("PENDING") || s.equals("PROCESSING"));
        assertThat(client.result(id)).isEqualTo(r);
    }

    @Test
    void a_limit_hit_is_a_final_result_not_an_error() throws Exception {
        Result r = client.run(SubmissionRequest.of("while True: pass").withTimeLimitSec(0.3), Duration.ofSeconds(60));
        assertThat(r.status()).isEqualTo("TLE");
        assertThat(r.isOk()).isFalse();
    }

    @Test
    void an_invalid_request_raises_the_problem_the_server_sent() {
        RunboxProblemException e = catchThrowableOfType(RunboxProblemException.class,
                () -> client.submit(SubmissionRequest.of("print(1)").withTimeLimitSec(-1.0)));
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.type()).isEqualTo("urn:runbox:problem:invalid-request");
        assertThat(e.field()).hasValue("time_limit_sec");
        assertThat(e.problem().get("errors").get(0).get("field").asText()).isEqualTo("time_limit_sec");
        assertThat(e.getMessage()).startsWith("400 ").contains("time_limit_sec");
    }

    @Test
    void an_unknown_id_is_a_404_problem() {
        RunboxProblemException e = catchThrowableOfType(RunboxProblemException.class,
                () -> client.result("00000000-0000-4000-8000-000000000000"));
        assertThat(e.status()).isEqualTo(404);
        assertThat(e.type()).isEqualTo("urn:runbox:problem:unknown-submission");
        RunboxProblemException malformed = catchThrowableOfType(RunboxProblemException.class, () -> client.result("../health"));
        assertThat(malformed.status()).isIn(400, 404);
    }

    @Test
    void await_gives_up_at_its_deadline_and_says_what_it_last_saw() throws Exception {
        // sleeps 2 s of wall time: it cannot be final 200 ms after it was submitted
        String id = client.submit(SubmissionRequest.of("import time; time.sleep(2)"));
        long start = System.nanoTime();
        RunboxTimeoutException e = catchThrowableOfType(RunboxTimeoutException.class, () -> client.await(id, Duration.ofMillis(200)));
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(e.last().submissionId()).isEqualTo(id);
        assertThat(e.last().status()).isIn("PENDING", "PROCESSING");
        assertThat(e.getMessage()).contains(id).contains("goes on");
        assertThat(tookMs).as("gave up near its deadline, not after the program").isLessThan(2000);
        assertThat(client.await(id, Duration.ofSeconds(60)).status()).isEqualTo("OK");
    }

    @Test
    void languages_lists_what_the_server_offers() throws Exception {
        assertThat(client.languages()).anySatisfy(l -> {
            assertThat(l.id()).isEqualTo("python");
            assertThat(l.extension()).isEqualTo("py");
            assertThat(l.version()).startsWith("Python 3");
        });
    }

    @Test
    void an_unreachable_server_is_a_runbox_exception_naming_it() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        RunboxClient nowhere = RunboxClient.create("http://127.0.0.1:" + port);
        assertThatThrownBy(() -> nowhere.submit(SubmissionRequest.of("print(1)")))
                .isExactlyInstanceOf(RunboxException.class).hasMessageContaining("cannot reach Runbox at http://127.0.0.1:" + port);
    }
}
