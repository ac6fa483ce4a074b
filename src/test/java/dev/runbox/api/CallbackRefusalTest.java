package dev.runbox.api;

import dev.runbox.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.Map;

import static dev.runbox.testing.TestServer.JSON;
import static dev.runbox.testing.TestServer.body;
import static org.assertj.core.api.Assertions.assertThat;

/** A server with callbacks on and private targets not allowed (the default): SSRF targets are refused. */
class CallbackRefusalTest {

    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(Map.of("workers", "1", "prepared-sandboxes", "0",
                "callback-secret", "another-test-secret-0123456789"));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Test
    void callbacks_to_loopback_private_link_local_unique_local_and_multicast_targets_are_refused() throws Exception {
        String[][] cases = {
                {"http://localhost:9/hook", "loopback"},
                {"http://127.0.0.1/hook", "loopback"},
                {"http://[::1]/hook", "loopback"},
                {"http://[::ffff:127.0.0.1]/hook", "loopback"},
                {"http://10.1.2.3/hook", "private"},
                {"http://172.16.0.1/hook", "private"},
                {"https://192.168.1.1/hook", "private"},
                {"http://169.254.169.254/latest/meta-data", "link-local"},
                {"http://[fe80::1]/hook", "link-local"},
                {"http://[fd00::1]/hook", "unique-local"},
                {"http://224.0.0.1/hook", "multicast"},
                {"http://0.0.0.0/hook", "unspecified"},
                {"http://100.64.0.1/hook", "carrier-grade NAT"}};
        for (String[] c : cases) {
            HttpResponse<String> r = server.postJson(body("print(1)", "callback_url", c[0]).toString());
            assertThat(r.statusCode()).as(c[0] + " → " + r.body()).isEqualTo(400);
            assertThat(JSON.readTree(r.body()).get("field").asText()).isEqualTo("callback_url");
            assertThat(JSON.readTree(r.body()).get("detail").asText()).as(c[0]).contains(c[1]).contains("callback-allow-private");
        }
        // nothing was queued for the refused requests
        assertThat(JSON.readTree(server.get("/health").body()).get("queue_depth").asInt()).isZero();
    }
}
