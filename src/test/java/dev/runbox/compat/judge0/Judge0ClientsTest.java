package dev.runbox.compat.judge0;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.runbox.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.SimpleDateFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static dev.runbox.testing.TestServer.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Judge0's real clients, replayed: the request sequences of the official web IDE (judge0/ide) and of the
 * official Python SDK (judge0-python), as they send them, over real HTTP against a real Runbox; and what
 * the Judge0 layer does beyond them (callbacks, DELETE, zip bombs).
 */
class Judge0ClientsTest {

    static TestServer server;
    static HttpServer receiver;
    static final LinkedBlockingQueue<String[]> callbacks = new LinkedBlockingQueue<>();
    static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final double ENOUGH = Math.min(20, 3 * TestServer.slowdown());

    @BeforeAll
    static void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            callbacks.add(new String[]{ex.getRequestMethod(), new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)});
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        receiver.start();
        server = TestServer.start(Map.of("workers", "2", "prepared-sandboxes", "1", "judge0-max-batch", "3",
                "callback-secret", "0123456789abcdef0123", "callback-allow-private", "true"));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        receiver.stop(0);
    }

    static HttpResponse<String> send(String method, String path, JsonNode body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base() + "/judge0" + path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.toString()));
        if (body != null) b.header("Content-Type", "application/json");
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode ok(HttpResponse<String> r, int status) throws Exception {
        assertThat(r.statusCode()).as("%s %s", r.request().uri(), r.body()).isEqualTo(status);
        return JSON.readTree(r.body());
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Ruby's Base64.encode64, as a Judge0 client in Ruby sends it: a line break every 60 characters. */
    static String rubyB64(String s) {
        return Base64.getMimeEncoder(60, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(s.getBytes(StandardCharsets.UTF_8)) + "\n";
    }

    static String unb64(JsonNode n) {
        return n == null || n.isNull() ? null : new String(Base64.getMimeDecoder().decode(n.asText()), StandardCharsets.UTF_8);
    }

    @Test
    void the_web_ide_submits_base64_then_polls_while_status_id_is_at_most_2() throws Exception {
        // judge0/ide: every field it sends, base64, wait=false
        ObjectNode body = JSON.createObjectNode();
        body.put("source_code", b64("import sys\nname = input()\nprint('hello, ' + name, flush=True)\nprint('to stderr', file=sys.stderr)\nprint('after')"));
        body.put("language_id", "71"); // a <select>'s value: a numeric string
        body.put("stdin", b64("Judge0"));
        body.put("compiler_options", "");
        body.put("command_line_arguments", "");
        body.put("redirect_stderr_to_stdout", true);
        JsonNode created = ok(send("POST", "/submissions?base64_encoded=true&wait=false", body), 201);
        String token = created.get("token").asText();
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            last[0] = ok(send("GET", "/submissions/" + token + "?base64_encoded=true", null), 200);
            return last[0].get("status").get("id").asInt() > 2;
        });
        JsonNode r = last[0];
        assertThat(r.get("status").get("description").asText()).isEqualTo("Accepted");
        // one stream, in the order written; stderr is then empty, which Judge0 answers as null
        assertThat(unb64(r.get("stdout"))).isEqualTo("hello, Judge0\nto stderr\nafter\n");
        assertThat(r.get("stderr").isNull()).as(r.toString()).isTrue();
        assertThat(r.get("compile_output").isNull()).isTrue();
        assertThat(r.get("message").isNull()).isTrue();
        assertThat(Double.parseDouble(r.get("time").asText())).isBetween(0.0, ENOUGH);
        assertThat(r.get("memory").isIntegralNumber()).isTrue();
    }

    @Test
    void the_web_ide_in_a_browser_of_another_origin_passes_cors() throws Exception {
        HttpResponse<String> preflight = send("OPTIONS", "/submissions?base64_encoded=true&wait=false", null,
                "Origin", "https://ide.judge0.com", "Access-Control-Request-Method", "POST",
                "Access-Control-Request-Headers", "content-type");
        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).contains("*");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods").orElse("")).contains("POST");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers")).contains("content-type");
        HttpResponse<String> languages = send("GET", "/languages", null, "Origin", "https://ide.judge0.com");
        assertThat(languages.headers().firstValue("Access-Control-Allow-Origin")).contains("*");
    }

    @Test
    void the_web_ide_shows_a_compile_error_and_a_runtime_error_message() throws Exception {
        ObjectNode c = JSON.createObjectNode();
        c.put("source_code", b64("int main() { return 0 }"));
        c.put("language_id", 50);
        c.put("stdin", b64(""));
        c.put("compiler_options", "-Wall -DNAME='\"x y\"'");
        c.put("command_line_arguments", "");
        c.put("redirect_stderr_to_stdout", true);
        JsonNode ce = ok(send("POST", "/submissions?base64_encoded=true&wait=true", c), 201);
        assertThat(ce.get("status").get("id").asInt()).as("%s", ce).isEqualTo(6);
        assertThat(unb64(ce.get("compile_output"))).contains("error");
        ObjectNode segv = JSON.createObjectNode();
        segv.put("source_code", b64("import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)"));
        segv.put("language_id", 71);
        segv.put("cpu_time_limit", ENOUGH);
        JsonNode re = ok(send("POST", "/submissions?base64_encoded=true&wait=true", segv), 201);
        assertThat(re.get("status").get("id").asInt()).as("%s", re).isEqualTo(7);
        assertThat(re.get("status").get("description").asText()).isEqualTo("Runtime Error (SIGSEGV)");
        assertThat(unb64(re.get("message"))).contains("signal 11");
    }

    @Test
    void the_python_sdk_reads_languages_config_and_about_then_runs_with_fields_star() throws Exception {
        String[] sdk = {"X-Judge0-App", "Judge0 Python SDK", "X-Judge0-App-Version", "0.0.6"};
        JsonNode languages = ok(send("GET", "/languages", null, sdk), 200);
        List<Integer> ids = new ArrayList<>();
        languages.forEach(l -> {
            assertThat(l.get("name").isTextual()).isTrue();
            ids.add(l.get("id").asInt());
        });
        assertThat(ids).contains(71);
        JsonNode config = ok(send("GET", "/config_info", null, sdk), 200);
        // judge0-python's Config model: every key required, of these JSON types
        for (String k : List.of("allow_enable_network", "allow_enable_per_process_and_thread_memory_limit",
                "allow_enable_per_process_and_thread_time_limit", "enable_additional_files", "enable_batched_submissions",
                "enable_callbacks", "enable_command_line_arguments", "enable_compiler_options", "enable_network",
                "enable_per_process_and_thread_memory_limit", "enable_per_process_and_thread_time_limit", "enable_submission_delete",
                "enable_wait_result", "maintenance_mode", "redirect_stderr_to_stdout", "use_docs_as_homepage")) {
            assertThat(config.get(k)).as(k).isNotNull();
            assertThat(config.get(k).isBoolean()).as(k).isTrue();
        }
        for (String k : List.of("callbacks_max_tries", "max_extract_size", "max_file_size", "max_max_file_size",
                "max_max_processes_and_or_threads", "max_memory_limit", "max_number_of_runs", "max_processes_and_or_threads",
                "max_queue_size", "max_stack_limit", "max_submission_batch_size", "memory_limit", "number_of_runs", "stack_limit")) {
            assertThat(config.get(k)).as(k).isNotNull();
            assertThat(config.get(k).isIntegralNumber()).as(k).isTrue();
        }
        for (String k : List.of("callbacks_timeout", "cpu_extra_time", "cpu_time_limit", "max_cpu_extra_time", "max_cpu_time_limit",
                "max_wall_time_limit", "submission_cache_duration", "wall_time_limit")) {
            assertThat(config.get(k)).as(k).isNotNull();
            assertThat(config.get(k).isNumber()).as(k).isTrue();
        }
        assertThat(config.get("allowed_languages_for_compile_options").isArray()).isTrue();
        assertThat(config.get("max_submission_batch_size").asInt()).isEqualTo(3);
        assertThat(ok(send("GET", "/about", null, sdk), 200).get("version").asText()).isEqualTo("1.13.1");

        // Submission.as_body: source and stdin base64, the extra fields as set, then create_submission
        ObjectNode body = JSON.createObjectNode();
        body.put("source_code", b64("import sys\nprint(sys.argv[1:], input())"));
        body.put("language_id", 71);
        body.put("stdin", b64("in"));
        body.put("command_line_arguments", "a 'b c' \"d\\\"e\"");
        body.put("cpu_time_limit", ENOUGH);
        body.put("memory_limit", 65536.0);
        JsonNode created = ok(send("POST", "/submissions?base64_encoded=true&wait=false", body, sdk), 201);
        String token = created.get("token").asText();
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            last[0] = ok(send("GET", "/submissions/" + token + "?base64_encoded=true&fields=*", null, sdk), 200);
            return last[0].get("status").get("id").asInt() > 2;
        });
        JsonNode r = last[0];
        assertThat(unb64(r.get("stdout"))).isEqualTo("['a', 'b c', 'd\"e'] in\n");
        // set_attributes parses these exactly so
        SimpleDateFormat judge0Time = new SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'");
        judge0Time.setLenient(false);
        assertThat(judge0Time.parse(r.get("created_at").asText())).isNotNull();
        assertThat(judge0Time.parse(r.get("finished_at").asText())).isNotNull();
        Double.parseDouble(r.get("wall_time").asText());
        assertThat(r.get("language").get("id").asInt()).isEqualTo(71);
        assertThat(r.get("token").asText()).isEqualTo(token);
        assertThat(r.has("source_code")).as("not kept, so not overwritten on the client's object").isFalse();
    }

    @Test
    void the_python_sdk_batch_creates_then_reads_by_tokens_with_fields_star() throws Exception {
        ObjectNode env = JSON.createObjectNode();
        ArrayNode items = env.putArray("submissions");
        for (String word : List.of("first", "second")) {
            ObjectNode s = items.addObject();
            s.put("source_code", b64("print('" + word + "')"));
            s.put("language_id", 71);
            s.put("cpu_time_limit", ENOUGH);
        }
        JsonNode created = ok(send("POST", "/submissions/batch?base64_encoded=true", env), 201);
        assertThat(created).hasSize(2);
        String tokens = created.get(0).get("token").asText() + "," + created.get(1).get("token").asText();
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            last[0] = ok(send("GET", "/submissions/batch?base64_encoded=true&fields=*&tokens=" + tokens, null), 200).get("submissions");
            return last[0].get(0).get("status").get("id").asInt() > 2 && last[0].get(1).get("status").get("id").asInt() > 2;
        });
        assertThat(unb64(last[0].get(0).get("stdout"))).isEqualTo("first\n");
        assertThat(unb64(last[0].get(1).get("stdout"))).isEqualTo("second\n");

        items.add(items.get(0).deepCopy());
        items.add(items.get(0).deepCopy());
        JsonNode tooMany = ok(send("POST", "/submissions/batch", env), 400);
        assertThat(tooMany.get("error").asText()).isEqualTo("number of submissions in a batch should be less than or equal to 3");
    }

    @Test
    void ruby_line_broken_base64_is_decoded_leniently() throws Exception {
        String source = "print('" + "x".repeat(100) + "')";
        ObjectNode body = JSON.createObjectNode();
        body.put("source_code", rubyB64(source));
        body.put("language_id", 71);
        body.put("cpu_time_limit", ENOUGH);
        JsonNode r = ok(send("POST", "/submissions?base64_encoded=true&wait=true", body), 201);
        assertThat(unb64(r.get("stdout"))).isEqualTo("x".repeat(100) + "\n");
    }

    @Test
    void a_callback_url_gets_a_put_of_the_judge0_result_in_base64() throws Exception {
        ObjectNode body = JSON.createObjectNode();
        body.put("source_code", "print('called back')");
        body.put("language_id", 71);
        body.put("cpu_time_limit", ENOUGH);
        body.put("callback_url", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook");
        String token = ok(send("POST", "/submissions", body), 201).get("token").asText();
        String[] got = callbacks.poll(60, TimeUnit.SECONDS);
        assertThat(got).as("a callback within 60 s").isNotNull();
        assertThat(got[0]).isEqualTo("PUT");
        JsonNode r = JSON.readTree(got[1]);
        assertThat(r.get("token").asText()).isEqualTo(token);
        assertThat(r.get("status").get("id").asInt()).isEqualTo(3);
        assertThat(unb64(r.get("stdout"))).isEqualTo("called back\n");
    }

    @Test
    void a_zip_bomb_is_refused_after_reading_at_most_the_files_cap() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            z.putNextEntry(new ZipEntry("zeros.bin"));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 64; i++) z.write(zeros); // 64 MiB of zeros, some 64 KiB packed
            z.closeEntry();
        }
        assertThat(bytes.size()).isLessThan(1 << 20);
        ObjectNode body = JSON.createObjectNode();
        body.put("source_code", "print(1)");
        body.put("language_id", 71);
        body.put("additional_files", Base64.getEncoder().encodeToString(bytes.toByteArray()));
        JsonNode r = ok(send("POST", "/submissions", body), 422);
        assertThat(r.get("additional_files").get(0).asText()).contains("unpacks to more than " + server.config.maxFilesBytes());
    }

    @Test
    void a_zip_entry_with_a_name_runbox_refuses_is_a_422_not_a_renamed_file() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            z.putNextEntry(new ZipEntry(".hidden"));
            z.write(1);
            z.closeEntry();
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("source_code", "print(1)");
        body.put("language_id", 71);
        body.put("additional_files", Base64.getEncoder().encodeToString(bytes.toByteArray()));
        JsonNode r = ok(send("POST", "/submissions", body), 422);
        assertThat(r.get("additional_files").get(0).asText()).contains(".hidden").contains("plain file name");
    }

    @Test
    void delete_is_refused_unless_enabled_as_in_judge0() throws Exception {
        ObjectNode body = JSON.createObjectNode();
        body.put("source_code", "print(1)");
        body.put("language_id", 71);
        String token = ok(send("POST", "/submissions", body), 201).get("token").asText();
        assertThat(ok(send("DELETE", "/submissions/" + token, null), 400).get("error").asText()).isEqualTo("delete not allowed");
    }

    @Test
    void the_submission_list_is_paginated_with_meta() throws Exception {
        ObjectNode body = JSON.createObjectNode();
        body.put("source_code", "print(1)");
        body.put("language_id", 71);
        String token = ok(send("POST", "/submissions", body), 201).get("token").asText();
        JsonNode page = ok(send("GET", "/submissions?page=1&per_page=1", null), 200);
        assertThat(page.get("submissions")).hasSize(1);
        assertThat(page.get("submissions").get(0).get("token").asText()).isEqualTo(token);
        assertThat(page.get("meta").get("current_page").asInt()).isEqualTo(1);
        assertThat(page.get("meta").get("total_count").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(ok(send("GET", "/submissions?page=0", null), 400).get("error").asText()).isEqualTo("invalid page: 0");
    }

    @Test
    void workers_and_system_info_answer_in_judge0s_shape() throws Exception {
        JsonNode w = ok(send("GET", "/workers", null), 200);
        assertThat(w.get(0).get("queue").asText()).isEqualTo("1.13.1");
        assertThat(w.get(0).get("available").asInt()).isEqualTo(2);
        assertThat(ok(send("GET", "/system_info", null), 200).get("CPU(s)").asText()).matches("\\d+");
    }

    @Test
    void real_judge0_answers_match_the_openapi_document() throws Exception {
        dev.runbox.testing.OpenApiContract contract = dev.runbox.testing.OpenApiContract.load();
        ObjectNode body = JSON.createObjectNode();
        body.put("source_code", "print('doc')");
        body.put("language_id", 71);
        body.put("cpu_time_limit", ENOUGH);
        HttpResponse<String> waited = send("POST", "/submissions?wait=true&fields=*", body);
        contract.assertMatches("POST", "/judge0/submissions", waited);
        String token = JSON.readTree(waited.body()).get("token").asText();
        contract.assertMatches("GET", "/judge0/submissions/{token}", send("GET", "/submissions/" + token + "?fields=*,source_code", null));
        contract.assertMatches("GET", "/judge0/submissions/{token}", send("GET", "/submissions/" + token + "?fields=bad", null));
        HttpResponse<String> unknown = send("GET", "/submissions/" + java.util.UUID.randomUUID(), null);
        contract.assertMatches("GET", "/judge0/submissions/{token}", unknown);
        assertThat(JSON.readTree(unknown.body()).get("error").asText()).contains("not found");
        contract.assertMatches("GET", "/judge0/languages/{id}", send("GET", "/languages/99999", null));
        contract.assertMatches("POST", "/judge0/submissions", send("POST", "/submissions", JSON.createObjectNode()));
        contract.assertMatches("GET", "/judge0/submissions/batch", send("GET", "/submissions/batch?tokens=" + token + ",x", null));
        contract.assertMatches("GET", "/judge0/submissions", send("GET", "/submissions", null));
        for (String p : List.of("/languages", "/languages/all", "/languages/71", "/statuses", "/about", "/config_info", "/system_info",
                "/workers")) {
            contract.assertMatches("GET", "/judge0" + (p.equals("/languages/71") ? "/languages/{id}" : p), send("GET", p, null));
        }
    }
}
