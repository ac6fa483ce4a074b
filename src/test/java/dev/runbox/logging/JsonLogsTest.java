package dev.runbox.logging;

import dev.runbox.testing.TestStateDirs;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbox.testing.RunboxCli;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code runbox serve --log-format json}, a real server process, its real stderr. */
class JsonLogsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LISTENING = Pattern.compile("Runbox listening on http://127\\.0\\.0\\.1:(\\d+) ");
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void json_mode_prints_only_json_lines_and_every_line_about_a_submission_carries_its_id() throws Exception {
        Path state = TestStateDirs.fresh();
        int uidBase = 70000 + ThreadLocalRandom.current().nextInt(10000) * 10;
        Path stdout = Files.createTempFile("runbox-serve", ".out");
        Process server = RunboxCli.command(List.of("serve", "--log-format", "json", "--port", "0", "--workers", "1",
                        "--set", "prepared-sandboxes=0", "--set", "state-dir=" + state, "--set", "sandbox-uid-base=" + uidBase,
                        "--set", "shutdown-grace-sec=5"))
                .redirectOutput(stdout.toFile()).start();
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(server.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) lines.add(line);
            } catch (java.io.IOException e) {
                // the process ended
            }
        }, "serve-stderr");
        reader.start();
        try {
            String[] port = new String[1];
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50)).until(() -> {
                assertThat(server.isAlive()).as("serve is running; stderr so far: %s", lines).isTrue();
                synchronized (lines) {
                    for (String l : lines) {
                        Matcher m = LISTENING.matcher(l);
                        if (m.find()) port[0] = m.group(1);
                    }
                }
                return port[0] != null;
            });
            String base = "http://127.0.0.1:" + port[0];
            String first = submit(base, "print('one')");
            String second = submit(base, "import sys; sys.exit(4)");
            awaitFinal(base, first);
            awaitFinal(base, second);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> lines.stream().filter(l -> l.contains(second + " finished")).count() == 1);
        } finally {
            // SIGTERM through the handle: Process.destroy() would also close our end of its stderr, losing the last lines
            server.toHandle().destroy(); // the graceful stop logs too
            if (!server.waitFor(60, TimeUnit.SECONDS)) server.destroyForcibly().waitFor();
            reader.join(10_000);
            deleteTree(state);
        }

        assertThat(Files.readString(stdout)).as("nothing on stdout (no logback status dump, no banner)").isEmpty();
        Files.delete(stdout);
        List<JsonNode> events = new ArrayList<>();
        for (String line : lines) {
            JsonNode event = JSON.readTree(line); // throws on a line that is not JSON
            assertThat(event.isObject()).as(line).isTrue();
            assertThat(event.hasNonNull("@timestamp") && event.hasNonNull("level") && event.hasNonNull("message")).as(line).isTrue();
            events.add(event);
        }
        assertThat(events).anySatisfy(e -> assertThat(e.get("message").asText()).startsWith("stopping:"));
        List<JsonNode> aboutSubmissions = events.stream().filter(e -> e.get("message").asText().matches(".*[0-9a-f]{8}-[0-9a-f]{4}-.*")).toList();
        // queued (API), running and finished (worker), for each of the two
        assertThat(aboutSubmissions).hasSizeGreaterThanOrEqualTo(6);
        for (JsonNode e : aboutSubmissions) {
            String message = e.get("message").asText();
            String id = message.replaceAll(".*?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}).*", "$1");
            assertThat(Optional.ofNullable(e.get("submission")).map(JsonNode::asText)).as(e.toString()).hasValue(id);
        }
        assertThat(aboutSubmissions).anySatisfy(e -> assertThat(e.get("logger_name").asText()).isEqualTo("dev.runbox.api.HttpApi"));
        JsonNode listening = events.stream().filter(e -> e.get("message").asText().startsWith("Runbox listening")).findFirst().orElseThrow();
        assertThat(listening.has("submission")).as("a line about no submission has no submission field").isFalse();
    }

    private String submit(String base, String source) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/execute"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(java.util.Map.of("source_code", source)))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return JSON.readTree(r.body()).get("submission_id").asText();
    }

    private void awaitFinal(String base, String id) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/result/" + id)).build(),
                    HttpResponse.BodyHandlers.ofString());
            String status = JSON.readTree(r.body()).get("status").asText();
            return !status.equals("PENDING") && !status.equals("PROCESSING");
        });
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
