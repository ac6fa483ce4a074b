package dev.runbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runbox.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.runbox.api.Api.assertFieldProblem;
import static dev.runbox.api.Api.assertProblem;
import static dev.runbox.api.Api.errorFields;
import static dev.runbox.api.Api.messageOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every kind of bad input gets a 4xx in the one problem+json shape, names what is wrong, and changes
 * nothing on the server.
 */
class BadRequestsTest {

    private static final int MAX_SOURCE = 1000;
    private static final int MAX_STDIN = 1000;
    private static final String JSON_TYPE = "application/json";

    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        // one worker, so that a job wrongly accepted while it is busy stays visible in queue_depth
        server = TestServer.start(Map.of("workers", "1", "max-source-bytes", Integer.toString(MAX_SOURCE),
                "max-stdin-bytes", Integer.toString(MAX_STDIN)));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
    }

    /**
     * One bad POST /execute and what it must get back; {@code field} null when no field is to blame.
     * With {@code rawHead}, the request is written as is on a socket (see {@link Api#raw}).
     */
    record BadPost(String name, String contentType, byte[] body, String rawHead, int status, String field, String detailHas) {
        @Override
        public String toString() {
            return name;
        }

        HttpResponse<String> send() throws Exception {
            return rawHead != null ? Api.raw(server, rawHead, body) : Api.send(server, "POST", "/execute", contentType, body);
        }
    }

    private static BadPost json(String name, String text, String field) {
        return json(name, text, field, null);
    }

    private static BadPost json(String name, String text, String field, String detailHas) {
        return new BadPost(name, JSON_TYPE, text.getBytes(StandardCharsets.UTF_8), null, 400, field, detailHas);
    }

    private static BadPost bytes(String name, byte[] body, String field) {
        return new BadPost(name, JSON_TYPE, body, null, 400, field, null);
    }

    /** A valid body with {@code extra} added: {@code "source_code": "print(1)", <extra>}. */
    private static String with(String extra) {
        return "{\"source_code\": \"print(1)\", " + extra + "}";
    }

    private static byte[] concat(String a, byte[] middle, String b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(middle);
        out.writeBytes(b.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** {@code text} in HTTP/1.1 chunked transfer coding, 4 KiB a chunk. */
    private static byte[] chunked(String text) {
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int at = 0; at < data.length; at += 4096) {
            int n = Math.min(4096, data.length - at);
            out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(data, at, n);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    static List<BadPost> badPosts() {
        List<BadPost> all = new ArrayList<>();
        long maxBody = HttpApi.maxBodyBytes(server.config);

        // not JSON, or not one JSON object
        all.add(json("invalid JSON is refused", "{\"source_code\": print(1)}", "body"));
        all.add(json("truncated JSON is refused", "{\"source_code\": \"print(1)\"", "body"));
        all.add(json("content after the JSON object is refused", "{\"source_code\": \"print(1)\"} trailing", "body"));
        all.add(json("two JSON objects in one body are refused", "{\"source_code\": \"print(1)\"}{\"source_code\": \"print(2)\"}", "body"));
        all.add(json("a JSON array body is refused", "[{\"source_code\": \"print(1)\"}]", "body"));
        all.add(json("a JSON null body is refused", "null", "body"));
        all.add(json("a JSON number body is refused", "42", "body"));
        all.add(json("a JSON string body is refused", "\"print(1)\"", "body"));
        all.add(json("an empty body is refused", "", "body"));
        all.add(json("a body of only whitespace is refused", "  \n ", "body"));
        all.add(json("duplicate keys are refused", "{\"source_code\": \"print(1)\", \"source_code\": \"print(2)\"}", "body"));
        all.add(json("nesting a thousand levels deep is refused",
                with("\"stdin_data\": " + "[".repeat(5000) + "]".repeat(5000)), "body"));
        all.add(bytes("invalid UTF-8 inside a string is refused",
                concat("{\"source_code\": \"print('", new byte[]{(byte) 0xC3, (byte) 0x28}, "')\"}"), "body"));
        all.add(bytes("a stray 0xFF byte is refused", concat("{\"source_code\": \"print(1)\"", new byte[]{(byte) 0xFF}, "}"), "body"));

        // wrong types: nothing is coerced
        all.add(json("a string for time_limit_sec is refused", with("\"time_limit_sec\": \"2\""), "time_limit_sec"));
        all.add(json("a string for memory_limit_mb is refused", with("\"memory_limit_mb\": \"256\""), "memory_limit_mb"));
        all.add(json("a boolean for cpu_cores is refused", with("\"cpu_cores\": true"), "cpu_cores"));
        all.add(json("a number for source_code is refused", "{\"source_code\": 42}", "source_code"));
        all.add(json("an object for source_code is refused", "{\"source_code\": {\"code\": \"print(1)\"}}", "source_code"));
        all.add(json("a number for language is refused", with("\"language\": 3"), "language"));
        all.add(json("an array for stdin_data is refused", with("\"stdin_data\": [\"hello\"]"), "stdin_data"));
        all.add(json("a number for stdin_data is refused", with("\"stdin_data\": 7"), "stdin_data"));

        // NaN and infinities, as the raw tokens some JSON writers emit
        all.add(json("NaN for time_limit_sec is refused", with("\"time_limit_sec\": NaN"), "time_limit_sec", "finite"));
        all.add(json("Infinity for time_limit_sec is refused", with("\"time_limit_sec\": Infinity"), "time_limit_sec", "finite"));
        all.add(json("-Infinity for time_limit_sec is refused", with("\"time_limit_sec\": -Infinity"), "time_limit_sec", "finite"));
        all.add(json("NaN for memory_limit_mb is refused", with("\"memory_limit_mb\": NaN"), "memory_limit_mb"));
        all.add(json("Infinity for cpu_cores is refused", with("\"cpu_cores\": Infinity"), "cpu_cores"));
        all.add(json("a number that overflows a double is refused", with("\"time_limit_sec\": 1e400"), "time_limit_sec"));

        // limits out of range: refused, never clamped
        all.add(json("a negative time_limit_sec is refused", with("\"time_limit_sec\": -1"), "time_limit_sec"));
        all.add(json("a zero time_limit_sec is refused", with("\"time_limit_sec\": 0"), "time_limit_sec"));
        all.add(json("a huge time_limit_sec is refused", with("\"time_limit_sec\": 1e9"), "time_limit_sec", "20"));
        all.add(json("a time_limit_sec just above the maximum is refused", with("\"time_limit_sec\": 20.5"), "time_limit_sec"));
        all.add(json("a time_limit_sec too small to measure is refused", with("\"time_limit_sec\": 1e-10"), "time_limit_sec"));
        all.add(json("a non-integer memory_limit_mb is refused", with("\"memory_limit_mb\": 1.5"), "memory_limit_mb", "whole"));
        all.add(json("a memory_limit_mb below the minimum is refused", with("\"memory_limit_mb\": 15"), "memory_limit_mb", "16"));
        all.add(json("a zero memory_limit_mb is refused", with("\"memory_limit_mb\": 0"), "memory_limit_mb"));
        all.add(json("a negative memory_limit_mb is refused", with("\"memory_limit_mb\": -256"), "memory_limit_mb"));
        all.add(json("a huge memory_limit_mb is refused", with("\"memory_limit_mb\": 1000000"), "memory_limit_mb", "2048"));
        all.add(json("a memory_limit_mb beyond any integer type is refused",
                with("\"memory_limit_mb\": 99999999999999999999999999"), "memory_limit_mb"));
        all.add(json("a zero cpu_cores is refused", with("\"cpu_cores\": 0"), "cpu_cores"));
        all.add(json("a negative cpu_cores is refused", with("\"cpu_cores\": -1"), "cpu_cores"));
        all.add(json("a cpu_cores below a hundredth of a core is refused", with("\"cpu_cores\": 0.001"), "cpu_cores"));
        all.add(json("a huge cpu_cores is refused", with("\"cpu_cores\": 1000000"), "cpu_cores"));

        // unknown fields are refused, not ignored
        all.add(json("enable_network is refused as an unknown field", with("\"enable_network\": true"), "enable_network", "unknown"));
        all.add(json("env is refused as an unknown field", with("\"env\": {\"LD_PRELOAD\": \"/tmp/x.so\"}"), "env", "unknown"));
        all.add(json("mounts is refused as an unknown field", with("\"mounts\": [\"/etc\"]"), "mounts", "unknown"));
        all.add(json("an unknown field set to null is refused", with("\"enable_network\": null"), "enable_network", "unknown"));
        all.add(json("a field name in the wrong case is refused", "{\"Source_Code\": \"print(1)\"}", "Source_Code", "unknown"));

        // source_code
        all.add(json("a missing source_code is refused", "{\"stdin_data\": \"hello\"}", "source_code", "required"));
        all.add(json("a null source_code is refused", "{\"source_code\": null}", "source_code", "required"));
        all.add(json("an empty source_code is refused", "{\"source_code\": \"\"}", "source_code", "empty"));
        all.add(json("a NUL in source_code is refused", "{\"source_code\": \"print(1)\\u0000print(2)\"}", "source_code", "NUL"));
        all.add(json("a source_code over max-source-bytes is refused",
                "{\"source_code\": \"#" + "x".repeat(MAX_SOURCE) + "\"}", "source_code", Integer.toString(MAX_SOURCE)));
        all.add(json("a source_code over max-source-bytes counted in UTF-8 bytes is refused",
                "{\"source_code\": \"#" + "é".repeat(MAX_SOURCE / 2) + "\"}", "source_code", Integer.toString(MAX_SOURCE)));
        all.add(json("a stdin_data over max-stdin-bytes is refused",
                with("\"stdin_data\": \"" + "x".repeat(MAX_STDIN + 1) + "\""), "stdin_data", Integer.toString(MAX_STDIN)));

        // language: the message names the languages there are
        all.add(json("an unknown language is refused", with("\"language\": \"cobol\""), "language", "python"));
        all.add(json("a path-traversal language is refused", with("\"language\": \"../../bin/sh\""), "language", "python"));
        all.add(json("an empty language is refused", with("\"language\": \"\""), "language", "python"));

        // content type and size
        byte[] valid = with("\"stdin_data\": \"\"").getBytes(StandardCharsets.UTF_8);
        all.add(new BadPost("a text/plain body is refused with 415", "text/plain", valid, null, 415, null, "application/json"));
        all.add(new BadPost("a form-encoded body is refused with 415", "application/x-www-form-urlencoded",
                "source_code=print(1)".getBytes(StandardCharsets.UTF_8), null, 415, null, "application/json"));
        all.add(new BadPost("a body without a content type is refused with 415", null, valid, null, 415, null, "application/json"));
        // HttpClient gives up on the answer when the server closes while it still sends: declare the size, send nothing
        all.add(new BadPost("a body declared over the size limit is refused with 413 before it is sent", null, new byte[0],
                "POST /execute HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: " + (maxBody + 1), 413, null,
                Long.toString(maxBody)));
        // a chunked body has no size up front: the server must count while reading (a little over: all of it fits in the socket buffers)
        all.add(new BadPost("a chunked body over the size limit is refused with 413", null, chunked(with("\"stdin_data\": \""
                + "x".repeat((int) maxBody) + "\"")), "POST /execute HTTP/1.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked",
                413, null, Long.toString(maxBody)));
        return all;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badPosts")
    void bad_submission_gets_a_problem_naming_what_is_wrong(BadPost bad) throws Exception {
        HttpResponse<String> r = bad.send();
        try {
            JsonNode p = bad.field() == null ? assertProblem(r, bad.status()) : assertFieldProblem(r, bad.field());
            assertThat(p.path("instance").asText()).isEqualTo("/execute");
            if (bad.detailHas() != null) assertThat(p.path("detail").asText()).contains(bad.detailHas());
        } catch (AssertionError e) {
            // surefire reports parameterized cases by index: say which one
            throw new AssertionError(bad.name() + ": " + e.getMessage(), e);
        }
    }

    @Test
    void every_invalid_field_is_listed_at_once() throws Exception {
        JsonNode p = assertFieldProblem(server.postJson(
                "{\"source_code\": \"\", \"time_limit_sec\": -1, \"memory_limit_mb\": 1.5, \"cpu_cores\": 0, \"enable_network\": true}"),
                "enable_network");
        assertThat(errorFields(p)).containsExactlyInAnyOrder("enable_network", "source_code", "time_limit_sec", "memory_limit_mb",
                "cpu_cores");
        assertThat(p.path("detail").asText()).startsWith("5 fields are invalid");
    }

    @Test
    void unknown_language_message_lists_the_available_languages() throws Exception {
        JsonNode p = assertFieldProblem(server.postJson(with("\"language\": \"../../bin/sh\"")), "language");
        assertThat(messageOf(p, "language")).contains("'../../bin/sh' is not available").contains("available: ").contains("python");
    }

    @Test
    void oversized_source_names_its_size_and_the_maximum() throws Exception {
        String source = "#" + "é".repeat(MAX_SOURCE / 2); // 501 characters, 1001 bytes
        JsonNode p = assertFieldProblem(server.postJson(TestServer.body(source).toString()), "source_code");
        assertThat(messageOf(p, "source_code")).isEqualTo("is 1001 bytes; the maximum is " + MAX_SOURCE);
    }

    static Stream<Arguments> badResultIds() {
        return Stream.of(
                Arguments.of("an upper-case UUID is not an id", "/result/3F0C2A1E-0000-4000-8000-000000000000", 400),
                Arguments.of("an encoded path traversal is not an id", "/result/..%2f..%2fetc%2fpasswd", 400),
                Arguments.of("a thousand characters are not an id", "/result/" + "x".repeat(1000), 400),
                Arguments.of("a blank id is not an id", "/result/%20", 400),
                Arguments.of("a UUID in braces is not an id", "/result/%7B3f0c2a1e-0000-4000-8000-000000000000%7D", 400),
                Arguments.of("no id at all is no resource", "/result/", 404));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badResultIds")
    void malformed_result_id_gets_a_problem(String name, String path, int status) throws Exception {
        JsonNode p = assertProblem(server.get(path), status);
        if (status == 400) {
            assertThat(p.path("type").asText()).isEqualTo("urn:runbox:problem:invalid-id");
            assertThat(p.path("field").asText()).isEqualTo("submission_id");
        }
    }

    @Test
    void unknown_well_formed_id_gets_404() throws Exception {
        String id = "3f0c2a1e-0000-4000-8000-000000000000";
        JsonNode p = assertProblem(server.get("/result/" + id), 404);
        assertThat(p.path("type").asText()).isEqualTo("urn:runbox:problem:unknown-submission");
        assertThat(p.path("detail").asText()).contains(id);
        assertThat(p.path("instance").asText()).isEqualTo("/result/" + id);
    }

    @Test
    void unknown_route_gets_404_problem() throws Exception {
        JsonNode p = assertProblem(server.get("/no/such/route"), 404);
        assertThat(p.path("type").asText()).isEqualTo("urn:runbox:problem:not-found");
        assertThat(p.path("instance").asText()).isEqualTo("/no/such/route");
        assertProblem(Api.send(server, "POST", "/executes", JSON_TYPE, with("\"stdin_data\": \"\"").getBytes(StandardCharsets.UTF_8)), 404);
    }

    static Stream<Arguments> wrongMethods() {
        return Stream.of(
                Arguments.of("GET", "/execute", "POST"),
                Arguments.of("PUT", "/execute", "POST"),
                Arguments.of("DELETE", "/result/x", "GET"),
                Arguments.of("DELETE", "/result/3f0c2a1e-0000-4000-8000-000000000000", "GET"),
                Arguments.of("POST", "/health", "GET"),
                Arguments.of("POST", "/languages", "GET"));
    }

    @ParameterizedTest(name = "{0} {1} gets 405 problem")
    @MethodSource("wrongMethods")
    void wrong_method_gets_405_problem(String method, String path, String allowed) throws Exception {
        HttpResponse<String> r = Api.send(server, method, path, null, null);
        JsonNode p = assertProblem(r, 405);
        assertThat(p.path("type").asText()).isEqualTo("urn:runbox:problem:method-not-allowed");
        assertThat(p.path("detail").asText()).contains(method);
        assertThat(r.headers().firstValue("Allow")).as("RFC 9110: a 405 lists the allowed methods").hasValue(allowed);
    }

    @Test
    void bad_requests_change_nothing() throws Exception {
        // occupy the only worker: a bad request that were accepted anyway would wait in the queue
        String sleeper = server.submit(TestServer.body("import time; time.sleep(4); print('slept')", "time_limit_sec", 3));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> Api.health(server).path("workers_busy").asInt() == 1);

        for (BadPost bad : badPosts()) {
            assertThat(bad.send().statusCode()).as(bad.name()).isBetween(400, 499);
        }
        for (Arguments a : badResultIds().toList()) {
            assertThat(server.get((String) a.get()[1]).statusCode()).as((String) a.get()[0]).isBetween(400, 499);
        }

        JsonNode during = Api.health(server);
        assertThat(during.path("workers_busy").asInt()).as("the sleeper must still hold the worker, or this check proves nothing")
                .isEqualTo(1);
        assertThat(during.path("queue_depth").asInt()).as("nothing was queued by a bad request").isZero();

        assertThat(server.awaitFinal(sleeper).path("stdout").asText()).isEqualTo("slept\n");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
            JsonNode after = Api.health(server);
            assertThat(after.path("queue_depth").asInt()).isZero();
            assertThat(after.path("workers_busy").asInt()).isZero();
        });

        JsonNode fresh = server.run(TestServer.body("print(input()[::-1])", "stdin_data", "hello"));
        assertThat(fresh.path("status").asText()).isEqualTo("OK");
        assertThat(fresh.path("stdout").asText()).isEqualTo("olleh\n");
    }
}
